#pragma once
// A change to the situation picture: what a participant's edit becomes on the wire, in the op log and
// in every replica.
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "est/text_operation.hpp"

namespace est {

// Addresses one field: a topic field ({topic, field}) or a field of an entry in a cell
// ({topic, org, entry, field}).
struct field_ref {
    std::string topic;
    std::string org;
    std::string entry;
    std::string field;

    bool is_topic_field() const noexcept { return org.empty(); }
    // A compact unique key, e.g. "hot-och-vald/polis/e1/handelse".
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

using change = std::variant<text_change, set_change, add_entry_change, remove_entry_change>;

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
