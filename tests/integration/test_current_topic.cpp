// Issue 16 through the real server: the chair's current topic reaches every participant as an op, a participant
// may not set it, it is in the welcome, survives a kill -9 and is not part of the picture's digest.
#include <algorithm>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "est/server_message.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "chair"};
    return o;
}

std::string digest(test::accounts_fixture& f) {
    const auto r = f.at("chair").http.get("/api/meetings/" + f.meeting() + "/export?format=json");
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("digest").get<std::string>();
}

}  // namespace

TEST_CASE("the chair's current topic reaches a participant, a participant is refused, and a restart keeps it",
          "[current_topic][integration]") {
    test::accounts_fixture f(people());
    boost::asio::io_context ioc;
    const std::string before = digest(f);
    {
        test::live_member police(ioc, f.live_options(f.at("participant_a")));
        std::vector<json> ops;
        auto inner = police.client().on_message;
        police.client().on_message = [&ops, inner](const server_message& msg) {
            inner(msg);
            if (msg.type() == "op") ops.push_back(msg.json());
        };
        REQUIRE(police.join() == "allowed");
        CHECK(police.welcome().at("current_topic") == "");
        CHECK(police.apply(current_topic_change{"andt"}) == "forbidden");

        test::live_member chair(ioc, f.live_options(f.at("chair")));
        REQUIRE(chair.join() == "allowed");
        CHECK(chair.apply(current_topic_change{"no-such-topic"}) == "bad_value");
        REQUIRE(chair.apply(current_topic_change{"andt"}) == "allowed");
        REQUIRE(client::run_until(ioc, [&] {
            return std::any_of(ops.begin(), ops.end(), [](const json& op) { return op.at("change").at("kind") == "current_topic"; });
        }));
        const auto seen = std::find_if(ops.begin(), ops.end(), [](const json& op) { return op.at("change").at("kind") == "current_topic"; });
        CHECK(seen->at("change") == json{{"kind", "current_topic"}, {"topic", "andt"}});
    }
    // Not the picture's: the digest the signers sign is as before.
    CHECK(digest(f) == before);

    f.crash_and_restart();
    test::live_member late(ioc, f.live_options(f.at("participant_a")));
    REQUIRE(late.join() == "allowed");
    CHECK(late.welcome().at("current_topic") == "andt");
}
