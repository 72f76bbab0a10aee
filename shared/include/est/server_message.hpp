#pragma once
// Messages from the server to a client (docs/protocol.md, "Server → client"), as the client library reads
// them. `op` and `ack` — nearly every message a client receives — are decoded straight into structs by a
// strict scanner for the shapes the server sends, without a JSON DOM. Everything else, and an `op` or
// `ack` of any other shape (whitespace aside), goes through nlohmann's DOM and is converted to the same
// structs: both routes give the same result, the scanner only faster.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"

namespace est {

// Who made a remote change (the op's `by`).
struct op_author {
    std::string session;
    std::string name;
    std::string org;
    bool operator==(const op_author&) const = default;
};

// `{"type":"op",...}`: someone's change, durable at `rev`.
struct remote_op {
    std::uint64_t rev = 0;
    std::string client;  // the author's client id
    std::uint64_t seq = 0;
    op_author by;
    change body;             // an edit of the picture, unless `lifecycle`
    bool lifecycle = false;  // a lifecycle move (lock, sign, close…): no change to the picture
};

// `{"type":"ack",...}`: this client's change `seq` is durable at `rev`.
struct ack_message {
    std::uint64_t seq = 0;
    std::uint64_t rev = 0;
    bool duplicate = false;
    bool operator==(const ack_message&) const = default;
};

// From a parsed message. Throw what nlohmann's at() and get() throw for a missing or mistyped `rev`,
// `seq` or `client`, and domain_error("bad_message") for a malformed `change`. `by` and `duplicate` are
// informational: absent or of another type they read as empty and false.
remote_op remote_op_from_json(const nlohmann::json& msg);
ack_message ack_from_json(const nlohmann::json& msg);

// The scanner alone: the op or ack in `text` when it has exactly the server's shape (any key order and
// whitespace; every string escape), otherwise nullopt (another type, an unknown or repeated key, a
// malformed value, not JSON...), and the caller parses the DOM. Never throws but std::bad_alloc.
using fast_message = std::variant<remote_op, ack_message>;
std::optional<fast_message> scan_op_or_ack(std::string_view text);

// One message from the server, decoded for the client: op() or ack() for those types, the DOM for the
// others. `text` must outlive the object (it is parsed again if json() is asked of an op or ack).
class server_message {
public:
    // Throws what nlohmann::json::parse throws when the text is not JSON.
    explicit server_message(std::string_view text);
    ~server_message();
    server_message(server_message&&) noexcept;
    server_message& operator=(server_message&&) noexcept;

    // The message's `type`, or "" when it has no string `type`.
    std::string_view type() const noexcept { return type_; }
    // Set for every `op` and `ack` that converts (remote_op_from_json, ack_from_json); a malformed one is
    // left to json() (client_replica then reports its error).
    const remote_op* op() const noexcept { return std::get_if<remote_op>(&decoded_); }
    const ack_message* ack() const noexcept { return std::get_if<ack_message>(&decoded_); }
    // The whole message as JSON; for an op or ack decoded by the scanner, parsed on first use.
    const nlohmann::json& json() const;
    // The message as received.
    std::string_view text() const noexcept { return text_; }

private:
    std::string_view text_;
    std::string_view type_;
    std::variant<std::monostate, remote_op, ack_message> decoded_;
    mutable std::unique_ptr<nlohmann::json> json_;
};

}  // namespace est
