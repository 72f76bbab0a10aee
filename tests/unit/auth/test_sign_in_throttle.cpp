// Sign-in back-off: the documented schedule, per address and per account, and the owner still gets in.
#include "est/server/auth/sign_in_throttle.hpp"

#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"

using namespace std::chrono_literals;
using est::server::auth::sign_in_throttle;
using ms = std::chrono::milliseconds;

TEST_CASE("sign_in_throttle::delay follows the documented schedule") {
    const auto d = [](unsigned n) { return sign_in_throttle::delay(n, 5, 1000ms, 30s); };
    for (unsigned n = 0; n <= 5; ++n) CHECK(d(n) == 0ms);
    CHECK(d(6) == 1s);
    CHECK(d(7) == 2s);
    CHECK(d(8) == 4s);
    CHECK(d(9) == 8s);
    CHECK(d(10) == 16s);
    CHECK(d(11) == 30s);
    CHECK(d(1000) == 30s);
    CHECK(sign_in_throttle::delay(20, 10, 1000ms, 15min) == 512s);
    CHECK(sign_in_throttle::delay(21, 10, 1000ms, 15min) == 15min);
    CHECK(sign_in_throttle::delay(4000000000u, 10, 1000ms, 15min) == 15min);
}

TEST_CASE("sign_in_throttle holds an address back exponentially") {
    est::test::manual_clock clock;
    sign_in_throttle t(clock.fn());
    // Ten free failures against different accounts (so the accounts' own counters stay low).
    for (int i = 0; i < 10; ++i) REQUIRE(t.attempt("user" + std::to_string(i) + "@x.se", "10.6.6.6").allowed);
    REQUIRE(t.attempt("a@x.se", "10.6.6.6").allowed);  // 11th counted: 1 s
    auto v = t.attempt("b@x.se", "10.6.6.6");
    CHECK_FALSE(v.allowed);
    CHECK(v.held_by == sign_in_throttle::holder::address);
    CHECK(v.retry_after == 1s);
    CHECK(t.attempt("b@x.se", "10.0.0.1").allowed);  // another address is not held
    clock.advance(1s);
    REQUIRE(t.attempt("c@x.se", "10.6.6.6").allowed);  // 12th: 2 s
    clock.advance(1999ms);
    CHECK_FALSE(t.attempt("c@x.se", "10.6.6.6").allowed);
    clock.advance(1ms);
    CHECK(t.attempt("d@x.se", "10.6.6.6").allowed);
    // Forgotten an hour after the last counted failure.
    clock.advance(1h);
    for (int i = 0; i < 10; ++i) CHECK(t.attempt("e" + std::to_string(i) + "@x.se", "10.6.6.6").allowed);
}

TEST_CASE("sign_in_throttle holds an account back, capped at 30 s, whatever the address") {
    est::test::manual_clock clock;
    sign_in_throttle t(clock.fn());
    for (int i = 0; i < 5; ++i) REQUIRE(t.attempt("owner@x.se", "10.9.0." + std::to_string(i)).allowed);
    REQUIRE(t.attempt("owner@x.se", "10.9.1.0").allowed);  // 6th: 1 s
    const auto v = t.attempt("owner@x.se", "10.9.1.1");
    CHECK_FALSE(v.allowed);
    CHECK(v.held_by == sign_in_throttle::holder::account);
    // A success clears the account's counter.
    clock.advance(1s);
    REQUIRE(t.attempt("owner@x.se", "10.0.0.1").allowed);
    t.succeeded("owner@x.se", "10.0.0.1");
    for (int i = 0; i < 5; ++i) CHECK(t.attempt("owner@x.se", "10.9.2." + std::to_string(i)).allowed);
}

TEST_CASE("sign_in_throttle: the owner still gets in after an attacker's 1,000 failures") {
    est::test::manual_clock clock;
    sign_in_throttle t(clock.fn());
    // The owner signed in from their office before.
    REQUIRE(t.attempt("owner@x.se", "10.0.0.1").allowed);
    t.succeeded("owner@x.se", "10.0.0.1");

    SECTION("one attacking address, one attempt a second") {
        int let_through = 0;
        for (int i = 0; i < 1000; ++i, clock.advance(1s))
            if (t.attempt("owner@x.se", "10.6.6.6").allowed) ++let_through;
        CHECK(let_through < 40);  // the address is held: ~15 min between guesses once past 20
        CHECK_FALSE(t.attempt("owner@x.se", "10.6.6.6").allowed);
        // From the office: at once.
        CHECK(t.attempt("owner@x.se", "10.0.0.1").allowed);
        t.succeeded("owner@x.se", "10.0.0.1");
    }
    SECTION("1,000 addresses, all at once") {
        for (int i = 0; i < 1000; ++i) (void)t.attempt("owner@x.se", "10.7." + std::to_string(i / 250) + "." + std::to_string(i % 250));
        // From the office: at once (a known address skips the account's delay).
        CHECK(t.attempt("owner@x.se", "10.0.0.1").allowed);
        t.succeeded("owner@x.se", "10.0.0.1");
    }
    SECTION("from a new address, after at most the 30 s cap") {
        for (int i = 0; i < 1000; ++i, clock.advance(100ms))
            (void)t.attempt("owner@x.se", "10.7." + std::to_string(i / 250) + "." + std::to_string(i % 250));
        const auto v = t.attempt("owner@x.se", "192.168.1.20");
        if (!v.allowed) {
            CHECK(v.retry_after <= 30s);
            clock.advance(v.retry_after);
        }
        CHECK(t.attempt("owner@x.se", "192.168.1.20").allowed);
    }
}

TEST_CASE("sign_in_throttle: unknown e-mails are throttled exactly like known ones") {
    est::test::manual_clock clock;
    sign_in_throttle a(clock.fn()), b(clock.fn());
    for (int i = 0; i < 30; ++i, clock.advance(300ms)) {
        const auto x = a.attempt("exists@x.se", "10.1.1.1");
        const auto y = b.attempt("nobody@x.se", "10.1.1.1");
        CHECK(x.allowed == y.allowed);
        CHECK(x.retry_after == y.retry_after);
    }
}

TEST_CASE("sign_in_throttle keeps its tables bounded") {
    est::test::manual_clock clock;
    est::server::auth::throttle_options o;
    o.max_entries = 100;
    sign_in_throttle t(clock.fn(), o);
    for (int i = 0; i < 10000; ++i) (void)t.attempt("u" + std::to_string(i) + "@x.se", "10.2." + std::to_string(i));
    SUCCEED("no unbounded growth (checked under ASan for time and memory)");
}
