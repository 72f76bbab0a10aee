#include "est/meeting_title.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"

namespace est {

namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

unsigned iso_week(calendar_date d) noexcept {
    // 1970-01-01 was a Thursday: weekday 1 (Monday) … 7 (Sunday).
    const long days = d.days();
    const long weekday = ((days % 7 + 7 + 3) % 7) + 1;
    // The week's Thursday decides its year; the week is how many Thursdays of that year it has seen.
    const std::chrono::sys_days thursday{std::chrono::days{days - (weekday - 1) + 3}};
    const std::chrono::year_month_day ymd{thursday};
    const std::chrono::sys_days new_year{ymd.year() / std::chrono::January / 1};
    return static_cast<unsigned>((thursday - new_year).count() / 7 + 1);
}

std::string default_meeting_title(calendar_date d) { return "EST-möte vecka " + std::to_string(iso_week(d)); }

std::string meeting_title_key(std::string_view title) {
    std::string key;
    key.reserve(title.size());
    bool space = false;
    const std::string_view t = trimmed(title);
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (is_space(static_cast<char>(c))) {
            space = true;
            continue;
        }
        if (space) key += ' ';
        space = false;
        if (c >= 'A' && c <= 'Z') {
            key += static_cast<char>(c - 'A' + 'a');
        } else if (c == 0xC3 && i + 1 < t.size()) {
            // U+00C0–U+00DE but U+00D7 (×): Latin-1's capitals, 0x20 below their small letters.
            auto next = static_cast<unsigned char>(t[i + 1]);
            if (next >= 0x80 && next <= 0x9E && next != 0x97) next = static_cast<unsigned char>(next + 0x20);
            key += static_cast<char>(c);
            key += static_cast<char>(next);
            ++i;
        } else {
            key += static_cast<char>(c);
        }
    }
    return key;
}

std::string read_meeting_title(const nlohmann::json& obj, const std::string& where, const char* key) {
    const std::string given = json_read::label(obj, where, key, max_meeting_title_bytes, true);
    const std::string_view t = trimmed(given);
    if (t.empty()) throw domain_error("bad_message", "'" + (where.empty() ? std::string() : where + ".") + key + "' must not be empty");
    return std::string(t);
}

}  // namespace est
