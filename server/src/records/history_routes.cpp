#include "est/server/records/history_routes.hpp"

#include <nlohmann/json.hpp>

#include "est/permission_table.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/records/entry_history.hpp"
#include "est/server/store.hpp"

namespace est::server::records {

namespace {
constexpr const char* route = "GET /api/meetings/{id}/history";
}  // namespace

history_routes::history_routes(catalog& cat, store& db, auth::auth_service* auth, run_fn run, double per_minute,
                               double burst, std::size_t max_ops)
    : catalog_(cat), db_(db), auth_(auth), run_(std::move(run)), max_ops_(max_ops), reads_(per_minute, burst) {}

bool history_routes::is_history_path(const std::vector<std::string_view>& parts) noexcept {
    return parts.size() == 4 && parts[0] == "api" && parts[1] == "meetings" && parts[3] == "history";
}

bool history_routes::defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
                           std::function<void(http_response)> reply) const {
    if (!is_history_path(parts)) return false;
    const std::string meeting_id(parts[2]);
    if (req.method != "GET" && req.method != "HEAD")
        return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on a meeting's history")), true;
    const auto info = catalog_.find_meeting(meeting_id);
    const auto no_meeting = [&] { return error_response(404, "not_found", "there is no meeting '" + meeting_id + "'"); };
    // A member of the meeting's group, as for reading the meeting: a stranger learns nothing.
    if (auth_)
        if (auto no = auth::refuse(who, action::join_meeting, info ? std::string_view(info->group_id) : "-", route))
            return reply(no->status == 404 ? no_meeting() : std::move(*no)), true;
    if (!info) return reply(no_meeting()), true;
    if (const auto wait = reads_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many history reads in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res)), true;
    }
    run_([this, meeting_id, purged = !info->purged_at.empty(), reply = std::move(reply)] {
        try {
            // Whole when the log starts at the meeting's beginning (nothing compacted or purged away).
            const std::uint64_t first = db_.first_op_rev(meeting_id);
            entry_history history(!purged && first <= 1);
            const bool all = db_.each_entry_op(meeting_id, max_ops_, [&](std::uint64_t rev, std::string at, std::string author,
                                                                           std::string change) {
                history.add({rev, std::move(at), std::move(author), std::move(change)});
            });
            nlohmann::json out = history.to_json();
            if (!all) out["complete"] = false;
            out["meeting"] = meeting_id;
            reply(json_response(200, out));
        } catch (const std::exception& e) {
            reply(domain_error_response(route, "storage_failed", e.what()));
        }
    });
    return true;
}

}  // namespace est::server::records
