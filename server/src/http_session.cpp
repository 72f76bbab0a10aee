#include "est/server/http_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "est/server/auth/caller.hpp"
#include "est/server/http_router.hpp"
#include "est/server/room_registry.hpp"
#include "est/server/websocket_session.hpp"

namespace est::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {
// The value of the last line of header `name` ("" when none).
std::string_view last_line_of(const http::request<http::string_body>& req, std::string_view name) {
    std::string_view out;
    for (auto [it, end] = req.equal_range(name); it != end; ++it) out = it->value();
    return out;
}

// A TLS connection closing gets this long for the close_notify exchange.
constexpr auto tls_close_grace = std::chrono::seconds(5);
}  // namespace

// Over the session's own TCP stream (a reference): its deadline bounds the handshake and every read and write,
// and evict() closes its socket as for plain HTTP.
struct http_session::tls_layer {
    tls_layer(beast::tcp_stream& next, net::ssl::context& ctx) : stream(next, ctx) {}
    beast::ssl_stream<beast::tcp_stream&> stream;
};

http_session::http_session(net::ip::tcp::socket&& socket, address_counter::slot slot, server_context& ctx)
    : stream_(std::move(socket)), slot_(std::move(slot)), ctx_(ctx) {}

http_session::~http_session() = default;

void http_session::run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(ctx_.tls ? &http_session::do_detect : &http_session::do_read,
                                                                    shared_from_this()));
}

template <class F>
void http_session::on_stream(F&& f) {
    if (tls_) f(tls_->stream);
    else f(stream_);
}

void http_session::do_detect() {
    // Telling TLS from plain and the whole TLS handshake share one --http-timeout; the request then has its own.
    stream_.expires_after(ctx_.options.http_timeout);
    beast::async_detect_ssl(stream_, buffer_, beast::bind_front_handler(&http_session::on_detect, shared_from_this()));
}

void http_session::on_detect(beast::error_code ec, bool tls) {
    if (ec) return;               // closed, timed out or evicted before a byte came
    if (!tls) return do_read();   // plain HTTP: its request is read, then refused (on_read)
    tls_ = std::make_unique<tls_layer>(stream_, *ctx_.tls);
    // The bytes the detection read are the start of the ClientHello.
    tls_->stream.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                                 beast::bind_front_handler(&http_session::on_handshake, shared_from_this()));
}

void http_session::on_handshake(beast::error_code ec, std::size_t used) {
    if (ec) return;  // no common protocol or cipher, a broken hello, a timeout: drop the connection
    buffer_.consume(used);
    do_read();
}

void http_session::refuse_plain() {
    // What nginx and Go's net/http do on a TLS port: 400 in plain text, then close. No redirect: the Host
    // header is the client's to choose, and the address to use is https:// on this same port.
    http::response<http::string_body> res{http::status::bad_request, parser_->get().version()};
    res.set(http::field::server, "est-server");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "This port speaks HTTPS only: use https:// (and wss://) in the address.\n";
    res.keep_alive(false);
    res.prepare_payload();
    respond(std::move(res));
}

bool http_session::evict() {
    if (!waiting_for_first_request()) return false;
    evicted_ = true;
    // Closing cancels the read; its handler ends the session. The descriptor is free at once.
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    return true;
}

void http_session::do_read() {
    parser_.emplace();
    parser_->body_limit(ctx_.options.max_http_body);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(ctx_.options.http_timeout);
    on_stream([this](auto& s) {
        http::async_read(s, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    });
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
        // 431 for headers past 16 KiB (an oversized cookie), 413 for a body past --max-http-body.
        http::response<http::string_body> res{
            ec == http::error::header_limit ? http::status::request_header_fields_too_large : http::status::payload_too_large, 11};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::connection, "close");
        res.body() = R"({"error":"too_large","message":"the request is larger than the server accepts"})";
        res.keep_alive(false);
        return respond(std::move(res));
    }
    if (ec) return;  // timeout, reset, malformed request, evicted: drop the connection
    asked_ = true;
    if (ctx_.tls && !tls_) return refuse_plain();
    auto& req = parser_->get();
    http_request call;
    call.method = req.method_string();
    call.target = req.target();
    call.remote_address = client_address(req);
    // TLS here, or ended by a trusted proxy that says so: the cookie is then __Host-est_session; Secure.
    call.tls = tls_ || (from_trusted_proxy() && beast::iequals(last_line_of(req, "X-Forwarded-Proto"), "https"));
    call.host = req[http::field::host];
    call.origin = req[http::field::origin];
    // Every Cookie line, as one: a cookie sent twice on two lines is then held twice, which is no session.
    for (auto [it, end] = req.equal_range(http::field::cookie); it != end; ++it) {
        if (!call.cookie.empty()) call.cookie += "; ";
        call.cookie += it->value();
    }
    call.content_type = req[http::field::content_type];
    if (beast::websocket::is_upgrade(req)) {
        auto hint = websocket_target(req.target());
        if (!hint || ctx_.stopping) {
            http::response<http::string_body> res{http::status::not_found, req.version()};
            res.set(http::field::content_type, "application/json");
            res.body() = R"({"error":"not_found","message":"WebSocket connections go to /ws"})";
            res.keep_alive(false);
            return respond(std::move(res));
        }
        std::optional<auth::caller> who;
        if (auto refused = ctx_.router.admit_websocket(call, &who)) return answer(std::move(*refused));
        std::optional<connection_owner> owner;
        if (who) owner = connection_owner{who->token, who->session->session.id, who->session->who.id, call.remote_address};
        return upgrade(*hint, std::move(owner));
    }
    call.body = req.body();
    if (req.target().starts_with("/api/") && answer_later(call)) return;
    const auto work = ctx_.router.work_of(call);
    if (work == http_router::work::io) return answer(ctx_.router.handle(call));
    // A call that waits for its commit or hashes a password: off the I/O thread, whose meetings would stall
    // meanwhile.
    net::post(work == http_router::work::password ? ctx_.passwords : ctx_.blocking, [self = shared_from_this(), call = std::move(call)] {
        auto out = self->ctx_.router.handle(call);
        net::post(self->stream_.get_executor(), [self, out = std::move(out)]() mutable { self->answer(std::move(out)); });
    });
}

bool http_session::from_trusted_proxy() const {
    const auto& trusted = ctx_.options.trusted_proxies;
    return std::find(trusted.begin(), trusted.end(), slot_.address()) != trusted.end();
}

std::string http_session::client_address(const http::request<http::string_body>& req) const {
    const std::string& peer = slot_.address();
    if (!from_trusted_proxy()) return peer;
    // The proxy appends the address it saw last: the one entry a client cannot forge.
    // A proxy may add its own header line after the client's instead of appending to it: the last line.
    std::string_view forwarded = last_line_of(req, "X-Forwarded-For");
    if (const auto comma = forwarded.rfind(','); comma != std::string_view::npos) forwarded.remove_prefix(comma + 1);
    while (!forwarded.empty() && forwarded.front() == ' ') forwarded.remove_prefix(1);
    while (!forwarded.empty() && forwarded.back() == ' ') forwarded.remove_suffix(1);
    const bool address_like = !forwarded.empty() && forwarded.size() <= 45 &&
                              std::all_of(forwarded.begin(), forwarded.end(), [](unsigned char c) {
                                  return std::isxdigit(c) || c == '.' || c == ':';
                              });
    return address_like ? std::string(forwarded) : peer;
}

bool http_session::answer_later(const http_request& call) {
    // The reply holds the session only weakly, because it may wait in another thread's queue that outlives this
    // one's io_context; the timer's handler holds it meanwhile (on its own io_context, so it goes with it). The
    // reply is always posted, so it runs after the timer below is set even when the router answers at once.
    const std::uint64_t id = ++deferred_calls_;
    bool taken = false;
    try {
        taken = ctx_.router.defer(call, [weak = weak_from_this(), ex = stream_.get_executor(), id](http_response out) {
            net::post(ex, [weak, id, out = std::move(out)]() mutable {
                if (auto self = weak.lock()) self->answered_later(id, std::move(out));
            });
        });
    } catch (const std::exception&) {
        answer({500, "application/json", R"({"error":"internal","message":"the request could not be handled"})", {}});
        return true;
    }
    if (!taken) return false;
    deferred_.emplace(stream_.get_executor());
    deferred_->expires_after(ctx_.options.http_timeout);
    deferred_->async_wait([self = shared_from_this(), id](beast::error_code ec) {
        if (ec) return;
        self->answered_later(id, {503, "application/json",
                              R"({"error":"timeout","message":"the export was not ready in time; try again"})", {}});
    });
    return true;
}

void http_session::answered_later(std::uint64_t call, http_response out) {
    if (!deferred_ || call != deferred_calls_) return;  // answered already (timed out)
    deferred_.reset();       // cancels the wait
    answer(std::move(out));
}

void http_session::answer(http_response out) {
    const auto& req = parser_->get();
    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::server, "est-server");
    res.set(http::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) res.set(k, v);
    res.keep_alive(req.keep_alive() && !ctx_.stopping);
    if (req.method() != http::verb::head) res.body() = out.body;
    else res.content_length(out.body.size());
    if (req.method() != http::verb::head) res.prepare_payload();
    respond(std::move(res));
}

void http_session::upgrade(const std::string& meeting_hint, std::optional<connection_owner> owner) {
    // Plain HTTP stays on shard 0 (the listener's); a WebSocket moves to its meeting's shard, so the
    // room's broadcasts reach it without crossing threads. A very large meeting would then put all its
    // sending on one thread: past `local_members`, connections spread round robin like those without a hint.
    constexpr std::size_t local_members = 64;
    auto& shards = ctx_.shards;
    const bool local = !meeting_hint.empty() && ctx_.rooms.members_of(meeting_hint) < local_members;
    const std::size_t to = local ? shards.index_for_meeting(meeting_hint) : shards.next_index();
    auto req = parser_->release();
    beast::error_code ec;
    auto& from = stream_.socket();
    const auto protocol = from.local_endpoint(ec).protocol();
    if (ec) return;  // the peer is gone already
    // Under TLS the connection's OpenSSL session moves along with the socket, to a new stream on the meeting's
    // thread. Only bytes OpenSSL has not read yet would stay behind in this stream's buffers, and a client must
    // wait for the 101 before it sends a frame: a connection that did not is cut.
    SSL* tls = nullptr;
    if (tls_) {
        tls = tls_->stream.native_handle();
        if (BIO_ctrl_pending(SSL_get_rbio(tls)) != 0 || SSL_up_ref(tls) != 1) return;
    }
    const auto fd = from.release(ec);
    if (!ec) {
        websocket_session::socket_type moved(shards.context(to).get_executor());
        moved.assign(protocol, fd, ec);
        if (!ec) {
            auto ws = std::make_shared<websocket_session>(std::move(moved), tls, to, std::move(slot_), ctx_, std::move(owner));
            tls_.reset();  // lets go of this thread's reference before the session runs on its own
            ws->run(std::move(req));
            return;
        }
        ::close(fd);
    }
    if (tls) SSL_free(tls);
}

void http_session::respond(http::response<http::string_body> res) {
    const bool keep_alive = res.keep_alive();
    // The stream's deadline covers writing too: a fresh one for this answer, however long it took to make.
    stream_.expires_after(ctx_.options.http_timeout);
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    on_stream([&](auto& s) {
        http::async_write(s, *sp, [self = shared_from_this(), sp, keep_alive](beast::error_code ec, std::size_t n) {
            self->on_write(keep_alive, ec, n);
        });
    });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) return do_close();
    do_read();
}

void http_session::do_close() {
    if (tls_) {
        // close_notify both ways, bounded; the socket closes with the session when it is done.
        stream_.expires_after(tls_close_grace);
        return tls_->stream.async_shutdown([self = shared_from_this()](beast::error_code) {});
    }
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace est::server
