#pragma once
// The checks every request passes before any route looks at it (docs/protocol.md, "Checks on every request"):
// the Host header (DNS rebinding), the Origin of writes and WebSocket upgrades (cross-site request forgery and
// WebSocket hijacking), the content type of API writes (HTML forms), and the session cookie's parsing. Pure:
// no sockets, no sessions; the router asks it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "est/server/http_router.hpp"

namespace est::server::auth {

struct access_policy {
    std::vector<std::string> allowed_hosts;    // DNS names besides IP addresses and localhost; compared without case
    std::vector<std::string> allowed_origins;  // origins besides the server's own, e.g. "https://est.sala.se"
};

class access_gate {
public:
    explicit access_gate(access_policy p);

    // The answer refusing `req` (421 bad_host, 403 bad_origin, 415 unsupported_media_type), or nullopt.
    // `upgrade`: a WebSocket upgrade, whose Origin is checked whatever its method.
    std::optional<http_response> refuse(const http_request& req, bool upgrade = false) const;

    bool host_allowed(std::string_view host) const;
    // Whether a request with this Origin header (empty: none) may write, given its Host and scheme.
    bool origin_allowed(std::string_view origin, std::string_view host, bool tls) const;
    static bool json_content_type(std::string_view content_type);

    // The cookie's name: "__Host-est_session" under TLS (the browser then sends it only over TLS, for this host
    // and path), "est_session" otherwise.
    static std::string_view cookie_name(bool tls) noexcept;
    // The session token in a Cookie header, or "" when there is none or it is malformed.
    static std::string session_token(std::string_view cookie_header, bool tls);
    // Set-Cookie values that set and clear it.
    static std::string set_cookie(std::string_view token, std::chrono::seconds max_age, bool tls);
    static std::string clear_cookie(bool tls);

private:
    access_policy policy_;
};

}  // namespace est::server::auth
