#include "est/server/records/lifecycle_routes.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/records/signing_keys.hpp"

namespace est::server::records {

using json = nlohmann::json;

namespace {

// What the body asks: {"action", "topic"?, "rev"?, "digest"?, "password"?, "as"?}.
struct move_body {
    lifecycle_request req;
    std::string password;
    std::optional<identity> as;  // --open-access only
};

move_body read_body(const std::string& text, bool open_access) {
    const json j = parse_json_bounded(text, 8);
    json_read::object(j, "");
    const std::string name = json_read::string(j, "", "action", 32);
    const auto kind = lifecycle_kind_from_string(name);
    if (!kind)
        throw domain_error("bad_message", "'action' must be open, lock_topic, unlock_topic, lock_picture, "
                                          "unlock_picture, sign or close, not '" + name + "'");
    move_body b;
    b.req.kind = *kind;
    std::vector<std::string_view> allowed = {"action"};
    if (open_access) allowed.push_back("as");
    switch (*kind) {
        case lifecycle_kind::lock_topic:
        case lifecycle_kind::unlock_topic:
            allowed.push_back("topic");
            b.req.topic = json_read::id(j, "", "topic");
            break;
        case lifecycle_kind::sign:
            allowed.insert(allowed.end(), {"rev", "digest", "password"});
            b.req.rev = json_read::uint(j, "", "rev");
            b.req.digest = json_read::string(j, "", "digest", 64);
            // Without accounts there is no password to ask (and one sent is not looked at).
            if (!open_access || j.contains("password")) b.password = json_read::string(j, "", "password", 4096);
            break;
        default: break;
    }
    for (const auto& [key, value] : j.items())
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            throw domain_error("bad_message", "'" + key + "' is not a field of the action " + name);
    if (open_access) b.as = lifecycle_routes::acting_as(j);
    return b;
}

}  // namespace

identity lifecycle_routes::acting_as(const json& body) {
    const json& as = json_read::required(body, "", "as");
    json_read::object(as, "as");
    json_read::only_fields(as, "as", {"name", "org", "role"});
    const std::string role_name = json_read::string(as, "as", "role", 32);
    const auto r = role_from_string(role_name);
    if (!r) throw domain_error("bad_message", "'as.role' is not a role: '" + role_name + "'");
    identity who{json_read::string(as, "as", "name", 100), as.contains("org") ? json_read::id(as, "as", "org") : std::string(),
                 *r};
    if (who.name.empty()) throw domain_error("bad_message", "'as.name' must not be empty");
    return who;
}

lifecycle_routes::lifecycle_routes(catalog& cat, auth::auth_service* auth, const signing_keys* keys, act_fn act,
                                   confirm_fn confirm, double moves_per_minute, double burst)
    : catalog_(cat),
      auth_(auth),
      keys_(keys),
      act_(std::move(act)),
      confirm_(std::move(confirm)),
      moves_(moves_per_minute, burst) {}

bool lifecycle_routes::is_lifecycle_path(const std::vector<std::string_view>& parts) noexcept {
    return parts.size() == 4 && parts[0] == "api" && parts[1] == "meetings" && parts[3] == "lifecycle";
}

std::optional<http_response> lifecycle_routes::handle(const http_request& req, const std::vector<std::string_view>& parts,
                                                      const auth::caller& who) const {
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (parts.size() == 2 && parts[1] == "keys") {
        // Public keys: anyone may check a picture they were mailed.
        if (!get) return error_response(405, "method_not_allowed", req.method + " is not allowed on /api/keys");
        if (!keys_) return json_response(200, json{{"keys", json::array()}});
        return json_response(200, keys_->to_json());
    }
    if (parts.size() == 4 && parts[1] == "groups" && parts[3] == "chain") {
        if (!get) return error_response(405, "method_not_allowed", req.method + " is not allowed on a group's chain");
        if (auth_)
            if (auto no = auth::refuse(who, action::list_meetings, parts[2], "GET /api/groups/{id}/chain")) return no;
        if (!catalog_.find_group(parts[2]))
            return error_response(404, "not_found", "there is no group '" + std::string(parts[2]) + "'");
        json closings = json::array();
        for (const auto& link : catalog_.chain_of(parts[2])) {
            const json statement = json::parse(link.record.at("statement").get_ref<const std::string&>());
            closings.push_back({{"meeting", link.meeting_id},
                                {"sequence", link.sequence},
                                {"digest", statement.value("digest", "")},
                                {"previous", statement.value("previous", "")},
                                {"statement", link.record.at("statement")},
                                {"sshsig", link.record.at("sshsig")},
                                {"key_id", link.record.at("key_id")}});
        }
        return json_response(200, json{{"group", parts[2]}, {"closings", std::move(closings)}});
    }
    return std::nullopt;
}

bool lifecycle_routes::defer(const http_request& req, const std::vector<std::string_view>& parts,
                             const auth::caller& who, std::function<void(http_response)> reply) const {
    if (!is_lifecycle_path(parts)) return false;
    const std::string meeting_id(parts[2]);
    const char* route = "POST /api/meetings/{id}/lifecycle";
    if (req.method != "POST")
        return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on a meeting's lifecycle")), true;
    const auto info = catalog_.find_meeting(meeting_id);
    const std::string_view group_id = info ? std::string_view(info->group_id) : std::string_view("-");
    // Signed in and a member first: the body of a stranger is not worth reading.
    if (auth_)
        if (auto no = auth::refuse(who, action::join_meeting, group_id, route)) {
            if (no->status == 404) *no = error_response(404, "not_found", "there is no meeting '" + meeting_id + "'");
            return reply(std::move(*no)), true;
        }
    if (!info) return reply(error_response(404, "not_found", "there is no meeting '" + meeting_id + "'")), true;
    if (const auto wait = moves_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many lifecycle moves in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res)), true;
    }
    move_body body;
    try {
        body = read_body(req.body, !auth_);
    } catch (const domain_error& e) {
        return reply(error_response(400, e.code(), e.what())), true;
    }
    if (auth_) {
        const auto& a = who.who();
        const auto* m = a.membership_of(info->group_id);
        body.req.by = {a.id, identity{a.display_name, m ? m->org : std::string(), m ? m->role : role::admin}};
    } else {
        body.req.by = {std::string(), *body.as};
    }
    // Each move that happened goes to the audit log too (the op log has it; the audit log is where an
    // administrator looks for who did what).
    auto* audit = auth_ ? &auth_->audit() : nullptr;
    auto answer = [reply, audit, meeting_id, route = std::string(route), account = body.req.by.account, address = who.address,
                   what = std::string(to_string(body.req.kind)), topic = body.req.topic](lifecycle_result r) {
        if (!r.error.empty()) return reply(domain_error_response(route, r.error, r.message));
        auto ok = std::make_shared<http_response>(json_response(200, json{{"rev", r.rev}, {"lifecycle", r.lifecycle}}));
        if (!audit) return reply(std::move(*ok));
        json detail = {{"move", what}, {"rev", r.rev}, {"phase", r.lifecycle.value("phase", "")}};
        if (!topic.empty()) detail["topic"] = topic;
        // Answered once its audit row is durable too: an acknowledged move is never missing from the log. The
        // move itself is durable already, so a failed audit write is the operator's to see, not a refusal.
        audit->record(account, address, auth::audit_action::lifecycle_move, meeting_id, std::move(detail),
                      [reply, ok](const std::string&) { reply(std::move(*ok)); });
    };
    if (body.req.kind != lifecycle_kind::sign || !auth_) {
        act_(meeting_id, std::move(body.req), std::move(answer));
        return true;
    }
    // A signature is the signer's own act: their password again, so a laptop left signed in cannot sign.
    // Named before the call: its arguments are evaluated in no fixed order, and the callback takes `body.req`.
    std::string account = body.req.by.account;
    confirm_(std::move(account), std::move(body.password), who.address,
             [act = act_, meeting_id, req = std::move(body.req), answer](std::string error, std::string message) mutable {
                 if (!error.empty()) return answer({std::move(error), std::move(message), 0, {}});
                 act(meeting_id, std::move(req), std::move(answer));
             });
    return true;
}

}  // namespace est::server::records
