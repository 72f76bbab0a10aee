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

using change = std::variant<text_change, set_change, add_entry_change, remove_entry_change, add_item_change,
                            remove_item_change>;

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
}  // namespace json_read

}  // namespace est
