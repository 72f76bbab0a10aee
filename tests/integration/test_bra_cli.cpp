// est-cli and the BRÅ queue (issue 14): a script lists the queue, decides an item, comments on it and follows it up,
// and imports open measures from a file; every refusal is the server's error on standard error and exit 1.
#include <algorithm>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "bra_items.hpp"
#include "child_process.hpp"
#include "est/csv.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// est-cli ARGS --server <the fixture's server> --email <who's e-mail>, the password in EST_PASSWORD.
test::program_result est_cli(test::accounts_fixture& f, const std::string& who, std::vector<std::string> args) {
    args.insert(args.begin(), EST_CLI_BIN);
    args.insert(args.end(), {"--server", "http://" + f.server().host() + ":" + f.server().port(), "--email",
                             f.at(who).email});
    return test::run_program(args, {}, {"EST_PASSWORD=" + test::accounts_fixture::password_of(who)});
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.flush());
}

bool says(const test::program_result& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("est-cli lists the BRÅ queue, decides an item once, comments and follows it up", "[bra][cli][integration]") {
    test::accounts_fixture f(test::queue_people());
    test::meeting_with_items_closed(f);
    const std::string d1 = f.meeting() + ".andt.d1";

    const auto listed = est_cli(f, "bra_member", {"queue"});
    INFO(listed.output);
    REQUIRE(listed.exit_code == 0);
    CHECK(says(listed, d1 + "  awaiting  andt"));
    CHECK(says(listed, "Fördjupad kartläggning vid resecentrum"));
    CHECK_FALSE(says(listed, f.meeting() + ".andt.d3"));

    // Bifall, once: the second decision reads the new version and is refused as decided already.
    const std::vector<std::string> approve = {"decide", d1, "--approve", "--owner", "polis", "--contact",
                                              "Anna Berg, 0223-123 45", "--due", "2099-03-01"};
    const auto decided = est_cli(f, "bra_member", approve);
    INFO(decided.output);
    REQUIRE(decided.exit_code == 0);
    CHECK(says(decided, "status: approved (version 2)"));
    const auto again = est_cli(f, "bra_member", {"decide", d1, "--reject", "--reason", "Nej"});
    CHECK(again.exit_code == 1);
    CHECK(says(again, "409 wrong_state"));
    // The wrong person, an item that is not in the queue, a due date in the past: the server's error, exit 1.
    const auto chair = est_cli(f, "chair", approve);
    CHECK(chair.exit_code == 1);
    CHECK(says(chair, "403 forbidden"));
    const auto missing = est_cli(f, "bra_member", {"decide", f.meeting() + ".andt.d3", "--defer", "--to", "2099-01-20"});
    CHECK(missing.exit_code == 1);
    CHECK(says(missing, "404 not_found"));
    const auto past = est_cli(f, "bra_member", {"decide", f.meeting() + ".andt.d2", "--defer", "--to", "2001-01-20"});
    CHECK(past.exit_code == 1);
    CHECK(says(past, "400 bad_message"));
    // Usage: --approve without an owner never reaches the server.
    CHECK(est_cli(f, "bra_member", {"decide", d1, "--approve"}).exit_code == 2);

    CHECK(est_cli(f, "chair", {"comment", d1, "Följs upp på nästa möte"}).exit_code == 0);
    const auto no_note = est_cli(f, "participant_a", {"follow-up", d1, "--progress", "yellow"});
    CHECK(no_note.exit_code == 1);
    CHECK(says(no_note, "400 bad_message"));
    const auto followed = est_cli(f, "participant_a", {"follow-up", d1, "--progress", "green", "--text", "Enligt plan"});
    INFO(followed.output);
    CHECK(followed.exit_code == 0);
    CHECK(says(followed, "uppföljning / progress: green"));

    const auto now = est_cli(f, "participant_b", {"queue", "--group", f.group()});
    CHECK(says(now, d1 + "  approved  andt"));
    CHECK(says(now, "polis"));
    CHECK(says(now, "2099-03-01"));

    // The queue as CSV, changed in a spreadsheet and imported back as open measures; a bad file changes nothing.
    const auto csv = est_cli(f, "bra_member", {"queue", "--csv", "--group", f.group()});
    REQUIRE(csv.exit_code == 0);
    const auto columns = csv::read(csv.output).at(0);
    // An approved measure whose due date has passed: still open, and shown as overdue.
    const std::map<std::string, std::string> measure = {{"topic", "ovrigt"}, {"rubrik", "Trygghetsvandring i Norr"},
                                                        {"status", "approved"}, {"owner_org", "kommun"},
                                                        {"contact", "Eva Ek"}, {"due", "2020-01-31"}};
    std::vector<std::string> cells;
    for (const auto& c : columns) cells.push_back(measure.count(c) ? measure.at(c) : "");
    const std::string file = f.data_dir() + "/atgarder.csv";
    const std::string row = csv::row(columns) + csv::row(cells);
    write_file(file + ".bad", row + "not,enough\r\n");
    const auto bad = est_cli(f, "bra_member", {"import", file + ".bad", "--group", f.group()});
    CHECK(bad.exit_code == 1);
    CHECK(says(bad, "400 bad_message: row 3: 2 cells"));
    write_file(file, row);
    const auto imported = est_cli(f, "bra_member", {"import", file, "--group", f.group()});
    INFO(imported.output);
    REQUIRE(imported.exit_code == 0);
    CHECK(says(imported, "importerade / imported: 1 till / into " + f.group()));
    const auto after = est_cli(f, "bra_member", {"queue", "--csv"});
    CHECK(says(after, ",ovrigt,,Trygghetsvandring i Norr,"));
    CHECK(std::count(after.output.begin(), after.output.end(), '\n') == 4);  // the header, d1, d2 and the import
    const auto table = est_cli(f, "participant_b", {"queue"});
    INFO(table.output);
    CHECK(says(table, ".ovrigt.i1  approved  ovrigt      Trygghetsvandring i Norr"));
    CHECK(says(table, "kommun       2020-01-31  försenad\n"));
}
