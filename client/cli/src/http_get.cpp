#include "est/client/http_get.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace est::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

std::string http_result::header(std::string_view name) const {
    const auto same = [&](const std::string& k) {
        return k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](unsigned char a, unsigned char b) {
                   return std::tolower(a) == std::tolower(b);
               });
    };
    for (const auto& [k, v] : headers)
        if (same(k)) return v;
    return {};
}

http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body) {
    return http_call(host, port, method, target, body, http_options{});
}

http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body, const http_options& options) {
    return http_call(host, port, method, target, body, options, {});
}

http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body, const http_options& options,
                      const http_headers& headers) {
    const std::string where = (options.tls ? "https://" : "http://") + host + ":" + port + target;
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    // Under TLS, over `stream` (a reference): its deadline bounds the handshake as well.
    net::ssl::context tls_ctx(net::ssl::context::tls_client);
    std::optional<beast::ssl_stream<beast::tcp_stream&>> tls;
    if (options.tls) {
        tls_ctx.set_options(net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
        if (options.ca_file.empty()) tls_ctx.set_default_verify_paths();
        else tls_ctx.load_verify_file(options.ca_file);
        tls_ctx.set_verify_mode(net::ssl::verify_peer);
        tls.emplace(stream, tls_ctx);
        tls->set_verify_callback(net::ssl::host_name_verification(host));
        // SNI for a name (not for an IP address, as RFC 6066 says).
        beast::error_code not_ip;
        net::ip::make_address(host, not_ip);
        if (not_ip) SSL_set_tlsext_host_name(tls->native_handle(), host.c_str());
    }
    const auto on_stream = [&](auto&& f) {
        if (tls) f(*tls);
        else f(stream);
    };
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "est-cli");
    // The server takes writes only as JSON (a cross-site form cannot send that), body or not.
    if (!body.empty() || (method != "GET" && method != "HEAD")) req.set(http::field::content_type, "application/json");
    std::vector<std::string_view> named;
    for (const auto& [name, value] : headers) {
        // A name given again is another line of that header, as a proxy adding its own would send it.
        const bool again = std::any_of(named.begin(), named.end(), [&](std::string_view n) { return beast::iequals(n, name); });
        named.push_back(name);
        if (again) req.insert(name, value);
        else if (value.empty()) req.erase(name);
        else req.set(name, value);
    }
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    // An export of a picture at the server's text limit runs to megabytes: past Beast's default 8 MB.
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u * 1024 * 1024);
    beast::error_code failed;
    std::string step;
    // Asynchronous steps, because only those keep the stream's deadline (a blocking read would wait forever).
    auto fail = [&](beast::error_code ec, const char* what) {
        failed = ec;
        step = what;
    };
    try {
        net::ip::tcp::resolver resolver(ioc);
        const auto endpoints = resolver.resolve(host, port);
        stream.expires_after(options.timeout);
        auto on_read = [&](beast::error_code ec, std::size_t) {
            if (ec) return fail(ec, "read");
        };
        auto on_write = [&](beast::error_code ec, std::size_t) {
            if (ec) return fail(ec, "write");
            on_stream([&](auto& s) { http::async_read(s, buffer, parser, on_read); });
        };
        auto send = [&] { on_stream([&](auto& s) { http::async_write(s, req, on_write); }); };
        auto on_connect = [&](beast::error_code ec) {
            if (ec) return fail(ec, "connect");
            if (!tls) return send();
            tls->async_handshake(net::ssl::stream_base::client, [&](beast::error_code hec) {
                if (hec) return fail(hec, "TLS handshake");
                send();
            });
        };
        if (options.local_address.empty()) {
            stream.async_connect(endpoints, [&](beast::error_code ec, const net::ip::tcp::endpoint&) { on_connect(ec); });
        } else {
            // A range connect would close (and so unbind) the socket between attempts: one endpoint, bound first.
            const net::ip::tcp::endpoint to = *endpoints.begin();
            stream.socket().open(to.protocol());
            stream.socket().bind({net::ip::make_address(options.local_address), 0});
            stream.async_connect(to, on_connect);
        }
        ioc.run();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot reach " + where + ": " + e.what());
    }
    if (failed) {
        if (failed == beast::error::timeout) throw std::runtime_error("no answer from " + where + " in time (" + step + ")");
        throw std::runtime_error("cannot reach " + where + " (" + step + "): " + failed.message());
    }
    auto& res = parser.get();
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    http_result out{res.result_int(), res.body(), std::string(res[http::field::content_type]),
                    std::string(res[http::field::content_disposition]), {}};
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    return out;
}

}  // namespace est::client
