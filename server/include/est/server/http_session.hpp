#pragma once
// One HTTP connection: reads requests (bounded size and time), answers through the router, and hands
// a WebSocket upgrade on /ws over to a websocket_session on the shard of the meeting it names.
// With --tls-cert it first tells TLS from plain HTTP by the first bytes (as Beast's server-flex example does):
// TLS is shaken hands and served, plain HTTP is answered 400 once and closed. OpenSSL stays in the .cpp.
#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include "est/server/http_router.hpp"
#include "est/server/server_context.hpp"

namespace est::server {

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket&& socket, address_counter::slot slot, server_context& ctx);
    ~http_session();
    void run();
    // Until a whole first request has arrived (the cheapest connection to hold open, so the first to go).
    bool waiting_for_first_request() const noexcept { return !asked_ && !evicted_; }
    // Closes the connection if it is still waiting for its first request, to make room for a new one. Returns
    // whether it did. On the session's thread (shard 0, the listener's).
    bool evict();

private:
    struct tls_layer;  // the TLS stream over stream_ (in the .cpp)

    void do_detect();
    void on_detect(boost::beast::error_code ec, bool tls);
    void on_handshake(boost::beast::error_code ec, std::size_t used);
    void refuse_plain();
    // Calls f with the stream requests are read from and answers written to: the TLS one, or the TCP one.
    template <class F>
    void on_stream(F&& f);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void respond(boost::beast::http::response<boost::beast::http::string_body> res);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    // `owner`: the signed-in person under accounts.
    void upgrade(const std::string& meeting_hint, std::optional<connection_owner> owner);
    bool from_trusted_proxy() const;  // the peer is a --trusted-proxy
    // The client's address: the peer's, or behind a --trusted-proxy the last of X-Forwarded-For.
    std::string client_address(const boost::beast::http::request<boost::beast::http::string_body>& req) const;
    void answer(http_response out);
    // True when the router takes the call to answer later (an export), or it failed and was answered.
    bool answer_later(const http_request& call);
    void answered_later(std::uint64_t call, http_response out);

    boost::beast::tcp_stream stream_;
    std::unique_ptr<tls_layer> tls_;  // once the connection has begun a TLS handshake
    boost::beast::flat_buffer buffer_;
    address_counter::slot slot_;
    server_context& ctx_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    // While a deferred call (an export) is under way: keeps the session alive and bounds the wait.
    std::optional<boost::asio::steady_timer> deferred_;
    std::uint64_t deferred_calls_ = 0;  // tells a late answer from the answer to the call under way
    bool asked_ = false;    // a whole request has arrived
    bool evicted_ = false;
};

}  // namespace est::server
