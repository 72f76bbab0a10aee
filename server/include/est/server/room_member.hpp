#pragma once
// What a meeting room needs of a connection: hand it a message, or close it. Implemented by
// websocket_session; tests may implement it without sockets.
#include <cstdint>
#include <memory>
#include <string>

namespace est::server {

// Whose connection it is, under accounts: fixed when the WebSocket opens.
struct connection_owner {
    std::string token;       // the session's token, to check it is still live (never logged)
    std::string session_id;  // its public handle
    std::string account_id;
    std::string address;  // the client's, for the security log
};

class room_member {
public:
    virtual ~room_member() = default;
    // Thread-safe. On the connection's own thread (its room is on the same shard) it queues the message
    // at once; from any other thread it hands it over through the connection's inbox. In order either way.
    virtual void deliver(std::shared_ptr<const std::string> message) = 0;
    // The same for the welcome: its size is bounded by the meeting's limits (max_meeting_bytes), not by
    // how fast this connection reads, so it never counts against the outgoing queue's cap.
    virtual void deliver_welcome(std::shared_ptr<const std::string> message) { deliver(std::move(message)); }
    // Thread-safe: sends a close frame with this code and reason, after what was delivered before.
    virtual void close_with(std::uint16_t code, std::string reason) = 0;
    // Under accounts, whose connection this is (nullptr under open access, or for tests' members). Immutable.
    virtual const connection_owner* owner() const noexcept { return nullptr; }
    // Thread-safe: the owner's account changed (roles, disabled); the connection checks its standing in the
    // meeting again and closes (4003) when it no longer holds.
    virtual void access_changed() {}
};

// Close code when the session behind a connection ends or its standing in the meeting changes.
inline constexpr std::uint16_t close_session_ended = 4003;

}  // namespace est::server
