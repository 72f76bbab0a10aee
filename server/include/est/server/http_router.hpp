#pragma once
// HTTP routing as a pure function from request to response: the REST API and the web client's files.
// No sockets here; tests call it directly.
#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est::server {

class catalog;
class picture_report;
struct picture_result;

struct http_request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, e.g. "/api/groups?x=1"
    std::string body;
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

class http_router {
public:
    // `stats` answers GET /api/stats (live counters for operators and tests); `report` and `pictures`
    // answer GET /api/meetings/ID/export (without them that route is 404).
    http_router(catalog& cat, std::filesystem::path web_root, std::function<nlohmann::json()> stats = {},
                const picture_report* report = nullptr, picture_source pictures = {});
    http_response handle(const http_request& req) const;
    // Calls that wait for a meeting's live state are answered later: returns false when `req` is not one
    // of them; otherwise `reply` runs exactly once, on this thread or another.
    bool defer(const http_request& req, std::function<void(http_response)> reply) const;

private:
    http_response api(const http_request& req, std::string_view path) const;
    http_response static_file(std::string_view path) const;
    void export_picture(std::string_view meeting_id, std::string_view format, std::function<void(http_response)> reply) const;

    catalog& catalog_;
    std::filesystem::path web_root_;
    std::function<nlohmann::json()> stats_;
    const picture_report* report_;
    picture_source pictures_;
    static constexpr unsigned max_exports_in_flight = 8;
    mutable std::atomic<unsigned> exports_in_flight_{0};
};

}  // namespace est::server
