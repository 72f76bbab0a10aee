// A meeting's default title (the ISO week) and when two titles are the same to a reader.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_title.hpp"

using est::calendar_date;

namespace {
unsigned week(const char* day) { return est::iso_week(*calendar_date::parse(day)); }
}  // namespace

TEST_CASE("iso_week follows ISO 8601 across year ends and leap years", "[meeting_title]") {
    CHECK(week("2026-12-05") == 49);  // a Saturday
    CHECK(week("2026-11-30") == 49);  // its Monday
    CHECK(week("2026-12-06") == 49);  // its Sunday
    CHECK(week("2026-12-07") == 50);
    // 2027-01-01 is a Friday: it belongs to 2026's week 53, and week 1 starts on 2027-01-04.
    CHECK(week("2026-12-31") == 53);
    CHECK(week("2027-01-01") == 53);
    CHECK(week("2027-01-03") == 53);
    CHECK(week("2027-01-04") == 1);
    // 2024-12-30 (a Monday) is already 2025's week 1; 2020 (a leap year starting on Wednesday) has 53 weeks.
    CHECK(week("2024-12-29") == 52);
    CHECK(week("2024-12-30") == 1);
    CHECK(week("2020-12-31") == 53);
    CHECK(week("2021-01-03") == 53);
    CHECK(week("2021-01-04") == 1);
    CHECK(week("1970-01-01") == 1);
    CHECK(week("1969-12-29") == 1);
}

TEST_CASE("the default title names the week", "[meeting_title]") {
    CHECK(est::default_meeting_title(*calendar_date::parse("2026-12-08")) == "EST-möte vecka 50");
    CHECK(est::default_meeting_title(*calendar_date::parse("2027-01-02")) == "EST-möte vecka 53");
}

TEST_CASE("titles are the same whatever their case and spacing, Swedish letters too", "[meeting_title]") {
    using est::meeting_title_key;
    CHECK(meeting_title_key("  EST-möte   vecka 49 ") == meeting_title_key("est-möte vecka 49"));
    CHECK(meeting_title_key("ÅTGÄRDSMÖTE") == meeting_title_key("åtgärdsmöte"));
    CHECK(meeting_title_key("Extra\tmöte") == "extra möte");
    CHECK(meeting_title_key("EST-möte vecka 49") != meeting_title_key("EST-möte vecka 4 9"));
    CHECK(meeting_title_key("EST-möte vecka 49") != meeting_title_key("EST-mote vecka 49"));
    // × (U+00D7) has no small letter: left as it is.
    CHECK(meeting_title_key("2×2") == "2×2");
}

TEST_CASE("a title is one trimmed line that is not empty", "[meeting_title]") {
    using nlohmann::json;
    CHECK(est::read_meeting_title(json{{"title", "  Extramöte om torget "}}, "", "title") == "Extramöte om torget");
    CHECK_THROWS_WITH(est::read_meeting_title(json{{"title", "   "}}, "", "title"), "'title' must not be empty");
    CHECK_THROWS_AS(est::read_meeting_title(json{{"title", "rad ett\nrad två"}}, "", "title"), est::domain_error);
    CHECK_THROWS_AS(est::read_meeting_title(json{{"title", std::string(201, 'a')}}, "", "title"), est::domain_error);
    CHECK(est::read_meeting_title(json{{"title", std::string(200, 'a')}}, "", "title").size() == 200);
    CHECK_THROWS_AS(est::read_meeting_title(json{{"title", 7}}, "", "title"), est::domain_error);
}
