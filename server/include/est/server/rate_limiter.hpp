#pragma once
// Token buckets per client address: what keeps one address from creating groups and meetings without end.
// Pure (no sockets, no clock of its own: the caller passes the time), thread-safe, and bounded: a bucket
// that has refilled is the same as none and is dropped, and the table holds at most `max_addresses`.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace est::server {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    // `per_minute` tokens flow back each minute, up to `burst`; per_minute 0 turns the limit off.
    rate_limiter(double per_minute, double burst, std::size_t max_addresses = 65536);

    // Takes a token of `address`'s bucket. Zero when it may go ahead; otherwise how long until a token is back
    // (at least one second, as Retry-After counts).
    std::chrono::seconds take(std::string_view address, clock::time_point now = clock::now());

    std::size_t addresses() const;  // buckets held (tests)

private:
    struct bucket {
        double tokens;
        clock::time_point at;  // when `tokens` was right
    };
    double refilled(const bucket& b, clock::time_point now) const;
    void make_room(clock::time_point now);  // lock held

    double per_second_;
    double burst_;
    std::size_t max_addresses_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace est::server
