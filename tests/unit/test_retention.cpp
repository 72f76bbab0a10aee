// When a closed meeting's retention has ended (retention::expired): calendar months after its closing, to the
// second, the day clamped to the end of a shorter month; never with no retention or a closing time that does not
// read. The purge itself runs through the real server (tests/integration/test_retention.cpp).
#include "est/server/retention.hpp"

#include <ctime>

#include <catch2/catch.hpp>

using est::server::retention;

namespace {
std::chrono::system_clock::time_point at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}
}  // namespace

TEST_CASE("a closed meeting expires its group's retention_months after its closing", "[server][retention]") {
    const char* closed = "2026-12-04T10:15:00Z";
    CHECK_FALSE(retention::expired(closed, 1, at(2027, 1, 4, 10, 14, 59)));
    CHECK(retention::expired(closed, 1, at(2027, 1, 4, 10, 15, 0)));
    CHECK_FALSE(retention::expired(closed, 12, at(2027, 12, 4)));
    CHECK(retention::expired(closed, 12, at(2027, 12, 5)));
    CHECK_FALSE(retention::expired(closed, 240, at(2046, 12, 4, 10)));
    CHECK(retention::expired(closed, 240, at(2046, 12, 4, 11)));
    // A day past the end of the later month counts as its last day (a leap year's too).
    CHECK_FALSE(retention::expired("2027-01-31T08:00:00Z", 1, at(2027, 2, 28, 7)));
    CHECK(retention::expired("2027-01-31T08:00:00Z", 1, at(2027, 2, 28, 8)));
    CHECK_FALSE(retention::expired("2028-01-31T08:00:00Z", 1, at(2028, 2, 28, 23)));
    CHECK(retention::expired("2028-01-31T08:00:00Z", 1, at(2028, 2, 29, 8)));
}

TEST_CASE("no retention, or a closing time that does not read, never expires", "[server][retention]") {
    const auto far = at(2200, 1, 1);
    CHECK_FALSE(retention::expired("2026-12-04T10:15:00Z", 0, far));
    for (const char* bad : {"", "2026-12-04", "2026-13-04T10:15:00Z", "2026-12-00T10:15:00Z", "igår"}) {
        INFO(bad);
        CHECK_FALSE(retention::expired(bad, 1, far));
    }
}
