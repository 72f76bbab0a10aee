#pragma once
// A calendar day, as the BRÅ queue's due dates, deferral dates and "today" are: "YYYY-MM-DD" (ISO 8601), checked
// to be a real day of the Gregorian calendar. Pure: "today" always comes from the caller.
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace est {

class calendar_date {
public:
    // Days since 1970-01-01 (may be negative).
    constexpr explicit calendar_date(long days = 0) noexcept : days_(days) {}

    // "2027-03-01" → that day; anything else (another shape, 2027-02-30, a year before 1900 or after 9999) →
    // nullopt. The first ten characters of an ISO time ("2026-12-04T10:15:00Z") are its day.
    static std::optional<calendar_date> parse(std::string_view text) noexcept;
    // Like parse, or throws domain_error("bad_message") naming `where`.
    static calendar_date read(std::string_view text, const std::string& where);

    constexpr long days() const noexcept { return days_; }
    std::string to_string() const;  // "YYYY-MM-DD"
    constexpr calendar_date plus_days(long n) const noexcept { return calendar_date(days_ + n); }

    constexpr auto operator<=>(const calendar_date&) const noexcept = default;

private:
    long days_;
};

}  // namespace est
