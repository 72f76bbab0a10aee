// Accounts and memberships: normalised unique e-mail, one role per group, several groups, written through.
#include "est/server/auth/account_directory.hpp"

#include <nlohmann/json.hpp>
#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/store.hpp"

using est::role;
using est::server::store;
using est::server::auth::account_directory;
using est::test::error_code_of;

TEST_CASE("account_directory normalises e-mail addresses and refuses malformed ones") {
    CHECK(account_directory::normalise_email("  Anna.Berg@Fagersta.SE ") == "anna.berg@fagersta.se");
    for (const char* bad : {"", "anna", "@fagersta.se", "anna@", "anna@fagersta", "an na@fagersta.se",
                            "anna@@fagersta.se", "a@b@fagersta.se", "<script>@x.se", "anna@fagersta.se.", "anna@.se"})
        CHECK(error_code_of([&] { account_directory::normalise_email(bad); }) == "bad_message");
}

TEST_CASE("account_directory: one account per e-mail, several groups, one role in each") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    const auto g = est::test::fagersta(db);
    est::group other = g;
    other.id = "angered";
    REQUIRE(est::test::wait_write([&](auto done) { db.put_group({"angered", "{}"}, done); }).empty());
    account_directory accounts(db, clock.fn());
    int changes = 0;
    accounts.subscribe([&](const est::server::auth::account&) { ++changes; });

    const auto a = accounts.create("Anna@Polisen.se", "Anna Berg", false, "$argon2id$x");
    CHECK(a.id.rfind("a-", 0) == 0);
    CHECK(a.email == "anna@polisen.se");
    CHECK(error_code_of([&] { accounts.create("ANNA@polisen.se", "Anna igen", false, ""); }) == "conflict");
    CHECK(error_code_of([&] { accounts.create("b@polisen.se", "", false, ""); }) == "bad_message");

    accounts.put_membership(a.id, g, role::participant, "polis");
    accounts.put_membership(a.id, other, role::chair, "");
    CHECK(error_code_of([&] { accounts.put_membership(a.id, g, role::participant, "skola"); }) == "bad_message");
    CHECK(error_code_of([&] { accounts.put_membership(a.id, g, role::cosigner, ""); }) == "bad_message");
    CHECK(error_code_of([&] { accounts.put_membership(a.id, g, role::chair, "brandkar"); }) == "bad_message");
    CHECK(error_code_of([&] { accounts.put_membership(a.id, g, role::bra_member, "polis"); }) == "bad_message");
    CHECK(error_code_of([&] { accounts.put_membership(a.id, g, role::admin, "polis"); }) == "bad_message");
    accounts.put_membership(a.id, g, role::chair, "polis");  // a chair may speak for one of the group's organisations
    CHECK(accounts.find(a.id)->membership_of("fagersta")->org == "polis");
    accounts.put_membership(a.id, g, role::cosigner, "polis");  // replaces the participant role
    const auto now = *accounts.find_by_email("anna@POLISEN.se");
    REQUIRE(now.memberships.size() == 2);
    CHECK(now.membership_of("fagersta")->role == role::cosigner);
    CHECK(now.membership_of("angered")->role == role::chair);
    CHECK(now.to_json().dump().find("argon2id") == std::string::npos);
    accounts.remove_membership(a.id, "angered");
    accounts.set_disabled(a.id, true);
    accounts.set_external_identity(a.id, est::server::auth::external_identity{"https://idp.example", "sub-1"});
    CHECK(changes == 8);

    // All of it came from the store, not only memory.
    account_directory loaded(db, clock.fn());
    loaded.load();
    const auto back = loaded.find(a.id);
    REQUIRE(back);
    CHECK(back->disabled);
    CHECK(back->password_hash == "$argon2id$x");
    REQUIRE(back->memberships.size() == 1);
    CHECK(back->memberships[0].org == "polis");
    CHECK(loaded.find_by_external("https://idp.example", "sub-1"));
    CHECK(loaded.members_of("fagersta").size() == 1);
}

TEST_CASE("account_directory: SQL metacharacters and markup are kept as text") {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db(dir.db(), false);
    account_directory accounts(db, clock.fn());
    const auto a = accounts.create("o'brien@x.se", "Robert'); DROP TABLE accounts;-- <script>alert(1)</script>", false, "");
    account_directory loaded(db, clock.fn());
    loaded.load();
    CHECK(loaded.find(a.id)->display_name == "Robert'); DROP TABLE accounts;-- <script>alert(1)</script>");
    CHECK(loaded.find_by_email("O'Brien@x.se"));
}

TEST_CASE("account_directory: a name may not hold bidi or C1 control characters, as the meeting's text may not") {
    // U+202E RIGHT-TO-LEFT OVERRIDE would show "Anna\u202Eredoc" as "Annacoder" read backwards in every list.
    for (const char* bad : {"Anna\xE2\x80\xAE" "redoc", "Anna\xE2\x80\xAA", "Anna\xE2\x81\xA6x", "Anna\xE2\x81\xA9",
                            "Anna\xC2\x85", "Anna\xC2\x9B" "31m", "Anna\x7F", "Anna\x1B", "Anna\tBerg", "Anna\nBerg",
                            "Anna\xFF"})
        CHECK(error_code_of([&] { account_directory::normalise_name(bad); }) == "bad_message");
    // Letters of any script, and the direction marks U+200E/U+200F, are names.
    CHECK(account_directory::normalise_name(" Åsa Öberg ") == "Åsa Öberg");
    CHECK(account_directory::normalise_name("\xD8\xB3\xD8\xA7\xD8\xB1\xD8\xA9\xE2\x80\x8F") == "\xD8\xB3\xD8\xA7\xD8\xB1\xD8\xA9\xE2\x80\x8F");
}
