#pragma once
// Internal: waits for a store write's completion; a failed commit becomes domain_error("storage_failed").
#include <functional>
#include <future>
#include <string>

#include "est/error.hpp"
#include "est/server/store.hpp"

namespace est::server::auth::detail {

inline void wait_durable(const std::function<void(store::completion)>& write) {
    std::promise<std::string> p;
    auto f = p.get_future();
    write([&p](const std::string& err) { p.set_value(err); });
    const std::string err = f.get();
    if (!err.empty()) throw domain_error("storage_failed", err);
}

}  // namespace est::server::auth::detail
