#pragma once
// Accepts TCP connections on shard 0 (one thread) and starts an http_session for each.
#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "est/server/server_context.hpp"

namespace est::server {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens; throws boost::system::system_error when the address cannot be used.
    listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, server_context& ctx);
    void run();
    void stop();  // thread-safe
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    server_context& ctx_;
    std::uint64_t refused_ = 0;
};

}  // namespace est::server
