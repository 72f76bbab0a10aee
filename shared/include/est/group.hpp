#pragma once
// An EST group (EST-grupp) and the organisations that contribute to its situation picture.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est {

struct organisation {
    std::string id;
    std::string name;
};

struct group {
    std::string id;
    std::string name;
    std::string municipality;
    std::vector<organisation> organisations;

    bool has_organisation(std::string_view org_id) const noexcept;
    std::vector<std::string> organisation_ids() const;
    nlohmann::json to_json() const;
    // Validates; throws domain_error("bad_message") naming the field. `id` may be absent when
    // `id_required` is false (the server then assigns one).
    static group from_json(const nlohmann::json& j, bool id_required);
};

}  // namespace est
