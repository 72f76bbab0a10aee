#include "est/server/records/bra_routes.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "est/bra_csv.hpp"
#include "est/bra_import.hpp"
#include "est/change.hpp"
#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_template.hpp"
#include "est/server/auth/access_gate.hpp"
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

constexpr const char* event_route = "POST /api/bra/items/{id}/events";
constexpr const char* import_route = "POST /api/bra/import";

// The meeting an item id names: what comes before its first '.'.
std::string_view meeting_of(std::string_view item_id) { return item_id.substr(0, item_id.find('.')); }

}  // namespace

bra_routes::bra_routes(catalog& cat, bra_queue& queue, auth::auth_service* auth, unsigned stale_weeks,
                       double events_per_minute, double burst)
    : catalog_(cat), queue_(queue), auth_(auth), stale_weeks_(stale_weeks), events_(events_per_minute, burst) {}

bool bra_routes::is_bra_path(const std::vector<std::string_view>& parts) noexcept {
    if (parts.size() == 3 && parts[0] == "api" && parts[1] == "bra" && parts[2] == "import") return true;
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
    if (parts[2] == "import") {
        if (req.method != "POST") return reply(error_response(405, "method_not_allowed", "use POST to import")), true;
        return import_items(req, who, std::move(reply)), true;
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
            std::vector<json> rows;
            for (const auto& item : items) rows.push_back(item.to_json(today, stale_weeks_, false));
            http_response res{200, "text/csv; charset=utf-8", write_bra_csv(rows, *catalog_.default_template()), {}};
            res.headers.emplace_back("Content-Disposition", "attachment; filename=\"bra-ko-" + today.to_string() + ".csv\"");
            return reply(std::move(res));
        }
        json out = json::array();
        for (const auto& item : items) out.push_back(item.to_json(today, stale_weeks_, false));
        reply(json_response(200, json{{"today", today.to_string()}, {"stale_weeks", stale_weeks_}, {"items", std::move(out)}}));
    });
}

std::optional<std::string> bra_routes::group_of_item(std::string_view id) const {
    // An import batch's id first: no meeting may take one (catalog::create_meeting), but one made before that rule
    // must not take over the batch's items either.
    if (meeting_of(id).starts_with(bra_import_batch_prefix)) return queue_.group_of_import(meeting_of(id));
    if (const auto info = catalog_.find_meeting(meeting_of(id))) return info->group_id;
    return std::nullopt;
}

void bra_routes::show(std::string id, const auth::caller& who, std::function<void(http_response)> reply) const {
    const auto group = group_of_item(id);
    auto missing = [id] { return error_response(404, "not_found", "there is no item '" + id + "' in the BRÅ queue"); };
    if (!group || (auth_ && !est::decide(who.in(*group), action::join_meeting))) return reply(missing());
    queue_.index({*group}, [this, id, group = *group, missing, reply = std::move(reply)] {
        const auto item = queue_.find(id);
        if (!item || item->group_id != group) return reply(missing());
        reply(json_response(200, item->to_json(bra_queue::today(), stale_weeks_, true)));
    });
}

void bra_routes::post(const http_request& req, std::string id, const auth::caller& who,
                      std::function<void(http_response)> reply) const {
    const auto group = group_of_item(id);
    auto missing = [id] { return error_response(404, "not_found", "there is no item '" + id + "' in the BRÅ queue"); };
    // A member first: a stranger learns nothing, not even whether the item exists.
    if (!group || (auth_ && !est::decide(who.in(*group), action::join_meeting))) return reply(missing());
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
            const auto* m = a.membership_of(*group);
            standing_now = a.standing_in(*group);
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
    const std::string account = by.account, address = who.address, group_id = *group;
    queue_.index({group_id}, [this, id, r, standing_now, org, by, audit, account, address, group_id, missing,
                              reply = std::move(reply)]() mutable {
        if (const auto item = queue_.find(id); !item || item->group_id != group_id) return reply(missing());
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

void bra_routes::import_items(const http_request& req, const auth::caller& who,
                              std::function<void(http_response)> reply) const {
    const auto g = query_value(req.target, "group");
    const auto group_id = g ? percent_decoded(*g) : std::nullopt;
    if (!group_id || group_id->empty())
        return reply(error_response(400, "bad_message", "name the group to import into: ?group=G"));
    const auto grp = catalog_.find_group(*group_id);
    if (!grp) return reply(error_response(404, "not_found", "there is no group '" + *group_id + "'"));
    bra_author by;
    if (auth_) {
        if (auto no = auth::refuse(who, action::import_decision_items, *group_id, route_of(req, path_of(req.target))))
            return reply(std::move(*no));
        const auto& a = who.who();
        const auto* m = a.membership_of(*group_id);
        by = {a.id, a.display_name, m ? m->org : std::string(), m ? std::string(to_string(m->role)) : std::string("admin")};
    }
    // An import counts as one change to the queue (its size is bounded by the body's and max_bra_import_items).
    if (const auto wait = events_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many changes to the BRÅ queue in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res));
    }
    const auto tmpl = catalog_.default_template();
    const std::vector<std::string> orgs = grp->organisation_ids();
    std::vector<bra_import_item> items;
    try {
        const std::string type = req.content_type.substr(0, req.content_type.find(';'));
        if (auth::access_gate::json_content_type(type)) items = read_bra_import_json(parse_json_bounded(req.body, 8), *tmpl, orgs);
        else items = read_bra_csv(req.body, *tmpl, orgs);
    } catch (const domain_error& e) {
        return reply(error_response(400, e.code(), e.what()));
    }
    // A measure with any status but awaiting comes in as BRÅ's decision (bifall, avslag, bordläggning): only someone
    // who may decide on decision items imports it. An administrator who is not a BRÅ member imports awaiting ones.
    const bool decided = std::any_of(items.begin(), items.end(), [](const bra_import_item& i) { return i.state.verdict.has_value(); });
    if (auth_ && decided && est::decide(who.in(*group_id), action::decide_decision_item, meeting_phase::closed).why != refusal::none)
        return reply(error_response(403, "forbidden",
                                    "only a BRÅ member imports measures BRÅ has decided on (any status but awaiting)"));
    auto* audit = auth_ ? &auth_->audit() : nullptr;
    const std::string account = by.account, address = who.address, group = *group_id;
    queue_.import(group, std::move(items), std::move(by), auth::iso_utc(std::chrono::system_clock::now()),
                  [this, audit, account, address, group, reply = std::move(reply)](bra_queue::import_result res) {
                      if (!res.error.empty()) return reply(domain_error_response(import_route, res.error, res.message));
                      const calendar_date today = bra_queue::today();
                      json out = json::array();
                      for (const auto& item : res.items) out.push_back(item.to_json(today, stale_weeks_, true));
                      auto ok = std::make_shared<http_response>(json_response(
                          200, json{{"batch", res.batch}, {"group", group}, {"count", res.items.size()}, {"items", std::move(out)}}));
                      if (!audit) return reply(std::move(*ok));
                      audit->record(account, address, auth::audit_action::bra_import, group,
                                    {{"batch", res.batch}, {"count", res.items.size()}},
                                    [reply, ok](const std::string&) { reply(std::move(*ok)); });
                  });
}

}  // namespace est::server::records
