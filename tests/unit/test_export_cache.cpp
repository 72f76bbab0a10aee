// The export cache on its own: a revision's render is served again, requests during a render share it, a
// failure is not kept, and the bytes held stay under the bound.
#include "est/server/export_cache.hpp"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "est/server/http_router.hpp"

using est::server::export_cache;
using est::server::http_response;

namespace {
export_cache::answer body_of(std::string body, unsigned status = 200) {
    return std::make_shared<const http_response>(http_response{status, "text/html", std::move(body), {}});
}
}  // namespace

TEST_CASE("an export of an unchanged revision is rendered once and shared by requests during the render", "[export_cache]") {
    export_cache cache(1 << 20);
    const auto key = export_cache::key("m-1", 7, "html");
    std::vector<std::string> got;
    auto take = [&](export_cache::answer a) { got.push_back(a->body); };
    REQUIRE(cache.find_or_wait(key, take));         // the first renders
    CHECK_FALSE(cache.find_or_wait(key, take));     // the second waits for that render
    CHECK(got.empty());
    cache.finish(key, body_of("picture at 7"), true);
    REQUIRE(got == std::vector<std::string>{"picture at 7"});
    CHECK_FALSE(cache.find_or_wait(key, take));     // later: from the cache, at once
    CHECK(got.size() == 2);
    CHECK(got[1] == "picture at 7");
    CHECK(cache.find_or_wait(export_cache::key("m-1", 8, "html"), take));  // a new revision renders anew
    CHECK(cache.find_or_wait(export_cache::key("m-1", 7, "json"), take));  // and so does another format
    const auto c = cache.counters();
    CHECK(c.renders == 3);
    CHECK(c.hits == 2);
}

TEST_CASE("a failed export is handed to those waiting but not kept", "[export_cache]") {
    export_cache cache(1 << 20);
    const auto key = export_cache::key("m-1", 1, "html");
    unsigned seen = 0;
    REQUIRE(cache.find_or_wait(key, [](export_cache::answer) {}));
    CHECK_FALSE(cache.find_or_wait(key, [&](export_cache::answer a) { seen = a->status; }));
    cache.finish(key, body_of("failed", 500), false);
    CHECK(seen == 500);
    CHECK(cache.find_or_wait(key, [](export_cache::answer) {}));  // renders again
}

TEST_CASE("the export cache holds no more bytes than its bound, dropping the least recently used", "[export_cache]") {
    export_cache cache(10'000);
    const std::string big(3000, 'x');
    for (int rev = 1; rev <= 10; ++rev) {
        const auto key = export_cache::key("m-1", rev, "html");
        REQUIRE(cache.find_or_wait(key, [](export_cache::answer) {}));
        cache.finish(key, body_of(big), true);
        CHECK(cache.counters().bytes <= 10'000);
    }
    CHECK(cache.counters().entries <= 3);
    CHECK(cache.find_or_wait(export_cache::key("m-1", 1, "html"), [](export_cache::answer) {}));  // gone
    bool hit = false;
    CHECK_FALSE(cache.find_or_wait(export_cache::key("m-1", 10, "html"), [&](export_cache::answer) { hit = true; }));
    CHECK(hit);
}

TEST_CASE("an export cache of zero bytes renders every request and shares nothing", "[export_cache]") {
    export_cache cache(0);
    const auto key = export_cache::key("m-1", 1, "html");
    CHECK(cache.find_or_wait(key, [](export_cache::answer) {}));
    CHECK(cache.find_or_wait(key, [](export_cache::answer) {}));
    cache.finish(key, body_of("x"), true);
    CHECK(cache.find_or_wait(key, [](export_cache::answer) {}));
}
