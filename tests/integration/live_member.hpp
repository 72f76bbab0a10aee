#pragma once
// One person's live connection to a meeting, for tests of who may do what: it joins, makes one change at a
// time and says how the server answered each — "allowed", an error code, how the upgrade was refused — and
// how the connection ended. Waits on messages and close frames (run_until), never on the clock.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/client/meeting_client.hpp"

namespace est::test {

class live_member {
public:
    live_member(boost::asio::io_context& ioc, client::meeting_client::options o);
    ~live_member();
    live_member(const live_member&) = delete;
    live_member& operator=(const live_member&) = delete;

    // Connects and joins; returns "allowed" once welcomed, the join's error code ("meeting_not_found"), or for a
    // refused upgrade "upgrade <status> <error>" ("upgrade 401 sign_in_required").
    std::string join();
    // Sends a change and waits for its answer: "allowed" (acknowledged) or the error code. On a connection that
    // is not joined the change goes out raw (seq 1, rev 0), and the answer is the server's error for it.
    std::string apply(const change& c);
    // Appends `text` to a text field (a text change against the visible text).
    std::string append(const field_ref& f, const std::u16string& text);

    // Waits until the server closes the connection; returns its close reason ("closed: 4003 signed_out"), or ""
    // when it stays open past the helpers' deadline.
    std::string wait_closed();
    bool open() const { return client_->connected(); }

    client::meeting_client& client() { return *client_; }
    const nlohmann::json& welcome() const { return welcome_; }
    const std::vector<nlohmann::json>& errors() const { return errors_; }

private:
    std::string answer_since(std::size_t errors_before, std::uint64_t acks_before);

    boost::asio::io_context& ioc_;
    std::unique_ptr<client::meeting_client> client_;
    nlohmann::json welcome_;
    std::vector<nlohmann::json> errors_;
    std::uint64_t acks_ = 0;
};

// "upgrade <status> <error code>" for a close reason that says the upgrade was refused ("handshake: HTTP 401
// {...}"); "" for any other reason.
std::string refused_upgrade(const std::string& close_reason);

}  // namespace est::test
