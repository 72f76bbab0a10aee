// Invitations and reset links: single use (also raced), expiry, only the hash stored.
#include "est/server/auth/invitation_book.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/store.hpp"

using namespace std::chrono_literals;
using est::role;
using est::server::store;
using est::server::auth::invitation_book;
using est::server::auth::invitation_kind;
using est::server::auth::secret_token;
using est::test::error_code_of;

TEST_CASE("invitation_book: an invitation works once") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    invitation_book book(db, clock.fn());
    const auto issued = book.invite("anna@polisen.se", "fagersta", role::participant, "polis", "a-admin");
    CHECK(issued.token.size() >= 22);  // at least 128 bits
    CHECK(issued.info.expires_at == issued.info.created_at + 7 * 24h);
    const auto found = book.find(issued.token);
    REQUIRE(found);
    CHECK(found->email == "anna@polisen.se");
    const auto used = book.redeem(issued.token);
    CHECK(used.group_id == "fagersta");
    CHECK(used.role == role::participant);
    CHECK(used.org == "polis");
    CHECK(error_code_of([&] { book.redeem(issued.token); }) == "invalid_token");
    CHECK_FALSE(book.find(issued.token));
    CHECK(error_code_of([&] { book.redeem(secret_token::generate(32)); }) == "invalid_token");  // guessed
    CHECK(error_code_of([&] { book.redeem("not a token"); }) == "invalid_token");
}

TEST_CASE("invitation_book: of many racing redeems exactly one wins") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    invitation_book book(db, clock.fn());
    const auto issued = book.invite("anna@polisen.se", "fagersta", role::chair, "", "");
    std::atomic<int> won{0}, refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            try {
                book.redeem(issued.token);
                ++won;
            } catch (const est::domain_error&) {
                ++refused;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(won == 1);
    CHECK(refused == 7);
}

TEST_CASE("invitation_book: an invitation expires") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    invitation_book book(db, clock.fn(), {24h, 1h});
    const auto invite = book.invite("anna@polisen.se", "fagersta", role::participant, "polis", "");
    const auto reset = book.reset("a-1", "anna@polisen.se", "");
    clock.advance(1h);
    CHECK(error_code_of([&] { book.redeem(reset.token); }) == "invalid_token");
    clock.advance(22h + 59min);
    CHECK(book.find(invite.token));
    clock.advance(1min);
    CHECK_FALSE(book.find(invite.token));
    CHECK(error_code_of([&] { book.redeem(invite.token); }) == "invalid_token");
}

TEST_CASE("invitation_book: only hashes are stored, used ones stay used after a restart") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    std::string used, open;
    {
        store db(dir.db(), false);
        invitation_book book(db, clock.fn());
        used = book.invite("a@example.se", "fagersta", role::bra_member, "", "").token;
        open = book.reset("a-1", "b@example.se", "").token;
        book.redeem(used);
    }
    {
        SQLite::Database raw(dir.db().string());
        SQLite::Statement s(raw, "SELECT token_hash FROM invitations");
        int rows = 0;
        while (s.executeStep()) {
            ++rows;
            const auto h = s.getColumn(0).getString();
            CHECK((h == secret_token::hash(used) || h == secret_token::hash(open)));
        }
        CHECK(rows == 2);
    }
    store db(dir.db(), false);
    invitation_book book(db, clock.fn());
    book.load();
    CHECK(book.size() == 1);
    CHECK_FALSE(book.find(used));
    REQUIRE(book.find(open));
    CHECK(book.find(open)->kind == invitation_kind::reset);
    // Another process redeeming the same token first is caught by the database.
    invitation_book other(db, clock.fn());
    other.load();
    other.redeem(open);
    CHECK(error_code_of([&] { book.redeem(open); }) == "invalid_token");
}
