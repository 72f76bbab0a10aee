// The level chart of the monthly report (server/src/records/level_chart.cpp): SVG from numbers, one point per
// meeting, accessible, and no text of anyone's can leave its element.
#include "est/server/records/level_chart.hpp"

#include <catch2/catch.hpp>

#include "../../support/count_of.hpp"

using est::server::records::level_chart;

namespace {
const std::vector<std::string> levels = {"låg", "förhöjd", "hög"};
}

TEST_CASE("a level chart has one point per meeting, a line through the levels set and the dates below",
          "[records][report][chart]") {
    const std::vector<level_chart::point> points = {
        {"2026-10-06", 0}, {"2026-10-20", 2}, {"2026-11-03", std::nullopt}, {"2026-11-17", 1}, {"2026-12-01", 1}};
    const std::string svg = level_chart::svg("Nivå – ANDT", levels, points);
    CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(svg.ends_with("</svg>"));
    CHECK(est::test::count_of(svg, "<circle") == points.size());
    // Accessible: an image with a title that says it all in words.
    CHECK(svg.find("role=\"img\"") != std::string::npos);
    CHECK(svg.find("<title>Nivå – ANDT: 2026-10-06: låg, 2026-10-20: hög, 2026-11-03: ej angiven, 2026-11-17: förhöjd, "
                   "2026-12-01: förhöjd</title>") != std::string::npos);
    // Every level named, and the row of the meetings without one; every date under the axis.
    for (const auto& name : {"låg", "förhöjd", "hög", "ej angiven"}) CHECK(svg.find(std::string(">") + name + "</text>") != std::string::npos);
    for (const auto& p : points) CHECK(svg.find(">" + p.label + "</text>") != std::string::npos);
    // The line breaks at the meeting without a level: two runs, the second starting again with M.
    const auto path = svg.substr(svg.find("<path d=\""), svg.find("\" fill=\"none\"") - svg.find("<path d=\""));
    CHECK(est::test::count_of(path, "M") == 2);
    CHECK(est::test::count_of(path, "L") == 2);
}

TEST_CASE("a higher level is drawn higher, and a meeting without a level below the lowest", "[records][report][chart]") {
    const std::string svg = level_chart::svg("t", levels, {{"a", 0}, {"b", 2}, {"c", std::nullopt}});
    std::vector<int> ys;
    for (std::size_t at = 0; (at = svg.find("<circle", at)) != std::string::npos; ++at) {
        const auto cy = svg.find("cy=\"", at) + 4;
        ys.push_back(std::stoi(svg.substr(cy)));
    }
    REQUIRE(ys.size() == 3);
    CHECK(ys[1] < ys[0]);  // hög above låg (SVG's y grows downwards)
    CHECK(ys[2] > ys[0]);  // ej angiven below låg
}

TEST_CASE("a chart without meetings is empty but whole, and names nothing", "[records][report][chart]") {
    const std::string svg = level_chart::svg("t", levels, {});
    CHECK(est::test::count_of(svg, "<circle") == 0);
    CHECK(svg.find("<path") == std::string::npos);
    CHECK(level_chart::in_words(levels, {}) == "inga stängda möten");
}

TEST_CASE("text in a chart is escaped for XML", "[records][report][chart]") {
    const std::string svg = level_chart::svg("<script>&\"'", {"<b>"}, {{"</text><script>", 0}});
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("&lt;script&gt;&amp;&quot;&#39;") != std::string::npos);
    CHECK(svg.find("&lt;/text&gt;&lt;script&gt;") != std::string::npos);
    CHECK(level_chart::xml_escaped(std::string("a\x01" "b\nc")) == "ab\nc");
}
