// Issue 16 in the core: the chair's current topic, a register of the meeting that every client follows.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/lifecycle.hpp"
#include "est/meeting_state.hpp"

using est::change;
using est::current_topic_change;
using est::identity;
using est::meeting_state;
using est::role;
using est::test::code_of;
using json = nlohmann::json;

namespace {

meeting_state fresh() { return meeting_state(est::meeting_document(est::test::biweekly(), est::test::test_orgs), 0, {}, {}); }

const identity anna{"Anna", "polis", role::participant};
const identity cecilia{"Cecilia", "kommun", role::chair};

}  // namespace

TEST_CASE("only the chair sets the current topic, to a topic of the meeting or to none", "[current_topic]") {
    meeting_state st = fresh();
    CHECK(st.current_topic().empty());
    CHECK(code_of([&] { st.submit("anna", 1, 0, current_topic_change{"andt"}, anna); }) == "forbidden");
    CHECK(code_of([&] { st.submit("cecilia", 1, 0, current_topic_change{"no-such-topic"}, cecilia); }) == "bad_value");
    CHECK(st.rev() == 0);
    CHECK(st.current_topic().empty());

    const json picture = st.document().to_json();
    REQUIRE(st.submit("cecilia", 1, 0, current_topic_change{"andt"}, cecilia));
    CHECK(st.current_topic() == "andt");
    CHECK(st.rev() == 1);
    CHECK(st.last_seq("cecilia") == 1);
    // Not the picture's: its JSON (and so its digest) is as before.
    CHECK(st.document().to_json() == picture);

    REQUIRE(st.submit("cecilia", 2, 1, current_topic_change{""}, cecilia));
    CHECK(st.current_topic().empty());
}

TEST_CASE("the current topic can be led after the lock and voids no signature", "[current_topic]") {
    meeting_state st = fresh();
    st.apply_lifecycle({est::lifecycle_kind::lock_topic, "andt", std::nullopt});
    REQUIRE(st.submit("cecilia", 1, st.rev(), current_topic_change{"andt"}, cecilia));
    st.apply_lifecycle({est::lifecycle_kind::lock_picture, {}, std::nullopt});
    REQUIRE(st.submit("cecilia", 2, st.rev(), current_topic_change{"hot-och-vald"}, cecilia));
    CHECK(st.current_topic() == "hot-och-vald");
    CHECK(st.lifecycle().phase() == est::meeting_phase::locked);
}

TEST_CASE("the current topic survives a snapshot and a replay of the op log", "[current_topic]") {
    meeting_state live = fresh();
    meeting_state replayed = fresh();
    const change c = current_topic_change{"andt"};
    REQUIRE(live.submit("cecilia", 1, 0, c, cecilia));
    replayed.replay("cecilia", 1, est::change_to_json(c));
    CHECK(replayed.current_topic() == "andt");
    CHECK(replayed.rev() == live.rev());
    CHECK(replayed.encoded_bytes() == live.encoded_bytes());

    const json snap = live.snapshot();
    CHECK(snap.at("current_topic") == "andt");
    const auto restored = meeting_state::from_snapshot(est::test::biweekly(), est::test::test_orgs, snap, {});
    CHECK(restored.current_topic() == "andt");
    // A snapshot naming a topic the meeting does not have is damaged.
    json bad = snap;
    bad["current_topic"] = "no-such-topic";
    CHECK(code_of([&] { meeting_state::from_snapshot(est::test::biweekly(), est::test::test_orgs, bad, {}); }) == "bad_snapshot");
    // Without a current topic a snapshot is as before.
    CHECK_FALSE(fresh().snapshot().contains("current_topic"));
}

TEST_CASE("the wire form of current_topic round-trips, and bad ones are refused", "[current_topic][change]") {
    for (const char* topic : {"andt", ""}) {
        const change c = current_topic_change{topic};
        const auto back = std::get<current_topic_change>(est::change_from_json(est::change_to_json(c), "change"));
        CHECK(back.topic == topic);
    }
    const auto bad = [](const char* wire) {
        return code_of([&] { est::change_from_json(json::parse(wire), "change"); });
    };
    CHECK(bad(R"({"kind":"current_topic"})") == "bad_message");
    CHECK(bad(R"({"kind":"current_topic","topic":7})") == "bad_message");
    CHECK(bad(R"({"kind":"current_topic","topic":"Not An Id"})") == "bad_message");
    CHECK(bad(R"({"kind":"current_topic","topic":"andt","extra":1})") == "bad_message");
}
