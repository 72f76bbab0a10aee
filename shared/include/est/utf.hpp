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
// The same, appended to `out`.
void append_utf8(std::string& out, std::u16string_view in);
// Reads one UTF-8 character at the start of `in` (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF) into `cp`; returns its length in bytes, 0 when `in` does not start with one.
std::size_t decode_utf8(std::string_view in, char32_t& cp) noexcept;
// True when the whole of `in` is valid UTF-8 (as decode_utf8 reads it), without converting it.
bool is_utf8(std::string_view in) noexcept;
// Append one code point (≤ U+10FFFF, not a surrogate) to `out`.
void append_utf8(std::string& out, char32_t cp);
void append_utf16(std::u16string& out, char32_t cp);
// `text` with its first letter in upper case when it is a lower-case letter of Latin-1 (a–z, à–þ: the Swedish å, ä,
// ö among them), as a choice is shown ("ökar" → "Ökar"); anything else as it is.
std::string capitalise_first(std::string_view text);
// True when a position falls between the two halves of a surrogate pair.
bool splits_surrogate_pair(std::u16string_view text, std::size_t pos) noexcept;
// True when the text has no lone surrogate.
bool is_well_formed(std::u16string_view text) noexcept;

}  // namespace est

namespace est {

// Characters a text field may not receive (docs/protocol.md, "Text"): C0 controls other than TAB and LF
// (CR included: line breaks are LF only), DEL, C1 controls, and the bidirectional embedding, override and
// isolate controls U+202A–U+202E and U+2066–U+2069, which make a text display other than it reads (and
// survive into exports). Marks such as U+200E/U+200F stay allowed.
constexpr bool is_forbidden_in_text(char16_t c) noexcept {
    return (c < 0x20 && c != u'\t' && c != u'\n') || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

// Bytes one UTF-16 unit takes in JSON as the server writes it (UTF-8, only '"', '\' and controls escaped):
// a surrogate half counts 2, so a pair is its 4 bytes of UTF-8.
constexpr std::size_t json_bytes_of(char16_t c) noexcept {
    if (c == u'"' || c == u'\\') return 2;
    if (c < 0x20) return (c == u'\b' || c == u'\f' || c == u'\n' || c == u'\r' || c == u'\t') ? 2 : 6;
    if (c < 0x80) return 1;
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return 2;
    return 3;
}

inline std::size_t json_bytes_of(std::u16string_view text) noexcept {
    std::size_t n = 0;
    for (char16_t c : text) n += json_bytes_of(c);
    return n;
}

}  // namespace est
