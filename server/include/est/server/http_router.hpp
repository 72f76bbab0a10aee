#pragma once
// HTTP routing as a pure function from request to response: the REST API and the web client's files.
// No sockets here; tests call it directly.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est::server {

class catalog;

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

class http_router {
public:
    // `stats` answers GET /api/stats (live counters for operators and tests).
    http_router(catalog& cat, std::filesystem::path web_root, std::function<nlohmann::json()> stats = {});
    http_response handle(const http_request& req) const;

private:
    http_response api(const http_request& req, std::string_view path) const;
    http_response static_file(std::string_view path) const;

    catalog& catalog_;
    std::filesystem::path web_root_;
    std::function<nlohmann::json()> stats_;
};

}  // namespace est::server
