#pragma once
// A meeting's title and date as a group's list shows them: the default title of a meeting on a given day
// ("EST-möte vecka 49", the ISO week Swedish calendars print), and when two titles are the same to a reader
// (case and runs of spaces aside), which a group's meetings may not share. Pure.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "est/calendar_date.hpp"

namespace est {

// The longest title, in bytes.
inline constexpr std::size_t max_meeting_title_bytes = 200;

// The ISO 8601 week (1–53) the day falls in: weeks start on Monday, and week 1 holds the year's first Thursday.
unsigned iso_week(calendar_date d) noexcept;

// "EST-möte vecka NN" for a meeting on `d`.
std::string default_meeting_title(calendar_date d);

// What a title is compared by: trimmed, each run of white space one space, letters in lower case (ASCII and
// Latin-1's, so "VECKA 49" and "vecka  49" are the same, and "ÅTGÄRD" and "åtgärd").
std::string meeting_title_key(std::string_view title);

// The title in obj[key]: one line of at most max_meeting_title_bytes bytes without control characters, trimmed
// (not otherwise changed), not empty. Throws domain_error("bad_message") naming the field.
std::string read_meeting_title(const nlohmann::json& obj, const std::string& where, const char* key);

}  // namespace est
