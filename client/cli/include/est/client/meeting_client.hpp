#pragma once
// A participant's live connection to one meeting: a WebSocket, a client_replica, and reconnection that
// resends what the server has not applied. Used by est-cli, the integration tests and est-bench.
// Single-threaded: call it from the thread that runs its io_context.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "est/client_replica.hpp"
#include "est/identity.hpp"
#include "est/server_message.hpp"

namespace boost::asio {
class io_context;
}

namespace est::client {

class ws_connection;

class meeting_client {
public:
    struct options {
        std::string host = "127.0.0.1";
        std::string port;
        std::string meeting;
        std::string client_id;  // stable across reconnects; generated when empty
        identity who;
        bool reconnect = true;  // reconnect (after `reconnect_delay`) when the connection drops
        std::chrono::milliseconds reconnect_delay{50};
        // The WebSocket path; empty: "/ws?meeting=<meeting>", which lets the server keep the connection on
        // its meeting's thread.
        std::string ws_path;
        // Under accounts: the session cookie ("est_session=<token>") and, as a browser page would, an Origin,
        // sent on the upgrade; empty: not sent.
        std::string cookie;
        std::string origin;
        // Under accounts the server knows who joins: the join carries no name, org or role, and `who` is unused.
        bool join_as_account = false;
        // Join with `applied` (docs/protocol.md): the replica handles it; est-bench, which keeps its own count of
        // what is in flight until the ack, does not.
        bool take_applied = true;
    };

    meeting_client(boost::asio::io_context& ioc, options o);
    ~meeting_client();

    void start();  // connect and join
    void stop();   // close for good

    // Local edits; ignored by the server until welcomed, but queued and sent then.
    void edit_text(const field_ref& target, const text_operation& op);
    void submit(change c);
    void focus(const std::optional<field_ref>& target);
    void send_raw(std::string text);  // for tests of bad input

    // Drop the network connection without a close frame; reconnects if `reconnect` is set.
    void drop();

    bool welcomed() const noexcept { return welcomed_; }
    bool connected() const noexcept;
    const client_replica& replica() const noexcept { return replica_; }
    std::uint64_t welcomes() const noexcept { return welcomes_; }
    const std::string& client_id() const noexcept { return replica_.client_id(); }
    const std::string& session() const noexcept { return session_; }
    const std::string& last_close_reason() const noexcept { return last_close_; }

    // Every message from the server, decoded, before the replica handles it: msg.op() and msg.ack() for
    // those types, msg.json() for every type. The message and its text live only during the call.
    std::function<void(const server_message&)> on_message;

private:
    void connect();
    void on_open();
    void on_text(std::string_view text);
    void on_one(std::string_view text);
    void on_closed(const std::string& why);
    void send_all(std::vector<std::string> msgs);

    boost::asio::io_context& ioc_;
    options opts_;
    client_replica replica_;
    std::unique_ptr<ws_connection> conn_;
    bool welcomed_ = false;
    bool stopped_ = false;
    std::uint64_t welcomes_ = 0;
    std::string session_;
    std::string last_close_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Runs the io_context until `done()` is true or the timeout passes; returns done(). For tests and tools
// that must wait for a condition without sleeping.
bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

std::string random_client_id();

}  // namespace est::client
