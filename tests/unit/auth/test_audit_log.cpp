// The audit log's hash chain: intact, a changed row, a removed row, rows cut off the end.
#include "est/server/auth/audit_log.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/store.hpp"

using est::server::audit_row;
using est::server::store;
using est::server::auth::audit_log;

namespace {
void write_rows(const std::filesystem::path& file, int n) {
    est::test::manual_clock clock;
    store db(file, false);
    audit_log log(db, clock.fn());
    for (int i = 1; i <= n; ++i) {
        clock.advance(std::chrono::seconds(1));
        log.record_durable(i % 2 ? "a-1" : "", "10.0.0." + std::to_string(i), "sign_in", "a-1",
                           {{"session", "s-" + std::to_string(i)}, {"note", "<script>'; DROP TABLE x;--"}});
    }
}

// What an attacker with the file would do: the triggers that keep the log append-only go first.
void tamper(const std::filesystem::path& file, const std::string& sql) {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE);
    raw.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    raw.exec(sql);
}

audit_log::verification verify(const std::filesystem::path& file) {
    store db(file, false);
    return audit_log(db, est::server::auth::system_clock_fn()).verify();
}
}  // namespace

TEST_CASE("audit_log chains each row to the one before") {
    est::test::temp_folder dir;
    write_rows(dir.db(), 5);
    store db(dir.db(), false);
    std::vector<audit_row> rows;
    db.read_audit([&](const audit_row& r) { rows.push_back(r); });
    REQUIRE(rows.size() == 5);
    CHECK(rows[0].prev_hash == std::string(64, '0'));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        CHECK(rows[i].seq == i + 1);
        CHECK(rows[i].hash == audit_log::hash_of(rows[i]));
        if (i) CHECK(rows[i].prev_hash == rows[i - 1].hash);
    }
    CHECK(rows[1].actor.empty());
    CHECK(rows[2].address == "10.0.0.3");
    CHECK(rows[0].at == "2023-11-14T22:13:21.000Z");
    const auto v = audit_log(db, est::server::auth::system_clock_fn()).verify();
    CHECK(v.ok);
    CHECK(v.rows == 5);
}

TEST_CASE("audit_log's canonical encoding cannot be shifted between fields") {
    audit_row a, b;
    a.seq = b.seq = 1;
    a.actor = "ab";
    a.address = "c";
    b.actor = "a";
    b.address = "bc";
    CHECK(audit_log::hash_of(a) != audit_log::hash_of(b));
}

TEST_CASE("audit_log: the database refuses to change or delete a row") {
    est::test::temp_folder dir;
    write_rows(dir.db(), 2);
    SQLite::Database raw(dir.db().string(), SQLite::OPEN_READWRITE);
    CHECK_THROWS(raw.exec("UPDATE audit_log SET actor = 'a-2' WHERE seq = 1"));
    CHECK_THROWS(raw.exec("DELETE FROM audit_log WHERE seq = 2"));
}

TEST_CASE("audit_log::verify finds a changed row") {
    est::test::temp_folder dir;
    write_rows(dir.db(), 5);
    SECTION("its content") {
        tamper(dir.db(), "UPDATE audit_log SET address = '10.9.9.9' WHERE seq = 3");
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 3);
    }
    SECTION("its content and its own hash, recomputed") {
        tamper(dir.db(), "UPDATE audit_log SET detail = '{}' WHERE seq = 2");
        {
            store db(dir.db(), false);
            audit_row r;
            db.read_audit([&](const audit_row& x) {
                if (x.seq == 2) r = x;
            });
            SQLite::Database raw(dir.db().string(), SQLite::OPEN_READWRITE);
            SQLite::Statement s(raw, "UPDATE audit_log SET hash = ? WHERE seq = 2");
            s.bind(1, audit_log::hash_of(r));
            s.exec();
        }
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 3);  // the next row's link breaks
    }
}

TEST_CASE("audit_log::verify finds a removed row") {
    est::test::temp_folder dir;
    write_rows(dir.db(), 5);
    SECTION("in the middle") {
        tamper(dir.db(), "DELETE FROM audit_log WHERE seq = 3");
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 3);
    }
    SECTION("in the middle, the later ones renumbered") {
        tamper(dir.db(), "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; "
               "UPDATE audit_log SET seq = 4 WHERE seq = 5");
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 3);
    }
    SECTION("at the end") {
        tamper(dir.db(), "DELETE FROM audit_log WHERE seq >= 4");
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 4);
    }
    SECTION("the first") {
        tamper(dir.db(), "DELETE FROM audit_log WHERE seq = 1");
        const auto v = verify(dir.db());
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == 1);
    }
}

TEST_CASE("audit_log: appends after a reopen continue the chain") {
    est::test::temp_folder dir;
    write_rows(dir.db(), 2);
    write_rows(dir.db(), 2);
    const auto v = verify(dir.db());
    CHECK(v.ok);
    CHECK(v.rows == 4);
}
