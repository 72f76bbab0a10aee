#pragma once
// Text positions in EST Live count UTF-16 code units, the browser's native unit (see docs/protocol.md).
// JSON on the wire is UTF-8; these convert at the boundary.
#include <optional>
#include <string>
#include <string_view>

namespace est {

// nullopt when the input is not valid UTF-8.
std::optional<std::u16string> utf8_to_utf16(std::string_view in);
// Lone surrogates (never produced by est_core) become U+FFFD.
std::string utf16_to_utf8(std::u16string_view in);
// Reads one UTF-8 character at the start of `in` (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF) into `cp`; returns its length in bytes, 0 when `in` does not start with one.
std::size_t decode_utf8(std::string_view in, char32_t& cp) noexcept;
// Append one code point (≤ U+10FFFF, not a surrogate) to `out`.
void append_utf8(std::string& out, char32_t cp);
void append_utf16(std::u16string& out, char32_t cp);
// True when a position falls between the two halves of a surrogate pair.
bool splits_surrogate_pair(std::u16string_view text, std::size_t pos) noexcept;
// True when the text has no lone surrogate.
bool is_well_formed(std::u16string_view text) noexcept;

}  // namespace est
