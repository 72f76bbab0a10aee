#include "est/server/websocket_session.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "est/error.hpp"
#include "est/permission_table.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/catalog.hpp"
#include "est/server/meeting_room.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/records/bra_routes.hpp"
#include "est/server/room_registry.hpp"

namespace est::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {
constexpr std::uint16_t close_too_slow = 1008;  // policy violation: the client does not read fast enough
constexpr std::uint16_t close_no_join = 4002;   // no join within --join-timeout
// At most one focus change per member goes to the room (and out to every member) per interval.
constexpr auto focus_interval = std::chrono::milliseconds(200);
// Protocol messages joined into one WebSocket message stop at this size (a single larger one goes alone).
constexpr std::size_t max_batch_bytes = 256 * 1024;
// The lists of messages (queued, being written) are let go past this length once a burst has gone out.
constexpr std::size_t kept_messages = 16;
// The first read of a message asks for at most this much; nearly every message (an edit, a focus, a join) is
// smaller. An idle connection's pending read then holds 512 bytes instead of Beast's 1,536-byte default.
constexpr std::size_t first_read_bytes = 512;
// Later reads of a longer message: at least Beast's frame size, at most this (Beast still bounds the message).
constexpr std::size_t later_read_min_bytes = 1536;
constexpr std::size_t later_read_max_bytes = 16 * 1024;
}  // namespace

std::variant<websocket_session::plain_ws, websocket_session::tls_ws> websocket_session::make_stream(
    socket_type&& socket, tls_socket_type::native_handle_type tls) {
    if (tls) return std::variant<plain_ws, tls_ws>(std::in_place_type<tls_ws>, std::move(socket), tls);
    return std::variant<plain_ws, tls_ws>(std::in_place_type<plain_ws>, std::move(socket));
}

websocket_session::websocket_session(socket_type&& socket, tls_socket_type::native_handle_type tls, std::size_t shard,
                                     address_counter::slot slot, server_context& ctx, std::optional<connection_owner> owner)
    : ws_(make_stream(std::move(socket), tls)),
      shard_(static_cast<int>(shard)),
      slot_(std::move(slot)),
      ctx_(ctx),
      tokens_(2 * ctx.options.max_messages_per_second),
      refilled_(clock::now()),
      timer_(executor()),
      owner_(owner ? std::make_unique<const connection_owner>(std::move(*owner)) : nullptr) {
    due_.fill(clock::time_point::max());
}

websocket_session::~websocket_session() = default;

void websocket_session::run(beast::http::request<beast::http::string_body> req) {
    // Called from the accepting thread: start on this session's own.
    net::post(executor(), [self = shared_from_this(), req = std::move(req)]() mutable { self->accept(std::move(req)); });
}

void websocket_session::accept(beast::http::request<beast::http::string_body> req) {
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.idle_timeout = ctx_.options.ws_idle_timeout;
    t.keep_alive_pings = true;
    with_ws([&](auto& ws) {
        ws.set_option(t);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(beast::http::field::server, "est-server"); }));
        ws.read_message_max(ctx_.options.limits.max_message_bytes);
        ws.text(true);
        ws.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
    });
}

void websocket_session::on_accept(beast::error_code ec) {
    if (ec) return gone();
    ctx_.connections.add(shared_from_this());
    if (ctx_.stopping) return start_close(websocket::close_code::going_away, "server shutting down");
    wake_at(wake_join, clock::now() + ctx_.options.join_timeout);
    do_read();
}

void websocket_session::wake_at(wake what, clock::time_point at) {
    due_[what] = at;
    if (gone_ || at >= timer_at_) return;  // the timer wakes earlier already, and then looks again
    timer_at_ = at;
    timer_.expires_at(at);  // a wait for a later time ends with operation_aborted
    timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](beast::error_code ec) {
        if (!ec) self->on_timer(generation);
    });
}

void websocket_session::on_timer(std::uint32_t generation) {
    if (generation != timer_generation_ || gone_) return;  // replaced by an earlier wait
    timer_at_ = clock::time_point::max();
    const auto now = clock::now();
    std::array<bool, wake_count> fired{};
    for (std::size_t w = 0; w < wake_count; ++w) {
        if (due_[w] <= now) fired[w] = true, due_[w] = clock::time_point::max();
    }
    // Cut the connection: a message still not whole, or a peer that has not answered the close in time.
    // Cannot send a close frame in the middle of reading a message.
    if ((fired[wake_message] && message_started_) || fired[wake_close]) return cut();
    // A paced message before the join deadline: it may be the join that deadline waits for.
    if (fired[wake_pace] && !gone_ && !closing_) {
        if (!take_token()) wait_for_token();
        else handle_message();
    }
    if (fired[wake_join]) on_join_deadline();
    if (fired[wake_focus]) send_focus();
    // What is still to come (a handler above may have set the timer already).
    const auto next = std::min_element(due_.begin(), due_.end());
    if (*next != clock::time_point::max()) wake_at(static_cast<wake>(next - due_.begin()), *next);
}

void websocket_session::on_join_deadline() {
    if (room_ || watch_ || gone_ || closing_) return;
    // A join is under way (the meeting is loading): give it another period.
    if (joining_) return wake_at(wake_join, clock::now() + ctx_.options.join_timeout);
    start_close(close_no_join, "no join within " + std::to_string(ctx_.options.join_timeout.count()) + " s");
}

void websocket_session::do_read() {
    // read_some, not read: it tells when a message has begun, so a sender trickling one message out
    // byte by byte (slowloris) can be cut off. Beast still enforces read_message_max across the parts.
    // The buffer is sized here, not by Beast: small while waiting for a message, growing with a long one.
    const std::size_t want = buffer_.size() == 0
                                 ? first_read_bytes
                                 : std::clamp(buffer_.size(), later_read_min_bytes, later_read_max_bytes);
    const auto space = buffer_.prepare(want);
    with_ws([&](auto& ws) {
        ws.async_read_some(space, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
    });
}

bool websocket_session::take_token() {
    const auto now = clock::now();
    const double rate = ctx_.options.max_messages_per_second;
    tokens_ = std::min(2 * rate, tokens_ + rate * std::chrono::duration<double>(now - refilled_).count());
    refilled_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void websocket_session::on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) return gone();  // closed, reset, timed out, or a frame past the size limit (closed with 1009)
    buffer_.commit(bytes);
    if (!with_ws([](auto& ws) { return ws.is_message_done(); })) {
        if (!message_started_) {
            message_started_ = true;
            wake_at(wake_message, clock::now() + ctx_.options.ws_message_timeout);
        }
        return do_read();
    }
    if (message_started_) {
        message_started_ = false;
        wake_off(wake_message);
    }
    // The rate is checked before anything of the message is looked at: a flood costs a token bucket, not
    // a JSON parse per message.
    if (!take_token()) return wait_for_token();
    handle_message();
}

void websocket_session::wait_for_token() {
    const double rate = ctx_.options.max_messages_per_second;
    wake_at(wake_pace, clock::now() + std::chrono::duration_cast<clock::duration>(
                                          std::chrono::duration<double>((1 - tokens_) / rate)));
}

void websocket_session::handle_message() {
    if (!with_ws([](auto& ws) { return ws.got_text(); })) {
        send_error("bad_message", "binary messages are not accepted; send JSON text");
    } else {
        const auto data = buffer_.cdata();
        handle(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    // After a long message the buffer goes back to the small size an idle connection needs.
    if (buffer_.capacity() > first_read_bytes) buffer_.shrink_to_fit();
    if (!closing_) do_read();
}

void websocket_session::handle(std::string_view text) {
    client_message msg;
    std::optional<std::uint64_t> seq;
    try {
        msg = parse_client_message(text, ctx_.options.limits, &seq);
    } catch (const domain_error& e) {
        return send_error(e.code(), e.what(), seq);
    }
    if (auto* join = std::get_if<join_message>(&msg)) return on_join(std::move(*join));
    if (std::holds_alternative<watch_queue_message>(msg)) return on_watch_queue();
    if (!room_) {
        return send_error("not_joined", joining_ ? "wait for the welcome before sending" : "join a meeting first", seq);
    }
    if (auto* op = std::get_if<op_message>(&msg)) room_->submit(weak_from_this(), std::move(*op));
    else on_focus(std::get<focus_message>(std::move(msg)));
}

void websocket_session::on_focus(focus_message msg) {
    // Coalesced: a member moving through fields quickly costs every other member one presence per
    // interval at most, and the last place always goes out.
    if (focus_waiting_) *focus_waiting_ = std::move(msg);
    else focus_waiting_ = std::make_unique<focus_message>(std::move(msg));
    if (due_[wake_focus] != clock::time_point::max()) return;  // goes out when the interval is over
    const auto due = focus_sent_ + focus_interval;
    if (clock::now() >= due) return send_focus();
    wake_at(wake_focus, due);
}

void websocket_session::send_focus() {
    if (!focus_waiting_ || !room_ || gone_) return;
    focus_sent_ = clock::now();
    room_->focus(weak_from_this(), std::move(*focus_waiting_));
    focus_waiting_.reset();
}

void websocket_session::on_join(join_message msg) {
    if (room_ || joining_ || watch_) return send_error("already_joined", "this connection has already joined a meeting");
    if (ctx_.auth) {
        if (msg.who) return send_error("bad_message", "name, org and role come from your account: leave them out of join");
        auto who = identity_in(msg.meeting);
        if (auto* refused = std::get_if<std::string>(&who)) {
            if (*refused != "meeting_not_found") return start_close(close_session_ended, "account_disabled");
            return send_error(*refused, "there is no meeting '" + msg.meeting + "'");
        }
        msg.who = std::get<identity>(std::move(who));
    } else if (!msg.who) {
        return send_error("bad_message", "join needs name, org and role: this server runs without accounts");
    }
    meeting_ = msg.meeting;
    as_ = msg.who;
    joining_ = true;
    open_room(std::move(msg));
}

void websocket_session::on_watch_queue() {
    if (room_ || joining_ || watch_)
        return send_error("already_joined", "this connection has already joined a meeting or watches the queue");
    if (!ctx_.bra) return send_error("unknown_type", "this server has no BRÅ queue");
    std::optional<auth::account> a;
    if (ctx_.auth) {
        a = ctx_.auth->accounts().find(owner_->account_id);
        if (!a || a->disabled) return start_close(close_session_ended, "account_disabled");
    }
    watch_groups_ = records::bra_routes::groups_of(*ctx_.meetings, a ? &*a : nullptr);
    wake_off(wake_join);
    // Called on the store's thread: held weakly, delivered through the inbox.
    const unsigned stale_weeks = ctx_.options.bra_stale_weeks;
    watch_ = ctx_.bra->watch(watch_groups_, [weak = weak_from_this(), stale_weeks](const records::bra_item& item) {
        if (auto self = weak.lock()) self->deliver(std::make_shared<const std::string>(records::bra_queue::item_message(item, stale_weeks)));
    });
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : watch_groups_) groups.push_back(g);
    send(std::make_shared<const std::string>(nlohmann::json{{"type", "queue_watching"}, {"groups", std::move(groups)}}.dump()));
}

std::variant<identity, std::string> websocket_session::identity_in(const std::string& meeting) const {
    const auto a = ctx_.auth->accounts().find(owner_->account_id);
    if (!a || a->disabled) return std::string("account_disabled");
    const auto info = ctx_.meetings->find_meeting(meeting);
    if (!info) return std::string("meeting_not_found");
    const auto* m = a->membership_of(info->group_id);
    // Someone without a role in the group learns no more than that the meeting is not there for them.
    if (!est::decide(a->standing_in(info->group_id), action::join_meeting)) return std::string("meeting_not_found");
    return identity{a->display_name, m ? m->org : std::string(), m ? m->role : role::admin};
}

void websocket_session::access_changed() {
    net::post(executor(), [self = shared_from_this()] { self->recheck_access(); });
}

void websocket_session::recheck_access() {
    if (!owner_ || !ctx_.auth || gone_ || closing_) return;
    const auto a = ctx_.auth->accounts().find(owner_->account_id);
    if (!a || a->disabled) return start_close(close_session_ended, "account_disabled");
    // A watcher of the queue sees the items of the groups it was a member of when it began: a change of
    // memberships ends the watch (the client watches again, with what it may see now).
    if (watch_ && records::bra_routes::groups_of(*ctx_.meetings, &*a) != watch_groups_)
        return start_close(close_session_ended, "access_changed");
    if (!as_) return;
    auto now = identity_in(meeting_);
    const auto* who = std::get_if<identity>(&now);
    if (!who || who->role != as_->role || who->org != as_->org) start_close(close_session_ended, "access_changed");
}

void websocket_session::open_room(join_message msg) {
    const std::string meeting = msg.meeting;
    // Callbacks that run on or wait in other threads hold this session weakly: it must not outlive its
    // io_context inside another shard's queue.
    auto ex = executor();
    ctx_.rooms.open(meeting, [weak = weak_from_this(), ex, msg = std::move(msg)](std::shared_ptr<meeting_room> room,
                                                                            const std::string& code,
                                                                            const std::string& why) mutable {
        net::post(ex, [weak, ex, room = std::move(room), code, why, msg = std::move(msg)]() mutable {
            auto self = weak.lock();
            if (!self || self->gone_) return;
            if (!room) {
                self->joining_ = false;
                return self->send_error(code, why);
            }
            self->room_ = room;
            auto again = msg;  // for a room retired (idle) just before this join reached it
            room->join(weak, std::move(msg), [weak, ex, again = std::move(again)](meeting_room::join_result r) mutable {
                net::post(ex, [weak, r, again = std::move(again)]() mutable {
                    auto joined = weak.lock();
                    if (!joined) return;
                    if (r == meeting_room::join_result::joined) return void(joined->joining_ = false);
                    joined->room_.reset();
                    if (r == meeting_room::join_result::retired && !joined->gone_) return joined->open_room(std::move(again));
                    joined->joining_ = false;
                });
            });
        });
    });
}

void websocket_session::deliver_welcome(std::shared_ptr<const std::string> message) {
    if (shard_set::current() == shard_) return send(std::move(message), true);
    {
        std::lock_guard lock(inbox_mutex_);
        inbox_.emplace_back(std::move(message), true);
        if (drain_posted_) return;
        drain_posted_ = true;
    }
    net::post(executor(), [self = shared_from_this()] { self->drain_inbox(); });
}

void websocket_session::deliver(std::shared_ptr<const std::string> message) {
    if (shard_set::current() == shard_) return send(std::move(message));
    {
        std::lock_guard lock(inbox_mutex_);
        inbox_.emplace_back(std::move(message), false);
        if (drain_posted_) return;
        drain_posted_ = true;
    }
    net::post(executor(), [self = shared_from_this()] { self->drain_inbox(); });
}

void websocket_session::drain_inbox() {
    std::vector<std::pair<std::shared_ptr<const std::string>, bool>> batch;
    {
        std::lock_guard lock(inbox_mutex_);
        batch.swap(inbox_);
        drain_posted_ = false;
    }
    // The batch is whole already: queue it and write at once, without a second hop.
    for (auto& [m, welcome] : batch) enqueue(std::move(m), welcome);
    flush();
}

void websocket_session::close_with(std::uint16_t code, std::string reason) {
    net::post(executor(), [self = shared_from_this(), code, r = std::move(reason)]() mutable {
        self->start_close(code, std::move(r));
    });
}

void websocket_session::send_error(std::string_view code, std::string_view message, std::optional<std::uint64_t> seq) {
    send(std::make_shared<const std::string>(encode::error(code, message, seq)));
}

void websocket_session::send(std::shared_ptr<const std::string> message, bool welcome) {
    if (!enqueue(std::move(message), welcome) || !writing_.empty() || write_pending_) return;
    // Write once this thread has done what is already queued for it: messages produced meanwhile (more
    // of a commit's ops, other rooms' work delaying this one) join the same write. Idle, that is at once.
    write_pending_ = true;
    auto& list = ctx_.shards.writes(static_cast<std::size_t>(shard_));
    list.sessions.push_back(weak_from_this());
    if (std::exchange(list.posted, true)) return;
    net::post(executor(), [&list] { write_pending(list); });
}

void websocket_session::write_pending(shard_set::pending_writes& list) {
    list.posted = false;
    list.writing.swap(list.sessions);
    for (const auto& weak : list.writing) {
        if (auto self = weak.lock()) {
            self->write_pending_ = false;
            self->flush();
        }
    }
    list.writing.clear();
}

bool websocket_session::enqueue(std::shared_ptr<const std::string> message, bool welcome) {
    if (closing_ || gone_) return false;
    const auto& lim = ctx_.options.limits;
    if (welcome) {
        // Bounded by the meeting's size, not by this connection: a full meeting stays joinable.
        welcome_ = message.get();
        welcome_bytes_ = message->size();
    } else if (queue_.size() + writing_.size() >= lim.max_outgoing_messages ||
               queued_bytes_ - welcome_bytes_ + message->size() > lim.max_outgoing_bytes) {
        // Too slow to keep up: close instead of buffering without end. It resyncs on reconnect.
        start_close(close_too_slow, "too slow: messages were not read in time");
        return false;
    }
    queued_bytes_ += message->size();
    queue_.push_back(std::move(message));
    return true;
}

void websocket_session::flush() {
    if (writing_.empty() && !queue_.empty()) do_write();
}

void websocket_session::do_write() {
    // Everything queued goes out in one WebSocket message, one protocol message per line: under load a
    // connection then costs one write per batch, not one per message.
    std::size_t bytes = 0;
    auto next = queue_.begin();
    do {
        bytes += (*next)->size() + 1;
        writing_.push_back(std::move(*next));
        ++next;
    } while (next != queue_.end() && bytes + (*next)->size() <= max_batch_bytes);
    queue_.erase(queue_.begin(), next);
    if (writing_.size() > 1) {
        batch_.clear();
        batch_.reserve(bytes);
        for (const auto& m : writing_) {
            if (!batch_.empty()) batch_ += '\n';
            batch_ += *m;
        }
    }
    const auto out = writing_.size() == 1 ? net::buffer(*writing_.front()) : net::buffer(batch_);
    with_ws([&](auto& ws) { ws.async_write(out, beast::bind_front_handler(&websocket_session::on_write, shared_from_this())); });
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
    if (ec) return gone();
    for (const auto& m : writing_) {
        queued_bytes_ -= m->size();
        if (m.get() == welcome_) welcome_ = nullptr, welcome_bytes_ = 0;
    }
    writing_.clear();
    if (!queue_.empty()) return do_write();
    // Nothing more to write: let go of what a burst grew, so an idle connection holds only its small state.
    // The batch buffer goes too: kept, it held a joined welcome's or a burst's size (up to 256 KiB) on every idle
    // connection. Allocating it again costs a batch one allocation, next to a system call.
    std::string().swap(batch_);
    if (writing_.capacity() > kept_messages) writing_ = {};
    if (queue_.capacity() > kept_messages) queue_ = {};
    if (closing_) do_close();
}

void websocket_session::start_close(std::uint16_t code, std::string reason) {
    if (closing_ || gone_) return;
    closing_ = true;
    close_code_ = code;
    close_text_ = std::move(reason);
    if (code == close_too_slow) {
        // It cannot take what is queued anyway: finish the write in progress, drop the rest.
        for (const auto& m : queue_) {
            queued_bytes_ -= m->size();
            if (m.get() == welcome_) welcome_ = nullptr, welcome_bytes_ = 0;
        }
        queue_.clear();
    }
    // A peer that does not read at all cannot take a close frame either: cut it after a grace period.
    wake_at(wake_close, clock::now() + std::chrono::seconds(5));
    // Messages delivered before the close (an error saying why, the last acks) go out first; nothing is
    // queued after it (send() refuses once closing).
    if (!writing_.empty()) return;  // on_write goes on with the queue, then closes
    if (queue_.empty()) do_close();
    else do_write();
}

void websocket_session::do_close() {
    if (close_sent_) return;
    close_sent_ = true;
    with_ws([this](auto& ws) {
        // The close frame is serialised here: the reason need not outlive the call.
        websocket::close_reason why;
        why.code = close_code_;
        why.reason = close_text_;
        ws.async_close(why, [self = shared_from_this()](beast::error_code) { self->gone(); });
    });
}

void websocket_session::cut() {
    beast::error_code ignored;
    with_ws([&](auto& ws) { beast::get_lowest_layer(ws).close(ignored); });
}

void websocket_session::gone() {
    if (gone_) return;
    gone_ = true;
    if (room_) room_->leave(this);
    room_.reset();
    if (watch_ && ctx_.bra) ctx_.bra->unwatch(watch_);
    watch_ = 0;
    ctx_.connections.remove(this);
    // Whatever was due is moot: the pending wait (and the reference to this session it holds) ends now.
    due_.fill(clock::time_point::max());
    timer_.cancel();
}

}  // namespace est::server
