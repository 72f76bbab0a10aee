#include "est/server/auth/access_gate.hpp"

#include <string>

#include <catch2/catch.hpp>

using est::server::http_request;
using est::server::auth::access_gate;
using est::server::auth::access_policy;

namespace {
const std::string token(43, 'A');  // 256 bits of base64url

http_request request(std::string method, std::string target, std::string host = "127.0.0.1:8080") {
    http_request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.host = std::move(host);
    r.content_type = r.method == "GET" ? "" : "application/json";
    return r;
}
}  // namespace

TEST_CASE("Host: addresses and localhost pass, a DNS name only when allowed") {
    const access_gate gate(access_policy{{"est.sala.se"}, {}});
    CHECK(gate.host_allowed("127.0.0.1:8080"));
    CHECK(gate.host_allowed("10.1.2.3"));
    CHECK(gate.host_allowed("[::1]:8080"));
    CHECK(gate.host_allowed("localhost:8080"));
    CHECK(gate.host_allowed("EST.Sala.SE:443"));
    CHECK(gate.host_allowed(""));  // no browser sends a request without Host
    CHECK_FALSE(gate.host_allowed("attacker.example:8080"));
    CHECK_FALSE(gate.host_allowed("127.0.0.1.attacker.example"));
    CHECK_FALSE(gate.host_allowed("1.2.3.4.5"));
    CHECK_FALSE(gate.host_allowed("256.1.1.1"));
    CHECK_FALSE(gate.host_allowed("[::1"));
    CHECK_FALSE(gate.host_allowed("[::1]x"));
    // Whatever follows the name is a port, and nothing else.
    CHECK_FALSE(gate.host_allowed("127.0.0.1:8080, attacker.example"));
    CHECK_FALSE(gate.host_allowed("localhost:"));
    CHECK_FALSE(gate.host_allowed("localhost:808080"));
    CHECK_FALSE(gate.host_allowed("[::1]:80x"));
    CHECK(gate.host_allowed("[::1]"));
    CHECK(gate.host_allowed("localhost"));
    auto res = gate.refuse(request("GET", "/api/groups", "rebound.example"));
    REQUIRE(res);
    CHECK(res->status == 421);
    CHECK(res->body.find("bad_host") != std::string::npos);
}

TEST_CASE("Origin: the server's own and the allowed ones may write, a read needs none") {
    const access_gate gate(access_policy{{}, {"https://est.sala.se/"}});
    CHECK(gate.origin_allowed("", "127.0.0.1:8080", false));
    CHECK(gate.origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false));
    CHECK_FALSE(gate.origin_allowed("https://127.0.0.1:8080", "127.0.0.1:8080", false));  // another scheme, another origin
    CHECK(gate.origin_allowed("https://127.0.0.1:8080", "127.0.0.1:8080", true));
    CHECK(gate.origin_allowed("https://est.sala.se", "10.0.0.5", false));
    CHECK_FALSE(gate.origin_allowed("null", "127.0.0.1:8080", false));
    CHECK_FALSE(gate.origin_allowed("http://evil.example", "127.0.0.1:8080", false));

    auto post = request("POST", "/api/groups");
    post.origin = "http://evil.example";
    auto res = gate.refuse(post);
    REQUIRE(res);
    CHECK(res->status == 403);
    auto get = request("GET", "/api/groups");
    get.origin = "http://evil.example";
    CHECK_FALSE(gate.refuse(get));        // a read is answered (SameSite keeps the cookie away)
    CHECK(gate.refuse(get, true));        // but not a WebSocket upgrade, which is a GET
}

TEST_CASE("Content-Type: API writes must say JSON, whatever the body") {
    const access_gate gate(access_policy{});
    CHECK(access_gate::json_content_type("application/json"));
    CHECK(access_gate::json_content_type("Application/JSON; charset=utf-8"));
    CHECK_FALSE(access_gate::json_content_type("text/plain"));
    CHECK_FALSE(access_gate::json_content_type("application/x-www-form-urlencoded"));
    CHECK_FALSE(access_gate::json_content_type(""));
    auto form = request("POST", "/api/groups/g/meetings");
    form.content_type = "text/plain";
    auto res = gate.refuse(form);
    REQUIRE(res);
    CHECK(res->status == 415);
    auto empty = request("DELETE", "/api/session");
    empty.content_type.clear();
    CHECK(gate.refuse(empty));
    CHECK_FALSE(gate.refuse(request("DELETE", "/api/session")));
    // The BRÅ queue's import also takes its CSV, there only; and an Origin is checked as for any write.
    auto csv = request("POST", "/api/bra/import?group=g");
    csv.content_type = "text/csv; charset=utf-8";
    CHECK_FALSE(gate.refuse(csv));
    csv.origin = "http://evil.example";
    CHECK(gate.refuse(csv)->status == 403);
    auto elsewhere = request("POST", "/api/bra/items/m-1.andt.d1/events");
    elsewhere.content_type = "text/csv";
    CHECK(gate.refuse(elsewhere)->status == 415);
    auto prefix = request("POST", "/api/bra/importer");
    prefix.content_type = "text/csv";
    CHECK(gate.refuse(prefix)->status == 415);
}

TEST_CASE("the session cookie: read strictly, set with its attributes") {
    CHECK(access_gate::session_token("est_session=" + token, false) == token);
    CHECK(access_gate::session_token("a=b; est_session=" + token + "; c=d", false) == token);
    CHECK(access_gate::session_token("__Host-est_session=" + token, true) == token);
    CHECK(access_gate::session_token("est_session=" + token, true).empty());  // under TLS only the __Host- cookie
    CHECK(access_gate::session_token("est_session=short", false).empty());
    CHECK(access_gate::session_token("est_session=" + token + "; est_session=" + token, false).empty());
    CHECK(access_gate::session_token("est_session=" + std::string(43, '*'), false).empty());
    CHECK(access_gate::session_token(std::string(20000, ';'), false).empty());

    const auto plain = access_gate::set_cookie(token, std::chrono::seconds(36000), false);
    CHECK(plain == "est_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=36000");
    const auto tls = access_gate::set_cookie(token, std::chrono::seconds(60), true);
    CHECK(tls.starts_with("__Host-est_session="));
    CHECK(tls.find("; Secure;") != std::string::npos);
    CHECK(access_gate::clear_cookie(false).find("Max-Age=0") != std::string::npos);
}
