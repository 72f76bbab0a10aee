// Creation limits per client address: a burst, then one token per refill period; other addresses unaffected;
// the table of addresses stays bounded.
#include "est/server/rate_limiter.hpp"

#include <string>

#include <catch2/catch.hpp>

using est::server::rate_limiter;
using namespace std::chrono_literals;

TEST_CASE("a creation burst is allowed, then one per refill period, and other addresses are not held back", "[rate_limiter]") {
    rate_limiter limit(20, 20);  // 20 a minute: one token every 3 s
    const auto t0 = rate_limiter::clock::time_point{} + 1000s;
    for (int i = 0; i < 20; ++i) REQUIRE(limit.take("10.0.0.1", t0) == 0s);
    const auto wait = limit.take("10.0.0.1", t0);
    CHECK(wait == 3s);  // what Retry-After says
    CHECK(limit.take("10.0.0.2", t0) == 0s);
    // The address recovers with time: a token after 3 s, not before.
    CHECK(limit.take("10.0.0.1", t0 + 2s) > 0s);
    CHECK(limit.take("10.0.0.1", t0 + 3s) == 0s);
    CHECK(limit.take("10.0.0.1", t0 + 3s) > 0s);
}

TEST_CASE("a rate limit of zero lets every creation through", "[rate_limiter]") {
    rate_limiter limit(0, 20);
    for (int i = 0; i < 1000; ++i) REQUIRE(limit.take("10.0.0.1") == 0s);
    CHECK(limit.addresses() == 0);
}

TEST_CASE("the rate limiter forgets refilled addresses, and holds no more than its bound", "[rate_limiter]") {
    rate_limiter limit(60, 5, 100);
    const auto t0 = rate_limiter::clock::time_point{} + 1000s;
    for (int i = 0; i < 100; ++i) limit.take("10.0.1." + std::to_string(i), t0);
    CHECK(limit.addresses() == 100);
    // A minute on, all have refilled: a new address makes them all go.
    limit.take("10.0.2.1", t0 + 60s);
    CHECK(limit.addresses() == 1);
    // None refilled: the table still keeps to its bound.
    for (int i = 0; i < 500; ++i) limit.take("10.0.3." + std::to_string(i), t0 + 61s);
    CHECK(limit.addresses() <= 100);
}
