// The monthly report's month and its choice of closed meetings (server/src/records/report_month.cpp).
#include "est/server/records/report_month.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include <catch2/catch.hpp>

using est::server::records::report_month;

namespace {

std::vector<std::string> ids(const std::vector<report_month::closed_meeting>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.meeting_id);
    return out;
}

// A group's chain: meeting m<n> closed on `day`, sequence n.
std::vector<report_month::closed_meeting> chain(const std::vector<std::string>& days) {
    std::vector<report_month::closed_meeting> out;
    for (std::size_t i = 0; i < days.size(); ++i) out.push_back({"m" + std::to_string(i + 1), i + 1, days[i]});
    return out;
}

}  // namespace

TEST_CASE("a report's month is YYYY-MM and nothing else", "[records][report][month]") {
    const auto m = report_month::parse("2026-12");
    REQUIRE(m);
    CHECK(m->to_string() == "2026-12");
    CHECK(m->label() == "december 2026");
    CHECK(report_month::parse("2027-01")->label() == "januari 2027");
    for (const char* bad : {"", "2026-13", "2026-00", "2026-1", "2026/12", "26-12", "2026-12-01", "1999-12", "2026-1x",
                            " 2026-12", "２０２６-12"})
        CHECK_FALSE(report_month::parse(bad));
}

TEST_CASE("a month contains its own days only", "[records][report][month]") {
    const auto m = *report_month::parse("2026-12");
    CHECK(m.contains("2026-12-01"));
    CHECK(m.contains("2026-12-31"));
    CHECK(m.contains("2026-12-04T10:15:00Z"));
    CHECK_FALSE(m.contains("2026-11-30"));
    CHECK_FALSE(m.contains("2027-01-01"));
    CHECK_FALSE(m.contains(""));
    CHECK(m.before("2027-01-01"));
    CHECK_FALSE(m.before("2026-12-31"));
}

TEST_CASE("the month's meetings are those closed in it, and the chart the last eight up to its end",
          "[records][report][month]") {
    const auto dec = *report_month::parse("2026-12");
    // Closed every two weeks from September; two in December, one in January after it.
    const auto closings = chain({"2026-09-01", "2026-09-15", "2026-09-29", "2026-10-13", "2026-10-27", "2026-11-10",
                                 "2026-11-24", "2026-12-08", "2026-12-22", "2027-01-05"});
    const auto s = dec.select(closings, 8);
    CHECK(ids(s.in_month) == std::vector<std::string>{"m8", "m9"});
    CHECK(ids(s.chart) == std::vector<std::string>{"m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"});
    // In any order given, in closing order taken.
    auto reversed = closings;
    std::reverse(reversed.begin(), reversed.end());
    CHECK(ids(dec.select(reversed, 8).chart) == ids(s.chart));
    // A month without a closing charts what came before it.
    const auto aug = report_month::parse("2026-08")->select(closings, 8);
    CHECK(aug.in_month.empty());
    CHECK(aug.chart.empty());
    const auto oct = report_month::parse("2026-10")->select(closings, 3);
    CHECK(ids(oct.in_month) == std::vector<std::string>{"m4", "m5"});
    CHECK(ids(oct.chart) == std::vector<std::string>{"m3", "m4", "m5"});
    // More closings in the month than the window: every one of them is charted.
    CHECK(ids(dec.select(closings, 1).chart) == std::vector<std::string>{"m8", "m9"});
    // A closing whose time did not read is in no month.
    CHECK(dec.select(chain({"", "2026-12-01"}), 8).chart.size() == 1);
}

TEST_CASE("a closing's UTC time is read as the server's local day", "[records][report][month]") {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    ::setenv("TZ", "Europe/Stockholm", 1);
    ::tzset();
    // 23:30 UTC on the last of November is already December in Sweden.
    CHECK(report_month::local_day("2026-11-30T23:30:00Z") == "2026-12-01");
    CHECK(report_month::local_day("2026-07-31T21:59:59Z") == "2026-07-31");
    CHECK(report_month::local_day("2026-07-31T22:00:00Z") == "2026-08-01");
    CHECK(report_month::local_day("2026-11-30 23:30") == "");
    CHECK(report_month::local_day("") == "");
    if (old) ::setenv("TZ", saved.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
}
