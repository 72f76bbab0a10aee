#pragma once
// Where a meeting is in its lifecycle (DESIGN.md §4): draft → open → locked → signed → closed.
// Today every meeting is `open`; the lifecycle actions that move it on come later.
#include <cstddef>
#include <optional>
#include <string_view>

namespace est {

enum class meeting_phase : unsigned char {
    draft,       // the chair prepares
    open,        // live editing
    locked,      // the whole picture: only the chair's assessment and decision items may still change
    signed_off,  // chair and co-signer have signed; named "signed" (a C++ keyword, so not the enumerator)
    closed,      // immutable; exports and BRÅ items are final
};
inline constexpr std::size_t meeting_phase_count = 5;

// Stable names: "draft", "open", "locked", "signed", "closed".
std::string_view to_string(meeting_phase p) noexcept;
std::optional<meeting_phase> meeting_phase_from_string(std::string_view s) noexcept;

// Whether someone in the meeting now takes part in it for its record's attendance (*närvaro*): while the meeting is
// held, open or locked. Not while the chair prepares a draft, nor when people come back to sign or read.
bool counts_attendance(meeting_phase p) noexcept;
// The most people a meeting's attendance records (distinct name, organisation and role); later ones are not noted.
inline constexpr std::size_t max_attendees = 200;

}  // namespace est
