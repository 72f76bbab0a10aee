#pragma once
// A change to the situation picture: what a participant's edit becomes on the wire, in the op log and
// in every replica.
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "est/text_operation.hpp"

namespace est {

// Addresses one field: a topic field ({topic, field}), a field of an entry in a cell ({topic, org, entry,
// field}) or a field of one of the topic's decision items ({topic, item, field}).
struct field_ref {
    std::string topic;
    std::string org;
    std::string entry;
    std::string field;
    std::string item = {};  // a decision item's id; then org and entry are empty (initialised: {t, o, e, f} stays quiet)

    bool is_topic_field() const noexcept { return org.empty() && item.empty(); }
    bool is_item_field() const noexcept { return !item.empty(); }
    // A compact unique key, e.g. "hot-och-vald/polis/e1/handelse", "hot-och-vald/bedomning", or for a decision
    // item "hot-och-vald/*d1/titel" ('*' is in no id, so no key of one kind equals a key of another).
    std::string key() const;
    // key().compare(other), without building key(): for looking a field up among keys per message.
    int compare_key(std::string_view other) const noexcept;
    nlohmann::json to_json() const;
    // The same object written as to_json().dump() writes it.
    void write_json(json_writer& w) const;
    static field_ref from_json(const nlohmann::json& j, const std::string& where);
    bool operator==(const field_ref&) const = default;
};

struct text_change {
    field_ref target;
    text_operation op;
};
struct set_change {
    field_ref target;
    std::string value;  // one of the field's choices, or "" to clear
};
struct add_entry_change {
    std::string topic;
    std::string org;
    std::string entry;
};
struct remove_entry_change {
    std::string topic;
    std::string org;
    std::string entry;
};

// Decision items (DESIGN.md §5): a topic's list of proposals for BRÅ, co-edited by everyone taking part.
struct add_item_change {
    std::string topic;
    std::string item;
};
struct remove_item_change {
    std::string topic;
    std::string item;
};

// Personal data and public records (DESIGN.md §6).
// Marks an entry as secret (sekretess) under the OSL reference `osl`, e.g. "35 kap. 1 § OSL"; "" clears the
// marking. A register of the entry: part of the picture (and its digest), like a choice field.
struct secrecy_change {
    std::string topic;
    std::string org;
    std::string entry;
    std::string osl;
};
// The chair acknowledges a flagged personal identity number in a field, with a reason: the flag no longer holds
// the sign-off up. `number` is the SHA-256 (hex) the server's flag names. `by` and `at` are stamped by the server
// (whatever a client sends there is replaced); not part of the picture.
struct acknowledge_change {
    field_ref target;
    std::string number;
    std::string reason;
    std::string by = {};
    std::string at = {};
};

// The chair says which topic the meeting is on now ("" = none), so every client can follow. A register of the
// meeting, not of the picture: not in its digest, voids no signature.
struct current_topic_change {
    std::string topic;
};

using change = std::variant<text_change, set_change, add_entry_change, remove_entry_change, add_item_change,
                            remove_item_change, secrecy_change, acknowledge_change, current_topic_change>;

// The longest OSL reference of a sekretess marking and the longest reason of an acknowledgement, in bytes.
inline constexpr std::size_t max_osl_bytes = 200;
inline constexpr std::size_t max_reason_bytes = 500;

// 64 lower-case hex digits: how a SHA-256 is written on the wire.
bool is_sha256_hex(std::string_view s) noexcept;

// A change as the wire and the log carry it: the bytes nlohmann's dump() would write for it (keys sorted), written
// straight into the string. Serialised once per change; the broadcast and the log share the text.
std::string change_json_text(const change& c);
// The same as a tree (parsed from change_json_text), for code that wants one.
nlohmann::json change_to_json(const change& c);
// Throws domain_error("bad_message") naming the offending field.
change change_from_json(const nlohmann::json& j, const std::string& where);

// Strict object reading shared by the codecs: every problem names its JSON field.
namespace json_read {
const nlohmann::json& object(const nlohmann::json& j, const std::string& where);
void only_fields(const nlohmann::json& obj, const std::string& where, std::initializer_list<std::string_view> allowed);
const nlohmann::json& required(const nlohmann::json& obj, const std::string& where, const char* key);
std::string string(const nlohmann::json& obj, const std::string& where, const char* key, std::size_t max_len = 200);
std::string id(const nlohmann::json& obj, const std::string& where, const char* key);
std::uint64_t uint(const nlohmann::json& obj, const std::string& where, const char* key);
// A short line of text (a label, a reason): a string of at most `max_len` bytes without control characters.
std::string label(const nlohmann::json& obj, const std::string& where, const char* key, std::size_t max_len,
                  bool may_be_empty);
}  // namespace json_read

}  // namespace est
