// The BRÅ queue's one CSV schema (shared/src/bra_csv.cpp): what the export writes, the import reads back — and a
// file that is wrong anywhere is refused whole, naming the row as a spreadsheet counts it and the column.
#include "est/bra_csv.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/csv.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::biweekly;
using est::test::fails;
using est::test::test_orgs;

// Items as GET /api/bra/items lists them.
std::vector<json> listed() {
    json awaiting = {{"id", "m-1.andt.d1"}, {"group", "sala"}, {"meeting", {{"id", "m-1"}, {"date", "2026-12-01"}}},
                     {"topic", {{"id", "andt"}, {"title", "ANDT"}}},
                     {"fields", {{"typ", "orsaksanalys"}, {"rubrik", "=Orsaksanalys, \"Risbro\""}, {"beskrivning", "rad 1\nrad 2"},
                                 {"klart_senast", "2027-03-01"}, {"agare", "kommun"}, {"till_bra", "ja"}}},
                     {"status", "awaiting"}, {"version", 1},
                     {"flags", {{"overdue", false}, {"stale", false}, {"back_on_agenda", false}}}};
    json approved = {{"id", "m-1.andt.d2"}, {"group", "sala"}, {"meeting", {{"id", "m-1"}, {"date", "2026-12-01"}}},
                     {"topic", {{"id", "hot-och-vald"}}}, {"fields", {{"rubrik", "Kameror vid resecentrum"}, {"till_bra", "ja"}}},
                     {"status", "approved"}, {"verdict", "approve"}, {"owner_org", "polis"}, {"contact", "Anna Berg"},
                     {"due", "2020-03-01"}, {"deferred_to", "2026-01-10"}, {"progress", "red"}, {"version", 5},
                     {"flags", {{"overdue", true}, {"stale", false}, {"back_on_agenda", false}}}};
    return {awaiting, approved};
}

std::string header_line() { return csv::row(bra_csv_header(*biweekly())); }

// A file of the export's header and one row: `cells` set by column name, the rest empty.
std::string file_with(const std::map<std::string, std::string>& cells) {
    std::vector<std::string> row;
    for (const auto& c : bra_csv_header(*biweekly())) row.push_back(cells.count(c) ? cells.at(c) : "");
    return header_line() + csv::row(row);
}

std::string refused(const std::string& text) {
    return fails([&] { read_bra_csv(text, *biweekly(), test_orgs); }).message;
}

}  // namespace

TEST_CASE("the queue's CSV export is read back by the import: the same fields and status columns", "[bra][csv]") {
    const std::string file = write_bra_csv(listed(), *biweekly());
    CHECK(file.rfind("id,group,meeting,meeting_date,topic,typ,rubrik,", 0) == 0);
    CHECK(file.find(",status,verdict,owner_org,contact,due,reason,deferred_to,progress,overdue,stale,version\r\n") !=
          std::string::npos);
    CHECK(file.find("\"'=Orsaksanalys, \"\"Risbro\"\"\"") != std::string::npos);  // the formula guarded
    const auto items = read_bra_csv(file, *biweekly(), test_orgs);
    REQUIRE(items.size() == 2);
    CHECK(items[0].topic_id == "andt");
    CHECK(items[0].fields.at("rubrik") == "=Orsaksanalys, \"Risbro\"");
    CHECK(items[0].fields.at("beskrivning") == "rad 1\nrad 2");
    CHECK(items[0].fields.at("mal") == "");
    CHECK(items[0].state.status == bra_status::awaiting);
    CHECK(items[1].state.status == bra_status::approved);
    CHECK(items[1].state.owner_org == "polis");
    CHECK(items[1].state.due == "2020-03-01");  // overdue, and still imported: an open measure
    CHECK(items[1].state.deferred_to == "2026-01-10");
    CHECK(items[1].state.progress == bra_progress::red);

    // What the import makes of them is exported with the same cells but for the server's own columns.
    std::vector<json> again;
    for (const auto& it : items) again.push_back(it.to_json());
    auto cells_of = [](const std::string& text) {
        auto rows = csv::read(text);
        for (auto& r : rows) r.erase(r.begin(), r.begin() + 4);                 // id, group, meeting, meeting_date
        for (auto& r : rows) r.erase(r.end() - 3, r.end());                     // overdue, stale, version
        return rows;
    };
    // Fields that were empty in the list are empty strings after the import: the same cells.
    CHECK(cells_of(write_bra_csv(again, *biweekly())) == cells_of(file));
}

TEST_CASE("the import reads a spreadsheet's CSV: semicolons, LF, a byte order mark, columns in another order, blank rows",
          "[bra][csv]") {
    const std::string text = "\xEF\xBB\xBFstatus;topic;typ;rubrik;beskrivning;orsak;preventionsniva;inriktning;sikt;mal;"
                             "indikator;accepterat_av;realistiskt;klart_senast;agare;kontakt;till_bra;owner_org;contact;due\n"
                             "approved;ungdomar-skolor;;Fritidsgård öppen fredagar;;;;;;;;;;;;;ja;kommun;Eva;2027-01-31\n"
                             ";;;;;;;;;;;;;;;;;;;\n"
                             "done;ungdomar-skolor;;Belysning i parken;;;;;;;;;;;;;;kommun;Eva;2026-06-30\n";
    const auto items = read_bra_csv(text, *biweekly(), test_orgs);
    REQUIRE(items.size() == 2);
    CHECK(items[0].fields.at("rubrik") == "Fritidsgård öppen fredagar");
    CHECK(items[1].state.status == bra_status::done);
    CHECK(items[1].state.progress == bra_progress::done);
    CHECK(items[1].state.verdict == bra_verdict::approve);
}

TEST_CASE("one bad row refuses the whole file, naming the row as a spreadsheet counts it and the column",
          "[bra][csv]") {
    const std::map<std::string, std::string> ok = {{"topic", "andt"}, {"rubrik", "Kameror"}, {"status", "awaiting"}};
    auto with = [&](const std::string& column, const std::string& value) {
        auto cells = ok;
        cells[column] = value;
        return file_with(cells);
    };
    REQUIRE(read_bra_csv(file_with(ok), *biweekly(), test_orgs).size() == 1);
    CHECK(refused(with("status", "open")) ==
          "row 2, column status: 'open' is not a status: write one of awaiting, approved, rejected, deferred, done");
    CHECK(refused(with("status", "")) == "row 2, column status: every item needs a status: awaiting, approved, "
                                         "rejected, deferred or done");
    CHECK(refused(with("topic", "narkotika")) == "row 2, column topic: 'narkotika' is not a topic of the template");
    CHECK(refused(with("typ", "åtgärd")).rfind("row 2, column typ: 'åtgärd' is not one of the choices: ", 0) == 0);
    CHECK(refused(with("klart_senast", "2027-02-30")).rfind("row 2, column klart_senast: '2027-02-30' is not a day", 0) == 0);
    CHECK(refused(with("agare", "brandkaren")) == "row 2, column agare: 'brandkaren' is not one of the group's organisations");
    CHECK(refused(with("rubrik", std::string(201, 'x'))) == "row 2, column rubrik: the text is 201 characters; the limit is 200");
    CHECK(refused(with("rubrik", "a\x1b[31m")) == "row 2, column rubrik: the text holds control or bidirectional-override characters");
    CHECK(refused(with("verdict", "approve")) ==
          "row 2, column verdict: 'approve' does not fit the status 'awaiting' (an awaiting item has no verdict)");
    CHECK(refused(with("owner_org", "polis")) == "row 2, column owner_org: an item that is awaiting has none");

    auto approved = ok;
    approved.insert({{"status", "approved"}, {"owner_org", "polis"}, {"contact", "Anna"}, {"due", "2027-03-01"}});
    approved["status"] = "approved";
    auto approved_with = [&](const std::string& column, const std::string& value) {
        auto cells = approved;
        cells[column] = value;
        return file_with(cells);
    };
    REQUIRE(read_bra_csv(file_with(approved), *biweekly(), test_orgs).size() == 1);
    CHECK(refused(approved_with("owner_org", "brandkaren")) ==
          "row 2, column owner_org: 'brandkaren' is not one of the group's organisations");
    CHECK(refused(approved_with("owner_org", "")) == "row 2, column owner_org: an item that is approved needs it");
    CHECK(refused(approved_with("due", "1 mars")) ==
          "row 2, column due: '1 mars' is not a day: write a real calendar day as YYYY-MM-DD, e.g. 2027-03-01");
    CHECK(refused(approved_with("progress", "blue")) ==
          "row 2, column progress: 'blue' is not a follow-up: write one of green, yellow, red, done");
    CHECK(refused(approved_with("progress", "done")) ==
          "row 2, column progress: an approved item that is done has the status 'done'");
    CHECK(refused(with("status", "rejected")) == "row 2, column reason: an item that is rejected needs it");
    CHECK(refused(with("status", "deferred")) == "row 2, column deferred_to: an item that is deferred needs it");

    // The second item is bad: nothing of the file is taken.
    const std::string two = file_with(ok) + csv::row(std::vector<std::string>(bra_csv_header(*biweekly()).size(), "x"));
    CHECK(refused(two).rfind("row 3, column topic: 'x' is not a topic", 0) == 0);
    CHECK(refused(file_with(ok) + "andt,awaiting\r\n") == "row 3: 2 cells, but the header has 31");
    CHECK(refused("topic,status,rubrik\r\nandt,awaiting,x\r\n") == "row 1: the column 'typ' is missing");
    CHECK(refused("topic,status,colour\r\n") == "row 1, column 3: 'colour' is not a column of the BRÅ queue (see the "
                                                "header of GET /api/bra/items?format=csv)");
    CHECK(refused("topic,status,topic\r\n") == "row 1, column 3: 'topic' is there twice");
    CHECK(refused(header_line()) == "row 2: there are no items to import");
    CHECK(refused("") == "row 1: the file is empty: it needs the header row and a row per item");
    const std::string one_row = file_with(ok).substr(header_line().size());
    std::string many = header_line();
    for (int i = 0; i < 501; ++i) many += one_row;
    CHECK(refused(many) == "row 502: more than 500 items in one import");
}
