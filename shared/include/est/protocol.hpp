#pragma once
// Protocol messages ⇄ JSON (docs/protocol.md). Parsing is strict: unknown types and unknown or missing
// fields are rejected with a message naming them. Encoders return the exact text sent on the wire.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"
#include "est/identity.hpp"
#include "est/limits.hpp"

namespace est {

struct join_message {
    std::string meeting;
    // The client's stable secret (16-64 id characters). The server never shows it: it derives the public id
    // that others see in `op.client`, and (public id, seq) makes every change exactly-once.
    std::string client;
    // Under open access (--open-access) the joiner says who they are; under accounts the server knows, and a
    // join that says it is refused.
    std::optional<identity> who;
    std::optional<std::uint64_t> since;  // the last revision this client saw, to catch up from
    // The welcome's `epoch` that `since` was seen under. A change is delivered before it is durable, so a
    // revision seen under another epoch (before a restart or a failed commit) may never have been saved: the
    // server sends the whole state unless the epochs match. Empty: none given.
    std::string epoch;
    // The client takes `applied` (encode::applied): its own change may then be confirmed before it is durable,
    // so that others' changes to it need not wait behind its durable `ack`. False: the `ack` holds them back.
    bool applied = false;
};

struct op_message {
    std::uint64_t seq = 0;  // the client's sequence number, increasing
    std::uint64_t rev = 0;  // the revision the change was made against
    change body;
};

struct focus_message {
    std::optional<field_ref> target;  // the field the person is writing in, or none
};

// Instead of joining a meeting, a connection may watch the BRÅ queue: it then receives a `queue_item` message for
// each durable change to an item of the groups the person belongs to (docs/protocol.md, "The BRÅ queue").
struct watch_queue_message {
    bool operator==(const watch_queue_message&) const = default;
};
using client_message = std::variant<join_message, op_message, focus_message, watch_queue_message>;

// Throws domain_error: bad_json, too_deep, bad_message, unknown_type. When the message is an `op` whose
// `seq` could be read, `*seq` is set before anything else is checked, so an error can name the change.
client_message parse_client_message(std::string_view text, const limits& lim, std::optional<std::uint64_t>* seq = nullptr);

// Shortest `join.client` the server takes: a floor against ids such as "c1" that anyone can guess. Clients
// should send at least 128 random bits (ours do); the floor stays low so that tools with shorter ids, such as
// the shared benchmark harness, keep working.
inline constexpr std::size_t min_client_secret = 8;
// Longest `join.epoch` read: the server's are 16 characters; anything longer cannot match one.
inline constexpr std::size_t max_epoch_length = 64;

std::string encode_client_message(const client_message& m);

// A participant as others see them.
struct participant_info {
    std::string session;  // unique within the meeting, e.g. "p7"
    identity who;
    std::optional<field_ref> focus;
};
nlohmann::json participant_to_json(const participant_info& p);

namespace encode {
std::string error(std::string_view code, std::string_view message, std::optional<std::uint64_t> seq = std::nullopt);
// `flags_json`, when not empty: as for op below — the author's own change changed its field's flags.
std::string ack(std::uint64_t seq, std::uint64_t rev, bool duplicate, std::string_view flags_json = {});
// `{"type":"applied",...}`: the change `seq` is applied at `rev` but not yet durable; its `ack` follows once it is.
// Sent only to a client that joined with `applied`, and only when something after `rev` is due to it first.
std::string applied(std::uint64_t seq, std::uint64_t rev, std::string_view flags_json = {});
std::string op(std::uint64_t rev, std::string_view client, std::uint64_t seq, const participant_info& by,
               const change& c);
// The same message from parts already serialised: `by_json` as `author_json(by)` gives it, `change_json` as
// `change_json_text(c)` gives it (the server logs both strings too, so a change is serialised once).
// `flags_json`, when not empty: the numbers now flagged in the field a text change wrote
// (privacy_review::field_json), sent as the op's "flags".
std::string op(std::uint64_t rev, std::string_view client, std::uint64_t seq, std::string_view by_json,
               std::string_view change_json, std::string_view flags_json = {});
// {"name","org","session"} of a participant, serialised: the `by` of the op messages they cause.
std::string author_json(const participant_info& by);
std::string presence(const participant_info& p);
std::string presence_left(std::string_view session);

// The first message after a join. Either the whole `state` (document JSON), or `catch_up`: the raw op
// messages since the client's `since`, spliced in as they were broadcast.
struct welcome_parts {
    const nlohmann::json* meeting = nullptr;  // meeting metadata, group and template
    participant_info you;
    std::string you_client;  // the joiner's public client id, as others see it in `op.client`
    std::uint64_t rev = 0;
    std::uint64_t last_seq = 0;
    std::string epoch;  // names this load of the meeting (join_message::epoch)
    std::vector<participant_info> participants;
    const std::string* state = nullptr;  // the document's JSON, serialised (shared by joins at one revision)
    std::vector<const std::string*> catch_up;
    const nlohmann::json* lifecycle = nullptr;  // the meeting's lifecycle at `rev` (lifecycle.hpp), if set
    // {"flags":[…],"acknowledged":[…]} at `rev` (privacy_review), serialised, if set.
    const std::string* privacy = nullptr;
    std::string current_topic;  // the topic the chair leads the meeting on ("" = none)
};
std::string welcome(const welcome_parts& w);
}  // namespace encode

}  // namespace est
