#pragma once
// GET /api/meetings/{id}/history (docs/protocol.md, "Entry history"): who added, wrote in and removed each entry of
// the meeting, and what a removed entry held, for members of the meeting's group. Read from the store's op log on a
// blocking pool, never on an I/O thread; limited per caller.
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "est/server/http_router.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {
class catalog;
class store;
namespace auth {
class auth_service;
struct caller;
}  // namespace auth
}  // namespace est::server

namespace est::server::records {

class history_routes {
public:
    // Runs a job off the I/O threads (the export pool).
    using run_fn = std::function<void(std::function<void()>)>;
    // At most `max_ops` ops are read per answer (past them the answer says it is not complete).
    history_routes(catalog& cat, store& db, auth::auth_service* auth, run_fn run, double per_minute = 30,
                   double burst = 10, std::size_t max_ops = 200000);

    // GET /api/meetings/{id}/history: false for any other path; otherwise `reply` runs exactly once.
    bool defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
               std::function<void(http_response)> reply) const;
    static bool is_history_path(const std::vector<std::string_view>& parts) noexcept;

private:
    catalog& catalog_;
    store& db_;
    auth::auth_service* auth_;
    run_fn run_;
    std::size_t max_ops_;
    mutable rate_limiter reads_;
};

}  // namespace est::server::records
