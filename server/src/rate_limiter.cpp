#include "est/server/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace est::server {

rate_limiter::rate_limiter(double per_minute, double burst, std::size_t max_addresses)
    : per_second_(per_minute / 60.0), burst_(std::max(burst, 1.0)), max_addresses_(std::max<std::size_t>(max_addresses, 1)) {}

double rate_limiter::refilled(const bucket& b, clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    return std::min(burst_, b.tokens + std::max(elapsed, 0.0) * per_second_);
}

std::chrono::seconds rate_limiter::take(std::string_view address, clock::time_point now) {
    if (per_second_ <= 0) return std::chrono::seconds(0);
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(std::string(address));
    if (it == buckets_.end()) {
        make_room(now);
        it = buckets_.emplace(std::string(address), bucket{burst_, now}).first;
    }
    bucket& b = it->second;
    b.tokens = refilled(b, now);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::chrono::seconds(0);
    }
    const double wait = (1.0 - b.tokens) / per_second_;
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

void rate_limiter::make_room(clock::time_point now) {
    if (buckets_.size() < max_addresses_) return;
    // A full bucket is what a new address gets anyway: forgetting it changes nothing.
    std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second, now) >= burst_; });
    if (buckets_.size() < max_addresses_) return;
    // Every address is still paying off a burst: forget the one that has waited longest (it is the nearest to full).
    auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                   [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
    buckets_.erase(oldest);
}

std::size_t rate_limiter::addresses() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace est::server
