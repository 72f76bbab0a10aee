#pragma once
// What every connection needs from the server, by reference.
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "est/server/room_member.hpp"
#include "est/server/server_options.hpp"

namespace est::server {

class room_registry;
class http_router;

// Live WebSocket connections, so shutdown can close each with a close frame, and tests can count them.
class connection_tracker {
public:
    void add(const std::shared_ptr<room_member>& c) {
        std::lock_guard lock(mutex_);
        live_[c.get()] = c;
    }
    void remove(const room_member* c) {
        std::lock_guard lock(mutex_);
        live_.erase(c);
    }
    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return live_.size();
    }
    template <class F>
    void for_each(F&& f) const {
        std::unordered_map<const room_member*, std::weak_ptr<room_member>> copy;
        {
            std::lock_guard lock(mutex_);
            copy = live_;
        }
        for (auto& [ptr, weak] : copy)
            if (auto c = weak.lock()) f(*c);
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const room_member*, std::weak_ptr<room_member>> live_;
};

struct server_context {
    const server_options& options;
    room_registry& rooms;
    http_router& router;
    connection_tracker& connections;
    std::atomic<bool> stopping{false};
};

}  // namespace est::server
