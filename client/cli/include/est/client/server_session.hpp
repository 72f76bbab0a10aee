#pragma once
// est-cli's way to a server: its address (http:// or https://) and, on a server with accounts, a session
// (POST /api/session, then the cookie on every call).
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "est/client/http_get.hpp"
#include "est/client/server_address.hpp"

namespace est::client {

// A call the server refused: its status and its answer's `error` and `message` (docs/protocol.md).
struct server_refusal : std::runtime_error {
    server_refusal(unsigned status, std::string error, std::string message);
    unsigned status;
    std::string error;
    std::string message;
};

class server_session {
public:
    // "http://host:port", "https://host" (TLS, the system's trust store; a URL with a scheme and no port means
    // 443 or 80), "host:port" (plain HTTP) or "host" (port 8080).
    explicit server_session(const std::string& url);

    const server_address& address() const { return addr_; }
    bool tls() const { return options_.tls; }
    // "est_session=<token>" (or "__Host-est_session=<token>" under TLS); "" when not signed in.
    const std::string& cookie() const { return cookie_; }

    // A call with the session's cookie, if any. Throws std::runtime_error when the server cannot be reached.
    http_result call(const std::string& method, const std::string& target, const std::string& body = {}) const;
    // The same with more request headers (Content-Type: text/csv, say), set after the defaults (http_headers).
    http_result call(const std::string& method, const std::string& target, const std::string& body,
                     const http_headers& extra) const;
    // GET `target`, the answer's JSON; throws server_refusal for anything but 200.
    nlohmann::json get_json(const std::string& target) const;

    // POST /api/session; throws server_refusal unless the server answers 200 with a cookie.
    void sign_in(const std::string& email, const std::string& password);
    // DELETE /api/session when signed in; never throws (a session left behind expires on its own).
    void sign_out() noexcept;

private:
    server_address addr_;
    http_options options_;
    std::string cookie_;
};

// The refusal an answer carries: its `error` and `message` when it is JSON, else its status and body.
server_refusal refusal_of(const http_result& r);

// The password for --email: the environment variable EST_PASSWORD when it is set, else one line of `in` (without
// its line end; the terminal does not echo it when `in` is standard input on a terminal). nullopt at end of input.
std::optional<std::string> read_password(std::istream& in);

}  // namespace est::client
