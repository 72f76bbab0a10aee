#include "est/server/auth/repeat_limiter.hpp"

#include <algorithm>

namespace est::server::auth {

repeat_limiter::repeat_limiter(std::size_t max_keys) : max_keys_(std::max<std::size_t>(1, max_keys)) {}

repeat_limiter::verdict repeat_limiter::event(std::string_view key, time_point now, std::chrono::milliseconds window) {
    std::lock_guard lock(mutex_);
    auto it = keys_.find(key);
    if (it != keys_.end() && now < it->second.until) {
        ++it->second.suppressed;
        return {false, 0};
    }
    verdict v;
    if (it == keys_.end()) {
        make_room(now);
        it = keys_.emplace(std::string(key), entry{}).first;
    }
    v.suppressed = it->second.suppressed;
    it->second = {now + window, 0};
    return v;
}

void repeat_limiter::make_room(time_point now) {
    if (keys_.size() < max_keys_) return;
    // An ended window whose count is zero is the same as none; one with a count loses it (bounded memory wins).
    std::erase_if(keys_, [&](const auto& kv) { return now >= kv.second.until; });
    while (keys_.size() >= max_keys_) {
        auto oldest = std::min_element(keys_.begin(), keys_.end(),
                                       [](const auto& a, const auto& b) { return a.second.until < b.second.until; });
        keys_.erase(oldest);
    }
}

std::size_t repeat_limiter::size() const {
    std::lock_guard lock(mutex_);
    return keys_.size();
}

}  // namespace est::server::auth
