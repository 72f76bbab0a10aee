#include "est/server/records/level_chart.hpp"

#include <algorithm>

namespace est::server::records {

namespace {

// The chart's geometry, in SVG user units.
constexpr int left = 90;      // room for the level names
constexpr int top = 34;       // room for the heading
constexpr int row = 28;       // between two levels
constexpr int step = 74;      // between two meetings
constexpr int bottom = 40;    // room for the dates
constexpr int min_width = 320;

std::string name_of(const std::vector<std::string>& levels, const level_chart::point& p) {
    return p.rank && *p.rank < levels.size() ? levels[*p.rank] : std::string(level_chart::unset_label);
}

}  // namespace

std::string level_chart::xml_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

std::string level_chart::in_words(const std::vector<std::string>& levels, const std::vector<point>& points) {
    std::string out;
    for (const auto& p : points) out += (out.empty() ? "" : ", ") + p.label + ": " + name_of(levels, p);
    return out.empty() ? "inga stängda möten" : out;
}

std::string level_chart::svg(std::string_view title, const std::vector<std::string>& levels,
                             const std::vector<point>& points) {
    const int rows = static_cast<int>(levels.size()) + 1;  // the levels and "ej angiven"
    const int width = std::max(min_width, left + step * static_cast<int>(points.size()) + 10);
    const int height = top + row * (rows - 1) + bottom + 10;
    // Row 0 is the highest level; the last row is "ej angiven".
    const auto y_of = [&](const point& p) {
        const int r = p.rank && *p.rank < levels.size() ? static_cast<int>(levels.size() - 1 - *p.rank) : rows - 1;
        return top + row * r;
    };
    const auto x_of = [](std::size_t i) { return left + step * static_cast<int>(i) + step / 2; };
    const std::string t = xml_escaped(title);
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"level-chart\" role=\"img\" viewBox=\"0 0 " +
                      std::to_string(width) + " " + std::to_string(height) + "\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"11\">";
    out += "<title>" + t + ": " + xml_escaped(in_words(levels, points)) + "</title>";
    out += "<text x=\"4\" y=\"14\" font-size=\"12\" font-weight=\"bold\">" + t + "</text>";
    // The rows: a level's name and a grid line.
    for (int r = 0; r < rows; ++r) {
        const std::string name = r < rows - 1 ? levels[levels.size() - 1 - static_cast<std::size_t>(r)]
                                              : std::string(unset_label);
        const std::string y = std::to_string(top + row * r);
        out += "<text x=\"" + std::to_string(left - 8) + "\" y=\"" + y + "\" dy=\"4\" text-anchor=\"end\"" +
               (r == rows - 1 ? " fill=\"#777\"" : "") + ">" + xml_escaped(name) + "</text>";
        out += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + y + "\" x2=\"" + std::to_string(width - 6) +
               "\" y2=\"" + y + "\" stroke=\"#ccc\" stroke-width=\"1\"" + (r == rows - 1 ? " stroke-dasharray=\"3 3\"" : "") +
               "/>";
    }
    // The line through consecutive meetings whose level is set.
    std::string path;
    bool drawing = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!points[i].rank || *points[i].rank >= levels.size()) {
            drawing = false;
            continue;
        }
        path += (drawing ? " L" : (path.empty() ? "M" : " M")) + std::to_string(x_of(i)) + " " + std::to_string(y_of(points[i]));
        drawing = true;
    }
    if (!path.empty()) out += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"2\"/>";
    // One point per meeting, with its date below.
    for (std::size_t i = 0; i < points.size(); ++i) {
        const bool set = points[i].rank && *points[i].rank < levels.size();
        const std::string x = std::to_string(x_of(i));
        out += "<circle cx=\"" + x + "\" cy=\"" + std::to_string(y_of(points[i])) + "\" r=\"4.5\"" +
               (set ? " fill=\"#1f4e79\"" : " fill=\"#fff\" stroke=\"#777\" stroke-width=\"1.5\"") + "><title>" +
               xml_escaped(points[i].label + ": " + name_of(levels, points[i])) + "</title></circle>";
        out += "<text x=\"" + x + "\" y=\"" + std::to_string(height - 14) + "\" text-anchor=\"middle\">" +
               xml_escaped(points[i].label) + "</text>";
    }
    return out + "</svg>";
}

}  // namespace est::server::records
