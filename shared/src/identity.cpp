#include "est/identity.hpp"

namespace est {

std::optional<role> role_from_string(std::string_view s) noexcept {
    if (s == "participant") return role::participant;
    if (s == "chair") return role::chair;
    if (s == "cosigner") return role::cosigner;
    if (s == "bra_member") return role::bra_member;
    if (s == "admin") return role::admin;
    return std::nullopt;
}

std::string_view to_string(role r) noexcept {
    switch (r) {
        case role::participant: return "participant";
        case role::chair: return "chair";
        case role::cosigner: return "cosigner";
        case role::bra_member: return "bra_member";
        case role::admin: return "admin";
    }
    return "participant";
}

}  // namespace est
