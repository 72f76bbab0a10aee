#pragma once
// The REST routes of the BRÅ queue (docs/protocol.md, "The BRÅ queue"):
//   GET  /api/bra/items[?group=G][&format=csv]  the items of the caller's groups (JSON, or CSV)
//   GET  /api/bra/items/{id}                     one item with its whole history
//   POST /api/bra/items/{id}/events              decide, assign, comment or follow up (est::bra_request)
//   POST /api/bra/import?group=G                 open measures from a file in the export's format (CSV or JSON)
// Every route reads closed meetings the queue may not have read yet, so each is answered later (defer).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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

class bra_routes {
public:
    // `auth` null: --open-access (a POST's body names who acts with "as"). Events are limited per account (per
    // address under --open-access): each is kept for ever. `stale_weeks`: a follow-up older than this is shown
    // grey, "inte uppdaterad" (0: never).
    bra_routes(catalog& cat, bra_queue& queue, auth::auth_service* auth, unsigned stale_weeks,
               double events_per_minute = 60, double burst = 30);

    static bool is_bra_path(const std::vector<std::string_view>& parts) noexcept;
    // The groups whose items `a` may read: those they are a member of (all for a server administrator); every
    // group for null (--open-access). The REST routes and the WebSocket watch both ask this.
    static std::set<std::string, std::less<>> groups_of(const catalog& cat, const auth::account* a);
    // False for any other path; otherwise `reply` runs exactly once, on any thread.
    bool defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
               std::function<void(http_response)> reply) const;

private:
    void list(const http_request& req, const auth::caller& who, std::function<void(http_response)> reply) const;
    void show(std::string id, const auth::caller& who, std::function<void(http_response)> reply) const;
    void post(const http_request& req, std::string id, const auth::caller& who,
              std::function<void(http_response)> reply) const;
    void import_items(const http_request& req, const auth::caller& who, std::function<void(http_response)> reply) const;
    // The group of an item: its meeting's, or its import's; nullopt for an id of neither.
    std::optional<std::string> group_of_item(std::string_view id) const;
    // groups_of for the caller.
    std::vector<std::string> visible_groups(const auth::caller& who) const;

    catalog& catalog_;
    bra_queue& queue_;
    auth::auth_service* auth_;
    unsigned stale_weeks_;
    mutable rate_limiter events_;
};

}  // namespace est::server::records
