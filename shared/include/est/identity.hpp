#pragma once
// Who is acting: from the signed-in account and its membership of the group (or, with --open-access, as the
// join states it). Every rule reads identity and nothing else.
#include <optional>
#include <string>
#include <string_view>

namespace est {

enum class role { participant, chair, cosigner, bra_member, admin };

std::optional<role> role_from_string(std::string_view s) noexcept;
std::string_view to_string(role r) noexcept;

// Participants and co-signers speak for one of the group's organisations.
constexpr bool speaks_for_organisation(role r) noexcept { return r == role::participant || r == role::cosigner; }
// The chair may, besides leading the meeting, speak for one organisation (often the municipality's own
// coordinator chairs and reports for it); BRÅ members and administrators speak for none.
constexpr bool may_speak_for_organisation(role r) noexcept { return speaks_for_organisation(r) || r == role::chair; }

struct identity {
    std::string name;
    std::string org;  // organisation id within the meeting's group
    est::role role = role::participant;
};

}  // namespace est
