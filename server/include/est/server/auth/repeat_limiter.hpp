#pragma once
// At most one record per key per window: what keeps anonymous callers from writing the audit log (and the
// security log) without end. The first event of a key in a window is let through and opens the window; the rest
// inside it are only counted, and the count is handed to the next event let through (its row says how many it
// stands for). Bounded: windows that have ended are dropped first, then the oldest, past `max_keys`.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "est/server/auth/auth_clock.hpp"

namespace est::server::auth {

class repeat_limiter {
public:
    struct verdict {
        bool record = true;           // write this one
        std::uint64_t suppressed = 0;  // record: events of the key left unwritten since its last record
    };

    explicit repeat_limiter(std::size_t max_keys = 65536);

    // An event of `key` at `now`; when recorded, the key's window runs until now + window.
    verdict event(std::string_view key, time_point now, std::chrono::milliseconds window);
    std::size_t size() const;

private:
    struct entry {
        time_point until{};
        std::uint64_t suppressed = 0;
    };
    void make_room(time_point now);  // lock held

    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::map<std::string, entry, std::less<>> keys_;
};

}  // namespace est::server::auth
