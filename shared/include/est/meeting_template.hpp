#pragma once
// A meeting template is data (templates/*.json): the topics of the situation picture, the fields of
// an entry in a cell, and the per-topic fields the chair writes. Validated on load.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est {

enum class field_kind { text, choice };

struct field_def {
    std::string id;
    std::string label;
    field_kind kind = field_kind::text;
    std::vector<std::string> choices;  // choice fields only
    std::size_t max_length = 0;        // text fields: UTF-16 units; 0 means the server's default
    bool chair_only = false;           // topic fields written by the chair alone
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

    // Throws domain_error("bad_template", "<source>: <json path>: <problem>").
    static meeting_template from_json(const nlohmann::json& j, const std::string& source);
    static meeting_template load_file(const std::filesystem::path& file);
    nlohmann::json to_json() const;

    const topic_def* find_topic(std::string_view id) const noexcept;
    const field_def* find_entry_field(std::string_view id) const noexcept;
    const field_def* find_topic_field(std::string_view id) const noexcept;
};

}  // namespace est
