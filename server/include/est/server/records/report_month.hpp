#pragma once
// The month a monthly report covers (docs/protocol.md, "The monthly report") and which closed meetings it shows:
// those whose closing falls in the month, server local time, and for the level charts the last few closed up to
// the month's end. Pure: the chain of closings and the local dates come from the caller.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace est::server::records {

class report_month {
public:
    // "2026-12" → that month; anything else (another shape, month 00 or 13, a year before 2000 or after 9999) →
    // nullopt.
    static std::optional<report_month> parse(std::string_view text) noexcept;

    int year() const noexcept { return year_; }
    int month() const noexcept { return month_; }
    std::string to_string() const;  // "2026-12"
    std::string label() const;      // "december 2026"
    // Whether the local day "YYYY-MM-DD" (or an ISO time beginning with one) lies in this month.
    bool contains(std::string_view day) const noexcept;
    // Whether the local day lies after this month's last day.
    bool before(std::string_view day) const noexcept;

    // A statement's UTC time "2026-12-04T10:15:00Z" as the server's local day "2026-12-04"; "" when it does not
    // read.
    static std::string local_day(std::string_view utc);

    // One closed meeting of a group's chain.
    struct closed_meeting {
        std::string meeting_id;
        std::uint64_t sequence = 0;  // its closing's place in the group's chain
        std::string closed_on;       // local day of its closing, "YYYY-MM-DD"
    };
    struct selection {
        std::vector<closed_meeting> in_month;  // closed in the month, in closing order
        std::vector<closed_meeting> chart;     // the last `chart_size` closed up to the month's end, in order
    };
    // From a group's closings (any order): the month's, and the chart's window. A month with more closings than
    // `chart_size` charts all of them.
    selection select(std::vector<closed_meeting> closings, std::size_t chart_size) const;

private:
    report_month(int y, int m) noexcept : year_(y), month_(m) {}
    int year_;
    int month_;
};

}  // namespace est::server::records
