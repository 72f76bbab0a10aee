#include "api_client.hpp"

#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "server_process.hpp"

namespace est::test {

namespace {
bool same_name(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}
}  // namespace

api_client::api_client(const server_process& s, std::string local_address)
    : host_(s.host()), port_(s.port()), local_address_(std::move(local_address)) {}

client::http_result api_client::call(const std::string& method, const std::string& target, const std::string& body,
                                     const headers& extra) const {
    client::http_options o;
    o.local_address = local_address_;
    // As a browser sends it: with the port, so the server's own origin is "http://" + Host.
    // Defaults only where `extra` names none: a name given twice is sent as two lines.
    bool own_cookie = false, own_host = false;
    for (const auto& e : extra) {
        own_cookie = own_cookie || same_name(e.first, "Cookie");
        own_host = own_host || same_name(e.first, "Host");
    }
    client::http_headers h;
    if (!own_host) h.emplace_back("Host", host_ + ":" + port_);
    if (!cookie_.empty() && !own_cookie) h.emplace_back("Cookie", cookie_);
    h.insert(h.end(), extra.begin(), extra.end());
    return client::http_call(host_, port_, method, target, body, o, h);
}

client::http_result api_client::get(const std::string& target, const headers& extra) const {
    return call("GET", target, {}, extra);
}

client::http_result api_client::post(const std::string& target, const nlohmann::json& body, const headers& extra) const {
    return call("POST", target, body.dump(), extra);
}

client::http_result api_client::put(const std::string& target, const nlohmann::json& body, const headers& extra) const {
    return call("PUT", target, body.dump(), extra);
}

client::http_result api_client::patch(const std::string& target, const nlohmann::json& body, const headers& extra) const {
    return call("PATCH", target, body.dump(), extra);
}

client::http_result api_client::del(const std::string& target, const headers& extra) const {
    return call("DELETE", target, {}, extra);
}

client::http_result api_client::sign_in(const std::string& email, const std::string& password) {
    auto r = post("/api/session", {{"email", email}, {"password", password}});
    if (r.status == 200) cookie_ = session_cookie_of(r);
    return r;
}

client::http_result api_client::accept_invitation(const std::string& token, const std::string& password,
                                                  const std::string& name) {
    auto r = post("/api/invitations/accept", {{"token", token}, {"password", password}, {"name", name}});
    if (r.status == 200) cookie_ = session_cookie_of(r);
    return r;
}

std::string session_cookie_of(const client::http_result& r) {
    for (const auto& [name, value] : r.headers) {
        if (!same_name(name, "Set-Cookie")) continue;
        const std::string pair = value.substr(0, value.find(';'));
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq + 1 == pair.size()) continue;  // cleared: "est_session=; Max-Age=0"
        return pair;
    }
    return {};
}

std::string token_of_link(const std::string& link) {
    for (const std::string mark : {"#/inbjudan/", "#/aterstall/"})
        if (const auto at = link.find(mark); at != std::string::npos) return link.substr(at + mark.size());
    throw std::runtime_error("not an invitation or reset link: " + link);
}

}  // namespace est::test
