#include "est/client/server_session.hpp"

#include <cstdlib>
#include <iostream>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

namespace est::client {

server_refusal::server_refusal(unsigned status_, std::string error_, std::string message_)
    : std::runtime_error(std::to_string(status_) + " " + error_ + (message_.empty() ? "" : ": " + message_)),
      status(status_),
      error(std::move(error_)),
      message(std::move(message_)) {}

server_refusal refusal_of(const http_result& r) {
    try {
        const auto j = nlohmann::json::parse(r.body);
        if (j.is_object() && j.contains("error") && j["error"].is_string())
            return {r.status, j["error"].get<std::string>(), j.value("message", std::string())};
    } catch (const nlohmann::json::exception&) {
    }
    return {r.status, "http_" + std::to_string(r.status), r.body};
}

server_session::server_session(const std::string& url) : addr_(server_address::parse(url)) {
    options_.tls = url.rfind("https://", 0) == 0;
    // server_address means 8080 when the URL names no port; with a scheme, the scheme's port is meant.
    if (const auto scheme_end = url.find("://"); scheme_end != std::string::npos) {
        const auto host_port = url.substr(scheme_end + 3, url.find('/', scheme_end + 3) - scheme_end - 3);
        if (host_port.find(':') == std::string::npos) addr_.port = options_.tls ? "443" : "80";
    }
}

http_result server_session::call(const std::string& method, const std::string& target, const std::string& body) const {
    return call(method, target, body, {});
}

http_result server_session::call(const std::string& method, const std::string& target, const std::string& body,
                                 const http_headers& extra) const {
    http_headers headers;
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http_call(addr_.host, addr_.port, method, target, body, options_, headers);
}

nlohmann::json server_session::get_json(const std::string& target) const {
    const auto r = call("GET", target);
    if (r.status != 200) throw refusal_of(r);
    return nlohmann::json::parse(r.body);
}

void server_session::sign_in(const std::string& email, const std::string& password) {
    const auto r = call("POST", "/api/session", nlohmann::json{{"email", email}, {"password", password}}.dump());
    if (r.status != 200) throw refusal_of(r);
    // The session cookie's name=value: est_session, or __Host-est_session under TLS.
    for (const auto& [name, value] : r.headers) {
        if (!boost::beast::iequals(name, "Set-Cookie")) continue;
        const std::string pair = value.substr(0, value.find(';'));
        const auto eq = pair.find('=');
        if (eq != std::string::npos && eq + 1 < pair.size()) {
            cookie_ = pair;
            return;
        }
    }
    throw server_refusal(r.status, "no_session", "the server signed in but set no session cookie");
}

void server_session::sign_out() noexcept {
    if (cookie_.empty()) return;
    try {
        call("DELETE", "/api/session");
    } catch (const std::exception&) {
    }
    cookie_.clear();
}

std::optional<std::string> read_password(std::istream& in) {
    if (const char* env = std::getenv("EST_PASSWORD")) return std::string(env);
    // On a terminal: ask, and do not echo what is typed.
    termios before{};
    const bool terminal = &in == &std::cin && ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &before) == 0;
    if (terminal) {
        termios quiet = before;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        std::cerr << "Lösenord / Password: " << std::flush;
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(in, line));
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &before);
        std::cerr << '\n';
    }
    if (!got) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace est::client
