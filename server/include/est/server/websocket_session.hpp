#pragma once
// One WebSocket connection: reads client messages, hands them to its meeting room, and writes what the
// room delivers through a bounded queue. Owns itself (shared_from_this); all its state lives on its shard's
// one thread, except the inbox (a mutex) through which other threads deliver.
// Over TLS (--tls-cert) the same, on a TLS stream that takes over the OpenSSL session of the HTTP connection.
// Beast-heavy, with OpenSSL: included only by the two .cpp files that need it.
#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "est/protocol.hpp"
#include "est/server/room_member.hpp"
#include "est/server/server_context.hpp"

namespace est::server {

class meeting_room;

class websocket_session : public room_member, public std::enable_shared_from_this<websocket_session> {
public:
    // A plain socket with the io_context's own executor type: no strand, no type-erased executor and no
    // tcp_stream timer on the hot path (the WebSocket keeps its own timeouts).
    using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
    using tls_socket_type = boost::asio::ssl::stream<socket_type>;

    // `socket` belongs to shard `shard`'s io_context; everything of this session runs on that thread.
    // `tls`: the connection's OpenSSL session, handshake done (the session takes over one reference), or
    // nullptr for plain. `owner`: whose connection it is under accounts (empty under open access).
    websocket_session(socket_type&& socket, tls_socket_type::native_handle_type tls, std::size_t shard,
                      address_counter::slot slot, server_context& ctx, std::optional<connection_owner> owner = std::nullopt);
    ~websocket_session() override;

    void run(boost::beast::http::request<boost::beast::http::string_body> req);

    void deliver(std::shared_ptr<const std::string> message) override;
    void deliver_welcome(std::shared_ptr<const std::string> message) override;
    void close_with(std::uint16_t code, std::string reason) override;
    const connection_owner* owner() const noexcept override { return owner_.get(); }
    void access_changed() override;

private:
    // Without permessage-deflate (the server never offers it): Beast then keeps no compression state per stream.
    using plain_ws = boost::beast::websocket::stream<socket_type, false>;
    using tls_ws = boost::beast::websocket::stream<tls_socket_type, false>;
    static std::variant<plain_ws, tls_ws> make_stream(socket_type&& socket, tls_socket_type::native_handle_type tls);
    // Calls f with the WebSocket stream, plain or TLS (one branch: the plain path stays as it was).
    template <class F>
    decltype(auto) with_ws(F&& f) {
        return std::visit(std::forward<F>(f), ws_);
    }
    socket_type::executor_type executor() {
        return with_ws([](auto& ws) { return ws.get_executor(); });
    }

    void accept(boost::beast::http::request<boost::beast::http::string_body> req);
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    // The connection's one timer serves every deadline and wait below; each keeps its own due time.
    enum wake : std::uint8_t { wake_join, wake_message, wake_close, wake_pace, wake_focus, wake_count };
    using clock = std::chrono::steady_clock;
    void wake_at(wake what, clock::time_point at);  // `what` is due at `at` (replacing an earlier due time)
    void wake_off(wake what) { due_[what] = clock::time_point::max(); }
    void on_timer(std::uint32_t generation);
    bool take_token();
    void wait_for_token();  // reads nothing until the rate allows the next message
    void handle_message();  // the message in buffer_, then the next read
    void handle(std::string_view text);
    void on_focus(focus_message msg);
    void send_focus();
    void on_join_deadline();
    void on_join(join_message msg);
    void on_watch_queue();
    void open_room(join_message msg);  // finds (or loads) the room and joins it
    // Under accounts: who the owner is in `meeting` (name from the account, org and role from the membership of
    // its group), or the error code refusing the join.
    std::variant<identity, std::string> identity_in(const std::string& meeting) const;
    void recheck_access();
    void drain_inbox();
    // Queue, and write from the shard's next flush. A welcome is not counted against the queue's byte cap.
    void send(std::shared_ptr<const std::string> message, bool welcome = false);
    static void write_pending(shard_set::pending_writes& list);
    bool enqueue(std::shared_ptr<const std::string> message, bool welcome = false);  // false when closing (or now closed: too slow)
    void flush();                                              // write what is queued unless a write is on
    void send_error(std::string_view code, std::string_view message, std::optional<std::uint64_t> seq = std::nullopt);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void start_close(std::uint16_t code, std::string reason);
    void do_close();
    void cut();  // closes the socket without a close frame
    void gone();

    std::variant<plain_ws, tls_ws> ws_;
    int shard_;
    boost::beast::flat_buffer buffer_;
    address_counter::slot slot_;
    server_context& ctx_;
    // Token bucket for --max-messages-per-second, taken before a message is parsed. With no token left
    // the session stops reading until one accrues (wake_pace): a flood waits in the peer's TCP buffers, not here.
    double tokens_;
    clock::time_point refilled_;
    // One timer, set to the earliest of: the join deadline (--join-timeout), the deadline of a message partly
    // received (--ws-message-timeout: slow senders are cut off), the close handshake's grace period, the next
    // token, the next coalesced presence. Five timers cost an idle connection 600 bytes; this with its due times 120.
    // A due time of max() is not due; `timer_at_` is what the timer is set to (max(): not waiting). Setting it
    // earlier starts a new wait and bumps `timer_generation_`, so the replaced wait's handler does nothing.
    std::array<clock::time_point, wake_count> due_;
    boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, boost::asio::io_context::executor_type> timer_;
    clock::time_point timer_at_ = clock::time_point::max();
    std::uint32_t timer_generation_ = 0;
    // Presence is coalesced: at most one focus per focus_interval goes to the room, always the latest
    // (on the heap while one waits: a field reference is 170 bytes an idle connection need not hold).
    std::unique_ptr<focus_message> focus_waiting_;
    clock::time_point focus_sent_{};
    bool message_started_ = false;
    // deliver() from this session's own thread (its room is on the same shard) sends at once; from any
    // other thread it appends to the inbox and posts one drain for however many messages arrive before
    // this thread gets to it.
    std::mutex inbox_mutex_;
    std::vector<std::pair<std::shared_ptr<const std::string>, bool>> inbox_;  // (message, is a welcome)
    bool drain_posted_ = false;
    // Outgoing: `writing_` is in the write in progress (one WebSocket message; several protocol messages
    // joined by line feeds in `batch_`), `queue_` waits for the next. Bounded together (slow consumers).
    // A vector, not a deque: an empty std::deque already holds a 512-byte block, on every idle connection.
    std::vector<std::shared_ptr<const std::string>> queue_;
    std::vector<std::shared_ptr<const std::string>> writing_;
    std::string batch_;
    std::size_t queued_bytes_ = 0;
    // The welcome while it is queued or being written: its bytes are not held against the cap.
    const std::string* welcome_ = nullptr;
    std::size_t welcome_bytes_ = 0;
    bool write_pending_ = false;  // listed in the shard's pending_writes
    std::shared_ptr<meeting_room> room_;
    // Watching the BRÅ queue instead of a meeting: the handle (0: not watching) and the groups watched.
    std::uint64_t watch_ = 0;
    std::set<std::string, std::less<>> watch_groups_;
    std::string meeting_;       // the meeting joined (or being joined)
    std::optional<identity> as_;  // who the connection joined as
    bool joining_ = false;
    bool closing_ = false;
    bool close_sent_ = false;
    bool gone_ = false;
    // Why the connection closes, once it does (Beast's close_reason holds 123 bytes inline: not kept idle).
    std::uint16_t close_code_ = 0;
    std::string close_text_;
    std::unique_ptr<const connection_owner> owner_;  // under accounts (empty under open access)
};

}  // namespace est::server
