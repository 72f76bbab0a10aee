#include "est/client/ws_connection.hpp"

#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace est::client {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

struct ws_connection::impl : std::enable_shared_from_this<impl> {
    // A plain socket with the io_context's own executor type, as the server's sessions use: no type-erased
    // executor and no tcp_stream timer bookkeeping per read and write (the WebSocket keeps its own
    // timeouts; connecting has a timer of its own).
    using socket_type = net::basic_stream_socket<net::ip::tcp, net::io_context::executor_type>;

    net::ip::tcp::resolver resolver;
    websocket::stream<socket_type> ws;
    net::steady_timer connect_timer;
    beast::flat_buffer buffer;
    websocket::response_type upgrade_answer;  // the server's answer to the upgrade, kept when it refuses
    handlers h;
    std::deque<std::string> queue;
    bool open = false;
    bool closed = false;
    bool writing = false;
    bool connecting = false;
    bool timed_out = false;  // the connect timer fired while connecting
    std::string host;

    impl(net::io_context& ioc, handlers hs) : resolver(ioc), ws(ioc.get_executor()), connect_timer(ioc), h(std::move(hs)) {}

    void finish(const std::string& why) {
        if (closed) return;
        closed = true;
        open = false;
        if (h.on_close) h.on_close(why);
    }

    void connect(const std::string& host_, const std::string& port, const std::string& path, headers extra) {
        host = host_ + ":" + port;
        if (!extra.empty())
            ws.set_option(websocket::stream_base::decorator([extra = std::move(extra)](websocket::request_type& req) {
                for (const auto& [name, value] : extra) req.set(name, value);
            }));
        resolver.async_resolve(host_, port, [self = shared_from_this(), path](beast::error_code ec, net::ip::tcp::resolver::results_type r) {
            if (ec) return self->finish("resolve: " + ec.message());
            // Connecting may take at most 10 s: then the socket is closed and the connect fails.
            self->connect_timer.expires_after(std::chrono::seconds(10));
            self->connect_timer.async_wait([weak = std::weak_ptr<impl>(self)](beast::error_code tec) {
                if (auto me = weak.lock(); me && !tec && me->connecting) {
                    me->timed_out = true;
                    beast::error_code ignored;
                    me->ws.next_layer().close(ignored);
                }
            });
            self->connecting = true;
            // After a timeout no further address is tried.
            auto until_timeout = [raw = self.get()](const beast::error_code&, const net::ip::tcp::endpoint&) { return !raw->timed_out; };
            net::async_connect(self->ws.next_layer(), r, until_timeout, [self, path](beast::error_code ec2, const net::ip::tcp::endpoint&) {
                self->connecting = false;
                self->connect_timer.cancel();
                if (self->timed_out) ec2 = beast::error::timeout;
                if (ec2) return self->finish("connect: " + ec2.message());
                self->ws.next_layer().set_option(net::ip::tcp::no_delay(true));
                self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
                self->ws.read_message_max(64 * 1024 * 1024);
                self->ws.async_handshake(self->upgrade_answer, self->host, path, [self](beast::error_code ec3) {
                    if (ec3 == websocket::error::upgrade_declined)
                        return self->finish("handshake: HTTP " + std::to_string(self->upgrade_answer.result_int()) + " " +
                                            self->upgrade_answer.body());
                    if (ec3) return self->finish("handshake: " + ec3.message());
                    self->ws.text(true);
                    self->open = true;
                    if (self->h.on_open) self->h.on_open();
                    self->do_read();
                    self->do_write();
                });
            });
        });
    }

    void do_read() {
        ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                // A close frame may have arrived even when the connection then failed (the peer hung up
                // before our close reply): report its code when there was one.
                const auto& r = self->ws.reason();
                if (ec == websocket::error::closed || r.code != websocket::close_code::none)
                    return self->finish("closed: " + std::to_string(r.code) + " " + std::string(r.reason.data(), r.reason.size()));
                return self->finish("read: " + ec.message());
            }
            const auto d = self->buffer.cdata();
            if (self->h.on_message) self->h.on_message(std::string_view(static_cast<const char*>(d.data()), d.size()));
            self->buffer.consume(self->buffer.size());
            if (!self->closed) self->do_read();
        });
    }

    void do_write() {
        if (writing || queue.empty() || !open) return;
        writing = true;
        ws.async_write(net::buffer(queue.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing = false;
            if (ec) return self->finish("write: " + ec.message());
            self->queue.pop_front();
            self->do_write();
        });
    }
};

ws_connection::ws_connection(net::io_context& ioc, handlers h) : impl_(std::make_shared<impl>(ioc, std::move(h))) {}

ws_connection::~ws_connection() {
    impl_->h = {};
    impl_->connect_timer.cancel();
    beast::error_code ec;
    impl_->ws.next_layer().close(ec);
}

void ws_connection::connect(const std::string& host, const std::string& port, const std::string& path, headers extra) {
    impl_->connect(host, port, path, std::move(extra));
}

void ws_connection::send(std::string message) {
    if (impl_->closed) return;
    impl_->queue.push_back(std::move(message));
    impl_->do_write();
}

void ws_connection::close() {
    if (!impl_->open) return;
    impl_->open = false;  // closing: nothing more is sent, and the rest of a batch being read is moot
    impl_->ws.async_close(websocket::close_code::normal, [self = impl_](beast::error_code) { self->finish("closed by client"); });
}

void ws_connection::abort() {
    beast::error_code ec;
    impl_->ws.next_layer().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    impl_->ws.next_layer().close(ec);
    impl_->finish("aborted by client");
}

bool ws_connection::is_open() const noexcept { return impl_->open; }
std::size_t ws_connection::queued() const noexcept { return impl_->queue.size(); }

}  // namespace est::client
