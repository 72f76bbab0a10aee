#include "est/bra_csv.hpp"

#include <algorithm>
#include <array>
#include <map>

#include <nlohmann/json.hpp>

#include "est/csv.hpp"
#include "est/error.hpp"
#include "est/meeting_template.hpp"

namespace est {

using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 5> place_columns{"id", "group", "meeting", "meeting_date", "topic"};
constexpr std::array<std::string_view, 8> state_columns{"status", "verdict", "owner_org", "contact",
                                                        "due",    "reason",  "deferred_to", "progress"};
constexpr std::array<std::string_view, 3> made_columns{"overdue", "stale", "version"};

// A member of the list's JSON as a cell: a string as it is, a boolean ja/nej, anything else as JSON.
std::string text_of(const json& j, std::string_view key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "ja" : "nej";
    return it->dump();
}

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw domain_error("bad_message", where + ": " + what); }

}  // namespace

std::vector<std::string> bra_csv_header(const meeting_template& tmpl) {
    std::vector<std::string> header(place_columns.begin(), place_columns.end());
    for (const auto& f : tmpl.decision_item_fields) header.push_back(f.id);
    header.insert(header.end(), state_columns.begin(), state_columns.end());
    header.insert(header.end(), made_columns.begin(), made_columns.end());
    return header;
}

std::string write_bra_csv(const std::vector<json>& items, const meeting_template& tmpl) {
    std::string out = csv::row(bra_csv_header(tmpl));
    const json none = json::object();
    for (const auto& item : items) {
        const json& meeting = item.contains("meeting") ? item["meeting"] : none;
        const json& topic = item.contains("topic") ? item["topic"] : none;
        const json& fields = item.contains("fields") ? item["fields"] : none;
        const json& flags = item.contains("flags") ? item["flags"] : none;
        std::vector<std::string> cells = {text_of(item, "id"), text_of(item, "group"), text_of(meeting, "id"),
                                          text_of(meeting, "date"), text_of(topic, "id")};
        for (const auto& f : tmpl.decision_item_fields) cells.push_back(text_of(fields, f.id));
        for (auto k : state_columns) cells.push_back(text_of(item, k));
        cells.push_back(text_of(flags, "overdue"));
        cells.push_back(text_of(flags, "stale"));
        cells.push_back(text_of(item, "version"));
        out += csv::row(cells);
    }
    return out;
}

std::vector<bra_import_item> read_bra_csv(std::string_view text, const meeting_template& tmpl,
                                          const std::vector<std::string>& organisations, std::size_t max_items) {
    csv::read_limits lim;
    lim.max_rows = 2 * max_items + 1;  // room for blank rows between the items, and the header
    lim.max_columns = bra_csv_header(tmpl).size() + 8;
    const auto rows = csv::read(text, csv::separator_of(text), lim);
    if (rows.empty()) fail("row 1", "the file is empty: it needs the header row and a row per item");
    // The header: each column known, once.
    const auto& header = rows.front();
    std::map<std::string, std::size_t, std::less<>> column;
    for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string name(csv::unguarded(header[c]));
        const bool known = std::find(place_columns.begin(), place_columns.end(), name) != place_columns.end() ||
                           std::find(state_columns.begin(), state_columns.end(), name) != state_columns.end() ||
                           std::find(made_columns.begin(), made_columns.end(), name) != made_columns.end() ||
                           tmpl.find_decision_item_field(name);
        const std::string at = "row 1, column " + std::to_string(c + 1);
        if (!known)
            fail(at, (name.size() <= 60 ? "'" + name + "'" : std::string("the column")) +
                         " is not a column of the BRÅ queue (see the header of GET /api/bra/items?format=csv)");
        if (!column.emplace(name, c).second) fail(at, "'" + name + "' is there twice");
    }
    std::vector<std::string> required = {"topic", "status"};
    for (const auto& f : tmpl.decision_item_fields) required.push_back(f.id);
    for (const auto& name : required)
        if (!column.count(name)) fail("row 1", "the column '" + name + "' is missing");

    std::vector<bra_import_item> out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& cells = rows[r];
        if (std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); })) continue;
        const std::string row = "row " + std::to_string(r + 1);
        if (cells.size() != header.size())
            fail(row, std::to_string(cells.size()) + " cells, but the header has " + std::to_string(header.size()));
        if (out.size() >= max_items) fail(row, "more than " + std::to_string(max_items) + " items in one import");
        auto value = [&](std::string_view name) -> std::string {
            const auto it = column.find(name);
            return it == column.end() ? std::string() : std::string(csv::unguarded(cells[it->second]));
        };
        auto where = [&](std::string_view name) { return row + ", column " + std::string(name); };
        out.push_back(read_bra_import_item(value, where, tmpl, organisations));
    }
    if (out.empty()) fail("row 2", "there are no items to import");
    return out;
}

}  // namespace est
