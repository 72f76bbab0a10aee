// One record per key per window, the rest counted into the next: what bounds the audit rows anonymous callers
// can cause.
#include "est/server/auth/repeat_limiter.hpp"

#include <catch2/catch.hpp>

#include "auth_fixtures.hpp"

using namespace std::chrono_literals;
using est::server::auth::repeat_limiter;

TEST_CASE("repeat_limiter: the first of a window is recorded, the rest counted into the next") {
    est::test::manual_clock clock;
    repeat_limiter q;
    CHECK(q.event("a", clock.now, 10s).record);
    for (int i = 0; i < 100; ++i) CHECK_FALSE(q.event("a", clock.now, 10s).record);
    CHECK(q.event("b", clock.now, 10s).record);  // another key has its own window
    clock.advance(10s);
    const auto next = q.event("a", clock.now, 10s);
    CHECK(next.record);
    CHECK(next.suppressed == 100);
    CHECK(q.event("a", clock.now + 10s, 10s).suppressed == 0);
}

TEST_CASE("repeat_limiter: a flood of new keys holds at most max_keys") {
    est::test::manual_clock clock;
    repeat_limiter q(100);
    for (int i = 0; i < 10'000; ++i) CHECK(q.event("key-" + std::to_string(i), clock.now, 1h).record);
    CHECK(q.size() <= 100);
}
