// Sessions: only the token's hash is stored; idle and absolute expiry by an injected clock; ending one, all of an
// account's, and telling listeners.
#include "est/server/auth/session_table.hpp"

#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/store.hpp"

using namespace std::chrono_literals;
using est::server::store;
using est::server::auth::secret_token;
using est::server::auth::session_end;
using est::server::auth::session_info;
using est::server::auth::session_options;
using est::server::auth::session_table;

namespace {
// Sessions refer to accounts: a bare account row.
void add_account(store& db, const std::string& id) {
    est::server::account_row a;
    a.id = id;
    a.email = id + "@example.se";
    a.display_name = id;
    a.created_at = "2023-11-14T22:13:20.000Z";
    REQUIRE(est::test::wait_write([&](auto done) { db.put_account(a, done); }).empty());
}
}  // namespace

TEST_CASE("session_table stores only the token's SHA-256, never the token") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    std::string token;
    {
        store db(dir.db(), false);
        add_account(db, "a-1");
        session_table sessions(db, clock.fn());
        token = sessions.create("a-1").token;
        CHECK(token.size() == 43);
    }
    SQLite::Database raw(dir.db().string());
    SQLite::Statement s(raw, "SELECT token_hash, id FROM sessions");
    REQUIRE(s.executeStep());
    CHECK(s.getColumn(0).getString() == secret_token::hash(token));
    CHECK(s.getColumn(0).getString() != token);
    CHECK(s.getColumn(1).getString() != token);
}

TEST_CASE("session_table: a session lives until its idle or absolute expiry") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    add_account(db, "a-1");
    session_table sessions(db, clock.fn(), session_options{10h, 2h, 5min});
    std::vector<std::pair<std::string, session_end>> ended;
    sessions.subscribe([&](const session_info& s, session_end why) { ended.emplace_back(s.id, why); });

    SECTION("idle") {
        const auto s = sessions.create("a-1");
        clock.advance(1h + 59min);
        REQUIRE(sessions.validate(s.token));  // restarts the idle timer
        clock.advance(1h + 59min);
        REQUIRE(sessions.validate(s.token));
        clock.advance(2h);
        CHECK_FALSE(sessions.validate(s.token));
        REQUIRE(ended.size() == 1);
        CHECK(ended[0] == std::pair{s.info.id, session_end::expired});
        CHECK(sessions.size() == 0);
    }
    SECTION("absolute, however busy") {
        const auto s = sessions.create("a-1");
        for (int i = 0; i < 9; ++i) {
            clock.advance(1h);
            REQUIRE(sessions.validate(s.token));
        }
        clock.advance(59min);
        REQUIRE(sessions.validate(s.token));
        clock.advance(1min);
        CHECK_FALSE(sessions.validate(s.token));
    }
    SECTION("sweep ends what expired without anyone asking") {
        const auto a = sessions.create("a-1");
        clock.advance(1h);
        const auto b = sessions.create("a-1");
        clock.advance(1h + 30min);
        const auto before = sessions.generation();
        CHECK(sessions.sweep() == 1);
        CHECK(sessions.generation() == before + 1);
        CHECK_FALSE(sessions.validate(a.token));
        CHECK(sessions.validate(b.token));
    }
}

TEST_CASE("session_table: forged, unknown and malformed tokens are refused") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    add_account(db, "a-1");
    session_table sessions(db, clock.fn());
    const auto s = sessions.create("a-1");
    CHECK_FALSE(sessions.validate(secret_token::generate(32)));
    CHECK_FALSE(sessions.validate(secret_token::hash(s.token)));  // the stored value does not sign in
    CHECK_FALSE(sessions.validate(""));
    CHECK_FALSE(sessions.validate(std::string(10000, 'A')));
    CHECK_FALSE(sessions.validate(s.token.substr(0, 42) + "'"));
    CHECK(sessions.validate(s.token));
}

TEST_CASE("session_table ends one session, or all of an account's, and tells listeners") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    add_account(db, "a-1");
    add_account(db, "a-2");
    session_table sessions(db, clock.fn());
    std::vector<std::pair<std::string, session_end>> ended;
    const auto sub = sessions.subscribe([&](const session_info& s, session_end why) { ended.emplace_back(s.id, why); });
    const auto one = sessions.create("a-1"), two = sessions.create("a-1"), other = sessions.create("a-2");

    CHECK(sessions.end(one.token, session_end::signed_out));
    CHECK_FALSE(sessions.end(one.token, session_end::signed_out));  // replayed
    CHECK_FALSE(sessions.validate(one.token));
    CHECK(sessions.validate(two.token));
    CHECK(sessions.end_all_of("a-1", session_end::signed_out_everywhere) == 1);
    CHECK_FALSE(sessions.validate(two.token));
    CHECK(sessions.validate(other.token));
    REQUIRE(ended.size() == 2);
    CHECK(ended[0] == std::pair{one.info.id, session_end::signed_out});
    CHECK(ended[1] == std::pair{two.info.id, session_end::signed_out_everywhere});
    CHECK(sessions.end_by_id(other.info.id, session_end::revoked));
    CHECK(ended.size() == 3);
    sessions.unsubscribe(sub);
    const auto again = sessions.create("a-2");
    CHECK(sessions.end(again.token, session_end::signed_out));
    CHECK(ended.size() == 3);
    CHECK(sessions.generation() == 4);
}

TEST_CASE("session_table: sessions outlive a restart, ended ones do not") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    std::string kept, gone;
    {
        store db(dir.db(), false);
        add_account(db, "a-1");
        session_table sessions(db, clock.fn());
        kept = sessions.create("a-1").token;
        gone = sessions.create("a-1").token;
        sessions.end(gone, session_end::signed_out);
    }
    store db(dir.db(), false);
    session_table sessions(db, clock.fn());
    sessions.load();
    CHECK(sessions.validate(kept));
    CHECK_FALSE(sessions.validate(gone));
    clock.advance(11h);
    session_table later(db, clock.fn());
    later.load();
    CHECK(later.size() == 0);
}
