#include "est/server/http_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket.hpp>

#include "est/server/auth/caller.hpp"
#include "est/server/http_router.hpp"
#include "est/server/room_registry.hpp"
#include "est/server/websocket_session.hpp"

namespace est::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

http_session::http_session(net::ip::tcp::socket&& socket, address_counter::slot slot, server_context& ctx)
    : stream_(std::move(socket)), slot_(std::move(slot)), ctx_(ctx) {}

void http_session::run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
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
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
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
    auto& req = parser_->get();
    http_request call;
    call.method = req.method_string();
    call.target = req.target();
    call.remote_address = client_address(req);
    call.host = req[http::field::host];
    call.origin = req[http::field::origin];
    call.cookie = req[http::field::cookie];
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

std::string http_session::client_address(const http::request<http::string_body>& req) const {
    const std::string& peer = slot_.address();
    const auto& trusted = ctx_.options.trusted_proxies;
    if (std::find(trusted.begin(), trusted.end(), peer) == trusted.end()) return peer;
    // The proxy appends the address it saw last: the one entry a client cannot forge.
    std::string_view forwarded = req["X-Forwarded-For"];
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
    const auto fd = from.release(ec);
    if (ec) return;
    websocket_session::socket_type moved(shards.context(to).get_executor());
    moved.assign(protocol, fd, ec);
    if (ec) {
        ::close(fd);
        return;
    }
    std::make_shared<websocket_session>(std::move(moved), to, std::move(slot_), ctx_, std::move(owner))->run(std::move(req));
}

void http_session::respond(http::response<http::string_body> res) {
    const bool keep_alive = res.keep_alive();
    // The stream's deadline covers writing too: a fresh one for this answer, however long it took to make.
    stream_.expires_after(ctx_.options.http_timeout);
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp, [self = shared_from_this(), sp, keep_alive](beast::error_code ec, std::size_t n) {
        self->on_write(keep_alive, ec, n);
    });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) return do_close();
    do_read();
}

void http_session::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace est::server
