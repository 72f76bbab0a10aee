#include "est/client/meeting_client.hpp"

#include <cctype>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "est/client/ws_connection.hpp"
#include "est/protocol.hpp"

namespace est::client {

namespace net = boost::asio;

std::string random_client_id() {
    // The id is the client's secret (the server shows others only a hash of it): 128 bits from the operating
    // system's generator (std::random_device reads getrandom/urandom on Linux), not a seeded PRNG.
    static thread_local std::random_device rd;
    static const char* hex = "0123456789abcdef";
    std::string id = "c-";
    for (int part = 0; part < 4; ++part) {
        auto v = rd();
        for (int i = 0; i < 8; ++i, v >>= 4) id.push_back(hex[v & 0xF]);
    }
    return id;
}

namespace {
// Percent-encodes everything but RFC 3986's unreserved characters.
std::string query_escape(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}
}  // namespace

meeting_client::meeting_client(net::io_context& ioc, options o)
    : ioc_(ioc),
      opts_(std::move(o)),
      replica_(opts_.client_id.empty() ? random_client_id() : opts_.client_id, opts_.meeting, opts_.who) {}

meeting_client::~meeting_client() {
    *alive_ = false;
}

void meeting_client::start() { connect(); }

void meeting_client::stop() {
    stopped_ = true;
    if (conn_) conn_->close();
}

bool meeting_client::connected() const noexcept { return conn_ && conn_->is_open(); }

void meeting_client::connect() {
    welcomed_ = false;
    std::weak_ptr<bool> alive = alive_;
    conn_ = std::make_unique<ws_connection>(ioc_, ws_connection::handlers{
        [this, alive] { if (!alive.expired()) on_open(); },
        [this, alive](std::string_view t) { if (!alive.expired()) on_text(t); },
        [this, alive](const std::string& why) { if (!alive.expired()) on_closed(why); },
    });
    ws_connection::headers extra;
    if (!opts_.cookie.empty()) extra.emplace_back("Cookie", opts_.cookie);
    if (!opts_.origin.empty()) extra.emplace_back("Origin", opts_.origin);
    conn_->connect(opts_.host, opts_.port,
                   opts_.ws_path.empty() ? "/ws?meeting=" + query_escape(opts_.meeting) : opts_.ws_path, std::move(extra));
}

void meeting_client::on_open() {
    conn_->send(replica_.join_message(!opts_.join_as_account, opts_.take_applied));
}

void meeting_client::on_text(std::string_view text) {
    // One WebSocket message may carry several protocol messages, one per line (docs/protocol.md).
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        on_one(text.substr(start, end - start));
        if (!conn_ || !conn_->is_open()) return;  // closed while handling: the rest is moot
        start = end + 1;
    }
}

void meeting_client::on_one(std::string_view text) {
    const server_message msg(text);
    if (on_message) on_message(msg);
    auto out = replica_.on_message(msg);
    if (msg.type() == "welcome") {
        welcomed_ = true;
        ++welcomes_;
        session_ = msg.json().at("you").at("session").get<std::string>();
    }
    send_all(std::move(out));
    // A change refused only for now: reconnect, catch up, and the replica sends it again.
    if (replica_.take_resync() && conn_) conn_->close();
}

void meeting_client::on_closed(const std::string& why) {
    last_close_ = why;
    welcomed_ = false;
    replica_.disconnected();
    if (stopped_ || !opts_.reconnect) return;
    auto timer = std::make_shared<net::steady_timer>(ioc_, opts_.reconnect_delay);
    std::weak_ptr<bool> alive = alive_;
    timer->async_wait([this, timer, alive](boost::system::error_code ec) {
        if (!ec && !alive.expired() && !stopped_) connect();
    });
}

void meeting_client::send_all(std::vector<std::string> msgs) {
    if (!conn_ || !welcomed_) return;  // the replica resends after the next welcome
    for (auto& m : msgs) conn_->send(std::move(m));
}

void meeting_client::edit_text(const field_ref& target, const text_operation& op) {
    send_all(replica_.edit_text(target, op));
}

void meeting_client::submit(change c) { send_all(replica_.submit(std::move(c))); }

void meeting_client::focus(const std::optional<field_ref>& target) {
    if (conn_ && welcomed_) conn_->send(encode_client_message(focus_message{target}));
}

void meeting_client::send_raw(std::string text) {
    if (conn_) conn_->send(std::move(text));
}

void meeting_client::drop() {
    if (conn_) conn_->abort();
}

bool run_until(net::io_context& ioc, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (ioc.stopped()) ioc.restart();
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        ioc.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(100)));
        if (ioc.stopped()) ioc.restart();
    }
    return true;
}

}  // namespace est::client
