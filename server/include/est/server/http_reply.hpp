#pragma once
// The pieces every REST route is made of: JSON answers and errors, the parts of a request target, and the
// paging of lists. No sockets, no Beast.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/server/http_router.hpp"

namespace est::server {

http_response json_response(unsigned status, const nlohmann::json& body);
http_response error_response(unsigned status, std::string_view code, std::string_view message);

// What a client is told when the fault is the server's: the detail (an exception's text, SQLite's message, a
// path) goes to the log only.
inline constexpr std::string_view internal_message = "the request could not be handled";
inline constexpr std::string_view storage_message = "the data could not be read or stored; try again later";

// A fault of the server on `route` ("POST /api/groups"), with its detail, as a line of the error log.
void log_error(std::string_view route, std::string_view code, std::string_view detail);
std::string route_of(const http_request& req, std::string_view path);
// The answer to a domain error: its message when it is about the request, a generic one (and a log line) when
// it is the server's own failure (storage_failed carries SQLite's message).
http_response domain_error_response(const std::string& route, const std::string& code, const std::string& message);

// "/api/groups/x" → {"api", "groups", "x"}.
std::vector<std::string_view> split_path(std::string_view path);
// The path of a request target, without its query.
std::string_view path_of(std::string_view target);
// The value of `key` in the query of `target` (nullopt when absent; "" for a key without '=').
std::optional<std::string_view> query_value(std::string_view target, std::string_view key);
// A query value with its %XX escapes (and '+') decoded; nullopt when an escape is broken.
std::optional<std::string> percent_decoded(std::string_view v);
// An id for a URL: plain characters (ids, dates) as they are, anything else %XX.
std::string percent_encoded(std::string_view v);
// Characters of ids and dates: safe in a header, a file name or a path without quoting.
bool plain_char(unsigned char c);

// ?limit= and ?after= of a list request.
struct page_request {
    std::size_t limit = default_page;
    std::string after;
};

// The page a list request asks for, or the 400 answering a wrong one. A limit past max_page gets max_page.
std::variant<page_request, http_response> page_of(std::string_view target);

// One page of a list: the JSON array clients read (`to_json` of each item), and when more follow, a Link to the
// next page (RFC 8288) after the last item's `key`.
template <class Items, class Json, class Key>
http_response page_response(std::string_view path, const page_request& page, const Items& items, bool more,
                            Json to_json, Key key) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : items) out.push_back(to_json(item));
    auto res = json_response(200, out);
    if (more && !items.empty())
        res.headers.emplace_back("Link", "<" + std::string(path) + "?limit=" + std::to_string(page.limit) +
                                             "&after=" + percent_encoded(key(items.back())) + ">; rel=\"next\"");
    return res;
}

template <class Items>
http_response page_response(std::string_view path, const page_request& page, const Items& items, bool more) {
    return page_response(
        path, page, items, more, [](const auto& item) { return item.to_json(); },
        [](const auto& item) -> const std::string& { return item.id; });
}

}  // namespace est::server
