// The router as a pure function: lists come in pages that chain, creation is limited per client address,
// exports are limited per client address, and an answer to a server fault quotes no internal detail.
#include "est/server/http_router.hpp"

#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/meeting_template.hpp"
#include "est/server/catalog.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/store.hpp"

using namespace est::server;
using json = nlohmann::json;

namespace {

struct fixture {
    std::filesystem::path dir;
    std::unique_ptr<store> db;
    std::unique_ptr<catalog> cat;
    fixture() {
        char tmpl[] = "/tmp/est-router-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        db = std::make_unique<store>(dir / "est.sqlite3", false);
        cat = std::make_unique<catalog>(*db, std::make_shared<const est::meeting_template>(est::meeting_template::load_file(
                                                 EST_SOURCE_DIR "/templates/est-biweekly.json")));
    }
    ~fixture() {
        cat.reset();
        db.reset();
        std::filesystem::remove_all(dir);
    }
};

http_request call(std::string method, std::string target, std::string body = {}, std::string from = "10.0.0.1") {
    http_request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.remote_address = std::move(from);
    // API writes say what they send (the router refuses other content types: 415).
    if (r.method != "GET" && r.method != "HEAD") r.content_type = "application/json";
    return r;
}

std::string group_body(const std::string& id) {
    return json{{"id", id}, {"name", "EST " + id}, {"organisations", {{{"id", "kommun"}, {"name", "Kommunen"}}}}}.dump();
}

std::string header(const http_response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

// The target of a Link: <target>; rel="next" header.
std::string next_of(const http_response& r) {
    const auto link = header(r, "Link");
    if (link.empty()) return {};
    REQUIRE_THAT(link, Catch::EndsWith(">; rel=\"next\""));
    return link.substr(1, link.find('>') - 1);
}

}  // namespace

TEST_CASE("lists of groups and meetings come in bounded pages whose links chain to the whole list", "[http_router]") {
    fixture f;
    http_router router(*f.cat, {}, {}, nullptr, {}, http_limits{0, 1});
    std::set<std::string> created;
    for (int i = 0; i < 23; ++i) {
        const std::string id = "g-" + std::to_string(100 + i);
        REQUIRE(router.handle(call("POST", "/api/groups", group_body(id))).status == 201);
        created.insert(id);
    }
    auto first = router.handle(call("GET", "/api/groups"));
    CHECK(json::parse(first.body).size() == 23);  // under the default page: all, and no link
    CHECK(header(first, "Link").empty());

    std::set<std::string> seen;
    std::string target = "/api/groups?limit=5";
    int pages = 0;
    while (!target.empty()) {
        auto page = router.handle(call("GET", target));
        REQUIRE(page.status == 200);
        const auto items = json::parse(page.body);
        REQUIRE(items.is_array());
        CHECK(items.size() <= 5);
        for (const auto& g : items) CHECK(seen.insert(g.at("id").get<std::string>()).second);
        target = next_of(page);
        REQUIRE(++pages <= 5);
    }
    CHECK(pages == 5);
    CHECK(seen == created);

    CHECK(router.handle(call("GET", "/api/groups?limit=0")).status == 400);
    CHECK(router.handle(call("GET", "/api/groups?limit=x")).status == 400);
    CHECK(json::parse(router.handle(call("GET", "/api/groups?limit=99999")).body).size() == 23);  // capped at 500

    for (int i = 0; i < 7; ++i) {
        const auto date = "2026-11-" + std::to_string(10 + i % 3);
        REQUIRE(router.handle(call("POST", "/api/groups/g-100/meetings", json{{"date", date}}.dump())).status == 201);
    }
    std::vector<std::string> order;
    target = "/api/groups/g-100/meetings?limit=3";
    while (!target.empty()) {
        auto page = router.handle(call("GET", target));
        REQUIRE(page.status == 200);
        for (const auto& m : json::parse(page.body)) order.push_back(m.at("id"));
        target = next_of(page);
        REQUIRE(order.size() <= 7);
    }
    std::vector<std::string> whole;
    for (const auto& m : json::parse(router.handle(call("GET", "/api/groups/g-100/meetings")).body)) whole.push_back(m.at("id"));
    CHECK(order == whole);  // the pages chain in the list's order, newest first
    CHECK(whole.size() == 7);
    auto bad = router.handle(call("GET", "/api/groups/g-100/meetings?after=m-unknown"));
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body).at("error") == "bad_query");
}

TEST_CASE("creating groups and meetings is rate-limited per client address with Retry-After", "[http_router]") {
    fixture f;
    http_router router(*f.cat, {}, {}, nullptr, {}, http_limits{20, 20});
    for (int i = 0; i < 20; ++i)
        REQUIRE(router.handle(call("POST", "/api/groups", group_body("g-" + std::to_string(i)))).status == 201);
    auto refused = router.handle(call("POST", "/api/groups", group_body("g-more")));
    CHECK(refused.status == 429);
    CHECK(json::parse(refused.body).at("error") == "rate_limited");
    CHECK(header(refused, "Retry-After") == "3");
    CHECK(router.handle(call("POST", "/api/groups/g-1/meetings", "{}")).status == 429);
    CHECK_FALSE(f.cat->find_group("g-more"));
    // Another address has its own allowance; reading is never limited.
    CHECK(router.handle(call("POST", "/api/groups", group_body("g-other"), "10.0.0.2")).status == 201);
    CHECK(router.handle(call("GET", "/api/groups")).status == 200);
}

TEST_CASE("a 500's body holds no exception text, and a storage failure none of SQLite's", "[http_router]") {
    fixture f;
    http_router router(*f.cat, {}, [] () -> json { throw std::runtime_error("SQLITE_CORRUPT in /var/lib/est/secret"); },
                       nullptr, {}, http_limits{0, 1});
    auto internal = router.handle(call("GET", "/api/stats"));
    CHECK(internal.status == 500);
    CHECK(json::parse(internal.body).at("error") == "internal");
    CHECK_THAT(internal.body, !Catch::Contains("SQLITE") && !Catch::Contains("secret"));

    // The database may not grow: creating groups fails with storage_failed once its pages are full.
    f.db->set_max_page_count_for_tests(1);
    http_response failed;
    for (int i = 0; i < 500 && failed.status != 503; ++i) failed = router.handle(call("POST", "/api/groups", group_body("g-" + std::to_string(i))));
    REQUIRE(failed.status == 503);
    CHECK(json::parse(failed.body).at("error") == "storage_failed");
    CHECK_THAT(failed.body, !Catch::Contains("database") && !Catch::Contains("full") && !Catch::Contains("SQLITE"));
}

TEST_CASE("an export failure quotes no detail, and exports are limited per client address", "[http_router]") {
    fixture f;
    http_router setup(*f.cat, {}, {}, nullptr, {}, http_limits{0, 1});
    REQUIRE(setup.handle(call("POST", "/api/groups", group_body("g-1"))).status == 201);
    const auto meeting = json::parse(setup.handle(call("POST", "/api/groups/g-1/meetings", "{}")).body).at("id").get<std::string>();
    const std::string url = "/api/meetings/" + meeting + "/export";
    picture_report report(picture_report::built_in_template(), "built-in");

    std::vector<std::function<void(picture_result)>> held;  // pictures asked for and not yet given
    http_router router(*f.cat, {}, {}, &report,
                       [&](const std::string&, std::function<void(picture_result)> done) { held.push_back(std::move(done)); },
                       http_limits{0, 1, 8, 2, 1 << 20});
    std::vector<http_response> answers;
    auto keep = [&](http_response r) { answers.push_back(std::move(r)); };
    REQUIRE(router.defer(call("GET", url), keep));
    REQUIRE(router.defer(call("GET", url), keep));
    REQUIRE(router.defer(call("GET", url), keep));  // a third from the same address
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 429);
    CHECK(json::parse(answers[0].body).at("error") == "busy");
    CHECK(header(answers[0], "Retry-After") == "1");
    REQUIRE(router.defer(call("GET", url, {}, "10.0.0.2"), keep));  // another address is not held back
    CHECK(answers.size() == 1);
    REQUIRE(held.size() == 3);

    held[0]({nullptr, 0, "storage_failed", "the meeting could not be loaded: disk I/O error in /var/lib/est/est.sqlite3"});
    REQUIRE(answers.size() == 2);
    CHECK(answers[1].status == 503);
    CHECK(json::parse(answers[1].body).at("error") == "storage_failed");
    CHECK_THAT(answers[1].body, !Catch::Contains("disk") && !Catch::Contains("/var/lib"));
    // The failed export's turn is back: the address may start another.
    REQUIRE(router.defer(call("GET", url), keep));
    CHECK(answers.size() == 2);
    for (std::size_t i = 1; i < held.size(); ++i) held[i]({nullptr, 0, "meeting_not_found", "there is no meeting"});
}
