#include "est/server/http_router.hpp"

#include <algorithm>
#include <cctype>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/server/catalog.hpp"
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

// The API's error code for a domain error code: the REST API says not_found where the live protocol is specific.
std::string_view api_code(std::string_view code) { return code == "meeting_not_found" ? "not_found" : code; }

unsigned status_for(const std::string& code) {
    if (api_code(code) == "not_found") return 404;
    if (code == "conflict") return 409;
    if (code == "storage_failed") return 503;
    return 400;
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

// The value of `key` in the query of `target` ("" when absent).
std::string_view query_param(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (param.size() > key.size() && param.substr(0, key.size()) == key && param[key.size()] == '=')
            return param.substr(key.size() + 1);
    }
    return {};
}

// Characters of ids and dates: safe in a header, a file name or a path without quoting.
bool plain_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

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
                         const picture_report* report, picture_source pictures)
    : catalog_(cat), web_root_(std::move(web_root)), stats_(std::move(stats)), report_(report), pictures_(std::move(pictures)) {}

bool http_router::defer(const http_request& req, std::function<void(http_response)> reply) const {
    const std::string_view path = path_of(req.target);
    const auto parts = split_path(path);
    if (!report_ || !pictures_ || parts.size() != 4 || parts[0] != "api" || parts[1] != "meetings" || parts[3] != "export")
        return false;
    if (req.method != "GET" && req.method != "HEAD")
        reply(error_response(405, "method_not_allowed", req.method + " is not allowed on " + std::string(path)));
    else
        export_picture(parts[2], query_param(req.target, "format"), std::move(reply));
    return true;
}

void http_router::export_picture(std::string_view meeting_id, std::string_view format,
                                 std::function<void(http_response)> reply) const {
    if (format.empty()) format = "html";
    if (format != "html" && format != "json") return reply(error_response(400, "bad_format", "format must be html or json"));
    auto info = catalog_.find_meeting(meeting_id);
    auto grp = info ? catalog_.find_group(info->group_id) : std::nullopt;
    if (!info || !grp) return reply(error_response(404, "not_found", "there is no meeting '" + std::string(meeting_id) + "'"));
    // Each export holds a copy of a picture and a turn on the blocking pool: a bounded number at a time.
    if (exports_in_flight_.fetch_add(1) >= max_exports_in_flight) {
        --exports_in_flight_;
        return reply(error_response(503, "busy", "too many exports are under way; try again in a moment"));
    }
    const std::string id = info->id;  // not info->id below: the callback's capture moves `info`
    pictures_(id, [report = report_, info = std::move(*info), grp = std::move(*grp), html = format == "html",
                   reply = std::move(reply), in_flight = &exports_in_flight_](picture_result r) {
        struct done_guard {
            std::atomic<unsigned>* n;
            ~done_guard() { --*n; }
        } done{in_flight};
        try {
            if (!r.error.empty()) return reply(error_response(status_for(r.error), api_code(r.error), r.message));
            const picture_export p{info, grp, *r.document, r.rev, picture_report::local_time_now()};
            const std::string file = "lagesbild-" + safe_file_part(info.date) + "-" + safe_file_part(info.id);
            http_response out;
            if (html) {
                out = {200, "text/html; charset=utf-8", report->html(p), {}};
                out.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + ".html\"");
                // The picture's text is escaped by the template; the policy is a second wall.
                out.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
            } else {
                out = json_response(200, report->json(p));
                out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + ".json\"");
            }
            out.headers.emplace_back("Cache-Control", "no-store");  // a picture may hold what should not linger
            out.headers.emplace_back("X-Content-Type-Options", "nosniff");
            reply(std::move(out));
        } catch (const std::exception& e) {
            reply(error_response(500, "internal", std::string("the export failed: ") + e.what()));
        }
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
            return error_response(status_for(e.code()), e.code(), e.what());
        } catch (const std::exception& e) {
            return error_response(500, "internal", e.what());
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
    if (parts.size() == 2 && parts[1] == "stats" && get && stats_) return json_response(200, stats_());
    if (parts.size() == 2 && parts[1] == "template" && get)
        return json_response(200, catalog_.default_template()->to_json());
    if (parts.size() == 2 && parts[1] == "groups") {
        if (get) {
            json out = json::array();
            for (const auto& g : catalog_.groups()) out.push_back(g.to_json());
            return json_response(200, out);
        }
        if (post) return json_response(201, catalog_.create_group(body()).to_json());
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
            json out = json::array();
            for (const auto& m : catalog_.meetings_of(parts[2])) out.push_back(m.to_json());
            return json_response(200, out);
        }
        if (post) return json_response(201, catalog_.create_meeting(parts[2], body()).to_json());
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
    std::ifstream in(file, std::ios::binary);
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
