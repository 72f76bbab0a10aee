#pragma once
// HTTP routing as a pure function from request to response: the REST API and the web client's files.
// No sockets here; tests call it directly.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/permission_table.hpp"
#include "est/server/export_cache.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {

class catalog;
class picture_report;
struct picture_result;
namespace records {
class lifecycle_routes;
class bra_routes;
class correction_routes;
class history_routes;
class report_routes;
}  // namespace records
namespace auth {
class auth_service;
class access_gate;
struct caller;
class account_routes;
}  // namespace auth

struct http_request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, e.g. "/api/groups?x=1"
    std::string body;
    std::string remote_address;  // the client's IP address (set by http_session; behind a trusted proxy, the forwarded one)
    // Headers the access checks read; empty when absent.
    std::string host;
    std::string origin;
    std::string cookie;
    std::string content_type;
    bool tls = false;  // came over TLS
};

struct http_response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// The WebSocket endpoint: "/ws", or "/ws?meeting=ID" naming the meeting the client will join (a hint
// that keeps the connection on its meeting's thread). Returns nullopt when `target` is not the endpoint;
// otherwise the meeting hint, empty when there is none or it is not a plain id.
std::optional<std::string> websocket_target(std::string_view target);

// Where exports get a meeting's durable picture: calls back once, on any thread (rendering runs there).
using picture_source = std::function<void(const std::string& meeting_id, std::function<void(picture_result)> done)>;

// What the router bounds per client address and in all (server_options has the flags).
struct http_limits {
    double creations_per_minute = 20;  // POSTs creating a group or a meeting, per client address; 0: no limit
    double creation_burst = 20;        // ... of which this many at once
    unsigned max_exports = 8;          // exports under way in all (503 busy past it)
    unsigned max_exports_per_address = 2;  // ... from one client address (429 busy past it); 0: no limit
    std::size_t export_cache_bytes = 64u << 20;  // rendered exports kept; 0: none kept and none shared
};

// The list endpoints' pages: ?limit= (this by default, at most max_page) and ?after=<id>.
inline constexpr std::size_t default_page = 100;
inline constexpr std::size_t max_page = 500;

// Who may reach what. Without an auth_service the server runs with --open-access: no accounts, every route
// answers anyone (the Host, Origin and content-type checks still apply).
struct http_access {
    auth::auth_service* auth = nullptr;
    std::vector<std::string> allowed_hosts;
    std::vector<std::string> allowed_origins;
};

class http_router {
public:
    // `stats` answers GET /api/stats (live counters for operators and tests); `report` and `pictures`
    // answer GET /api/meetings/ID/export (without them that route is 404).
    http_router(catalog& cat, std::filesystem::path web_root, std::function<nlohmann::json()> stats = {},
                const picture_report* report = nullptr, picture_source pictures = {}, http_limits limits = {},
                http_access access = {});
    ~http_router();
    http_response handle(const http_request& req) const;
    // Where `req` is answered: at once on the I/O thread; on the blocking pool when it may wait (a write waiting
    // for its commit, the audit log read); on the password pool when it hashes a password (~0.1 s of CPU and
    // 64 MiB each), so a flood of sign-ins cannot hold up the writes.
    enum class work : unsigned char { io, blocking, password };
    work work_of(const http_request& req) const;
    // The WebSocket upgrade `req` (Host, Origin, session): nullopt with `*who` set to the signed-in person (left
    // empty under open access) when it may go on; otherwise the HTTP answer refusing it.
    std::optional<http_response> admit_websocket(const http_request& req, std::optional<auth::caller>* who) const;
    // Calls that wait for a meeting's live state are answered later: returns false when `req` is not one
    // of them; otherwise `reply` runs exactly once, on this thread or another.
    bool defer(const http_request& req, std::function<void(http_response)> reply) const;
    // The routes of sign-off (lifecycle moves, the server's keys, a group's chain); without them those are 404.
    void use_records(std::unique_ptr<records::lifecycle_routes> routes);
    // The route that starts a correction of a closed meeting; without it that is 404.
    void use_corrections(std::unique_ptr<records::correction_routes> routes);
    void use_history(std::unique_ptr<records::history_routes> routes);
    // The routes of the BRÅ queue; without them those are 404.
    void use_bra(std::unique_ptr<records::bra_routes> routes);
    // The monthly report (GET /api/bra/report); without it that is 404.
    void use_reports(std::unique_ptr<records::report_routes> routes);

private:
    // An export's turn: counted in all and per address while it is under way (released when destroyed).
    class export_turn;

    http_response api(const http_request& req, std::string_view path, const auth::caller& who) const;
    // Who sends `req`: the session of its cookie, if live.
    auth::caller identify(const http_request& req) const;
    // nullopt when `who` may take `what` (on the group `group_id`; empty for a server action); otherwise the
    // answer: 401 to an anonymous caller, 404 to a non-member (as if the group did not exist), 403 to a member.
    std::optional<http_response> refuse(const auth::caller& who, est::action what, std::string_view group_id,
                                        std::string_view route) const;
    // The headers every answer carries (and HTML pages' Content-Security-Policy).
    static http_response& secured(http_response& res, bool api);
    // PATCH /api/meetings/{id}: title, date, archived (docs/protocol.md, "Preparing and filing meetings").
    http_response edit_meeting(const http_request& req, std::string_view meeting_id, const auth::caller& who) const;
    http_response static_file(std::string_view path) const;
    // `version`: "full" (or empty) or "public" (docs/privacy.md).
    void export_picture(const http_request& req, std::string_view meeting_id, std::string_view format, std::string_view version,
                        std::function<void(http_response)> reply) const;
    // 0 when the export may start, else the status refusing it (429 for the address, 503 for all).
    unsigned take_export_turn(const std::string& address) const;
    void release_export_turn(const std::string& address) const;

    catalog& catalog_;
    std::filesystem::path web_root_;
    std::function<nlohmann::json()> stats_;
    const picture_report* report_;
    picture_source pictures_;
    http_limits limits_;
    auth::auth_service* auth_;
    std::unique_ptr<auth::access_gate> gate_;
    std::unique_ptr<auth::account_routes> accounts_;
    std::unique_ptr<records::lifecycle_routes> records_;
    std::unique_ptr<records::correction_routes> corrections_;
    std::unique_ptr<records::history_routes> history_;
    std::unique_ptr<records::bra_routes> bra_;
    std::unique_ptr<records::report_routes> reports_;
    mutable rate_limiter creations_;
    mutable export_cache exports_;
    mutable std::mutex export_turns_mutex_;
    mutable unsigned exports_in_flight_ = 0;
    // Exports under way per client address; only addresses with one under way, so at most max_exports entries.
    mutable std::unordered_map<std::string, unsigned> exports_by_address_;
};

}  // namespace est::server
