#include "est/calendar_date.hpp"

#include <chrono>
#include <cstdio>

#include "est/error.hpp"

namespace est {

namespace {

bool digits(std::string_view s) noexcept {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}

int number(std::string_view s) noexcept {
    int n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return n;
}

}  // namespace

std::optional<calendar_date> calendar_date::parse(std::string_view text) noexcept {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
    if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
    const int year = number(y);
    if (year < 1900) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(number(m))},
                                          std::chrono::day{static_cast<unsigned>(number(d))}};
    if (!ymd.ok()) return std::nullopt;
    return calendar_date(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

calendar_date calendar_date::read(std::string_view text, const std::string& where) {
    if (auto d = parse(text)) return *d;
    throw domain_error("bad_message", where + ": must be a date written YYYY-MM-DD, e.g. 2027-03-01");
}

std::string calendar_date::to_string() const {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days_}}};
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return out;
}

}  // namespace est
