#pragma once
// One caller of the REST API as a program, not a browser, sees it: a server, a session cookie (none: anonymous)
// and the local address it connects from. Every call is a fresh connection through est::client::http_call, so
// a test may set any header (Cookie, Origin, Host, Content-Type) and read the status, headers and body.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/client/http_get.hpp"

namespace est::test {

class server_process;

class api_client {
public:
    using headers = std::vector<std::pair<std::string, std::string>>;

    // `local_address` ("127.0.0.2", say) makes the calls come from another client address on loopback.
    api_client(const server_process& s, std::string local_address = {});

    // Any call; `extra` headers replace the defaults (an empty value removes one). Sends the cookie, if any,
    // unless `extra` names a Cookie of its own.
    client::http_result call(const std::string& method, const std::string& target, const std::string& body = {},
                             const headers& extra = {}) const;
    client::http_result get(const std::string& target, const headers& extra = {}) const;
    client::http_result post(const std::string& target, const nlohmann::json& body, const headers& extra = {}) const;
    client::http_result put(const std::string& target, const nlohmann::json& body, const headers& extra = {}) const;
    client::http_result patch(const std::string& target, const nlohmann::json& body, const headers& extra = {}) const;
    client::http_result del(const std::string& target, const headers& extra = {}) const;

    // POST /api/session; on 200 the answer's cookie replaces this client's.
    client::http_result sign_in(const std::string& email, const std::string& password);
    // POST /api/invitations/accept; on 200 the answer's cookie replaces this client's.
    client::http_result accept_invitation(const std::string& token, const std::string& password, const std::string& name);

    // "est_session=<token>", or "" for an anonymous caller.
    const std::string& cookie() const { return cookie_; }
    void set_cookie(std::string cookie) { cookie_ = std::move(cookie); }
    const std::string& local_address() const { return local_address_; }
    const std::string& host() const { return host_; }
    const std::string& port() const { return port_; }
    // The server's own origin, as a page it served would send it: "http://127.0.0.1:<port>".
    std::string own_origin() const { return "http://" + host_ + ":" + port_; }

private:
    std::string host_;
    std::string port_;
    std::string local_address_;
    std::string cookie_;
};

// The "est_session=<token>" a Set-Cookie header of `r` sets; "" when it sets none (or clears it).
std::string session_cookie_of(const client::http_result& r);

// The token of an invitation or reset link: what follows "#/inbjudan/" or "#/aterstall/".
std::string token_of_link(const std::string& link);

}  // namespace est::test
