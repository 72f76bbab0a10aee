// Fuzzes HTTP routing (http_router::defer, then handle, as http_session calls them) and websocket_target.
// Input: "METHOD\nTARGET\nBODY" (a missing line is empty). The router has a real catalog (demo group and
// meeting; catalog_world bounds what POSTs create), a built-in export report with a picture source that
// answers at once, and a small web root made once per process:
//   <tmp>/web/{index.html, app.js, manifest.json, assets/app-1a2b.css, sub/index.html, sub/notes.txt,
//              sub/escape.txt -> ../../secret.txt, up -> ..}   and <tmp>/secret.txt outside it.
// Checks: nothing throws; no 500; a JSON answer is valid JSON; a file answer (200 outside /api and
// /healthz) is exactly one of the files inside the web root (so never the secret, whatever the path,
// "..", "%2e%2e", symbolic links); a list's Link to its next page is itself answered 200; a deferred call
// is answered exactly once; websocket_target agrees with a reference reading of the target.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "est/server/auth/access_gate.hpp"
#include "est/server/http_router.hpp"
#include "est/server/picture_report.hpp"
#include "fuzz_catalog_world.hpp"

namespace {

using est::fuzz::fail;
namespace fs = std::filesystem;

struct web_root {
    fs::path root;
    std::set<std::string> served;  // every file content the router may answer with
};

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

web_root make_web_root(const fs::path& base) {
    web_root w{base / "web", {}};
    const std::pair<const char*, const char*> files[] = {
        {"index.html", "<!doctype html><title>EST Live</title><div id=app></div>"},
        {"app.js", "console.log('est');"},
        {"manifest.json", R"({"name":"EST Live"})"},
        {"assets/app-1a2b.css", "body{margin:0}"},
        {"sub/index.html", "<!doctype html><title>sub</title>"},
        {"sub/notes.txt", "anteckningar"},
    };
    for (const auto& [name, text] : files) {
        write(w.root / name, text);
        w.served.insert(text);
    }
    write(base / "secret.txt", "outside the web root: never served");
    fs::create_symlink("../../secret.txt", w.root / "sub/escape.txt");
    fs::create_directory_symlink("..", w.root / "up");
    return w;
}

struct fixture {
    est::fuzz::catalog_world world{"est-fuzz-router"};
    web_root web = make_web_root(world.dir());
    est::server::picture_report report{est::server::picture_report::built_in_template(), "built-in"};
    std::shared_ptr<const est::meeting_document> picture = std::make_shared<const est::meeting_document>(
        est::fuzz::est_template(), est::fuzz::fagersta_orgs());
    std::unique_ptr<est::server::http_router> router;
    unsigned generation = ~0u;

    est::server::http_router& get() {
        if (generation != world.generation()) {  // the catalog was made anew
            est::server::http_limits lim;
            lim.creations_per_minute = 0;  // unlimited: catalog_world bounds what is created
            router = std::make_unique<est::server::http_router>(
                world.cat(), web.root, [] { return nlohmann::json{{"connections", 0}}; }, &report,
                [this](const std::string&, std::function<void(est::server::picture_result)> done) {
                    done({picture, 7, {}, {}});
                },
                lim);
            generation = world.generation();
        }
        return *router;
    }
};

fixture& fix() {
    static fixture f;
    return f;
}

// The reference reading of a WebSocket target: "/ws" or "/ws?..." with the first "meeting" parameter as
// the hint when it is 1–128 plain characters.
std::optional<std::string> reference_ws_target(std::string_view t) {
    if (t == "/ws") return std::string();
    if (!t.starts_with("/ws?")) return std::nullopt;
    std::string_view q = t.substr(4);
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view p = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
        if (p == "meeting") return std::string();
        if (p.starts_with("meeting=")) {
            const std::string_view v = p.substr(8);
            const bool plain = v.size() <= 128 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
                                   return std::isalnum(c) || c == '-' || c == '_' || c == '.';
                               });
            return plain ? std::string(v) : std::string();
        }
    }
    return std::string();
}

bool is_api(std::string_view path) { return path == "/api" || path.starts_with("/api/") || path == "/healthz"; }

void check(const est::server::http_request& req, const est::server::http_response& res, bool deferred) {
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    if (res.status == 500) fail("500 for " + req.method + " " + req.target + ": " + res.body);
    static const std::set<unsigned> known = {200, 201, 400, 404, 405, 409, 429, 503};
    if (!known.count(res.status)) fail("unexpected status " + std::to_string(res.status));
    if (res.content_type == "application/json") {
        try {
            (void)nlohmann::json::parse(res.body);
        } catch (const std::exception& e) {
            fail("a JSON answer is not JSON: " + res.body.substr(0, 200));
        }
    }
    if (res.status == 200 && !deferred && !is_api(path) && !fix().web.served.count(res.body))
        fail("served what is not a file of the web root for " + req.target + ": " + res.body.substr(0, 200));
    if (res.status == 201) {
        if (req.method != "POST") fail("201 for " + req.method);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    est::server::http_request req;
    const auto nl1 = text.find('\n');
    req.method = std::string(text.substr(0, nl1));
    if (nl1 != std::string_view::npos) {
        const auto rest = text.substr(nl1 + 1);
        const auto nl2 = rest.find('\n');
        req.target = std::string(rest.substr(0, nl2));
        if (nl2 != std::string_view::npos) req.body = std::string(rest.substr(nl2 + 1));
    }
    req.remote_address = "192.0.2.7";
    // What a browser page of this server sends; the gate's refusals of others are checked below on raw text.
    if (req.method != "GET" && req.method != "HEAD") req.content_type = "application/json";

    // The access gate reads headers an attacker writes: the whole input as a Cookie, Host and Origin header.
    const auto token = est::server::auth::access_gate::session_token(text, false);
    if (!token.empty() && (token.size() != 43 || text.find(token) == std::string_view::npos))
        fail("a session token that is not 43 characters of the header: '" + token + "'");
    static const est::server::auth::access_gate gate(est::server::auth::access_policy{{"est.example"}, {}});
    const std::string header(text.substr(0, 512));
    (void)gate.host_allowed(header);
    std::string folded = header;
    for (auto& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (gate.origin_allowed(header, "127.0.0.1:8080", false) && !header.empty() && folded != "http://127.0.0.1:8080")
        fail("a foreign origin allowed: '" + header + "'");

    const auto ws = est::server::websocket_target(req.target);
    if (ws != reference_ws_target(req.target))
        fail("websocket_target('" + req.target + "') gives " + (ws ? "'" + *ws + "'" : "nullopt"));

    auto& f = fix();
    auto& router = f.get();
    int replies = 0;
    est::server::http_response deferred;
    if (router.defer(req, [&](est::server::http_response r) {
            ++replies;
            deferred = std::move(r);
        })) {
        if (replies != 1) fail("a deferred call was answered " + std::to_string(replies) + " times");
        if (std::getenv("EST_FUZZ_VERBOSE"))
            std::fprintf(stderr, "%s %s -> %u (deferred) %s\n", req.method.c_str(), req.target.c_str(), deferred.status,
                         deferred.body.substr(0, 80).c_str());
        check(req, deferred, true);
        return 0;
    }
    const auto res = router.handle(req);
    check(req, res, false);
    static const bool verbose = std::getenv("EST_FUZZ_VERBOSE") != nullptr;  // to read what a corpus does
    if (verbose) std::fprintf(stderr, "%s %s -> %u %s\n", req.method.c_str(), req.target.c_str(), res.status, res.body.substr(0, 80).c_str());
    if (res.status == 201) {
        f.world.created();
        return 0;
    }
    // A list's next page must be answerable as linked.
    for (const auto& [name, value] : res.headers) {
        if (name != "Link") continue;
        const auto open = value.find('<'), close = value.find('>');
        if (open != 0 || close == std::string::npos) fail("a Link header that is not <target>: " + value);
        est::server::http_request next;
        next.method = "GET";
        next.target = value.substr(1, close - 1);
        next.remote_address = req.remote_address;
        const auto page = router.handle(next);
        if (page.status != 200) fail("the next page " + next.target + " is answered " + std::to_string(page.status) + ": " + page.body);
        check(next, page, false);
    }
    return 0;
}
