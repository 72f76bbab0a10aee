// Issue 15's storage half through the real server. Compaction: once a meeting is closed its op log is replaced by
// the signed picture, so a personal identity number typed and deleted during the meeting is in neither the database
// file nor its WAL afterwards (searched byte by byte), and the closed meeting loads, exports and verifies as before.
// Retention: past its group's retention_months a closed meeting is purged — its text gone, its closing and the
// group's chain kept, an audit row written, joining and exporting it refused with `purged`, its BRÅ items kept.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "accounts_fixture.hpp"
#include "bra_items.hpp"
#include "child_process.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// A valid personnummer (Skatteverket's test number): typed, then deleted, during the meeting.
const std::u16string typed_number = u"19121212-1212";

std::string move(test::accounts_fixture& f, const std::string& who, const std::string& meeting, const json& body) {
    return test::answer_of(f.at(who).http.post("/api/meetings/" + meeting + "/lifecycle", body));
}

json exported(test::accounts_fixture& f, const std::string& meeting, const std::string& format = "json") {
    const auto r = f.at("chair").http.get("/api/meetings/" + meeting + "/export?format=" + format);
    REQUIRE(r.status == 200);
    return format == "json" ? json::parse(r.body) : json(r.body);
}

// Opens (a draft), locks, signs as the chair and the co-signer, and closes the fixture's meeting.
void sign_off(test::accounts_fixture& f) {
    const std::string& m = f.meeting();
    if (exported(f, m).at("lifecycle").at("phase") == "draft") REQUIRE(move(f, "chair", m, {{"action", "open"}}) == "200");
    REQUIRE(move(f, "chair", m, {{"action", "lock_picture"}}) == "200");
    for (const char* who : {"chair", "cosigner"}) {
        const json now = exported(f, m);
        REQUIRE(move(f, who, m, {{"action", "sign"}, {"rev", now.at("rev")}, {"digest", now.at("digest")},
                                 {"password", test::accounts_fixture::password_of(who)}}) == "200");
    }
    REQUIRE(move(f, "chair", m, {{"action", "close"}}) == "200");
}

// participant_a writes `text` into a new entry of theirs in "andt" of the fixture's meeting (one change, as a paste
// is); with `remove`, deletes it again in a second change. Opens the meeting first when it is a draft.
void type_into_meeting(test::accounts_fixture& f, const std::u16string& text, const std::u16string& remove = {}) {
    if (exported(f, f.meeting()).at("lifecycle").at("phase") == "draft")
        REQUIRE(move(f, "chair", f.meeting(), {{"action", "open"}}) == "200");
    boost::asio::io_context ioc;
    test::live_member m(ioc, f.live_options(f.at("participant_a")));
    REQUIRE(m.join() == "allowed");
    const field_ref handelse{"andt", "polis", "e1", "handelse"};
    REQUIRE(m.apply(add_entry_change{"andt", "polis", "e1"}) == "allowed");
    REQUIRE(m.append(handelse, text) == "allowed");
    if (remove.empty()) return;
    const std::u16string now = m.client().replica().visible_text(handelse);
    const auto at = now.find(remove);
    REQUIRE(at != std::u16string::npos);
    text_operation cut;
    cut.retain(at).remove(remove.size()).retain(now.size() - at - remove.size());
    m.client().edit_text(handelse, cut);
    REQUIRE(client::run_until(ioc, [&] { return m.client().replica().idle() || !m.client().connected(); }));
    REQUIRE(m.client().replica().visible_text(handelse).find(remove) == std::u16string::npos);
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string utf16le(std::u16string_view s) {
    std::string out;
    for (char16_t c : s) {
        out.push_back(static_cast<char>(c & 0xFF));
        out.push_back(static_cast<char>(c >> 8));
    }
    return out;
}

std::string utf8(std::u16string_view s) {  // ASCII and Latin-1 only: enough for what these tests type
    std::string out;
    for (char16_t c : s) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

// Where the database holds `text` (UTF-8, or UTF-16 either way round), byte by byte: "est.sqlite3", "-wal"
// or "" when nowhere.
std::string where_in_database(const std::string& data_dir, std::u16string_view text) {
    const std::filesystem::path db = std::filesystem::path(data_dir) / "est.sqlite3";
    std::u16string swapped;
    for (char16_t c : text) swapped.push_back(static_cast<char16_t>((c << 8) | (c >> 8)));
    for (const auto& [name, path] : {std::pair<std::string, std::filesystem::path>{"est.sqlite3", db},
                                     {"-wal", db.string() + "-wal"}}) {
        const std::string bytes = file_bytes(path);
        for (const std::string& needle : {utf8(text), utf16le(text), utf16le(swapped)})
            if (bytes.find(needle) != std::string::npos) return name;
    }
    return "";
}

test::program_result est_cli(test::accounts_fixture& f, std::vector<std::string> args, const std::string& who = "chair") {
    args.insert(args.begin(), EST_CLI_BIN);
    args.insert(args.end(), {"--server", "http://" + f.server().host() + ":" + f.server().port(), "--email", f.at(who).email});
    return test::run_program(args, {}, {"EST_PASSWORD=" + test::accounts_fixture::password_of(who)});
}

std::int64_t count(SQLite::Database& db, const std::string& sql, const std::string& meeting) {
    SQLite::Statement q(db, sql);
    q.bind(1, meeting);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getInt64();
}

test::accounts_fixture::options people(std::vector<std::string> server_args = {}) {
    test::accounts_fixture::options o = test::queue_people();
    o.server_args = std::move(server_args);
    return o;
}

}  // namespace

TEST_CASE("compaction after close: a number typed and deleted during the meeting is not in the database file afterwards",
          "[retention][compaction][integration]") {
    test::accounts_fixture f(people());
    type_into_meeting(f, u"Anmälan gäller " + typed_number + u" på Storgatan.", typed_number);
    sign_off(f);
    const json before = exported(f, f.meeting());
    REQUIRE(before.at("lifecycle").at("phase") == "closed");
    const std::string dir = f.data_dir();
    const std::string html = dir + "/closed.html";
    {
        std::ofstream out(html, std::ios::binary);
        out << exported(f, f.meeting(), "html").get<std::string>();
    }
    REQUIRE(f.server().terminate() == 0);

    // Nowhere in the file nor in the WAL, in no encoding; what stayed in the picture is still there.
    CHECK(where_in_database(dir, typed_number) == "");
    CHECK(where_in_database(dir, u"19121212") == "");
    CHECK(where_in_database(dir, u"1212121212") == "");
    CHECK(where_in_database(dir, u"Storgatan") == "est.sqlite3");
    {
        SQLite::Database db(dir + "/est.sqlite3", SQLite::OPEN_READWRITE);
        // One snapshot at the closing's revision, no op log.
        CHECK(count(db, "SELECT count(*) FROM ops WHERE meeting_id = ?", f.meeting()) == 0);
        CHECK(count(db, "SELECT count(*) FROM snapshots s JOIN closings c USING (meeting_id) "
                        "WHERE meeting_id = ? AND s.rev = c.rev", f.meeting()) == 1);
        // Nothing else gets through the triggers: the snapshot is neither deleted nor replaced without a purge.
        for (const std::string sql : {"DELETE FROM snapshots WHERE meeting_id = '" + f.meeting() + "'",
                                      "UPDATE snapshots SET state = '{}' WHERE meeting_id = '" + f.meeting() + "'",
                                      "INSERT OR REPLACE INTO snapshots (meeting_id, rev, state) SELECT meeting_id, rev, "
                                      "state FROM snapshots WHERE meeting_id = '" + f.meeting() + "'"}) {
            INFO(sql);
            CHECK_THROWS_WITH(db.exec(sql), Catch::Contains("closed"));
        }
    }

    // After a restart the closed meeting loads, exports and verifies as it did.
    f.restart();
    const json after = exported(f, f.meeting());
    for (const char* key : {"picture", "digest", "rev", "lifecycle", "meeting"}) {
        INFO(key);
        CHECK(after.at(key) == before.at(key));
    }
    {
        boost::asio::io_context ioc;
        test::live_member late(ioc, f.live_options(f.at("participant_b")));
        REQUIRE(late.join() == "allowed");
        CHECK(late.welcome().at("lifecycle").at("phase") == "closed");
        CHECK(late.welcome().at("rev") == before.at("rev"));
    }
    const auto verified = est_cli(f, {"verify", html});
    INFO(verified.output);
    CHECK(verified.exit_code == 0);
    const auto chain = est_cli(f, {"verify", "--chain", f.group()});
    INFO(chain.output);
    CHECK(chain.exit_code == 0);
}

TEST_CASE("with --no-compact-closed the op log keeps a number typed and deleted: what the compaction test would find",
          "[retention][compaction][integration]") {
    test::accounts_fixture f(people({"--no-compact-closed"}));
    type_into_meeting(f, u"Anmälan gäller " + typed_number + u" på Storgatan.", typed_number);
    sign_off(f);
    REQUIRE(f.server().terminate() == 0);
    CHECK(where_in_database(f.data_dir(), typed_number) == "est.sqlite3");

    // Started again with compaction on, the server compacts what was closed before, and the number goes.
    f.restart({"--compact-closed"});
    REQUIRE(f.server().terminate() == 0);
    CHECK(where_in_database(f.data_dir(), typed_number) == "");
}

TEST_CASE("retention: a closed meeting past its group's retention is purged, its closing and chain kept, and refused "
          "with purged", "[retention][integration]") {
    test::accounts_fixture f(people());
    const std::string settings = "/api/groups/" + f.group() + "/settings";
    // Only an administrator sets it; a bad value changes nothing.
    CHECK(test::answer_of(f.at("chair").http.put(settings, {{"retention_months", 1}})) == "403 forbidden");
    CHECK(test::answer_of(f.at("server_admin").http.put(settings, {{"retention_months", 241}})) == "400 bad_message");
    CHECK(test::answer_of(f.at("server_admin").http.put(settings, {{"retention_months", "1"}})) == "400 bad_message");
    const auto set = f.at("server_admin").http.put(settings, {{"retention_months", 1}});
    REQUIRE(set.status == 200);
    CHECK(json::parse(set.body).at("retention_months") == 1);
    CHECK(json::parse(set.body).at("signers") == json{"chair", "cosigner"});  // the other setting as it was
    {
        const json audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=1").body);
        REQUIRE(audit.size() == 1);
        CHECK(audit[0].at("action") == "group.settings");
        CHECK(audit[0].at("detail").at("retention_months") == 1);
        CHECK(audit[0].at("detail").at("retention_months_before") == 0);
    }

    type_into_meeting(f, u"Klotter vid skolan, anmält av vaktmästaren.");
    test::meeting_with_items_closed(f);
    const std::string closed = f.meeting();
    // A meeting that is not closed is never purged, however old.
    const auto draft = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"title", "Nästa möte"}});
    REQUIRE(draft.status == 201);
    const std::string open = json::parse(draft.body).at("id");

    // Nothing has expired yet: a restart purges nothing.
    f.restart();
    CHECK(f.at("chair").http.get("/api/meetings/" + closed).status == 200);
    CHECK_FALSE(json::parse(f.at("chair").http.get("/api/meetings/" + closed).body).contains("purged_at"));
    CHECK(exported(f, closed).at("lifecycle").at("phase") == "closed");

    // Forty days on, the sweep at start purges it.
    f.restart({"--retention-clock-offset-days", "40"});
    const json listed = json::parse(f.at("chair").http.get("/api/meetings/" + closed).body);
    CHECK(listed.at("state") == "closed");
    CHECK(listed.at("purged_at").get<std::string>().size() >= 20);
    const json page = json::parse(f.at("chair").http.get("/api/groups/" + f.group() + "/meetings").body);
    bool shown = false;
    for (const auto& m : page)
        if (m.at("id") == closed) shown = m.contains("purged_at");
    CHECK(shown);
    CHECK(test::answer_of(f.at("chair").http.get("/api/meetings/" + open)) == "200");
    CHECK_FALSE(json::parse(f.at("chair").http.get("/api/meetings/" + open).body).contains("purged_at"));

    // Export, moves and corrections: 410 purged; joining: the error purged.
    const auto gone = f.at("chair").http.get("/api/meetings/" + closed + "/export?format=json");
    CHECK(test::answer_of(gone) == "410 purged");
    CHECK_THAT(json::parse(gone.body).at("message").get<std::string>(), Catch::Contains("purged"));
    CHECK(move(f, "chair", closed, {{"action", "lock_picture"}}) == "410 purged");
    CHECK(test::answer_of(f.at("chair").http.post("/api/meetings/" + closed + "/correction", json::object())) ==
          "410 purged");
    {
        boost::asio::io_context ioc;
        test::live_member late(ioc, f.live_options(f.at("participant_b"), closed));
        CHECK(late.join() == "purged");
    }

    // The audit log says who purged what, and why.
    const json audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=20").body);
    const json* purge = nullptr;
    for (const auto& row : audit)
        if (row.at("action") == "meeting.purged" && row.at("subject") == closed) purge = &row;
    REQUIRE(purge);
    CHECK(purge->at("actor") == "server");
    CHECK(purge->at("detail").at("group") == f.group());
    CHECK(purge->at("detail").at("sequence") == 1);
    CHECK(purge->at("detail").at("retention_months") == 1);
    CHECK(purge->at("detail").at("bra_items_kept") == 2);

    // The decision items it sent to BRÅ stay in the queue, with their text.
    const json items = json::parse(f.at("bra_member").http.get("/api/bra/items").body).at("items");
    REQUIRE(items.size() == 2);
    for (const auto& item : items) CHECK(item.at("fields").at("rubrik") == "Fördjupad kartläggning vid resecentrum");

    // The group's chain still verifies: the closing is kept.
    const auto chain = est_cli(f, {"verify", "--chain", f.group()});
    INFO(chain.output);
    CHECK(chain.exit_code == 0);
    CHECK_THAT(chain.output, Catch::Contains("INTAKT / INTACT"));
    const auto verified = test::run_program({EST_SERVER_BIN, "audit", "verify", "--data", f.data_dir()});
    CHECK(verified.exit_code == 0);

    // Its text is gone from the file; its row and closing are not; nothing but a purge deletes a closed snapshot.
    REQUIRE(f.server().terminate() == 0);
    CHECK(where_in_database(f.data_dir(), u"Klotter vid skolan") == "");
    SQLite::Database db(f.data_dir() + "/est.sqlite3", SQLite::OPEN_READWRITE);
    CHECK(count(db, "SELECT count(*) FROM ops WHERE meeting_id = ?", closed) == 0);
    CHECK(count(db, "SELECT count(*) FROM snapshots WHERE meeting_id = ?", closed) == 0);
    CHECK(count(db, "SELECT count(*) FROM meetings WHERE id = ?", closed) == 1);
    CHECK(count(db, "SELECT count(*) FROM closings WHERE meeting_id = ?", closed) == 1);
    CHECK(count(db, "SELECT count(*) FROM purges WHERE meeting_id = ?", closed) == 1);
    CHECK_THROWS_WITH(db.exec("DELETE FROM purges"), Catch::Contains("final"));
    CHECK_THROWS_WITH(db.exec("DELETE FROM closings"), Catch::Contains("cannot change"));
    CHECK_THROWS_WITH(db.exec("INSERT INTO snapshots (meeting_id, rev, state) VALUES ('" + closed + "', 1, '{}')"),
                      Catch::Contains("closed"));
}
