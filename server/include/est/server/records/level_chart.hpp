#pragma once
// A topic's level (the template's first choice field among the topic fields, e.g. "nivå": låg, förhöjd, hög)
// over a group's last meetings, drawn as an SVG line chart the server renders, so the monthly report prints
// without script. One <circle> per meeting, a line through the levels that are set, the levels named on the
// left and the meetings' dates below. Accessible: role="img" and a <title> that says it in words. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace est::server::records {

class level_chart {
public:
    struct point {
        std::string label;                // the meeting's date, under the axis
        std::optional<std::size_t> rank;  // the level's place among the choices (0 the lowest); nullopt: not set
    };

    // `levels` the choices in the template's order, lowest first. A point without a level sits on a row of its
    // own below the lowest, "ej angiven", and breaks the line.
    static std::string svg(std::string_view title, const std::vector<std::string>& levels,
                           const std::vector<point>& points);
    // "2026-11-17: hög, 2026-12-01: förhöjd": the chart in words.
    static std::string in_words(const std::vector<std::string>& levels, const std::vector<point>& points);
    // Text and attribute values for XML: & < > " ' as entities, control characters other than tab and line feed
    // dropped.
    static std::string xml_escaped(std::string_view text);

    static constexpr std::string_view unset_label = "ej angiven";
};

}  // namespace est::server::records
