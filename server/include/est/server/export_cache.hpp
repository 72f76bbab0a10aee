#pragma once
// Rendered exports of a meeting's picture, by meeting, revision and format: a revision never changes, so
// its export is rendered once and served again while it stays in the cache (least recently used out first,
// bounded by bytes). Requests for a revision being rendered wait for that render instead of starting their own.
// Pure (no sockets), thread-safe.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace est::server {

struct http_response;

class export_cache {
public:
    using answer = std::shared_ptr<const http_response>;
    using waiter = std::function<void(answer)>;

    // `max_bytes` 0 turns caching and sharing off: every request renders its own.
    explicit export_cache(std::size_t max_bytes);

    static std::string key(std::string_view meeting_id, std::uint64_t rev, std::string_view format);

    // When the export of `key` is cached, calls `w` with it at once and returns false; when it is being
    // rendered, `w` waits for that render and this returns false. Otherwise returns true and keeps nothing:
    // the caller renders it, calls finish(key, ...) (always, a failure too), and answers its own request.
    bool find_or_wait(const std::string& key, waiter w);
    // Hands `out` to everyone who waits for `key`'s render, and keeps it when `keep` (a success) and it fits.
    void finish(const std::string& key, answer out, bool keep);

    struct stats {
        std::uint64_t renders = 0;  // find_or_wait calls that had to render
        std::uint64_t hits = 0;     // ... that got a cached answer or shared a render
        std::size_t bytes = 0;      // held now
        std::size_t entries = 0;
    };
    stats counters() const;

private:
    struct entry {
        answer out;
        std::size_t bytes = 0;
        std::list<std::string>::iterator in_lru;
    };
    static std::size_t cost(const http_response& r);

    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> done_;
    std::list<std::string> lru_;  // front: the most recently used
    std::unordered_map<std::string, std::vector<waiter>> rendering_;
    std::size_t bytes_ = 0;
    std::uint64_t renders_ = 0, hits_ = 0;
};

}  // namespace est::server
