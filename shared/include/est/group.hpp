#pragma once
// An EST group (EST-grupp) and the organisations that contribute to its situation picture.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/identity.hpp"

namespace est {

struct organisation {
    std::string id;
    std::string name;
    // The short name the group's administrator gave it for headers and presence ("" none; JSON "short_name", at
    // most max_short_name_bytes).
    std::string short_name = {};
};
inline constexpr std::size_t max_short_name_bytes = 40;

// What each organisation is called where space is short (headers, presence, lists), in the group's order: its own
// short name when it has one; else its name up to the first comma ("Polisen, lokalpolisområde Norra
// Västmanland" → "Polisen") when no other organisation of the group would be called the same; else its whole name
// (so "Sala kommun, socialtjänsten" and "Sala kommun, skolan" never both read "Sala kommun").
std::vector<std::string> organisation_labels(std::span<const organisation> orgs);

// The group's setting `signers`: the roles whose signatures make a meeting's picture signed. The chair exactly
// once, first, then 0 to max_cosigners co-signers, each a different person (["chair","cosigner","cosigner"]: two
// co-signers). A meeting fixes the setting as it is when the meeting is created.
inline constexpr std::size_t max_cosigners = 3;
std::vector<role> default_signers();  // chair and one co-signer
// Throws domain_error("bad_message") saying what is wrong.
void check_signers(std::span<const role> signers);
// `j` at `where`: an array of role names, checked as check_signers does.
std::vector<role> signers_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json signers_to_json(std::span<const role> signers);

// The group's setting `retention_months` (gallring, docs/records.md): how long a closed meeting's picture is kept
// after its closing before the server purges it, in whole months; 0 (the default, absent from the JSON) keeps it
// for ever. At most max_retention_months (20 years).
inline constexpr unsigned max_retention_months = 240;
// `j` at `where`: an integer 0 to max_retention_months. Throws domain_error("bad_message") saying what is wrong.
unsigned retention_months_from_json(const nlohmann::json& j, const std::string& where);

struct group {
    std::string id;
    std::string name;
    std::string municipality;
    std::vector<organisation> organisations;
    std::vector<role> signers = default_signers();  // absent from the JSON of groups made before the setting
    unsigned retention_months = 0;  // 0: closed meetings are kept for ever

    bool has_organisation(std::string_view org_id) const noexcept;
    std::vector<std::string> organisation_ids() const;
    // With each organisation's "short_name" (when set) and "label" (organisation_labels; ignored when read back).
    nlohmann::json to_json() const;
    // Sets short names from {"org id": "short name" or "" to clear}; checks every id, length and line, and that no
    // two organisations end up with the same short name. Throws domain_error("bad_message"); nothing changes then.
    void set_short_names(const nlohmann::json& j, const std::string& where);
    // Validates; throws domain_error("bad_message") naming the field. `id` may be absent when
    // `id_required` is false (the server then assigns one); `signers` and `retention_months` may be absent (the
    // defaults).
    static group from_json(const nlohmann::json& j, bool id_required);
};

}  // namespace est
