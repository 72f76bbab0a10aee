#include "est/server/listener.hpp"

#include <boost/asio/post.hpp>

#include "est/server/http_session.hpp"

namespace est::server {

namespace net = boost::asio;

listener::listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, server_context& ctx)
    : ioc_(ioc), acceptor_(ioc), ctx_(ctx) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::run() { do_accept(); }

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
    });
}

void listener::do_accept() {
    // Shard 0 is one thread: its connections need no strand.
    acceptor_.async_accept(ioc_, [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::socket s) {
        self->on_accept(ec, std::move(s));
    });
}

void listener::on_accept(boost::system::error_code ec, net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
        boost::system::error_code ignored;
        socket.set_option(net::ip::tcp::no_delay(true), ignored);
        const auto remote = socket.remote_endpoint(ignored);
        auto slot = ctx_.addresses.acquire(remote.address().to_string());
        if (!slot) {
            ++refused_;  // over --max-connections-per-address: refuse before reading anything
            socket.close(ignored);
        } else {
            std::make_shared<http_session>(std::move(socket), std::move(*slot), ctx_)->run();
        }
    }
    // On other errors (e.g. too many open files) keep accepting: the error may pass.
    do_accept();
}

}  // namespace est::server
