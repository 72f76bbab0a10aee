#include "est/client/http_get.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace est::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body) {
    try {
        net::io_context ioc;
        net::ip::tcp::resolver resolver(ioc);
        beast::tcp_stream stream(ioc);
        stream.expires_after(std::chrono::seconds(30));
        stream.connect(resolver.resolve(host, port));
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, host);
        req.set(http::field::user_agent, "est-cli");
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        // An export of a picture at the server's text limit runs to megabytes: past Beast's default 8 MB.
        http::response_parser<http::string_body> parser;
        parser.body_limit(256u * 1024 * 1024);
        http::read(stream, buffer, parser);
        auto& res = parser.get();
        beast::error_code ec;
        stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        return {res.result_int(), res.body(), std::string(res[http::field::content_type]),
                std::string(res[http::field::content_disposition])};
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot reach http://" + host + ":" + port + target + ": " + e.what());
    }
}

}  // namespace est::client
