#include "est/server/auth/account_routes.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/server/auth/access_gate.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_reply.hpp"

namespace est::server::auth {

using json = nlohmann::json;

namespace {
// The body of a write: a JSON object of at most these fields.
json object_body(const http_request& req, std::initializer_list<std::string_view> fields) {
    json body = req.body.empty() ? json::object() : parse_json_bounded(req.body, 8);
    json_read::object(body, "");
    json_read::only_fields(body, "", fields);
    return body;
}

// A password as typed: any string (the policy judges it), bounded before it is hashed.
std::string password_of(const json& body) { return json_read::string(body, "", "password", 4096); }

est::role role_of(const json& body) {
    const auto r = json_read::string(body, "", "role", 32);
    auto parsed = role_from_string(r);
    if (!parsed) throw domain_error("bad_message", "'role' must be participant, chair, cosigner, bra_member or admin");
    return *parsed;
}

std::string org_of(const json& body) { return body.contains("org") ? json_read::string(body, "", "org", 64) : std::string(); }

std::string_view kind_name(invitation_kind k) { return k == invitation_kind::invite ? "invite" : "reset"; }

// The link the inviter sends: a client-side route, so the token never reaches a server's log.
std::string link_of(const issued_invitation& i) {
    return std::string(i.info.kind == invitation_kind::invite ? "/#/inbjudan/" : "/#/aterstall/") + i.token;
}

json issued_json(const issued_invitation& i) {
    return {{"email", i.info.email},
            {"role", std::string(est::to_string(i.info.role))},
            {"org", i.info.org},
            {"link", link_of(i)},
            {"expires_at", to_millis(i.info.expires_at)}};
}

http_response with_cookie(http_response res, const new_session& s, const auth_service& auth, bool tls) {
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(s.info.expires_at - s.info.created_at);
    (void)auth;
    res.headers.emplace_back("Set-Cookie", access_gate::set_cookie(s.token, lifetime, tls));
    return res;
}

http_response without_cookie(http_response res, bool tls) {
    res.headers.emplace_back("Set-Cookie", access_gate::clear_cookie(tls));
    return res;
}

http_response too_many_attempts(std::chrono::milliseconds retry_after) {
    auto res = error_response(429, "throttled", "too many failed sign-ins; wait before trying again");
    res.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(1, (retry_after.count() + 999) / 1000)));
    return res;
}

http_response no_content() { return {204, "application/json", "", {}}; }

http_response method_not_allowed(const http_request& req) {
    return error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path_of(req.target)));
}

// A member as a group's page shows them: only their role in that group, never their other groups.
json member_json(const account& a, std::string_view group_id) {
    const auto* m = a.membership_of(group_id);
    json out = {{"id", a.id}, {"email", a.email}, {"name", a.display_name}, {"disabled", a.disabled}};
    out["role"] = m ? json(std::string(est::to_string(m->role))) : json(nullptr);
    out["org"] = m ? m->org : std::string();
    return out;
}
}  // namespace

account_routes::account_routes(auth_service& auth, catalog& cat, double invitations_per_minute, double burst)
    : auth_(auth), catalog_(cat), invitations_made_(invitations_per_minute, burst) {}

bool account_routes::blocks(const http_request& req, const std::vector<std::string_view>& parts) {
    if (req.method != "GET" && req.method != "HEAD") return true;
    return parts.size() >= 2 && parts[1] == "audit";
}

bool account_routes::hashes_password(const http_request& req, const std::vector<std::string_view>& parts) {
    if (req.method != "POST") return false;
    if (parts.size() == 2) return parts[1] == "session" || parts[1] == "password-reset";
    return parts.size() == 3 && parts[1] == "invitations" && parts[2] == "accept";
}

json account_routes::me(const caller& who) const {
    const account& a = who.who();
    json groups = json::array();
    for (const auto& m : a.memberships) {
        const auto g = catalog_.find_group(m.group_id);
        groups.push_back({{"group_id", m.group_id},
                          {"group_name", g ? g->name : std::string()},
                          {"role", std::string(est::to_string(m.role))},
                          {"org", m.org}});
    }
    return {{"id", a.id},
            {"email", a.email},
            {"name", a.display_name},
            {"is_admin", a.is_admin},
            {"memberships", std::move(groups)},
            {"session", {{"id", who.session->session.id}, {"expires_at", to_millis(who.session->session.expires_at)}}}};
}

std::optional<http_response> account_routes::handle(const http_request& req, const std::vector<std::string_view>& parts,
                                                     const caller& who) const {
    if (parts.size() < 2) return std::nullopt;
    const std::string_view what = parts[1];
    if (what == "session" || what == "sessions" || what == "me") return sessions(req, parts, who);
    if (what == "invitations" || what == "password-reset") return invitations(req, parts, who);
    if (what == "groups" && parts.size() >= 4 && (parts[3] == "members" || parts[3] == "invitations"))
        return members(req, parts, who);
    if (what == "accounts" || what == "audit") return administration(req, parts, who);
    return std::nullopt;
}

std::optional<http_response> account_routes::sessions(const http_request& req, const std::vector<std::string_view>& parts,
                                                      const caller& who) const {
    if (parts.size() != 2) return std::nullopt;
    const std::string route = route_of(req, path_of(req.target));
    if (parts[1] == "me") {
        if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req);
        if (who.anonymous()) return error_response(401, "sign_in_required", "sign in first");
        return json_response(200, me(who));
    }
    if (parts[1] == "sessions") {
        if (req.method != "DELETE") return method_not_allowed(req);
        if (who.anonymous()) return error_response(401, "sign_in_required", "sign in first");
        const auto n = auth_.sign_out_everywhere(who.token, who.address);
        log_security("sign_out.everywhere", who);
        return without_cookie(json_response(200, {{"ended", n}}), req.tls);
    }
    // /api/session
    if (req.method == "DELETE") {
        if (!who.token.empty()) auth_.sign_out(who.token, who.address);
        return without_cookie(no_content(), req.tls);
    }
    if (req.method != "POST") return method_not_allowed(req);
    const json body = object_body(req, {"email", "password"});
    const auto email = json_read::string(body, "", "email", 320);
    const auto r = auth_.sign_in(email, password_of(body), who.address, who.token);
    // Logged as often as audited: once per window for a flood (auth_options::quiet_window).
    if (r.outcome == sign_in_result::status::throttled) {
        if (r.reported) log_security("sign_in.throttled", who);
        return too_many_attempts(r.retry_after);
    }
    if (r.outcome != sign_in_result::status::ok) {
        if (r.reported) log_security("sign_in.failed", who);
        return error_response(401, "invalid_credentials", "the e-mail address or the password is wrong");
    }
    caller now = who;
    now.session = auth_.authenticate(r.session->token);
    if (!now.session) return error_response(401, "invalid_credentials", "the e-mail address or the password is wrong");
    log_security("sign_in", now);
    return with_cookie(json_response(200, me(now)), *r.session, auth_, req.tls);
}

std::optional<http_response> account_routes::invitations(const http_request& req,
                                                         const std::vector<std::string_view>& parts,
                                                         const caller& who) const {
    if (parts[1] == "password-reset") {
        if (parts.size() != 2) return std::nullopt;
        if (req.method != "POST") return method_not_allowed(req);
        const json body = object_body(req, {"token", "password"});
        auth_.reset_password(json_read::string(body, "", "token", 128), password_of(body), who.address);
        return no_content();
    }
    if (parts.size() != 3 || (parts[2] != "lookup" && parts[2] != "accept")) return std::nullopt;
    if (req.method != "POST") return method_not_allowed(req);
    if (parts[2] == "lookup") {
        const json body = object_body(req, {"token"});
        const auto inv = auth_.invitations().find(json_read::string(body, "", "token", 128));
        if (!inv) throw domain_error("invalid_token", "this link is not valid: it may have been used already or have expired");
        json group = nullptr;
        std::string org_name;
        if (inv->kind == invitation_kind::invite)
            if (const auto g = catalog_.find_group(inv->group_id)) {
                group = {{"id", g->id}, {"name", g->name}};
                for (const auto& o : g->organisations)
                    if (o.id == inv->org) org_name = o.name;
            }
        return json_response(200, {{"kind", kind_name(inv->kind)},
                                   {"email", inv->email},
                                   {"group", std::move(group)},
                                   {"role", std::string(est::to_string(inv->role))},
                                   {"org", inv->org},
                                   {"org_name", org_name},
                                   {"expires_at", to_millis(inv->expires_at)},
                                   {"account_exists", auth_.accounts().find_by_email(inv->email).has_value()}});
    }
    const json body = object_body(req, {"token", "password", "name"});
    // The name counts only for a new account, and is checked there: an existing account keeps its own.
    std::string name;
    if (const auto it = body.find("name"); it != body.end()) {
        if (!it->is_string()) throw domain_error("bad_message", "'name' must be a string");
        name = it->get<std::string>();
    }
    new_session s;
    try {
        s = auth_.accept_invitation(json_read::string(body, "", "token", 128), password_of(body), name, who.address,
                                    who.token);
    } catch (const throttled_error& e) {
        if (e.reported()) log_security("sign_in.throttled", who, "invitation");
        return too_many_attempts(e.retry_after());
    } catch (const domain_error& e) {
        if (e.code() == "invalid_credentials") log_security("sign_in.failed", who, "invitation");
        throw;
    }
    caller now = who;
    now.session = auth_.authenticate(s.token);
    if (!now.session) return error_response(401, "sign_in_required", "sign in first");
    log_security("invitation.accept", now);
    return with_cookie(json_response(200, me(now)), s, auth_, req.tls);
}

std::optional<http_response> account_routes::members(const http_request& req, const std::vector<std::string_view>& parts,
                                                     const caller& who) const {
    const std::string group_id(parts[2]);
    const std::string route = route_of(req, path_of(req.target));
    const auto g = catalog_.find_group(group_id);
    auto missing = [&] { return error_response(404, "not_found", "there is no group '" + group_id + "'"); };
    if (parts[3] == "invitations") {
        if (parts.size() > 5) return std::nullopt;
        const bool get = req.method == "GET" || req.method == "HEAD";
        if (parts.size() == 4 && !get && req.method != "POST") return method_not_allowed(req);
        if (parts.size() == 5 && req.method != "DELETE") return method_not_allowed(req);
        if (auto no = refuse(who, est::action::invite_to_group, group_id, route)) return no;
        if (!g) return missing();
        // A chair sees and revokes the invitations of the roles they may invite; an administrator all.
        auto may_issue = [&](est::role r) { return static_cast<bool>(est::decide(who.in(group_id), est::invitation_action(r))); };
        if (get) {
            json out = json::array();
            for (const auto& p : auth_.pending_invitations(group_id)) {
                if (!may_issue(p.info.role)) continue;
                out.push_back({{"id", p.info.id},
                               {"email", p.info.email},
                               {"role", std::string(est::to_string(p.info.role))},
                               {"org", p.info.org},
                               {"created_by", p.info.created_by},
                               {"created_by_name", p.created_by_name},
                               {"created_at", to_millis(p.info.created_at)},
                               {"expires_at", to_millis(p.info.expires_at)}});
            }
            return json_response(200, out);
        }
        if (parts.size() == 5) {
            const std::string id(parts[4]);
            const auto pending = auth_.pending_invitations(group_id);
            const auto it = std::find_if(pending.begin(), pending.end(), [&](const pending_invitation& p) { return p.info.id == id; });
            if (it == pending.end() || !may_issue(it->info.role))
                return error_response(404, "not_found", "there is no pending invitation '" + id + "'");
            auth_.revoke_invitation(who.as_actor(), group_id, id);
            log_security("invitation.revoke", who, id);
            return no_content();
        }
        const json body = object_body(req, {"email", "role", "org"});
        const auto r = role_of(body);
        if (auto no = refuse(who, est::invitation_action(r), group_id, route)) return no;
        // Charged per account whether or not it succeeds, as creating meetings is per address.
        if (const auto wait = invitations_made_.take(who.who().id); wait.count() > 0) {
            auto res = error_response(429, "rate_limited", "too many invitations created by this account; try again later");
            res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
            return res;
        }
        const auto issued = auth_.invite(who.as_actor(), json_read::string(body, "", "email", 320), group_id, r, org_of(body));
        return json_response(201, issued_json(issued));
    }
    // members
    if (parts.size() == 4) {
        if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req);
        if (auto no = refuse(who, est::action::invite_to_group, group_id, route)) return no;
        if (!g) return missing();
        json out = json::array();
        for (const auto& a : auth_.accounts().members_of(group_id)) {
            const auto* m = a.membership_of(group_id);
            out.push_back({{"id", a.id},
                           {"email", a.email},
                           {"name", a.display_name},
                           {"role", std::string(est::to_string(m->role))},
                           {"org", m->org},
                           {"disabled", a.disabled}});
        }
        return json_response(200, out);
    }
    if (parts.size() != 5) return std::nullopt;
    const std::string account_id(parts[4]);
    if (req.method != "PUT" && req.method != "DELETE") return method_not_allowed(req);
    if (auto no = refuse(who, est::action::change_roles, group_id, route)) return no;
    if (!g) return missing();
    // Only a member of the group is changed here: new people come in by invitation, which they accept themselves
    // (a server administrator may still add anyone). Anyone else is not found, as an unknown account.
    const auto target = auth_.accounts().find(account_id);
    const bool member = target && target->membership_of(group_id) != nullptr;
    if (!member && (req.method == "DELETE" || !who.who().is_admin))
        return error_response(404, "not_found", "there is no member '" + account_id + "' in group '" + group_id + "'");
    if (req.method == "DELETE")
        return json_response(200, member_json(auth_.remove_membership(who.as_actor(), account_id, group_id), group_id));
    const json body = object_body(req, {"role", "org"});
    return json_response(200, member_json(auth_.set_membership(who.as_actor(), account_id, group_id, role_of(body), org_of(body)), group_id));
}

std::optional<http_response> account_routes::administration(const http_request& req,
                                                            const std::vector<std::string_view>& parts,
                                                            const caller& who) const {
    const std::string route = route_of(req, path_of(req.target));
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (parts[1] == "audit") {
        if (parts.size() > 3 || (parts.size() == 3 && parts[2] != "verify")) return std::nullopt;
        if (!get) return method_not_allowed(req);
        if (auto no = refuse(who, est::action::read_audit_log, {}, route)) return no;
        if (parts.size() == 3) {
            const auto v = auth_.audit().verify();
            return json_response(200, {{"ok", v.ok}, {"rows", v.rows}, {"first_bad", v.first_bad}, {"message", v.problem}, {"last_hash", v.last_hash}});
        }
        auto page = page_of(req.target);
        if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
        const auto& p = std::get<page_request>(page);
        std::uint64_t before = 0;
        if (!p.after.empty()) {
            const auto r = std::from_chars(p.after.data(), p.after.data() + p.after.size(), before);
            if (r.ec != std::errc() || r.ptr != p.after.data() + p.after.size() || before == 0)
                return error_response(400, "bad_query", "after must be the seq of a page's last row");
        }
        auto rows = auth_.audit().page(before, p.limit + 1);
        const bool more = rows.size() > p.limit;
        rows.resize(std::min(rows.size(), p.limit));
        return page_response(
            path_of(req.target), p, rows, more,
            [this](const audit_row& r) {
                const auto a = r.actor.empty() ? std::nullopt : auth_.accounts().find(r.actor);
                json detail = json::parse(r.detail, nullptr, false);
                return json{{"seq", r.seq},        {"at", r.at},           {"actor", r.actor},
                            {"actor_email", a ? a->email : std::string()}, {"address", r.address},
                            {"action", r.action},  {"subject", r.subject}, {"detail", detail.is_discarded() ? json(r.detail) : detail}};
            },
            [](const audit_row& r) { return std::to_string(r.seq); });
    }
    // accounts
    if (auto no = refuse(who, est::action::manage_accounts, {}, route)) return no;
    if (parts.size() == 2) {
        if (!get) return method_not_allowed(req);
        auto page = page_of(req.target);
        if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
        const auto& p = std::get<page_request>(page);
        std::vector<account> all = auth_.accounts().all();  // by e-mail
        std::vector<account> items;
        bool started = p.after.empty(), more = false;
        for (auto& a : all) {
            if (!started) {
                started = a.id == p.after;
                continue;
            }
            if (items.size() == p.limit) {
                more = true;
                break;
            }
            items.push_back(std::move(a));
        }
        if (!started) return error_response(400, "bad_query", "after must be the id of a page's last account");
        return page_response(path_of(req.target), p, items, more);
    }
    if (parts.size() != 4) return std::nullopt;
    const std::string account_id(parts[2]);
    if (parts[3] == "disable") {
        if (req.method != "POST") return method_not_allowed(req);
        const json body = object_body(req, {"disabled"});
        const json& d = json_read::required(body, "", "disabled");
        if (!d.is_boolean()) throw domain_error("bad_message", "'disabled' must be true or false");
        if (account_id == who.who().id)
            return error_response(409, "conflict", "an administrator cannot disable their own account");
        return json_response(200, auth_.set_disabled(who.as_actor(), account_id, d.get<bool>()).to_json());
    }
    if (parts[3] == "password-reset") {
        if (req.method != "POST") return method_not_allowed(req);
        object_body(req, {});
        return json_response(201, issued_json(auth_.issue_password_reset(who.as_actor(), account_id)));
    }
    return std::nullopt;
}

}  // namespace est::server::auth
