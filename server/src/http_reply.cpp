#include "est/server/http_reply.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "est/server/error_log.hpp"

namespace est::server {

using json = nlohmann::json;

http_response json_response(unsigned status, const json& body) {
    // A message may quote a request's bytes, which need not be UTF-8: replace what is not, never throw.
    return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

http_response error_response(unsigned status, std::string_view code, std::string_view message) {
    return json_response(status, {{"error", code}, {"message", message}});
}

void log_error(std::string_view route, std::string_view code, std::string_view detail) {
    est::server::log_error({{"route", route}, {"code", code}, {"detail", detail}});
}

std::string route_of(const http_request& req, std::string_view path) { return req.method + " " + std::string(path); }

// The API's error code for a domain error code: the REST API says not_found where the live protocol is specific.
std::string_view api_code(std::string_view code) { return code == "meeting_not_found" ? "not_found" : code; }

unsigned status_for(const std::string& code) {
    static const std::unordered_map<std::string_view, unsigned> statuses = {
        {"conflict", 409}, {"too_many_invitations", 409}, {"duplicate_title", 409},
        // The meeting is not in the state for it (sign-off, protocol.md "Locking, signing and closing").
        {"locked", 409}, {"closed", 409}, {"wrong_phase", 409}, {"already_signed", 409}, {"stale_revision", 409},
        {"personal_data", 409},
        {"wrong_state", 409},  // the BRÅ queue: e.g. deciding an item already decided
        {"invalid_credentials", 401},
        {"account_disabled", 403}, {"forbidden", 403}, {"bad_password", 403},
        {"throttled", 429}, {"rate_limited", 429},
        {"storage_failed", 503}, {"unavailable", 503}, {"busy", 503}, {"retired", 503},
        {"purged", 410},  // the meeting's content was deleted under its group's retention: it will not come back
    };
    if (api_code(code) == "not_found") return 404;
    const auto it = statuses.find(code);
    return it == statuses.end() ? 400 : it->second;
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

}  // namespace est::server
