#include "est/group.hpp"

#include <algorithm>
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

namespace {
// Throws unless every short name set is the only one of its kind in the group.
void check_unique_short_names(const std::vector<organisation>& orgs, const std::string& where) {
    std::set<std::string> seen;
    for (const auto& o : orgs)
        if (!o.short_name.empty() && !seen.insert(o.short_name).second)
            throw domain_error("bad_message", "'" + where + "' gives two organisations the short name '" + o.short_name + "'");
}
}  // namespace

std::vector<std::string> organisation_labels(std::span<const organisation> orgs) {
    const auto cut = [](const organisation& o) {
        const auto comma = o.name.find(',');
        return comma == std::string::npos ? o.name : o.name.substr(0, comma);
    };
    std::vector<std::string> out;
    for (const auto& o : orgs) {
        if (!o.short_name.empty()) {
            out.push_back(o.short_name);
            continue;
        }
        const std::string mine = cut(o);
        bool shared = false;
        for (const auto& other : orgs)
            if (&other != &o && (other.short_name.empty() ? cut(other) : other.short_name) == mine) shared = true;
        out.push_back(shared ? o.name : mine);
    }
    return out;
}

void group::set_short_names(const nlohmann::json& j, const std::string& where) {
    json_read::object(j, where);
    std::vector<organisation> next = organisations;
    for (const auto& item : j.items()) {
        const std::string& org_id = item.key();
        auto it = std::find_if(next.begin(), next.end(), [&](const organisation& o) { return o.id == org_id; });
        if (it == next.end()) throw domain_error("bad_message", "'" + where + "' names no organisation of the group: '" + org_id + "'");
        it->short_name = json_read::label(j, where, org_id.c_str(), max_short_name_bytes, true);
    }
    check_unique_short_names(next, where);
    organisations = std::move(next);
}

nlohmann::json group::to_json() const {
    auto orgs = nlohmann::json::array();
    const auto labels = organisation_labels(organisations);
    for (std::size_t i = 0; i < organisations.size(); ++i) {
        const auto& o = organisations[i];
        nlohmann::json org = {{"id", o.id}, {"name", o.name}, {"label", labels[i]}};
        if (!o.short_name.empty()) org["short_name"] = o.short_name;
        orgs.push_back(std::move(org));
    }
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
        json_read::only_fields(orgs[i], where, {"id", "name", "short_name", "label"});
        organisation o{json_read::id(orgs[i], where, "id"), json_read::string(orgs[i], where, "name")};
        if (orgs[i].contains("short_name"))
            o.short_name = json_read::label(orgs[i], where, "short_name", max_short_name_bytes, true);
        if (!seen.insert(o.id).second)
            throw domain_error("bad_message", "'" + where + ".id' repeats the id '" + o.id + "'");
        g.organisations.push_back(std::move(o));
    }
    check_unique_short_names(g.organisations, "organisations");
    if (j.contains("signers")) g.signers = signers_from_json(j.at("signers"), "signers");
    if (j.contains("retention_months")) g.retention_months = retention_months_from_json(j.at("retention_months"), "retention_months");
    return g;
}

}  // namespace est
