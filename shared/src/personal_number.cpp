#include "est/personal_number.hpp"

#include <array>

namespace est {

namespace {

bool is_digit(char16_t c) noexcept { return c >= u'0' && c <= u'9'; }
// What stands between the date and the last four digits: '-' or a dash a word processor puts there instead
// (hyphen, non-breaking hyphen, figure dash, en dash, minus sign), or one space (also a no-break space).
bool is_separator(char16_t c) noexcept {
    return c == u'-' || c == u'\u2010' || c == u'\u2011' || c == u'\u2012' || c == u'\u2013' || c == u'\u2212' ||
           c == u' ' || c == u'\u00A0' || c == u'\u202F';
}
int value(char16_t c) noexcept { return c - u'0'; }

// Past a line break at `at` ("\r\n", "\n" or "\r"): where it ends, or `at` when there is none.
std::size_t past_line_break(std::u16string_view text, std::size_t at) noexcept {
    if (at < text.size() && text[at] == u'\r') return at + 1 < text.size() && text[at + 1] == u'\n' ? at + 2 : at + 1;
    if (at < text.size() && text[at] == u'\n') return at + 1;
    return at;
}

std::size_t digits_from(std::u16string_view text, std::size_t at) noexcept {
    std::size_t end = at;
    while (end < text.size() && is_digit(text[end])) ++end;
    return end;
}

bool leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// A real day of `month` in `year`; `year` < 0: a two-digit year whose century is unknown, where 29 February is
// real whenever the two digits are a multiple of four (in one of the centuries it is a leap year).
bool real_day(int year, int two_digit_year, int month, int day) noexcept {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    if (month == 2 && day == 29) return year >= 0 ? leap(year) : two_digit_year % 4 == 0;
    return day <= days[static_cast<std::size_t>(month - 1)];
}

// Luhn over the ten digits YYMMDDNNNC: the check digit C makes the weighted sum a multiple of ten.
bool luhn_holds(const std::array<int, 10>& d) noexcept {
    int sum = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        int v = i % 2 == 0 ? d[i] * 2 : d[i];
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
}

}  // namespace

std::string_view to_string(personal_number_kind k) noexcept {
    return k == personal_number_kind::samordningsnummer ? "samordningsnummer" : "personnummer";
}

std::vector<personal_number_match> find_personal_numbers(std::u16string_view text) {
    std::vector<personal_number_match> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        const std::size_t first_end = digits_from(text, start);
        std::size_t end = first_end;  // past the last digit of the candidate
        std::array<char16_t, 12> digits{};
        std::size_t count = 0;
        for (std::size_t k = start; k < first_end && count < 12; ++k) digits[count++] = text[k];
        const std::size_t first = first_end - start;
        bool found = false;
        if (first == 10 || first == 12) {
            found = true;
        } else if (first == 6 || first == 8) {
            // One separator before the last four digits: a line break, a '-' (or a dash or space in its place; with
            // ten digits also '+': the person is 100 or older; the date and check digit are the same), or one of
            // them with a line break beside it.
            std::size_t at = past_line_break(text, first_end);
            bool separated = at != first_end;
            if (at < text.size() && (is_separator(text[at]) || (text[at] == u'+' && first == 6))) {
                at = past_line_break(text, at + 1);
                separated = true;
            }
            const std::size_t second_end = digits_from(text, at);
            if (separated && second_end - at == 4) {
                for (std::size_t k = at; k < second_end; ++k) digits[count++] = text[k];
                end = second_end;
                found = true;
            }
        }
        i = found ? end : first_end;
        if (!found) continue;
        // The last ten digits are YYMMDDNNNC; twelve digits add the century before them.
        const std::size_t offset = count - 10;
        std::array<int, 10> d{};
        for (std::size_t k = 0; k < 10; ++k) d[k] = value(digits[offset + k]);
        const int yy = d[0] * 10 + d[1], month = d[2] * 10 + d[3];
        int day = d[4] * 10 + d[5];
        int year = -1;
        if (count == 12) {
            const int century = value(digits[0]) * 10 + value(digits[1]);
            if (century < 18 || century > 20) continue;
            year = century * 100 + yy;
        }
        const bool coordination = day > 60;
        if (coordination) day -= 60;
        if (!real_day(year, yy, month, day) || !luhn_holds(d)) continue;
        out.push_back({start, end, coordination ? personal_number_kind::samordningsnummer : personal_number_kind::personnummer});
    }
    return out;
}

}  // namespace est
