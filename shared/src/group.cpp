#include "est/group.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"

namespace est {

bool group::has_organisation(std::string_view org_id) const noexcept {
    for (const auto& o : organisations)
        if (o.id == org_id) return true;
    return false;
}

std::vector<std::string> group::organisation_ids() const {
    std::vector<std::string> ids;
    for (const auto& o : organisations) ids.push_back(o.id);
    return ids;
}

nlohmann::json group::to_json() const {
    auto orgs = nlohmann::json::array();
    for (const auto& o : organisations) orgs.push_back({{"id", o.id}, {"name", o.name}});
    nlohmann::json j = {{"id", id}, {"name", name}, {"organisations", orgs}};
    if (!municipality.empty()) j["municipality"] = municipality;
    return j;
}

group group::from_json(const nlohmann::json& j, bool id_required) {
    json_read::object(j, "");
    json_read::only_fields(j, "", {"id", "name", "municipality", "organisations"});
    group g;
    if (id_required || j.contains("id")) g.id = json_read::id(j, "", "id");
    g.name = json_read::string(j, "", "name");
    if (j.contains("municipality")) g.municipality = json_read::string(j, "", "municipality");
    const auto& orgs = json_read::required(j, "", "organisations");
    if (!orgs.is_array() || orgs.empty() || orgs.size() > 50)
        throw domain_error("bad_message", "'organisations' must be an array of 1 to 50 organisations");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < orgs.size(); ++i) {
        const std::string where = "organisations[" + std::to_string(i) + "]";
        json_read::object(orgs[i], where);
        json_read::only_fields(orgs[i], where, {"id", "name"});
        organisation o{json_read::id(orgs[i], where, "id"), json_read::string(orgs[i], where, "name")};
        if (!seen.insert(o.id).second)
            throw domain_error("bad_message", "'" + where + ".id' repeats the id '" + o.id + "'");
        g.organisations.push_back(std::move(o));
    }
    return g;
}

}  // namespace est
