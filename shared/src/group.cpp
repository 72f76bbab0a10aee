#include "est/group.hpp"

#include <cstdint>
#include <set>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"

namespace est {

std::vector<role> default_signers() { return {role::chair, role::cosigner}; }

void check_signers(std::span<const role> signers) {
    if (signers.empty() || signers.front() != role::chair)
        throw domain_error("bad_message", "'signers' must begin with \"chair\": the chair always signs");
    for (std::size_t i = 1; i < signers.size(); ++i)
        if (signers[i] != role::cosigner)
            throw domain_error("bad_message", "'signers[" + std::to_string(i) + "]' must be \"cosigner\", not \"" +
                                                  std::string(to_string(signers[i])) +
                                                  "\": after the chair only co-signers sign");
    if (signers.size() - 1 > max_cosigners)
        throw domain_error("bad_message", "'signers' may name at most " + std::to_string(max_cosigners) +
                                              " co-signers besides the chair, not " + std::to_string(signers.size() - 1));
}

std::vector<role> signers_from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_array() || j.size() > max_cosigners + 1)
        throw domain_error("bad_message", "'" + where + "' must be an array of 1 to " + std::to_string(max_cosigners + 1) +
                                              " roles: \"chair\" and up to " + std::to_string(max_cosigners) +
                                              " \"cosigner\"");
    std::vector<role> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto r = j[i].is_string() ? role_from_string(j[i].get_ref<const std::string&>()) : std::nullopt;
        if (!r) throw domain_error("bad_message", "'" + where + "[" + std::to_string(i) + "]' must be \"chair\" or \"cosigner\"");
        out.push_back(*r);
    }
    check_signers(out);
    return out;
}

nlohmann::json signers_to_json(std::span<const role> signers) {
    auto out = nlohmann::json::array();
    for (role r : signers) out.push_back(to_string(r));
    return out;
}

unsigned retention_months_from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_number_integer() || j.get<std::int64_t>() < 0 || j.get<std::int64_t>() > max_retention_months)
        throw domain_error("bad_message", "'" + where + "' must be a whole number of months from 1 to " +
                                              std::to_string(max_retention_months) + ", or 0 to keep closed meetings for ever");
    return j.get<unsigned>();
}

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
    nlohmann::json j = {{"id", id}, {"name", name}, {"organisations", orgs}, {"signers", signers_to_json(signers)}};
    if (!municipality.empty()) j["municipality"] = municipality;
    if (retention_months) j["retention_months"] = retention_months;
    return j;
}

group group::from_json(const nlohmann::json& j, bool id_required) {
    json_read::object(j, "");
    json_read::only_fields(j, "", {"id", "name", "municipality", "organisations", "signers", "retention_months"});
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
    if (j.contains("signers")) g.signers = signers_from_json(j.at("signers"), "signers");
    if (j.contains("retention_months")) g.retention_months = retention_months_from_json(j.at("retention_months"), "retention_months");
    return g;
}

}  // namespace est
