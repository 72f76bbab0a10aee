// The flows the network layer will call: sign-in (throttled, same answer for unknown e-mails), rotation, sign out,
// invitations, resets, disabling — and the audit rows they leave.
#include "est/server/auth/auth_service.hpp"

#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"
#include "est/server/store.hpp"

using namespace std::chrono_literals;
using est::role;
using est::server::store;
using est::server::auth::actor;
using est::server::auth::auth_service;
using est::server::auth::session_end;
using est::server::auth::session_info;
using est::server::auth::sign_in_result;
using est::test::error_code_of;
using status = sign_in_result::status;

namespace {
const std::string password = "korrekt häst batteri";

struct world {
    est::test::temp_folder dir;
    est::test::manual_clock clock;
    store db{dir.db(), false};
    est::group group = est::test::fagersta(db);
    auth_service auth{db, [this](std::string_view id) -> std::optional<est::group> {
                          if (id == group.id) return group;
                          return std::nullopt;
                      },
                      clock.fn()};
    actor admin{"", "local"};

    std::vector<std::string> actions() {
        std::vector<std::string> out;
        db.flush();
        db.read_audit([&](const est::server::audit_row& r) { out.push_back(r.action); });
        return out;
    }
};
}  // namespace

TEST_CASE("auth_service: sign in with the right password, not with a wrong one or an unknown e-mail") {
    world w;
    const auto a = w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    const auto ok = w.auth.sign_in("Anna@Polisen.se", password, "10.0.0.1");
    REQUIRE(ok.outcome == status::ok);
    REQUIRE(ok.session);
    const auto who = w.auth.authenticate(ok.session->token);
    REQUIRE(who);
    CHECK(who->who.id == a.id);
    const auto wrong = w.auth.sign_in("anna@polisen.se", password + "x", "10.0.0.1");
    const auto unknown = w.auth.sign_in("nobody@polisen.se", password, "10.0.0.1");
    CHECK(wrong.outcome == status::invalid);
    CHECK(unknown.outcome == status::invalid);
    CHECK_FALSE(wrong.session);
    CHECK(w.actions() == std::vector<std::string>{"account.create", "sign_in", "sign_in.failed", "sign_in.failed"});
}

TEST_CASE("auth_service: an unknown e-mail costs the same Argon2id work as a known one") {
    world w;
    w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    // Counted, not timed: each refused sign-in runs exactly one Argon2id verification, whether the account
    // exists or not (against a dummy hash when it does not), so the answer's timing tells nothing.
    const auto runs = [&](const char* email) {
        const auto before = w.auth.hasher().verifications();
        for (int i = 0; i < 3; ++i) (void)w.auth.sign_in(email, "fel lösenord här", "10.0.0." + std::to_string(i));
        return w.auth.hasher().verifications() - before;
    };
    CHECK(runs("anna@polisen.se") == 3);
    CHECK(runs("nobody@polisen.se") == 3);
}

TEST_CASE("auth_service: sign-in rotates the browser's old session, sign out here and everywhere") {
    world w;
    const auto a = w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    std::vector<std::pair<std::string, session_end>> ended;
    w.auth.sessions().subscribe([&](const session_info& s, session_end why) { ended.emplace_back(s.id, why); });
    const auto first = w.auth.sign_in("anna@polisen.se", password, "10.0.0.1");
    const auto second = w.auth.sign_in("anna@polisen.se", password, "10.0.0.1", first.session->token);
    CHECK(second.session->token != first.session->token);
    CHECK_FALSE(w.auth.authenticate(first.session->token));
    REQUIRE(ended.size() == 1);
    CHECK(ended[0].second == session_end::rotated);
    const auto other_tab = w.auth.sign_in("anna@polisen.se", password, "10.0.0.2");
    w.auth.sign_out(second.session->token, "10.0.0.1");
    CHECK_FALSE(w.auth.authenticate(second.session->token));
    CHECK(w.auth.authenticate(other_tab.session->token));
    const auto third = w.auth.sign_in("anna@polisen.se", password, "10.0.0.1");
    CHECK(w.auth.sign_out_everywhere(third.session->token, "10.0.0.1") == 2);
    CHECK_FALSE(w.auth.authenticate(other_tab.session->token));
    CHECK(ended.back().second == session_end::signed_out_everywhere);
    CHECK(w.auth.sessions().sessions_of(a.id).empty());
}

TEST_CASE("auth_service: a disabled account's sessions end at once and it cannot sign in") {
    world w;
    const auto a = w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    const auto s = w.auth.sign_in("anna@polisen.se", password, "10.0.0.1");
    std::vector<session_end> ended;
    w.auth.sessions().subscribe([&](const session_info&, session_end why) { ended.push_back(why); });
    w.auth.set_disabled(w.admin, a.id, true);
    CHECK(ended == std::vector<session_end>{session_end::account_disabled});
    CHECK_FALSE(w.auth.authenticate(s.session->token));
    CHECK(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::invalid);
    w.auth.set_disabled(w.admin, a.id, false);
    CHECK(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::ok);
}

TEST_CASE("auth_service: 1,000 wrong passwords from an attacker, and the owner still gets in") {
    world w;
    w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    REQUIRE(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::ok);  // from the office before
    int verified = 0, throttled = 0;
    for (int i = 0; i < 1000; ++i, w.clock.advance(1s)) {
        const auto r = w.auth.sign_in("anna@polisen.se", "gissning nummer " + std::to_string(i), "10.6.6.6");
        REQUIRE(r.outcome != status::ok);
        (r.outcome == status::throttled ? throttled : verified)++;
    }
    CHECK(verified < 40);
    CHECK(throttled > 960);
    CHECK(w.auth.sign_in("anna@polisen.se", "gissning", "10.6.6.6").outcome == status::throttled);
    // From the office: at once. From somewhere new: within the 30 s cap.
    CHECK(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::ok);
    auto r = w.auth.sign_in("anna@polisen.se", password, "192.168.7.7");
    if (r.outcome == status::throttled) {
        CHECK(r.retry_after <= 30s);
        w.clock.advance(r.retry_after);
        r = w.auth.sign_in("anna@polisen.se", password, "192.168.7.7");
    }
    CHECK(r.outcome == status::ok);
}

TEST_CASE("auth_service: an invitation creates the account, joins the group and signs in, once") {
    world w;
    const auto inv = w.auth.invite(w.admin, "Berit@Fagersta.se", "fagersta", role::participant, "kommun");
    CHECK(error_code_of([&] { w.auth.invite(w.admin, "x@fagersta.se", "fagersta", role::participant, "skola"); }) == "bad_message");
    CHECK(error_code_of([&] { w.auth.invite(w.admin, "x@fagersta.se", "nowhere", role::chair, ""); }) == "not_found");
    // A weak password is refused before the invitation is used up.
    CHECK(error_code_of([&] { w.auth.accept_invitation(inv.token, "sommar2024", "Berit", "10.0.0.5"); }) == "password_too_short");
    CHECK(error_code_of([&] { w.auth.accept_invitation(inv.token, "Sommar2024!!", "Berit", "10.0.0.5"); }) == "password_common");
    const auto s = w.auth.accept_invitation(inv.token, password, "Berit Ek", "10.0.0.5");
    const auto who = w.auth.authenticate(s.token);
    REQUIRE(who);
    CHECK(who->who.email == "berit@fagersta.se");
    REQUIRE(who->who.membership_of("fagersta"));
    CHECK(who->who.membership_of("fagersta")->org == "kommun");
    CHECK(error_code_of([&] { w.auth.accept_invitation(inv.token, password, "Berit Ek", "10.0.0.5"); }) == "invalid_token");
    CHECK(w.auth.sign_in("berit@fagersta.se", password, "10.0.0.5").outcome == status::ok);
}

TEST_CASE("auth_service: an invitation to an existing account needs that account's password") {
    world w;
    const auto a = w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, true);
    const auto inv = w.auth.invite(w.admin, "anna@polisen.se", "fagersta", role::cosigner, "polis");
    CHECK(error_code_of([&] { w.auth.accept_invitation(inv.token, "ett helt annat lösen", "X", "10.6.6.6"); }) ==
          "invalid_credentials");
    w.auth.accept_invitation(inv.token, password, "", "10.0.0.1");
    const auto back = w.auth.accounts().find(a.id);
    CHECK(back->membership_of("fagersta")->role == role::cosigner);
    CHECK(w.auth.hasher().verify(back->password_hash, password));  // unchanged
}

TEST_CASE("auth_service: guessing an existing account's password through an invitation is throttled like a sign-in") {
    world w;
    w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, true);
    REQUIRE(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::ok);  // her usual address
    // A chair who invites someone else's address holds a token that asks for that person's password.
    const auto inv = w.auth.invite(w.admin, "anna@polisen.se", "fagersta", role::participant, "polis");
    int wrong = 0, throttled = 0;
    for (int i = 0; i < 20; ++i) {
        try {
            w.auth.accept_invitation(inv.token, "gissning nummer " + std::to_string(i), "X", "10.6.6.6");
        } catch (const est::server::auth::throttled_error& e) {
            ++throttled;
            CHECK(e.retry_after().count() > 0);
        } catch (const est::domain_error& e) {
            CHECK(e.code() == "invalid_credentials");
            ++wrong;
        }
    }
    CHECK(wrong == 6);  // the account's free failures (5) and the first one past them, then back-off
    CHECK(throttled == 14);
    // The owner signs in from where they did before; the invitation is still there to accept.
    CHECK(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::ok);
}

TEST_CASE("auth_service: an expired invitation is refused") {
    world w;
    const auto inv = w.auth.invite(w.admin, "berit@fagersta.se", "fagersta", role::bra_member, "");
    w.clock.advance(7 * 24h);
    CHECK(error_code_of([&] { w.auth.accept_invitation(inv.token, password, "Berit", "10.0.0.5"); }) == "invalid_token");
}

TEST_CASE("auth_service: a reset link sets a new password and ends every session") {
    world w;
    const auto a = w.auth.create_account(w.admin, "anna@polisen.se", "Anna", password, false);
    const auto s = w.auth.sign_in("anna@polisen.se", password, "10.0.0.1");
    const auto reset = w.auth.issue_password_reset(w.admin, a.id);
    CHECK(error_code_of([&] { w.auth.accept_invitation(reset.token, password, "Anna", "10.0.0.1"); }) == "invalid_token");
    w.auth.reset_password(reset.token, "ett nytt långt lösenord", "10.0.0.1");
    CHECK_FALSE(w.auth.authenticate(s.session->token));
    CHECK(w.auth.sign_in("anna@polisen.se", password, "10.0.0.1").outcome == status::invalid);
    CHECK(w.auth.sign_in("anna@polisen.se", "ett nytt långt lösenord", "10.0.0.1").outcome == status::ok);
    CHECK(error_code_of([&] { w.auth.reset_password(reset.token, "ännu ett nytt lösenord", "10.0.0.1"); }) == "invalid_token");
    CHECK(w.auth.audit().verify().ok);
}
