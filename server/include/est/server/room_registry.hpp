#pragma once
// Finds the live room of a meeting, loading it from the store (snapshot + ops after it) on first use.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "est/limits.hpp"

namespace est::server {

class catalog;
class meeting_room;
class store;

class room_registry {
public:
    // error_code empty on success; otherwise `room` is null and message says why.
    using open_handler = std::function<void(std::shared_ptr<meeting_room> room, const std::string& error_code,
                                            const std::string& message)>;

    room_registry(boost::asio::any_io_executor ex, store& db, catalog& cat, limits lim);

    // `done` may run on the caller's thread or the store's: post to your own strand.
    void open(const std::string& meeting_id, open_handler done);
    std::size_t loaded() const;
    // Forgets every room (at shutdown, before the io_context their strands belong to goes).
    void clear();

private:
    void loaded_from_store(const std::string& id, std::shared_ptr<meeting_room> room, const std::string& code,
                           const std::string& message);

    boost::asio::any_io_executor ex_;
    store& store_;
    catalog& catalog_;
    limits limits_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<meeting_room>, std::less<>> rooms_;
    std::map<std::string, std::vector<open_handler>, std::less<>> loading_;
};

}  // namespace est::server
