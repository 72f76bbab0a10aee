// est-server with --tls-cert and --tls-key, over real TLS: a self-signed certificate made here with OpenSSL,
// trusted by the client for 127.0.0.1. HTTPS answers, the session cookie is __Host-est_session; Secure, a WSS
// connection joins a meeting, plain HTTP on the port is refused with 400, and certificates that cannot be used
// stop the start with a message naming the option and the file.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "accounts_fixture.hpp"
#include "api_client.hpp"
#include "est/client/http_get.hpp"
#include "server_process.hpp"

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

struct evp_pkey_free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
    void operator()(X509* c) const { X509_free(c); }
};

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    REQUIRE(ext != nullptr);
    REQUIRE(X509_add_ext(cert, ext, -1) == 1);
    X509_EXTENSION_free(ext);
}

// A P-256 key and a self-signed certificate for 127.0.0.1 and localhost, valid for a day, as PEM files in `dir`:
// what `openssl req -x509` in docs/deployment.md makes.
struct test_certificate {
    std::string cert;
    std::string key;
};

test_certificate make_certificate(const std::string& dir, const std::string& name = "server") {
    std::unique_ptr<EVP_PKEY, evp_pkey_free> key(EVP_EC_gen("P-256"));
    REQUIRE(key);
    std::unique_ptr<X509, x509_free> cert(X509_new());
    REQUIRE(X509_set_version(cert.get(), 2) == 1);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
    X509_NAME* subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("est-test"), -1, -1, 0);
    REQUIRE(X509_set_issuer_name(cert.get(), subject) == 1);
    REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    test_certificate out{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
    FILE* f = std::fopen(out.cert.c_str(), "w");
    REQUIRE(f);
    REQUIRE(PEM_write_X509(f, cert.get()) == 1);
    std::fclose(f);
    f = std::fopen(out.key.c_str(), "w");
    REQUIRE(f);
    REQUIRE(PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(f);
    return out;
}

est::client::http_options https_to(const test_certificate& c) {
    est::client::http_options o;
    o.tls = true;
    o.ca_file = c.cert;
    return o;
}

// Runs est-server with `args` until it exits; its exit status and what it wrote on stderr.
std::pair<int, std::string> run_to_exit(const std::vector<std::string>& args) {
    std::string cmd = EST_SERVER_BIN;
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>&1 >/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string said;
    char buf[512];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) said.append(buf, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, said};
}

}  // namespace

namespace est::test {

TEST_CASE("TLS: HTTPS, the __Host- Secure cookie, a WSS join and plain HTTP refused on one port", "[tls]") {
    // A member's WebSocket moves to its meeting's I/O thread with its TLS session: two threads, so it may.
    temp_dir certs;
    const auto c = make_certificate(certs.path());
    temp_dir data;
    create_account_on_server_machine(data.path(), "admin@est.test", "Serveradministratör", "tls-test-lösenord-1", true);
    server_process s(data.path(), {"--tls-cert", c.cert, "--tls-key", c.key, "--threads", "2"}, process_setup{.accounts = true, .stderr_file = {}});
    const std::string host_header = s.host() + ":" + s.port();
    const auto https = https_to(c);

    SECTION("GET /healthz over HTTPS") {
        const auto r = client::http_call(s.host(), s.port(), "GET", "/healthz", {}, https);
        CHECK(r.status == 200);
    }

    SECTION("plain HTTP on the TLS port: 400 in plain text saying to use https://") {
        const auto r = client::http_call(s.host(), s.port(), "GET", "/healthz");
        CHECK(r.status == 400);
        CHECK(r.content_type.starts_with("text/plain"));
        CHECK(r.body.find("https://") != std::string::npos);
        CHECK(r.header("Connection") == "close");
    }

    SECTION("a client that does not trust the certificate gets no answer") {
        auto untrusting = https;
        untrusting.ca_file = make_certificate(certs.path(), "other").cert;
        CHECK_THROWS_WITH(client::http_call(s.host(), s.port(), "GET", "/healthz", {}, untrusting),
                          Catch::Contains("TLS handshake"));
    }

    SECTION("sign-in sets __Host-est_session with Secure; a WSS connection with it joins a meeting") {
        const client::http_headers json_host = {{"Host", host_header}};
        auto r = client::http_call(s.host(), s.port(), "POST", "/api/session",
                                   nlohmann::json{{"email", "admin@est.test"}, {"password", "tls-test-lösenord-1"}}.dump(),
                                   https, json_host);
        REQUIRE(r.status == 200);
        const std::string set_cookie = r.header("Set-Cookie");
        CHECK(set_cookie.starts_with("__Host-est_session="));
        CHECK(set_cookie.find("; Secure") != std::string::npos);
        CHECK(set_cookie.find("HttpOnly") != std::string::npos);
        const std::string cookie = session_cookie_of(r);
        REQUIRE(cookie.starts_with("__Host-est_session="));
        const client::http_headers signed_in = {{"Host", host_header}, {"Cookie", cookie}};
        // The cookie under its plain name is no session over TLS.
        auto me = client::http_call(s.host(), s.port(), "GET", "/api/me", {}, https,
                                    {{"Host", host_header}, {"Cookie", "est_session=" + cookie.substr(cookie.find('=') + 1)}});
        CHECK(me.status == 401);
        me = client::http_call(s.host(), s.port(), "GET", "/api/me", {}, https, signed_in);
        CHECK(me.status == 200);

        r = client::http_call(s.host(), s.port(), "POST", "/api/groups",
                              nlohmann::json{{"id", "est-tls"},
                                             {"name", "EST-gruppen TLS"},
                                             {"organisations", {{{"id", "polis"}, {"name", "Polisen"}}}}}
                                  .dump(),
                              https, signed_in);
        REQUIRE(r.status == 201);
        // A chair comes in by invitation (over HTTPS too) and makes the meeting.
        r = client::http_call(s.host(), s.port(), "POST", "/api/groups/est-tls/invitations",
                              nlohmann::json{{"email", "ordf@est.test"}, {"role", "chair"}}.dump(), https, signed_in);
        REQUIRE(r.status == 201);
        const auto token = token_of_link(nlohmann::json::parse(r.body).at("link").get<std::string>());
        r = client::http_call(s.host(), s.port(), "POST", "/api/invitations/accept",
                              nlohmann::json{{"token", token}, {"password", "ordförande-över-tls"}, {"name", "Ordförande"}}.dump(),
                              https, json_host);
        REQUIRE(r.status == 200);
        const std::string chair = session_cookie_of(r);
        REQUIRE(chair.starts_with("__Host-est_session="));
        const client::http_headers as_chair = {{"Host", host_header}, {"Cookie", chair}};
        r = client::http_call(s.host(), s.port(), "POST", "/api/groups/est-tls/meetings",
                              R"({"title":"EST-möte över TLS"})", https, as_chair);
        REQUIRE(r.status == 201);
        const auto meeting = nlohmann::json::parse(r.body).at("id").get<std::string>();

        // Two members: one on the meeting's own I/O thread, one on the other (the server shards by meeting), so one
        // of them is always on a thread other than the one that shook hands.
        net::io_context ioc;
        net::ssl::context tls(net::ssl::context::tls_client);
        tls.load_verify_file(c.cert);
        tls.set_verify_mode(net::ssl::verify_peer);
        const auto join_over_wss = [&](const std::string& path, char client) {
            websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, tls);
            ws.next_layer().set_verify_callback(net::ssl::host_name_verification(s.host()));
            net::ip::tcp::resolver resolver(ioc);
            beast::get_lowest_layer(ws).connect(resolver.resolve(s.host(), s.port()));
            ws.next_layer().handshake(net::ssl::stream_base::client);
            // The page's origin under TLS is https:// and the Host: the server's own, so the upgrade passes.
            ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
                req.set(beast::http::field::cookie, chair);
                req.set(beast::http::field::origin, "https://" + host_header);
            }));
            ws.handshake(host_header, path);
            ws.write(net::buffer(
                nlohmann::json{{"type", "join"}, {"meeting", meeting}, {"client", std::string(32, client)}}.dump()));
            beast::flat_buffer buffer;
            ws.read(buffer);
            const auto welcome = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
            CHECK(welcome.at("type") == "welcome");
            CHECK(welcome.at("you").at("role") == "chair");
            ws.close(websocket::close_code::normal);
        };
        join_over_wss("/ws?meeting=" + meeting, 'a');
        join_over_wss(ws_path_on_other_thread(meeting, 2), 'b');
    }
}

TEST_CASE("TLS: certificates that cannot be used stop the start, naming the option and the file", "[tls]") {
    temp_dir dir;
    const auto c = make_certificate(dir.path());
    const auto other = make_certificate(dir.path(), "other");
    const std::vector<std::string> base = {"--port", "0", "--data", dir.path() + "/data", "--template",
                                           std::string(EST_SOURCE_DIR) + "/templates/est-biweekly.json"};
    const auto run = [&](std::vector<std::string> tls) {
        auto args = base;
        args.insert(args.end(), tls.begin(), tls.end());
        return run_to_exit(args);
    };

    SECTION("a certificate that is not there") {
        const auto [code, said] = run({"--tls-cert", dir.path() + "/missing.crt", "--tls-key", c.key});
        CHECK(code != 0);
        CHECK_THAT(said, Catch::Contains("--tls-cert " + dir.path() + "/missing.crt: cannot read it"));
    }
    SECTION("a key file that holds no key") {
        const auto [code, said] = run({"--tls-cert", c.cert, "--tls-key", c.cert});
        CHECK(code != 0);
        CHECK_THAT(said, Catch::Contains("--tls-key " + c.cert + ": not an unencrypted PEM private key"));
    }
    SECTION("the key of another certificate") {
        const auto [code, said] = run({"--tls-cert", c.cert, "--tls-key", other.key});
        CHECK(code != 0);
        CHECK_THAT(said, Catch::Contains("--tls-key " + other.key));
    }
    SECTION("a certificate without its key") {
        const auto [code, said] = run({"--tls-cert", c.cert});
        CHECK(code == 2);
        CHECK_THAT(said, Catch::Contains("--tls-cert and --tls-key go together"));
    }
}

}  // namespace est::test
