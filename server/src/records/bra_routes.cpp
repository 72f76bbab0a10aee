#include "est/server/records/bra_routes.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_template.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_clock.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/records/lifecycle_routes.hpp"

namespace est::server::records {

using json = nlohmann::json;

namespace {

constexpr const char* list_route = "GET /api/bra/items";
constexpr const char* item_route = "GET /api/bra/items/{id}";
constexpr const char* event_route = "POST /api/bra/items/{id}/events";

// The meeting an item id names: what comes before its first '.'.
std::string_view meeting_of(std::string_view item_id) { return item_id.substr(0, item_id.find('.')); }

// One CSV cell (RFC 4180). A cell a spreadsheet would read as a formula gets a leading apostrophe (OWASP, CSV
// injection): an item's text is anyone's who took part in the meeting.
std::string csv_cell(std::string_view v) {
    std::string s;
    if (!v.empty() && (v.front() == '=' || v.front() == '+' || v.front() == '-' || v.front() == '@' ||
                       v.front() == '\t' || v.front() == '\r'))
        s += '\'';
    s += v;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string text_of(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "ja" : "nej";
    return it->dump();
}

// The queue as CSV (docs/protocol.md, "The BRÅ queue as CSV"): one row per item, the decision item fields of the
// template in its order between the item's place and what BRÅ made of it.
std::string to_csv(const std::vector<bra_item>& items, const meeting_template& tmpl, calendar_date today,
                   unsigned stale_weeks) {
    std::vector<std::string> header = {"id", "group", "meeting", "meeting_date", "topic"};
    for (const auto& f : tmpl.decision_item_fields) header.push_back(f.id);
    for (const char* h : {"status", "verdict", "owner_org", "contact", "due", "reason", "deferred_to", "progress",
                          "overdue", "stale", "version"})
        header.push_back(h);
    std::string out;
    auto row = [&out](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
        out += "\r\n";
    };
    row(header);
    for (const auto& item : items) {
        const json j = item.to_json(today, stale_weeks, false);
        std::vector<std::string> cells = {item.id, item.group_id, item.meeting_id, item.meeting_date, item.topic_id};
        for (const auto& f : tmpl.decision_item_fields) cells.push_back(text_of(item.fields, f.id.c_str()));
        for (const char* k : {"status", "verdict", "owner_org", "contact", "due", "reason", "deferred_to", "progress"})
            cells.push_back(text_of(j, k));
        cells.push_back(text_of(j["flags"], "overdue"));
        cells.push_back(text_of(j["flags"], "stale"));
        cells.push_back(std::to_string(item.record.version()));
        row(cells);
    }
    return out;
}

}  // namespace

bra_routes::bra_routes(catalog& cat, bra_queue& queue, auth::auth_service* auth, unsigned stale_weeks,
                       double events_per_minute, double burst)
    : catalog_(cat), queue_(queue), auth_(auth), stale_weeks_(stale_weeks), events_(events_per_minute, burst) {}

bool bra_routes::is_bra_path(const std::vector<std::string_view>& parts) noexcept {
    return parts.size() >= 3 && parts.size() <= 5 && parts[0] == "api" && parts[1] == "bra" && parts[2] == "items" &&
           (parts.size() != 5 || parts[4] == "events");
}

std::set<std::string, std::less<>> bra_routes::groups_of(const catalog& cat, const auth::account* a) {
    std::set<std::string, std::less<>> out;
    for (const auto& g : cat.groups())
        if (!a || est::decide(a->standing_in(g.id), action::join_meeting)) out.insert(g.id);
    return out;
}

std::vector<std::string> bra_routes::visible_groups(const auth::caller& who) const {
    const auto groups = groups_of(catalog_, auth_ ? &who.who() : nullptr);
    return {groups.begin(), groups.end()};
}

bool bra_routes::defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
                       std::function<void(http_response)> reply) const {
    if (!is_bra_path(parts)) return false;
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (auth_ && who.anonymous()) {
        auth::log_security("unauthenticated", who, route_of(req, path_of(req.target)));
        return reply(error_response(401, "sign_in_required", "sign in first")), true;
    }
    if (parts.size() == 3) {
        if (!get) return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on the BRÅ queue")), true;
        return list(req, who, std::move(reply)), true;
    }
    std::string id(parts[3]);
    if (parts.size() == 4) {
        if (!get) return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on an item")), true;
        return show(std::move(id), who, std::move(reply)), true;
    }
    if (req.method != "POST")
        return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on an item's events")), true;
    return post(req, std::move(id), who, std::move(reply)), true;
}

void bra_routes::list(const http_request& req, const auth::caller& who, std::function<void(http_response)> reply) const {
    std::vector<std::string> groups = visible_groups(who);
    if (const auto g = query_value(req.target, "group")) {
        const auto wanted = percent_decoded(*g);
        if (!wanted || std::find(groups.begin(), groups.end(), *wanted) == groups.end())
            return reply(error_response(404, "not_found", "there is no group '" + wanted.value_or("") + "'"));
        groups = {*wanted};
    }
    const auto format = query_value(req.target, "format").value_or("json");
    if (format != "json" && format != "csv") return reply(error_response(400, "bad_format", "format must be json or csv"));
    queue_.index(groups, [this, groups, csv = format == "csv", reply = std::move(reply)] {
        const calendar_date today = bra_queue::today();
        const auto items = queue_.items({groups.begin(), groups.end()});
        if (csv) {
            http_response res{200, "text/csv; charset=utf-8", to_csv(items, *catalog_.default_template(), today, stale_weeks_), {}};
            res.headers.emplace_back("Content-Disposition", "attachment; filename=\"bra-ko-" + today.to_string() + ".csv\"");
            return reply(std::move(res));
        }
        json out = json::array();
        for (const auto& item : items) out.push_back(item.to_json(today, stale_weeks_, false));
        reply(json_response(200, json{{"today", today.to_string()}, {"stale_weeks", stale_weeks_}, {"items", std::move(out)}}));
    });
}

void bra_routes::show(std::string id, const auth::caller& who, std::function<void(http_response)> reply) const {
    const auto info = catalog_.find_meeting(meeting_of(id));
    auto missing = [id] { return error_response(404, "not_found", "there is no item '" + id + "' in the BRÅ queue"); };
    if (!info || (auth_ && !est::decide(who.in(info->group_id), action::join_meeting))) return reply(missing());
    queue_.index({info->group_id}, [this, id, missing, reply = std::move(reply)] {
        const auto item = queue_.find(id);
        if (!item) return reply(missing());
        reply(json_response(200, item->to_json(bra_queue::today(), stale_weeks_, true)));
    });
}

void bra_routes::post(const http_request& req, std::string id, const auth::caller& who,
                      std::function<void(http_response)> reply) const {
    const auto info = catalog_.find_meeting(meeting_of(id));
    auto missing = [id] { return error_response(404, "not_found", "there is no item '" + id + "' in the BRÅ queue"); };
    // A member first: a stranger learns nothing, not even whether the item exists.
    if (!info || (auth_ && !est::decide(who.in(info->group_id), action::join_meeting))) return reply(missing());
    if (const auto wait = events_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many changes to the BRÅ queue in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res));
    }
    bra_request r;
    standing standing_now;
    std::string org;
    bra_author by;
    try {
        json body = parse_json_bounded(req.body, 8);
        json_read::object(body, "");
        if (auth_) {
            const auto& a = who.who();
            const auto* m = a.membership_of(info->group_id);
            standing_now = a.standing_in(info->group_id);
            org = m ? m->org : std::string();
            by = {a.id, a.display_name, org, m ? std::string(to_string(m->role)) : std::string("admin")};
        } else {
            const identity as = lifecycle_routes::acting_as(body);
            body.erase("as");
            standing_now = {false, as.role};
            org = as.org;
            by = {{}, as.name, as.org, std::string(to_string(as.role))};
        }
        r = bra_request::from_json(body, "");
    } catch (const domain_error& e) {
        return reply(error_response(400, e.code(), e.what()));
    }
    auto* audit = auth_ ? &auth_->audit() : nullptr;
    const std::string account = by.account, address = who.address, group_id = info->group_id;
    queue_.index({group_id}, [this, id, r, standing_now, org, by, audit, account, address, missing,
                              reply = std::move(reply)]() mutable {
        if (!queue_.find(id)) return reply(missing());
        const calendar_date today = bra_queue::today();
        queue_.act(id, r, standing_now, org, by, auth::iso_utc(std::chrono::system_clock::now()), today,
                   [this, id, r, audit, account, address, today, reply = std::move(reply)](bra_queue::act_result res) {
                       if (!res.error.empty()) {
                           auto answer = domain_error_response(event_route, res.error, res.message);
                           // A conflict shows what the other did: the client shows the winner's decision.
                           if (res.error == "conflict" && res.item) {
                               json body = json::parse(answer.body);
                               body["item"] = res.item->to_json(today, stale_weeks_, true);
                               answer.body = body.dump();
                           }
                           return reply(std::move(answer));
                       }
                       auto ok = std::make_shared<http_response>(
                           json_response(200, res.item->to_json(today, stale_weeks_, true)));
                       if (!audit) return reply(std::move(*ok));
                       json detail = {{"kind", to_string(r.kind)}, {"version", res.item->record.version()}};
                       if (r.verdict) detail["verdict"] = to_string(*r.verdict);
                       if (r.progress) detail["progress"] = to_string(*r.progress);
                       // Answered once its audit row is durable too, as every move of a meeting is.
                       audit->record(account, address, auth::audit_action::bra_event, id, std::move(detail),
                                     [reply, ok](const std::string&) { reply(std::move(*ok)); });
                   });
    });
}

}  // namespace est::server::records
