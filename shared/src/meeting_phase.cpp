#include "est/meeting_phase.hpp"

namespace est {

std::string_view to_string(meeting_phase p) noexcept {
    switch (p) {
        case meeting_phase::draft: return "draft";
        case meeting_phase::open: return "open";
        case meeting_phase::locked: return "locked";
        case meeting_phase::signed_off: return "signed";
        case meeting_phase::closed: return "closed";
    }
    return "open";
}

std::optional<meeting_phase> meeting_phase_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < meeting_phase_count; ++i) {
        const auto p = static_cast<meeting_phase>(i);
        if (to_string(p) == s) return p;
    }
    return std::nullopt;
}

bool counts_attendance(meeting_phase p) noexcept { return p == meeting_phase::open || p == meeting_phase::locked; }

}  // namespace est
