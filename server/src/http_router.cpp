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
#include "est/server/catalog.hpp"
#include "est/server/error_log.hpp"
#include "est/server/picture_report.hpp"

namespace est::server {

using json = nlohmann::json;

namespace {
http_response json_response(unsigned status, const json& body) {
    // A message may quote a request's bytes, which need not be UTF-8: replace what is not, never throw.
    return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

http_response error_response(unsigned status, std::string_view code, std::string_view message) {
    return json_response(status, {{"error", code}, {"message", message}});
}

// What a client is told when the fault is the server's: the detail (an exception's text, SQLite's message, a
// path) goes to the log only.
constexpr std::string_view internal_message = "the request could not be handled";
constexpr std::string_view storage_message = "the data could not be read or stored; try again later";

void log_error(std::string_view route, std::string_view code, std::string_view detail) {
    est::server::log_error({{"route", route}, {"code", code}, {"detail", detail}});
}

std::string route_of(const http_request& req, std::string_view path) { return req.method + " " + std::string(path); }

// The API's error code for a domain error code: the REST API says not_found where the live protocol is specific.
std::string_view api_code(std::string_view code) { return code == "meeting_not_found" ? "not_found" : code; }

unsigned status_for(const std::string& code) {
    if (api_code(code) == "not_found") return 404;
    if (code == "conflict") return 409;
    if (code == "storage_failed") return 503;
    return 400;
}

// The answer to a domain error: its message when it is about the request, a generic one (and a log line) when
// it is the server's own failure (storage_failed carries SQLite's message).
http_response domain_error_response(const std::string& route, const std::string& code, const std::string& message) {
    const unsigned status = status_for(code);
    if (status < 500) return error_response(status, api_code(code), message);
    log_error(route, code, message);
    return error_response(status, api_code(code), storage_message);
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        while (!path.empty() && path.front() == '/') path.remove_prefix(1);
        const auto end = path.find('/');
        if (!path.empty()) parts.push_back(path.substr(0, end));
        path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
    }
    return parts;
}

// The path of a request target, without its query.
std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// The value of `key` in the query of `target` (nullopt when absent).
std::optional<std::string_view> query_value(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (param.size() > key.size() && param.substr(0, key.size()) == key && param[key.size()] == '=')
            return param.substr(key.size() + 1);
        if (param == key) return std::string_view();
    }
    return std::nullopt;
}

// The value of `key` in the query of `target` ("" when absent).
std::string_view query_param(std::string_view target, std::string_view key) {
    return query_value(target, key).value_or(std::string_view());
}

// Characters of ids and dates: safe in a header, a file name or a path without quoting.
bool plain_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

// A query value with its %XX escapes (and '+') decoded; nullopt when an escape is broken.
std::optional<std::string> percent_decoded(std::string_view v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') {
            out += ' ';
        } else if (v[i] != '%') {
            out += v[i];
        } else {
            unsigned value = 0;
            if (v.size() - i < 3) return std::nullopt;
            const auto r = std::from_chars(v.data() + i + 1, v.data() + i + 3, value, 16);
            if (r.ec != std::errc() || r.ptr != v.data() + i + 3) return std::nullopt;
            out += static_cast<char>(value);
            i += 2;
        }
    }
    return out;
}

// An id for a URL: plain characters as they are, anything else %XX.
std::string percent_encoded(std::string_view v) {
    std::string out;
    for (unsigned char c : v) {
        if (plain_char(c)) {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

// ?limit= and ?after= of a list request.
struct page_request {
    std::size_t limit = default_page;
    std::string after;
};

// The page a list request asks for, or the 400 answering a wrong one. A limit past max_page gets max_page
// (and the next page's link says so).
std::variant<page_request, http_response> page_of(std::string_view target) {
    page_request page;
    if (auto limit = query_value(target, "limit")) {
        std::size_t n = 0;
        const auto r = std::from_chars(limit->data(), limit->data() + limit->size(), n);
        if (r.ec == std::errc::result_out_of_range) n = max_page;
        else if (r.ec != std::errc() || r.ptr != limit->data() + limit->size() || n == 0)
            return error_response(400, "bad_query", "limit must be a whole number from 1 to " + std::to_string(max_page));
        page.limit = std::min(n, max_page);
    }
    if (auto after = query_value(target, "after")) {
        auto id = percent_decoded(*after);
        if (!id || id->size() > 256) return error_response(400, "bad_query", "after must be the id of a list's last item");
        page.after = std::move(*id);
    }
    return page;
}

// One page of a list: the JSON array clients read, and when more follow, a Link to the next page (RFC 8288).
template <class Items>
http_response page_response(std::string_view path, const page_request& page, const Items& items, bool more) {
    json out = json::array();
    for (const auto& item : items) out.push_back(item.to_json());
    auto res = json_response(200, out);
    if (more && !items.empty())
        res.headers.emplace_back("Link", "<" + std::string(path) + "?limit=" + std::to_string(page.limit) +
                                             "&after=" + percent_encoded(items.back().id) + ">; rel=\"next\"");
    return res;
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
                         const picture_report* report, picture_source pictures, http_limits limits)
    : catalog_(cat),
      web_root_(std::move(web_root)),
      stats_(std::move(stats)),
      report_(report),
      pictures_(std::move(pictures)),
      limits_(limits),
      creations_(limits.creations_per_minute, limits.creation_burst),
      exports_(limits.export_cache_bytes) {}

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

bool http_router::defer(const http_request& req, std::function<void(http_response)> reply) const {
    const std::string_view path = path_of(req.target);
    const auto parts = split_path(path);
    if (!report_ || !pictures_ || parts.size() != 4 || parts[0] != "api" || parts[1] != "meetings" || parts[3] != "export")
        return false;
    if (req.method != "GET" && req.method != "HEAD")
        reply(error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path)));
    else
        export_picture(req, parts[2], query_param(req.target, "format"), std::move(reply));
    return true;
}

void http_router::export_picture(const http_request& req, std::string_view meeting_id, std::string_view format,
                                 std::function<void(http_response)> reply) const {
    if (format.empty()) format = "html";
    if (format != "html" && format != "json") return reply(error_response(400, "bad_format", "format must be html or json"));
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
    pictures_(id, [this, info = std::move(*info), grp = std::move(*grp), fmt = std::string(format), route = route_of(req, path_of(req.target)),
                   reply = std::move(reply), turn = std::move(turn)](picture_result r) {
        // The turn ends with the answer: a request that waits for another's render still holds its own.
        auto answer = [reply, turn](const export_cache::answer& out) {
            reply(*out);
            turn->end();
        };
        if (!r.error.empty()) return answer(std::make_shared<const http_response>(domain_error_response(route, r.error, r.message)));
        const std::string key = export_cache::key(info.id, r.rev, fmt);
        if (!exports_.find_or_wait(key, answer)) return;
        std::shared_ptr<const http_response> out;
        try {
            const picture_export p{info, grp, *r.document, r.rev, picture_report::local_time_now()};
            const std::string file = "lagesbild-" + safe_file_part(info.date) + "-" + safe_file_part(info.id);
            http_response res;
            if (fmt == "html") {
                res = {200, "text/html; charset=utf-8", report_->html(p), {}};
                res.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + ".html\"");
                // The picture's text is escaped by the template; the policy is a second wall.
                res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
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
    if (path == "/healthz") {
        if (req.method != "GET" && req.method != "HEAD") return error_response(405, "method_not_allowed", "use GET");
        return json_response(200, {{"status", "ok"}});
    }
    if (path == "/api" || path.starts_with("/api/")) {
        try {
            return api(req, path);
        } catch (const domain_error& e) {
            return domain_error_response(route_of(req, path), e.code(), e.what());
        } catch (const std::exception& e) {
            log_error(route_of(req, path), "internal", e.what());
            return error_response(500, "internal", internal_message);
        }
    }
    if (req.method != "GET" && req.method != "HEAD") return error_response(405, "method_not_allowed", "use GET");
    return static_file(path);
}

http_response http_router::api(const http_request& req, std::string_view path) const {
    const auto parts = split_path(path);  // parts[0] == "api"
    const bool get = req.method == "GET", post = req.method == "POST";
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
    if (parts.size() == 2 && parts[1] == "stats" && get && stats_) {
        json s = stats_();
        const auto c = exports_.counters();
        s["export_renders"] = c.renders;
        s["export_cache_hits"] = c.hits;
        s["export_cache_bytes"] = c.bytes;
        return json_response(200, s);
    }
    if (parts.size() == 2 && parts[1] == "template" && get)
        return json_response(200, catalog_.default_template()->to_json());
    if (parts.size() == 2 && parts[1] == "groups") {
        if (get) {
            auto page = page_of(req.target);
            if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
            const auto& p = std::get<page_request>(page);
            const auto groups = catalog_.groups_page(p.after, p.limit);
            return page_response(path, p, groups.items, groups.more);
        }
        if (post) {
            if (auto refused = rate_limited()) return std::move(*refused);
            return json_response(201, catalog_.create_group(body()).to_json());
        }
    }
    if (parts.size() == 3 && parts[1] == "groups" && get) {
        auto g = catalog_.find_group(parts[2]);
        if (!g) return error_response(404, "not_found", "there is no group '" + std::string(parts[2]) + "'");
        return json_response(200, g->to_json());
    }
    if (parts.size() == 4 && parts[1] == "groups" && parts[3] == "meetings") {
        if (get) {
            if (!catalog_.find_group(parts[2]))
                return error_response(404, "not_found", "there is no group '" + std::string(parts[2]) + "'");
            auto page = page_of(req.target);
            if (auto* bad = std::get_if<http_response>(&page)) return std::move(*bad);
            const auto& p = std::get<page_request>(page);
            const auto meetings = catalog_.meetings_page(parts[2], p.after, p.limit);
            return page_response(path, p, meetings.items, meetings.more);
        }
        if (post) {
            if (auto refused = rate_limited()) return std::move(*refused);
            return json_response(201, catalog_.create_meeting(parts[2], body()).to_json());
        }
    }
    if (parts.size() == 3 && parts[1] == "meetings" && get) {
        auto m = catalog_.find_meeting(parts[2]);
        if (!m) return error_response(404, "not_found", "there is no meeting '" + std::string(parts[2]) + "'");
        return json_response(200, m->to_json());
    }
    const bool known = (parts.size() == 2 && (parts[1] == "template" || parts[1] == "groups")) ||
                       (parts.size() == 3 && (parts[1] == "groups" || parts[1] == "meetings")) ||
                       (parts.size() == 4 && parts[1] == "groups" && parts[3] == "meetings");
    if (known) return error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path));
    return error_response(404, "not_found", "no API at " + std::string(path));
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
