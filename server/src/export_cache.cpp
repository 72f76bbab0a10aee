#include "est/server/export_cache.hpp"

#include "est/server/http_router.hpp"

namespace est::server {

export_cache::export_cache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::string export_cache::key(std::string_view meeting_id, std::uint64_t rev, std::string_view format) {
    std::string k(meeting_id);
    k += '\n';
    k += std::to_string(rev);
    k += '\n';
    k += format;
    return k;
}

std::size_t export_cache::cost(const http_response& r) {
    std::size_t n = sizeof(http_response) + r.body.size() + r.content_type.size();
    for (const auto& [k, v] : r.headers) n += k.size() + v.size() + 64;
    return n;
}

bool export_cache::find_or_wait(const std::string& key, waiter w) {
    answer hit;
    {
        std::lock_guard lock(mutex_);
        if (max_bytes_ == 0) {
            ++renders_;
            return true;
        }
        if (auto it = done_.find(key); it != done_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.in_lru);
            hit = it->second.out;
            ++hits_;
        } else if (auto r = rendering_.find(key); r != rendering_.end()) {
            r->second.push_back(std::move(w));
            ++hits_;
            return false;
        } else {
            rendering_.emplace(key, std::vector<waiter>{});
            ++renders_;
            return true;
        }
    }
    w(std::move(hit));
    return false;
}

void export_cache::finish(const std::string& key, answer out, bool keep) {
    std::vector<waiter> waiting;
    {
        std::lock_guard lock(mutex_);
        if (max_bytes_ == 0) return;
        if (auto r = rendering_.find(key); r != rendering_.end()) {
            waiting = std::move(r->second);
            rendering_.erase(r);
        }
        const std::size_t bytes = out ? cost(*out) : 0;
        if (keep && out && bytes <= max_bytes_ && !done_.contains(key)) {
            while (bytes_ + bytes > max_bytes_ && !lru_.empty()) {
                auto old = done_.find(lru_.back());
                bytes_ -= old->second.bytes;
                done_.erase(old);
                lru_.pop_back();
            }
            lru_.push_front(key);
            done_.emplace(key, entry{out, bytes, lru_.begin()});
            bytes_ += bytes;
        }
    }
    for (auto& w : waiting) w(out);  // outside the lock: a waiter answers its request
}

export_cache::stats export_cache::counters() const {
    std::lock_guard lock(mutex_);
    return {renders_, hits_, bytes_, done_.size()};
}

}  // namespace est::server
