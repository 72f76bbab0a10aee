#pragma once
// What a meeting room needs of a connection: hand it a message, or close it. Implemented by
// websocket_session; tests may implement it without sockets.
#include <cstdint>
#include <memory>
#include <string>

namespace est::server {

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
};

}  // namespace est::server
