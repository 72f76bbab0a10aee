#pragma once
// Swedish personal identity numbers in free text (DESIGN.md §6): what the picture must not carry unnoticed.
//
// A *personnummer* is YYMMDD-NNNC (10 digits; '+' instead of '-' for someone 100 or older) or YYYYMMDD-NNNC /
// YYYYMMDDNNNC (12 digits): a real birth date, a three-digit serial and a Luhn check digit over the last ten
// digits. A *samordningsnummer* is the same with 60 added to the day. The detector flags exactly these: a run of
// 10 or 12 digits that stands alone (no digit right before or after), optionally with one '-' or '+' (10 digits),
// or '-' (12 digits), before the last four digits — or in the place of '-' a dash a word processor makes of it
// (U+2010–U+2013, U+2212) or one space (also U+00A0, U+202F) — and optionally a line break next to that place
// (text pasted from a narrow column). Dates, phone numbers, sums of money, order numbers and numbers whose check digit is
// wrong are not flagged. Pure; the same vectors (tests/vectors/personal_numbers.json) drive the web client's copy.
#include <cstddef>
#include <string_view>
#include <vector>

namespace est {

enum class personal_number_kind : unsigned char { personnummer, samordningsnummer };
std::string_view to_string(personal_number_kind k) noexcept;

// One number found: [begin, end) in UTF-16 code units of the text searched (the picture's text is UTF-16).
struct personal_number_match {
    std::size_t begin = 0;
    std::size_t end = 0;
    personal_number_kind kind = personal_number_kind::personnummer;
    bool operator==(const personal_number_match&) const = default;
};

// Every number in `text`, in order, none overlapping. Linear in the text's length.
std::vector<personal_number_match> find_personal_numbers(std::u16string_view text);

}  // namespace est
