#include "est/server/listener.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "est/server/http_session.hpp"

namespace est::server {

namespace net = boost::asio;

listener::listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, server_context& ctx)
    : ioc_(ioc), acceptor_(ioc), retry_(ioc), ctx_(ctx) {
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
        self->retry_.cancel();
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
    // Out of descriptors (or memory): the connection stays queued and the acceptor is ready again at once;
    // accepting again at once would spin a core and starve every other handler of this thread.
    if (ec) return retry_later();
    retry_after_ = std::chrono::milliseconds(0);
    boost::system::error_code ignored;
    socket.set_option(net::ip::tcp::no_delay(true), ignored);
    const auto remote = socket.remote_endpoint(ignored);
    std::optional<address_counter::slot> slot;
    if (!ignored) slot = ctx_.addresses.acquire(remote.address().to_string());
    // Over --max-connections-per-address: refuse before reading anything. Over --max-connections: make room by
    // closing a connection that has not yet asked anything, or else refuse this one.
    const std::size_t cap = ctx_.options.max_connections;
    if (slot && cap && ctx_.addresses.total() > cap && !evict_waiting()) slot.reset();
    if (!slot) {
        ++refused_;
        socket.close(ignored);
    } else {
        auto session = std::make_shared<http_session>(std::move(socket), std::move(*slot), ctx_);
        remember_waiting(session);
        session->run();
    }
    do_accept();
}

void listener::retry_later() {
    retry_after_ = retry_after_.count() == 0 ? first_retry : std::min(retry_after_ * 2, last_retry);
    retry_.expires_after(retry_after_);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && self->acceptor_.is_open()) self->do_accept();
    });
}

bool listener::evict_waiting() {
    while (!waiting_.empty()) {
        auto s = waiting_.front().lock();
        waiting_.pop_front();
        if (s && s->evict()) {
            ++evicted_;
            return true;
        }
    }
    return false;
}

void listener::remember_waiting(const std::shared_ptr<http_session>& s) {
    waiting_.push_back(s);
    const auto done = [](const std::weak_ptr<http_session>& w) {
        auto session = w.lock();
        return !session || !session->waiting_for_first_request();
    };
    while (!waiting_.empty() && done(waiting_.front())) waiting_.pop_front();
    if (waiting_.size() > 2 * std::max<std::size_t>(ctx_.options.max_connections, 1024)) std::erase_if(waiting_, done);
}

}  // namespace est::server
