#include "est/server/records/report_month.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace est::server::records {

namespace {

bool digits(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) noexcept {
    int n = 0;
    std::from_chars(s.data(), s.data() + s.size(), n);
    return n;
}

}  // namespace

std::optional<report_month> report_month::parse(std::string_view text) noexcept {
    if (text.size() != 7 || text[4] != '-' || !digits(text.substr(0, 4)) || !digits(text.substr(5))) return std::nullopt;
    const int y = number(text.substr(0, 4)), m = number(text.substr(5));
    if (y < 2000 || m < 1 || m > 12) return std::nullopt;
    return report_month(y, m);
}

std::string report_month::to_string() const {
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d", year_, month_);
    return out;
}

std::string report_month::label() const {
    static constexpr std::array<const char*, 12> names = {"januari", "februari", "mars",      "april",   "maj",      "juni",
                                                          "juli",    "augusti",  "september", "oktober", "november", "december"};
    return std::string(names[static_cast<std::size_t>(month_ - 1)]) + " " + std::to_string(year_);
}

bool report_month::contains(std::string_view day) const noexcept {
    return day.size() >= 7 && day.substr(0, 7) == std::string_view(to_string());
}

bool report_month::before(std::string_view day) const noexcept {
    return day.size() >= 7 && day.substr(0, 7) > std::string_view(to_string());
}

std::string report_month::local_day(std::string_view utc) {
    std::tm tm{};
    const std::string t(utc);
    const char* end = t.size() == 20 ? ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) : nullptr;
    if (!end || *end != '\0') return {};
    const std::time_t at = ::timegm(&tm);
    std::tm local{};
    localtime_r(&at, &local);
    char day[16];
    std::strftime(day, sizeof day, "%Y-%m-%d", &local);
    return day;
}

report_month::selection report_month::select(std::vector<closed_meeting> closings, std::size_t chart_size) const {
    std::stable_sort(closings.begin(), closings.end(),
                     [](const closed_meeting& a, const closed_meeting& b) { return a.sequence < b.sequence; });
    selection out;
    std::vector<closed_meeting> upto;
    for (auto& c : closings) {
        if (c.closed_on.empty() || before(c.closed_on)) continue;
        if (contains(c.closed_on)) out.in_month.push_back(c);
        upto.push_back(std::move(c));
    }
    const std::size_t keep = std::max(chart_size, out.in_month.size());
    const std::size_t from = upto.size() > keep ? upto.size() - keep : 0;
    out.chart.assign(upto.begin() + static_cast<std::ptrdiff_t>(from), upto.end());
    return out;
}

}  // namespace est::server::records
