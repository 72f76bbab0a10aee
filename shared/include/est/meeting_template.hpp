#pragma once
// A meeting template is data (templates/*.json): the topics of the situation picture, the fields of
// an entry in a cell, the per-topic fields the chair writes, and the fields of a topic's decision items
// (Brå's åtgärdsplan). Validated on load.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est {

// text: merged character by character (OT). The others are registers set whole: choice (one of `choices`),
// date ("YYYY-MM-DD", a real calendar day) and organisation (the id of one of the meeting's organisations).
// Dates and organisations are for decision items only.
enum class field_kind { text, choice, date, organisation };

// The decision item field that says whether the chair sends the item to BRÅ, and its values: every template
// with decision items declares it as a choice field ["ja","nej"] that only the chair writes.
inline constexpr std::string_view to_bra_field = "till_bra";
inline constexpr std::string_view to_bra_yes = "ja";
inline constexpr std::string_view to_bra_no = "nej";

struct field_def {
    std::string id;
    std::string label;
    field_kind kind = field_kind::text;
    std::vector<std::string> choices;  // choice fields only
    std::size_t max_length = 0;        // text fields: UTF-16 units; 0 means the server's default
    bool chair_only = false;           // topic and decision item fields written by the chair alone
    std::string group = {};            // decision item fields: the heading they are shown under ("SMART-mål")
};

struct topic_def {
    std::string id;
    std::string title;
    std::string description;
};

class meeting_template {
public:
    std::string id;
    std::string name;
    int version = 1;
    std::vector<topic_def> topics;
    std::vector<field_def> entry_fields;
    std::vector<field_def> topic_fields;
    // Empty: the template has no decision items (templates from before them), and adding one is not_found.
    std::vector<field_def> decision_item_fields;

    // Throws domain_error("bad_template", "<source>: <json path>: <problem>").
    static meeting_template from_json(const nlohmann::json& j, const std::string& source);
    static meeting_template load_file(const std::filesystem::path& file);
    nlohmann::json to_json() const;

    const topic_def* find_topic(std::string_view id) const noexcept;
    const field_def* find_entry_field(std::string_view id) const noexcept;
    const field_def* find_topic_field(std::string_view id) const noexcept;
    const field_def* find_decision_item_field(std::string_view id) const noexcept;
    bool has_decision_items() const noexcept { return !decision_item_fields.empty(); }
};

}  // namespace est
