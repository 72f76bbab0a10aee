#include "est/server/auth/access_gate.hpp"

#include <algorithm>
#include <cctype>

#include "est/server/auth/secret_token.hpp"
#include "est/server/http_reply.hpp"

namespace est::server::auth {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Four decimal numbers 0-255 joined by dots.
bool ipv4_literal(std::string_view s) {
    int parts = 0;
    while (true) {
        std::size_t n = 0;
        unsigned value = 0;
        while (n < s.size() && n < 4 && std::isdigit(static_cast<unsigned char>(s[n]))) value = value * 10 + (s[n++] - '0');
        if (n == 0 || n > 3 || value > 255) return false;
        ++parts;
        s.remove_prefix(n);
        if (s.empty()) return parts == 4;
        if (s.front() != '.' || parts == 4) return false;
        s.remove_prefix(1);
    }
}

// Nothing, or ':' and a port of 1 to 5 digits.
bool port_suffix(std::string_view rest) {
    if (rest.empty()) return true;
    if (!rest.starts_with(':')) return false;
    rest.remove_prefix(1);
    return !rest.empty() && rest.size() <= 5 && std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The host of a Host header without its port; "[...]" kept for IPv6. Empty when malformed.
std::string_view host_name(std::string_view host) {
    const auto end = host.starts_with('[') ? host.find(']') : host.find(':');
    if (host.starts_with('[') && end == std::string_view::npos) return {};
    const auto name_end = host.starts_with('[') ? end + 1 : std::min(end, host.size());
    if (!port_suffix(host.substr(name_end))) return {};
    return host.substr(0, name_end);
}
}  // namespace

access_gate::access_gate(access_policy p) : policy_(std::move(p)) {
    for (auto& h : policy_.allowed_hosts) h = lower(h);
    for (auto& o : policy_.allowed_origins) {
        o = lower(o);
        while (!o.empty() && o.back() == '/') o.pop_back();
    }
}

bool access_gate::host_allowed(std::string_view host) const {
    // No Host at all is no browser: DNS rebinding needs a browser sending the attacker's name.
    if (host.empty()) return true;
    const std::string name = lower(host_name(host));
    if (name.empty()) return false;
    // An address is never rebound: rebinding needs a name the attacker's DNS answers for.
    if (name.starts_with('[') || ipv4_literal(name) || name == "localhost") return true;
    return std::find(policy_.allowed_hosts.begin(), policy_.allowed_hosts.end(), name) != policy_.allowed_hosts.end();
}

bool access_gate::origin_allowed(std::string_view origin, std::string_view host, bool tls) const {
    if (origin.empty()) return true;  // not sent by a browser page
    const std::string o = lower(origin);
    if (!host.empty() && o == (tls ? "https://" : "http://") + lower(host)) return true;
    return std::find(policy_.allowed_origins.begin(), policy_.allowed_origins.end(), o) != policy_.allowed_origins.end();
}

bool access_gate::json_content_type(std::string_view content_type) {
    return lower(trim(content_type.substr(0, content_type.find(';')))) == "application/json";
}

std::optional<http_response> access_gate::refuse(const http_request& req, bool upgrade) const {
    if (!host_allowed(req.host))
        return error_response(421, "bad_host", "this server does not answer to that host name; use its address or a name "
                                               "its administrator allowed (--allowed-host)");
    const bool reads = req.method == "GET" || req.method == "HEAD";
    if ((upgrade || !reads) && !origin_allowed(req.origin, req.host, req.tls))
        return error_response(403, "bad_origin", "requests from pages of another site are refused");
    const bool api = req.target == "/api" || req.target.starts_with("/api/") || req.target.starts_with("/api?");
    // JSON, whose type no form of another site can send without asking first; the BRÅ queue's import also takes
    // its CSV (text/csv is not a type a form sends either).
    const bool csv_import = (req.target == "/api/bra/import" || req.target.starts_with("/api/bra/import?")) &&
                            lower(trim(req.content_type.substr(0, req.content_type.find(';')))) == "text/csv";
    if (api && !reads && !upgrade && !json_content_type(req.content_type) && !csv_import)
        return error_response(415, "unsupported_media_type", "send the request with Content-Type: application/json");
    return std::nullopt;
}

std::string_view access_gate::cookie_name(bool tls) noexcept { return tls ? "__Host-est_session" : "est_session"; }

std::string access_gate::session_token(std::string_view header, bool tls) {
    const std::string_view name = cookie_name(tls);
    std::string found;
    while (!header.empty()) {
        const auto semi = header.find(';');
        const std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
        std::string_view value = pair.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        // Two cookies of the name (one set for a parent path by someone else): take neither.
        if (!found.empty()) return {};
        if (!secret_token::well_formed(value, secret_token::session_bytes)) return {};
        found = value;
    }
    return found;
}

std::string access_gate::set_cookie(std::string_view token, std::chrono::seconds max_age, bool tls) {
    return std::string(cookie_name(tls)) + "=" + std::string(token) + "; Path=/; " + (tls ? "Secure; " : "") +
           "HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
}

std::string access_gate::clear_cookie(bool tls) {
    return std::string(cookie_name(tls)) + "=; Path=/; " + (tls ? "Secure; " : "") + "HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace est::server::auth
