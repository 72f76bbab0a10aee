// The REST API and process behaviour of the real est-server.
#include <fstream>
#include <thread>

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "est/client/meeting_client.hpp"
#include "server_process.hpp"

using namespace est;
using json = nlohmann::json;

TEST_CASE("healthz, groups and meetings over HTTP", "[http]") {
    test::temp_dir dir;
    test::server_process server(dir.path());
    auto call = [&](const std::string& method, const std::string& target, const std::string& body = {}) {
        return client::http_call(server.host(), server.port(), method, target, body);
    };
    auto health = call("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(json::parse(health.body) == json{{"status", "ok"}});

    CHECK(json::parse(call("GET", "/api/groups").body) == json::array());
    auto created = call("POST", "/api/groups", R"({"id":"fagersta","name":"EST-gruppen Fagersta","municipality":"Fagersta kommun",
        "organisations":[{"id":"kommun","name":"Fagersta kommun"},{"id":"polis","name":"Polisen"}]})");
    CHECK(created.status == 201);
    CHECK(call("POST", "/api/groups", R"({"id":"fagersta","name":"igen","organisations":[{"id":"a","name":"A"}]})").status == 409);
    auto bad = call("POST", "/api/groups", R"({"name":"X","organisations":[{"id":"Bad Id","name":"A"}]})");
    CHECK(bad.status == 400);
    CHECK_THAT(json::parse(bad.body).at("message").get<std::string>(), Catch::Contains("organisations[0].id"));
    CHECK(call("POST", "/api/groups", "{oops").status == 400);

    auto meeting = call("POST", "/api/groups/fagersta/meetings", R"({"title":"EST-möte vecka 47","date":"2026-11-17"})");
    REQUIRE(meeting.status == 201);
    const auto m = json::parse(meeting.body);
    CHECK(m.at("title") == "EST-möte vecka 47");
    CHECK(m.at("state") == "draft");  // the chair prepares it, then opens it
    CHECK(call("POST", "/api/groups/fagersta/meetings", R"({"date":"17/11/2026"})").status == 400);
    CHECK(call("POST", "/api/groups/nope/meetings", "{}").status == 404);
    auto list = json::parse(call("GET", "/api/groups/fagersta/meetings").body);
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("id") == m.at("id"));
    CHECK(call("GET", "/api/meetings/" + m.at("id").get<std::string>()).status == 200);
    CHECK(call("DELETE", "/api/groups").status == 405);
    CHECK(call("GET", "/api/nothing").status == 404);
    auto tmpl = json::parse(call("GET", "/api/template").body);
    CHECK(tmpl.at("topics").size() == 6);
}

TEST_CASE("a bad template stops the server with a message naming the file, path and problem", "[http][template]") {
    test::temp_dir dir;
    const std::string file = dir.path() + "/broken.json";
    {
        std::ofstream out(file);
        out << R"({"id":"x","name":"X","version":1,"topics":[{"id":"a","title":"A"},{"id":"a","title":"B"}],
                  "entry_fields":[{"id":"h","label":"H","kind":"text"}],"topic_fields":[{"id":"b","label":"B","kind":"text"}]})";
    }
    REQUIRE_THROWS_WITH(test::server_process(dir.path() + "/data", {"--template", file}),
                        Catch::Contains("did not start"));
    // The message itself goes to stderr; check it by running the server directly.
    const std::string cmd = std::string(EST_SERVER_BIN) + " --port 0 --data " + dir.path() + "/data --template " + file + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    const int status = pclose(p);
    CHECK(WEXITSTATUS(status) == 2);
    CHECK_THAT(out, Catch::Contains("broken.json") && Catch::Contains("/topics/1/id") && Catch::Contains("duplicate"));
}

TEST_CASE("SIGTERM closes WebSockets with a close frame and exits 0", "[http][shutdown]") {
    test::temp_dir dir;
    test::server_process server(dir.path());
    const auto meeting = test::create_meeting(server, {"kommun"});
    boost::asio::io_context ioc;
    client::meeting_client c(ioc, test::client_options(server, meeting, {"A", "kommun", role::participant}, false));
    c.start();
    REQUIRE(client::run_until(ioc, [&] { return c.welcomed(); }));
    // Terminate from another thread-free angle: signal, then read until our socket reports the close.
    std::thread stopper([&] { CHECK(server.terminate() == 0); });
    const bool closed = client::run_until(ioc, [&] { return !c.last_close_reason().empty(); }, std::chrono::seconds(10));
    stopper.join();
    CHECK(closed);
    CHECK_THAT(c.last_close_reason(), Catch::Contains("1001"));
}
