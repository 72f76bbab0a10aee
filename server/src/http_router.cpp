#include "est/server/http_router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/redaction.hpp"
#include "est/server/catalog.hpp"
#include "est/server/error_log.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/records/bra_routes.hpp"
#include "est/server/records/correction_routes.hpp"
#include "est/server/records/history_routes.hpp"
#include "est/server/records/lifecycle_routes.hpp"
#include "est/server/records/report_routes.hpp"
#include "est/server/auth/access_gate.hpp"
#include "est/server/auth/account_routes.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/picture_report.hpp"

namespace est::server {

using json = nlohmann::json;

namespace {
// The value of `key` in the query of `target` ("" when absent).
std::string_view query_param(std::string_view target, std::string_view key) {
    return query_value(target, key).value_or(std::string_view());
}

// A file name built from user data keeps to those characters.
std::string safe_file_part(std::string_view s) {
    std::string out;
    for (unsigned char c : s)
        if (plain_char(c) && c != '.') out.push_back(static_cast<char>(c));
    return out.empty() ? "mote" : out;
}

std::string_view mime_type(const std::filesystem::path& p) {
    const auto ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

// True when `p` is `root` or inside it; both canonical (no symbolic link, no "..").
bool inside(const std::filesystem::path& p, const std::filesystem::path& root) {
    return std::mismatch(root.begin(), root.end(), p.begin(), p.end()).first == root.end();
}
}  // namespace

std::optional<std::string> websocket_target(std::string_view target) {
    constexpr std::string_view path = "/ws";
    if (target == path) return std::string();
    if (target.substr(0, path.size() + 1) != "/ws?") return std::nullopt;
    const std::string_view id = query_param(target, "meeting");
    const bool plain = id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) { return plain_char(c); });
    return plain ? std::string(id) : std::string();
}

http_router::http_router(catalog& cat, std::filesystem::path web_root, std::function<json()> stats,
                         const picture_report* report, picture_source pictures, http_limits limits, http_access access)
    : catalog_(cat),
      web_root_(std::move(web_root)),
      stats_(std::move(stats)),
      report_(report),
      pictures_(std::move(pictures)),
      limits_(limits),
      auth_(access.auth),
      gate_(std::make_unique<auth::access_gate>(auth::access_policy{std::move(access.allowed_hosts),
                                                                    std::move(access.allowed_origins)})),
      accounts_(access.auth ? std::make_unique<auth::account_routes>(*access.auth, cat, limits.creations_per_minute,
                                                                                  limits.creation_burst) : nullptr),
      creations_(limits.creations_per_minute, limits.creation_burst),
      exports_(limits.export_cache_bytes) {}

http_router::~http_router() = default;

auth::caller http_router::identify(const http_request& req) const {
    auth::caller c;
    c.address = req.remote_address;
    if (!auth_) return c;
    c.token = auth::access_gate::session_token(req.cookie, req.tls);
    if (!c.token.empty()) c.session = auth_->authenticate(c.token);
    return c;
}

std::optional<http_response> http_router::refuse(const auth::caller& who, action what, std::string_view group_id,
                                                 std::string_view route) const {
    if (!auth_) return std::nullopt;  // open access
    return auth::refuse(who, what, group_id, route);
}

http_response& http_router::secured(http_response& res, bool api) {
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Referrer-Policy", "no-referrer");
    if (api) {
        // Answers may hold personal data: no cache keeps them. (Exports set their own.)
        const bool has = std::any_of(res.headers.begin(), res.headers.end(), [](const auto& h) { return h.first == "Cache-Control"; });
        if (!has) res.headers.emplace_back("Cache-Control", "no-store");
    }
    if (res.content_type.starts_with("text/html")) {
        const bool has = std::any_of(res.headers.begin(), res.headers.end(),
                                     [](const auto& h) { return h.first == "Content-Security-Policy"; });
        if (!has)
            res.headers.emplace_back("Content-Security-Policy",
                                     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                     "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        res.headers.emplace_back("X-Frame-Options", "DENY");
    }
    return res;
}

std::optional<http_response> http_router::admit_websocket(const http_request& req, std::optional<auth::caller>* who) const {
    if (auto no = gate_->refuse(req, true)) {
        auth::caller c;
        c.address = req.remote_address;
        auth::log_security(no->status == 421 ? "bad_host" : "bad_origin", c, req.origin.empty() ? req.host : req.origin);
        return std::move(secured(*no, true));
    }
    if (!auth_) return std::nullopt;
    auto c = identify(req);
    if (c.anonymous()) {
        auth::log_security("unauthenticated", c, "websocket");
        auto res = error_response(401, "sign_in_required", "sign in first");
        return std::move(secured(res, true));
    }
    *who = std::move(c);
    return std::nullopt;
}

http_router::work http_router::work_of(const http_request& req) const {
    const auto parts = split_path(path_of(req.target));
    if (accounts_ && parts.size() >= 2 && parts[0] == "api") {
        if (auth::account_routes::hashes_password(req, parts)) return work::password;
        if (auth::account_routes::blocks(req, parts)) return work::blocking;
    }
    return req.method == "GET" || req.method == "HEAD" ? work::io : work::blocking;
}

class http_router::export_turn {
public:
    export_turn(const http_router& r, std::string address) : router_(r), address_(std::move(address)) {}
    export_turn(const export_turn&) = delete;
    export_turn& operator=(const export_turn&) = delete;
    ~export_turn() { end(); }
    // Once the export is answered. Copies of the callbacks holding the turn may linger; the turn does not.
    void end() {
        if (!ended_.exchange(true)) router_.release_export_turn(address_);
    }

private:
    const http_router& router_;
    std::string address_;
    std::atomic<bool> ended_{false};
};

unsigned http_router::take_export_turn(const std::string& address) const {
    std::lock_guard lock(export_turns_mutex_);
    auto& mine = exports_by_address_[address];
    unsigned refused = 0;
    if (limits_.max_exports_per_address && mine >= limits_.max_exports_per_address) refused = 429;
    else if (exports_in_flight_ >= limits_.max_exports) refused = 503;
    if (refused) {
        if (mine == 0) exports_by_address_.erase(address);
        return refused;
    }
    ++mine;
    ++exports_in_flight_;
    return 0;
}

void http_router::release_export_turn(const std::string& address) const {
    std::lock_guard lock(export_turns_mutex_);
    --exports_in_flight_;
    if (auto it = exports_by_address_.find(address); it != exports_by_address_.end() && --it->second == 0)
        exports_by_address_.erase(it);
}

void http_router::use_records(std::unique_ptr<records::lifecycle_routes> routes) { records_ = std::move(routes); }
void http_router::use_bra(std::unique_ptr<records::bra_routes> routes) { bra_ = std::move(routes); }
void http_router::use_reports(std::unique_ptr<records::report_routes> routes) { reports_ = std::move(routes); }
void http_router::use_corrections(std::unique_ptr<records::correction_routes> routes) {
    corrections_ = std::move(routes);
}
void http_router::use_history(std::unique_ptr<records::history_routes> routes) { history_ = std::move(routes); }

bool http_router::defer(const http_request& req, std::function<void(http_response)> reply) const {
    const std::string_view path = path_of(req.target);
    const auto parts = split_path(path);
    if (records_ && records::lifecycle_routes::is_lifecycle_path(parts)) {
        auto secure = [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); };
        if (auto no = gate_->refuse(req)) return secure(std::move(*no)), true;
        return records_->defer(req, parts, identify(req), std::move(secure));
    }
    if (bra_ && records::bra_routes::is_bra_path(parts)) {
        auto secure = [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); };
        if (auto no = gate_->refuse(req)) return secure(std::move(*no)), true;
        return bra_->defer(req, parts, identify(req), std::move(secure));
    }
    if (reports_ && records::report_routes::is_report_path(parts)) {
        auto secure = [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); };
        if (auto no = gate_->refuse(req)) return secure(std::move(*no)), true;
        return reports_->defer(req, parts, identify(req), std::move(secure));
    }
    if (corrections_ && records::correction_routes::is_correction_path(parts)) {
        auto secure = [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); };
        if (auto no = gate_->refuse(req)) return secure(std::move(*no)), true;
        return corrections_->defer(req, parts, identify(req), std::move(secure));
    }
    if (history_ && records::history_routes::is_history_path(parts)) {
        auto secure = [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); };
        if (auto no = gate_->refuse(req)) return secure(std::move(*no)), true;
        return history_->defer(req, parts, identify(req), std::move(secure));
    }
    if (!report_ || !pictures_ || parts.size() != 4 || parts[0] != "api" || parts[1] != "meetings" || parts[3] != "export")
        return false;
    auto answer = [&reply](http_response res) { reply(std::move(secured(res, true))); };
    if (auto no = gate_->refuse(req)) return answer(std::move(*no)), true;
    if (req.method != "GET" && req.method != "HEAD")
        return answer(error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path))), true;
    const auto who = identify(req);
    const auto info = catalog_.find_meeting(parts[2]);
    if (auto no = refuse(who, action::export_meeting, info ? std::string_view(info->group_id) : std::string_view("-"),
                         route_of(req, path))) {
        if (no->status == 404) *no = error_response(404, "not_found", "there is no meeting '" + std::string(parts[2]) + "'");
        return answer(std::move(*no)), true;
    }
    export_picture(req, parts[2], query_param(req.target, "format"), query_param(req.target, "version"),
                   [reply = std::move(reply)](http_response res) { reply(std::move(secured(res, true))); });
    return true;
}

void http_router::export_picture(const http_request& req, std::string_view meeting_id, std::string_view format,
                                 std::string_view version, std::function<void(http_response)> reply) const {
    if (format.empty()) format = "html";
    if (format != "html" && format != "json" && format != "markdown")
        return reply(error_response(400, "bad_format", "format must be html, markdown or json"));
    if (!version.empty() && version != "full" && version != "public")
        return reply(error_response(400, "bad_query", "version must be full or public"));
    const bool public_version = version == "public";
    auto info = catalog_.find_meeting(meeting_id);
    auto grp = info ? catalog_.find_group(info->group_id) : std::nullopt;
    if (!info || !grp) return reply(error_response(404, "not_found", "there is no meeting '" + std::string(meeting_id) + "'"));
    // Each export holds a copy of a picture and a turn on the export pool: a bounded number at a time, and
    // a few per client address, so one client cannot take every turn.
    if (const unsigned refused = take_export_turn(req.remote_address)) {
        auto res = refused == 429
                       ? error_response(429, "busy", "this address has exports under way already; try again when they are done")
                       : error_response(503, "busy", "too many exports are under way; try again in a moment");
        res.headers.emplace_back("Retry-After", "1");
        return reply(std::move(res));
    }
    auto turn = std::make_shared<export_turn>(*this, req.remote_address);
    const std::string id = info->id;  // not info->id below: the callback's capture moves `info`
    pictures_(id, [this, info = std::move(*info), grp = std::move(*grp), fmt = std::string(format), public_version,
                   route = route_of(req, path_of(req.target)),
                   reply = std::move(reply), turn = std::move(turn)](picture_result r) {
        // The turn ends with the answer: a request that waits for another's render still holds its own.
        auto answer = [reply, turn](const export_cache::answer& out) {
            reply(*out);
            turn->end();
        };
        if (!r.error.empty()) return answer(std::make_shared<const http_response>(domain_error_response(route, r.error, r.message)));
        // The export shows the meeting's title and date (which the chair may change without a new revision) and
        // the correction that points at a closed meeting (read from the catalog now): all part of what is cached.
        std::string subject = info.id + "\n" + info.date + "\n" + std::to_string(info.title.size()) + ":" + info.title;
        if (info.corrected_by) subject += "\n" + info.corrected_by->id + "~" + info.corrected_by->state;
        // And who attended, which grows without a new revision (one row per person: only ever added).
        std::vector<attendance_row> attendance;
        try {
            attendance = catalog_.attendance(info.id);
        } catch (const std::exception& e) {
            log_error(route, "storage_failed", std::string("the attendance could not be read: ") + e.what());
            return answer(std::make_shared<const http_response>(error_response(503, "storage_failed", "the record could not be read; try again")));
        }
        subject += "\nattendance:" + std::to_string(attendance.size());
        const std::string key = export_cache::key(subject, r.rev, public_version ? fmt + "~public" : fmt);
        if (!exports_.find_or_wait(key, answer)) return;
        std::shared_ptr<const http_response> out;
        try {
            // The public version is made from a copy without the secret entries' text: nothing of it reaches the
            // renderers, so nothing of it can reach the file.
            std::optional<meeting_document> withheld;
            if (public_version) withheld.emplace(redacted_copy(*r.document));
            picture_export p{info, grp, withheld ? *withheld : *r.document, r.rev, picture_report::local_time_now(), r.lifecycle,
                             report_->keys()};
            p.attendance = std::move(attendance);
            if (public_version) p.redaction_of = picture_report::digest(*r.document);
            const std::string file = std::string(public_version ? "lagesbild-offentlig-" : "lagesbild-") +
                                     safe_file_part(info.date) + "-" + safe_file_part(info.id);
            http_response res;
            if (fmt == "html") {
                res = {200, "text/html; charset=utf-8", report_->html(p), {}};
                res.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + ".html\"");
                // The picture's text is escaped by the template; the policy is a second wall.
                res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
            } else if (fmt == "markdown") {
                res = {200, "text/markdown; charset=utf-8", report_->markdown(p), {}};
                res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + ".md\"");
            } else {
                res = json_response(200, report_->json(p));
                res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + ".json\"");
            }
            res.headers.emplace_back("Cache-Control", "no-store");  // a picture may hold what should not linger
            res.headers.emplace_back("X-Content-Type-Options", "nosniff");
            out = std::make_shared<const http_response>(std::move(res));
        } catch (const std::exception& e) {
            log_error(route, "internal", std::string("the export failed: ") + e.what());
            out = std::make_shared<const http_response>(error_response(500, "internal", internal_message));
        }
        exports_.finish(key, out, out->status == 200);
        answer(out);
    });
}

http_response http_router::handle(const http_request& req) const {
    const std::string_view path = path_of(req.target);
    const bool is_api = path == "/api" || path.starts_with("/api/");
    http_response res;
    if (path == "/healthz") {
        res = req.method != "GET" && req.method != "HEAD" ? error_response(405, "method_not_allowed", "use GET")
                                                          : json_response(200, {{"status", "ok"}});
    } else if (auto no = gate_->refuse(req)) {
        auth::caller c;
        c.address = req.remote_address;
        auth::log_security(no->status == 421 ? "bad_host" : no->status == 403 ? "bad_origin" : "bad_content_type", c,
                           route_of(req, path));
        res = std::move(*no);
    } else if (is_api) {
        try {
            res = api(req, path, identify(req));
        } catch (const domain_error& e) {
            res = domain_error_response(route_of(req, path), e.code(), e.what());
        } catch (const std::exception& e) {
            log_error(route_of(req, path), "internal", e.what());
            res = error_response(500, "internal", internal_message);
        }
    } else if (req.method != "GET" && req.method != "HEAD") {
        res = error_response(405, "method_not_allowed", "use GET");
    } else {
        res = static_file(path);
    }
    return std::move(secured(res, is_api));
}

http_response http_router::api(const http_request& req, std::string_view path, const auth::caller& who) const {
    const auto parts = split_path(path);  // parts[0] == "api"
    const bool get = req.method == "GET" || req.method == "HEAD", post = req.method == "POST";
    const std::string route = route_of(req, path);
    if (accounts_)
        if (auto res = accounts_->handle(req, parts, who)) return std::move(*res);
    if (records_)
        if (auto res = records_->handle(req, parts, who)) return std::move(*res);
    auto body = [&] {
        if (req.body.empty()) return json::object();
        return parse_json_bounded(req.body, 16);
    };
    // Creating is charged per client address, whether or not it succeeds: a flood of either is a flood.
    auto rate_limited = [&]() -> std::optional<http_response> {
        const auto wait = creations_.take(req.remote_address);
        if (wait.count() == 0) return std::nullopt;
        auto res = error_response(429, "rate_limited", "too many groups or meetings created from this address; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return res;
    };
    auto audit = [&](const char* what, const std::string& subject, json detail) {
        if (auth_) auth_->audit().record_durable(who.as_actor().account_id, who.address, what, subject, std::move(detail));
    };
    auto no_group = [](std::string_view id) { return error_response(404, "not_found", "there is no group '" + std::string(id) + "'"); };
    if (parts.size() == 2 && parts[1] == "stats" && get && stats_) {
        if (auto no = refuse(who, action::read_stats, {}, route)) return std::move(*no);
        json s = stats_();
        const auto c = exports_.counters();
        s["export_renders"] = c.renders;
        s["export_cache_hits"] = c.hits;
        s["export_cache_bytes"] = c.bytes;
        return json_response(200, s);
    }
    if (parts.size() == 2 && parts[1] == "template" && get) {
        if (auth_ && who.anonymous()) return *auth::refuse(who, action::list_own_groups, {}, route);
        return json_response(200, catalog_.default_template()->to_json());
    }
    if (parts.size() == 2 && parts[1] == "groups") {
        if (get) {
            if (auto no = refuse(who, action::list_own_groups, {}, route)) return std::move(*no);
            auto page = page_of(req.target);
            if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
            const auto& p = std::get<page_request>(page);
            // Everyone sees the groups they have a role in; an administrator every group.
            if (!auth_ || est::decide(who.in({}), action::list_all_groups)) {
                const auto groups = catalog_.groups_page(p.after, p.limit);
                return page_response(path, p, groups.items, groups.more);
            }
            std::vector<group> mine;
            for (const auto& m : who.who().memberships)
                if (auto g = catalog_.find_group(m.group_id); g && g->id > p.after) mine.push_back(std::move(*g));
            std::sort(mine.begin(), mine.end(), [](const group& a, const group& b) { return a.id < b.id; });
            const bool more = mine.size() > p.limit;
            mine.resize(std::min(mine.size(), p.limit));
            return page_response(path, p, mine, more);
        }
        if (post) {
            if (auto no = refuse(who, action::create_group, {}, route)) return std::move(*no);
            if (auto refused = rate_limited()) return std::move(*refused);
            const auto g = catalog_.create_group(body());
            audit(auth::audit_action::group_created, g.id, {{"name", g.name}});
            return json_response(201, g.to_json());
        }
    }
    if (parts.size() == 3 && parts[1] == "groups" && get) {
        if (auto no = refuse(who, action::list_meetings, parts[2], route)) return std::move(*no);
        auto g = catalog_.find_group(parts[2]);
        if (!g) return no_group(parts[2]);
        return json_response(200, g->to_json());
    }
    if (parts.size() == 4 && parts[1] == "groups" && parts[3] == "settings" && req.method == "PUT") {
        if (auto no = refuse(who, action::change_group_settings, parts[2], route)) return std::move(*no);
        const auto before = catalog_.find_group(parts[2]);
        if (!before) return no_group(parts[2]);
        const auto g = catalog_.change_settings(parts[2], body());
        const auto shorts = [](const group& x) {
            json out = json::object();
            for (const auto& o : x.organisations) out[o.id] = o.short_name;
            return out;
        };
        audit(auth::audit_action::group_settings_changed, g.id,
              {{"signers", signers_to_json(g.signers)}, {"before", signers_to_json(before->signers)},
               {"retention_months", g.retention_months}, {"retention_months_before", before->retention_months},
               {"short_names", shorts(g)}, {"short_names_before", shorts(*before)}});
        return json_response(200, g.to_json());
    }
    if (parts.size() == 4 && parts[1] == "groups" && parts[3] == "meetings") {
        if (get) {
            if (auto no = refuse(who, action::list_meetings, parts[2], route)) return std::move(*no);
            if (!catalog_.find_group(parts[2])) return no_group(parts[2]);
            auto page = page_of(req.target);
            if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
            const auto& p = std::get<page_request>(page);
            const auto meetings = catalog_.meetings_page(parts[2], p.after, p.limit);
            return page_response(path, p, meetings.items, meetings.more);
        }
        if (post) {
            if (auto no = refuse(who, action::create_meeting, parts[2], route)) return std::move(*no);
            if (auto refused = rate_limited()) return std::move(*refused);
            const auto m = catalog_.create_meeting(parts[2], body());
            audit(auth::audit_action::meeting_created, m.id, {{"group", m.group_id}, {"title", m.title}, {"date", m.date}});
            return json_response(201, m.to_json());
        }
    }
    if (parts.size() == 3 && parts[1] == "meetings" && req.method == "PATCH") return edit_meeting(req, parts[2], who);
    if (parts.size() == 3 && parts[1] == "meetings" && get) {
        auto m = catalog_.find_meeting(parts[2]);
        auto missing = error_response(404, "not_found", "there is no meeting '" + std::string(parts[2]) + "'");
        if (auto no = refuse(who, action::join_meeting, m ? std::string_view(m->group_id) : std::string_view("-"), route))
            return no->status == 404 ? missing : std::move(*no);
        if (!m) return missing;
        return json_response(200, m->to_json());
    }
    const bool known = (parts.size() == 2 && (parts[1] == "template" || parts[1] == "groups" || parts[1] == "stats")) ||
                       (parts.size() == 3 && (parts[1] == "groups" || parts[1] == "meetings")) ||
                       (parts.size() == 4 && parts[1] == "groups" && (parts[3] == "meetings" || parts[3] == "settings"));
    if (known) return error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path));
    return error_response(404, "not_found", "no API at " + std::string(path));
}

// PATCH /api/meetings/{id}: the chair changes a meeting's title or date (edit_meeting, until it is signed), or
// archives it or brings it back (archive_meeting, in any state). Both rows of the table must allow what the body
// asks; under --open-access anyone acts as the group's chair, as anyone creates meetings there.
http_response http_router::edit_meeting(const http_request& req, std::string_view meeting_id, const auth::caller& who) const {
    const std::string route = route_of(req, path_of(req.target));
    const auto info = catalog_.find_meeting(meeting_id);
    auto missing = error_response(404, "not_found", "there is no meeting '" + std::string(meeting_id) + "'");
    const std::string group_id = info ? info->group_id : std::string("-");
    if (auto no = refuse(who, action::join_meeting, group_id, route)) return no->status == 404 ? missing : std::move(*no);
    if (!info) return missing;
    const json body = req.body.empty() ? json::object() : parse_json_bounded(req.body, 8);
    json_read::object(body, "body");
    json_read::only_fields(body, "", {"title", "date", "archived"});
    const bool edits = body.contains("title") || body.contains("date");
    if (!edits && !body.contains("archived")) throw domain_error("bad_message", "say what changes: 'title', 'date' or 'archived'");
    if (body.contains("archived") && !body.at("archived").is_boolean())
        throw domain_error("bad_message", "'archived' must be true or false");
    const standing by = auth_ ? who.in(group_id) : standing{false, role::chair};
    // The table's answer for the meeting's phase as the catalog has it: a domain error to refuse.
    const auto allow = [&](action what, const meeting_info& m) {
        const auto phase = meeting_phase_from_string(m.state).value_or(meeting_phase::open);
        if (const decision d = decide(by, what, phase); !d) {
            if (d.why == refusal::phase) throw domain_error(phase == meeting_phase::closed ? "closed" : "wrong_phase", std::string(d.reason));
            if (auth_) auth::log_security("forbidden", who, route + ": " + std::string(to_string(what)));
            throw domain_error("forbidden", std::string(d.reason));
        }
    };
    if (edits) allow(action::edit_meeting, *info);
    if (body.contains("archived")) allow(action::archive_meeting, *info);
    if (const auto wait = creations_.take(req.remote_address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many meetings created or changed from this address; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return res;
    }
    const auto audit = [&](const char* what, json detail) {
        if (auth_) auth_->audit().record_durable(who.as_actor().account_id, who.address, what, info->id, std::move(detail));
    };
    meeting_info now = *info;
    if (edits) {
        json changes = json::object();
        for (const char* key : {"title", "date"})
            if (body.contains(key)) changes[key] = body.at(key);
        // Checked again under the catalog's lock: the picture may have been signed since.
        now = catalog_.edit_meeting(info->id, changes, [&](const meeting_info& m) { allow(action::edit_meeting, m); });
        audit(auth::audit_action::meeting_edited, {{"group", now.group_id}, {"title", now.title}, {"date", now.date},
                                                  {"title_before", info->title}, {"date_before", info->date}});
    }
    if (body.contains("archived")) {
        const bool archived = body.at("archived").get<bool>();
        now = catalog_.set_archived(info->id, archived);
        audit(archived ? auth::audit_action::meeting_archived : auth::audit_action::meeting_unarchived, {{"group", now.group_id}});
    }
    return json_response(200, now.to_json());
}

http_response http_router::static_file(std::string_view path) const {
    if (web_root_.empty()) return error_response(404, "not_found", "no web client is served (start with --web-root)");
    // Refuse anything that could climb out of the web root.
    for (auto part : split_path(path))
        if (part == ".." || part.find('\\') != std::string_view::npos || part.find('\0') != std::string_view::npos)
            return error_response(400, "bad_path", "the path may not contain '..'");
    std::filesystem::path file = web_root_ / std::filesystem::path(std::string(path)).relative_path();
    std::error_code ec;
    if (path.empty() || path.back() == '/' || std::filesystem::is_directory(file, ec)) file /= "index.html";
    if (!std::filesystem::is_regular_file(file, ec)) {
        // Client-side routes (no extension) get the app; missing assets get a 404.
        if (std::filesystem::path(std::string(path)).has_extension())
            return error_response(404, "not_found", "no file " + std::string(path));
        file = web_root_ / "index.html";
    }
    // A symbolic link inside the web root may point anywhere: serve only what resolves to a file inside it.
    // (A missing file and one outside get the same answer: the answer says nothing of what lies outside.)
    const auto root = std::filesystem::canonical(web_root_, ec);
    const auto real = ec ? std::filesystem::path() : std::filesystem::canonical(file, ec);
    if (ec || !inside(real, root) || !std::filesystem::is_regular_file(real, ec))
        return error_response(404, "not_found", "no file " + std::string(path));
    std::ifstream in(real, std::ios::binary);
    if (!in) return error_response(404, "not_found", "no file " + std::string(path));
    std::ostringstream ss;
    ss << in.rdbuf();
    http_response r{200, std::string(mime_type(file)), ss.str(), {}};
    // Vite puts a content hash in asset names: those may be cached for long; the page itself not.
    if (path.starts_with("/assets/")) r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    else r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
}

}  // namespace est::server
