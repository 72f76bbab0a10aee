// Exports of the situation picture from the real est-server: what they show, that they show only durable
// state, and that they survive a restart unchanged.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "est/client/meeting_client.hpp"
#include "est/utf.hpp"
#include "server_process.hpp"
#include "../support/count_of.hpp"

using namespace est;
using est::test::count_of;
using json = nlohmann::json;

namespace {

client::http_result get(const test::server_process& s, const std::string& target) {
    return client::http_call(s.host(), s.port(), "GET", target);
}

}  // namespace

TEST_CASE("a meeting's picture exports as HTML and JSON with what was typed, and the same after a restart", "[http][export]") {
    test::temp_dir dir;
    auto server = std::make_unique<test::server_process>(dir.path());
    const auto meeting = test::create_meeting(*server, {"kommun", "polis"});
    const std::string url = "/api/meetings/" + meeting + "/export";

    // Nobody has joined yet: the room is loaded for the export.
    auto empty = get(*server, url);
    REQUIRE(empty.status == 200);
    CHECK(empty.content_type == "text/html; charset=utf-8");
    CHECK_THAT(empty.content_disposition, Catch::StartsWith("inline; filename=\"lagesbild-"));
    CHECK_THAT(empty.body, Catch::Contains("<h1>Lägesbild – EST-möte vecka 47</h1>"));
    CHECK(count_of(empty.body, "Inget rapporterat.") == 12);  // 6 topics × 2 organisations

    boost::asio::io_context ioc;
    client::meeting_client c(ioc, test::client_options(*server, meeting, {"Polis", "polis", role::participant}));
    c.start();
    REQUIRE(client::run_until(ioc, [&] { return c.welcomed(); }));
    c.submit(add_entry_change{"ordningsstorning", "polis", "e1"});
    REQUIRE(client::run_until(ioc, [&] { return c.replica().idle(); }));
    text_operation op;
    op.insert(*utf8_to_utf16("Klotter <b>vid</b> Åsa-torget 😀"));
    c.edit_text({"ordningsstorning", "polis", "e1", "plats"}, op);
    REQUIRE(client::run_until(ioc, [&] { return c.replica().idle(); }));  // acknowledged, so durable

    auto html = get(*server, url);
    REQUIRE(html.status == 200);
    CHECK_THAT(html.body, Catch::Contains("Klotter &lt;b&gt;vid&lt;/b&gt; Åsa-torget 😀"));
    CHECK(count_of(html.body, "Inget rapporterat.") == 11);

    auto exported = get(*server, url + "?format=json");
    REQUIRE(exported.status == 200);
    CHECK(exported.content_type == "application/json");
    CHECK_THAT(exported.content_disposition, Catch::StartsWith("attachment; filename=\"lagesbild-"));
    const auto j = json::parse(exported.body);
    CHECK(j.at("rev") == c.replica().rev());
    CHECK(j.at("picture") == c.replica().confirmed().to_json());
    CHECK(j.at("meeting").at("id") == meeting);
    const std::string digest = j.at("digest");
    CHECK_THAT(html.body, Catch::Contains(digest));

    // The export is read from what is on disk after a restart: the same picture, the same digest.
    c.stop();
    ioc.run();
    REQUIRE(server->terminate() == 0);
    server = std::make_unique<test::server_process>(dir.path());
    const auto again = json::parse(get(*server, url + "?format=json").body);
    CHECK(again.at("rev") == j.at("rev"));
    CHECK(again.at("digest") == digest);
    CHECK(again.at("picture") == j.at("picture"));

    // Wrong requests get a clear error.
    auto unknown = get(*server, "/api/meetings/nope/export");
    CHECK(unknown.status == 404);
    CHECK(json::parse(unknown.body).at("error") == "not_found");
    auto pdf = get(*server, url + "?format=pdf");
    CHECK(pdf.status == 400);
    CHECK(json::parse(pdf.body).at("error") == "bad_format");
    CHECK(client::http_call(server->host(), server->port(), "POST", url, "{}").status == 405);
    // Bytes that are not UTF-8 in the target are quoted in no answer that could fail to serialise.
    CHECK(get(*server, url + "?format=\xff").status == 400);
    CHECK(get(*server, "/api/meetings/\xff\xfe/export").status == 404);
    CHECK(client::http_call(server->host(), server->port(), "POST", "/api/meetings/\xff/export", "{}").status == 405);
    CHECK(get(*server, "/healthz").status == 200);
}
