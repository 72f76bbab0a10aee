#pragma once
// Accepts TCP connections on shard 0 (one thread) and starts an http_session for each. Holds the number of
// open connections under --max-connections (below the descriptor limit): past it, the oldest connection that
// has not yet sent a whole request is closed to make room, so idle sockets cannot lock out new users or
// /healthz. When accept fails (out of descriptors or memory), it waits before trying again, longer each time
// up to a second, instead of spinning on a connection it cannot take.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "est/server/server_context.hpp"

namespace est::server {

class http_session;

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens; throws boost::system::system_error when the address cannot be used.
    listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, server_context& ctx);
    void run();
    void stop();  // thread-safe
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    static constexpr std::chrono::milliseconds first_retry{10}, last_retry{1000};

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void retry_later();
    // Closes the oldest session still waiting for its first request; false when there is none.
    bool evict_waiting();
    void remember_waiting(const std::shared_ptr<http_session>& s);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::chrono::milliseconds retry_after_{0};  // 0 while accept succeeds
    server_context& ctx_;
    // Sessions in the order they were accepted, while they may still be waiting for their first request. Those
    // past it (or gone) are dropped from the front as it is reached, and all at once when the queue outgrows
    // twice the connection limit, so it stays bounded by the connections.
    std::deque<std::weak_ptr<http_session>> waiting_;
    std::uint64_t refused_ = 0;
    std::uint64_t evicted_ = 0;
};

}  // namespace est::server
