#include "est/server/auth/sign_in_throttle.hpp"

#include <algorithm>

namespace est::server::auth {

using std::chrono::milliseconds;

sign_in_throttle::sign_in_throttle(clock_fn now, throttle_options o) : now_(std::move(now)), o_(o) {}

milliseconds sign_in_throttle::delay(unsigned failures, unsigned free, milliseconds base, milliseconds cap) noexcept {
    if (failures <= free) return milliseconds{0};
    const unsigned doublings = failures - free - 1;
    if (doublings >= 40) return cap;
    const auto d = base * (std::int64_t{1} << doublings);
    return std::min(d, cap);
}

milliseconds sign_in_throttle::wait(const table& t, std::string_view key, unsigned free, milliseconds base,
                                    milliseconds cap, time_point now) const {
    auto it = t.find(key);
    if (it == t.end()) return milliseconds{0};
    const auto& c = it->second;
    if (now >= c.last + o_.forget_after) return milliseconds{0};
    const auto until = c.last + delay(c.failures, free, base, cap);
    if (now >= until) return milliseconds{0};
    return std::chrono::ceil<milliseconds>(until - now);
}

void sign_in_throttle::count(table& t, std::string_view key, time_point now) {
    auto it = t.find(key);
    if (it == t.end()) {
        prune(t, now);
        it = t.emplace(std::string(key), counter{}).first;
    } else if (now >= it->second.last + o_.forget_after) {
        it->second.failures = 0;
    }
    ++it->second.failures;
    it->second.last = now;
}

void sign_in_throttle::prune(table& t, time_point now) {
    if (t.size() < o_.max_entries) return;
    std::erase_if(t, [&](const auto& kv) { return now >= kv.second.last + o_.forget_after; });
    while (t.size() >= o_.max_entries) {
        auto oldest = std::min_element(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
        t.erase(oldest);
    }
}

sign_in_throttle::verdict sign_in_throttle::attempt(std::string_view account_key, std::string_view address) {
    const auto now = now_();
    std::lock_guard lock(mutex_);
    const auto by_address = wait(addresses_, address, o_.address_free, o_.address_base, o_.address_cap, now);
    if (by_address.count() > 0) return {false, by_address, holder::address};
    bool known = false;
    if (auto k = known_.find(account_key); k != known_.end())
        known = std::find(k->second.begin(), k->second.end(), address) != k->second.end();
    if (!known) {
        const auto by_account = wait(accounts_, account_key, o_.account_free, o_.account_base, o_.account_cap, now);
        if (by_account.count() > 0) return {false, by_account, holder::account};
    }
    count(addresses_, address, now);
    count(accounts_, account_key, now);
    return {};
}

void sign_in_throttle::succeeded(std::string_view account_key, std::string_view address) {
    std::lock_guard lock(mutex_);
    if (auto it = addresses_.find(address); it != addresses_.end() && it->second.failures > 0) --it->second.failures;
    if (auto it = accounts_.find(account_key); it != accounts_.end()) accounts_.erase(it);
    auto k = known_.find(account_key);
    if (k == known_.end()) {
        if (known_.size() >= o_.max_entries) known_.erase(known_.begin());
        k = known_.emplace(std::string(account_key), std::deque<std::string>{}).first;
    }
    auto& list = k->second;
    if (auto pos = std::find(list.begin(), list.end(), address); pos != list.end()) list.erase(pos);
    list.emplace_back(address);
    while (list.size() > o_.known_addresses_per_account) list.pop_front();
}

}  // namespace est::server::auth
