#pragma once
// GET /api/bra/report?month=YYYY-MM[&group=G][&format=html|md|json] (docs/protocol.md, "The monthly report"):
// the monthly report of one group or of every group the caller may read it of. It reads the month's closed
// pictures and those of the level charts (at most `max_meetings` in all), and the BRÅ queue, so it is answered
// later (defer). Reports are limited per account, a few at a time in all, and kept rendered while nothing they
// show has changed (a new closing, an event in the queue, a new day).
#include <atomic>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "est/server/export_cache.hpp"
#include "est/server/http_router.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {
class catalog;
namespace auth {
class auth_service;
struct account;
struct caller;
}  // namespace auth
}  // namespace est::server

namespace est::server::records {

class bra_queue;
class monthly_report;
class signing_keys;

class report_routes {
public:
    struct options {
        unsigned stale_weeks = 6;           // as the queue shows items (--bra-stale-weeks)
        double per_minute = 6;              // reports rendered or served per account (per address under --open-access)
        double burst = 6;
        std::size_t cache_bytes = 16u << 20;  // rendered reports kept; 0: none
        std::size_t max_meetings = 200;     // closed pictures one report may read
        unsigned max_in_flight = 2;         // reports being put together at once (503 busy past it)
    };

    // `auth` null: --open-access (every group). `keys` seals the HTML and Markdown forms (null: no seal line).
    report_routes(catalog& cat, bra_queue& queue, const monthly_report& report, const signing_keys* keys,
                  auth::auth_service* auth, picture_source pictures, options o);
    ~report_routes();

    static bool is_report_path(const std::vector<std::string_view>& parts) noexcept;
    // The groups whose report `a` may read (read_bra_report): every group for null (--open-access).
    static std::set<std::string, std::less<>> groups_of(const catalog& cat, const auth::account* a);
    // False for any other path; otherwise `reply` runs exactly once, on any thread.
    bool defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
               std::function<void(http_response)> reply) const;

private:
    struct job;
    void render(std::shared_ptr<job> j) const;

    catalog& catalog_;
    bra_queue& queue_;
    const monthly_report& report_;
    const signing_keys* keys_;
    auth::auth_service* auth_;
    picture_source pictures_;
    options options_;
    mutable rate_limiter limiter_;
    mutable export_cache rendered_;
    mutable std::atomic<unsigned> in_flight_{0};
};

}  // namespace est::server::records
