#pragma once
// Who is acting. Today a participant states this when joining; authentication will fill the same struct,
// so every rule reads identity and nothing else.
#include <optional>
#include <string>
#include <string_view>

namespace est {

enum class role { participant, chair, cosigner, bra_member, admin };

std::optional<role> role_from_string(std::string_view s) noexcept;
std::string_view to_string(role r) noexcept;

// Participants and co-signers speak for one of the group's organisations; the other roles for none.
constexpr bool speaks_for_organisation(role r) noexcept { return r == role::participant || r == role::cosigner; }

struct identity {
    std::string name;
    std::string org;  // organisation id within the meeting's group
    est::role role = role::participant;
};

}  // namespace est
