// Migration 2 (identity) on a database from before it: it opens, its meetings stay, the new tables are there.
#include "est/server/store.hpp"

#include <future>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/auth/account_directory.hpp"
#include "est/server/auth/audit_log.hpp"

using est::server::store;

namespace {
// The schema as the store before issue 12 made it (migration 1, user_version 1), with one meeting in it.
void make_version_1_database(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(R"sql(
    CREATE TABLE groups (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE meetings (id TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups(id),
                           meta TEXT NOT NULL, template TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE ops (meeting_id TEXT NOT NULL, rev INTEGER NOT NULL, client TEXT NOT NULL, seq INTEGER NOT NULL,
                      author TEXT NOT NULL, change TEXT NOT NULL,
                      at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                      PRIMARY KEY (meeting_id, rev)) WITHOUT ROWID;
    CREATE TABLE snapshots (meeting_id TEXT PRIMARY KEY, rev INTEGER NOT NULL, state TEXT NOT NULL) WITHOUT ROWID;
    PRAGMA user_version = 1;
    INSERT INTO groups VALUES ('fagersta', '{"id":"fagersta","name":"EST-gruppen Fagersta"}');
    INSERT INTO meetings VALUES ('fagersta-v47', 'fagersta', '{"title":"EST-möte vecka 47"}', '{"id":"t"}');
    INSERT INTO snapshots VALUES ('fagersta-v47', 2, '{"state":"at 2"}');
    INSERT INTO ops (meeting_id, rev, client, seq, author, change) VALUES
        ('fagersta-v47', 1, 'k-1', 1, '{"name":"A"}', '{"n":1}'),
        ('fagersta-v47', 2, 'k-1', 2, '{"name":"A"}', '{"n":2}'),
        ('fagersta-v47', 3, 'k-1', 3, '{"name":"A"}', '{"n":3}');
    )sql");
}
}  // namespace

TEST_CASE("store migrates a database from before identity and keeps its meetings") {
    est::test::temp_folder dir;
    make_version_1_database(dir.db());
    {
        store db(dir.db(), false);
        const auto meetings = db.meetings();
        REQUIRE(meetings.size() == 1);
        CHECK(meetings[0].id == "fagersta-v47");
        CHECK(meetings[0].meta == R"({"title":"EST-möte vecka 47"})");
        std::promise<std::optional<est::server::loaded_meeting>> p;
        db.load_meeting("fagersta-v47", 100, 1 << 20, {}, [&](auto lm, const std::string& err) {
            REQUIRE(err.empty());
            p.set_value(std::move(lm));
        });
        const auto lm = p.get_future().get();
        REQUIRE(lm);
        CHECK(lm->snapshot == R"({"state":"at 2"})");
        CHECK(lm->ops.size() == 3);
        CHECK(db.groups().size() == 1);
        // The new tables work.
        CHECK(db.accounts().empty());
        est::test::manual_clock clock;
        est::server::auth::account_directory dir_(db, clock.fn());
        dir_.load();
        const auto a = dir_.create("Anna@Polisen.se", "Anna", false, "");
        dir_.put_membership(a.id, est::test::fagersta(db), est::role::participant, "polis");
        est::server::auth::audit_log(db, clock.fn()).record_durable("", "local", "account.create", a.id);
        // After compacting what was closed before compaction, the server rebuilds the file (VACUUM).
        db.vacuum();
    }
    SQLite::Database raw(dir.db().string());
    CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 9);  // and on to the latest (9: meeting epochs)
    CHECK(raw.execAndGet("SELECT count(*) FROM ops").getInt() == 3);
    CHECK(raw.execAndGet("SELECT email FROM accounts").getString() == "anna@polisen.se");
    CHECK(raw.execAndGet("SELECT count(*) FROM audit_log").getInt() == 1);
    // Opening again runs no migration twice.
    store again(dir.db(), false);
    CHECK(again.meetings().size() == 1);
    CHECK(again.accounts().size() == 1);
}
