// entry_history (server/src/records/entry_history.cpp): the op log read back as who wrote what, and a removed
// entry's content only when its whole history is in the log.
#include "est/server/records/entry_history.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using est::server::records::entry_history;
using est::server::records::logged_op;
using json = nlohmann::json;

namespace {
logged_op op(std::uint64_t rev, const std::string& by, json change) {
    return {rev, "2026-12-05T08:0" + std::to_string(rev % 10) + ":00Z", json{{"session", "s"}, {"name", by}}.dump(), change.dump()};
}
json text(const std::string& entry, const std::string& field, json ops) {
    return {{"kind", "text"}, {"target", {{"topic", "andt"}, {"org", "polis"}, {"entry", entry}, {"field", field}}}, {"ops", ops}};
}
json entry_change(const char* kind, const std::string& entry) {
    return {{"kind", kind}, {"topic", "andt"}, {"org", "polis"}, {"entry", entry}};
}
}  // namespace

TEST_CASE("entry_history replays a removed entry's text and keeps only the latest events", "[history]") {
    entry_history h(true);
    h.add(op(1, "Anna", entry_change("add_entry", "e1")));
    h.add(op(2, "Anna", text("e1", "handelse", json::array({"Hej"}))));
    h.add(op(3, "Anna", text("e1", "handelse", json::array({3, " då"}))));
    h.add(op(4, "Bo", text("e1", "handelse", json::array({-3, 3}))));  // "Hej då" → "då" … as the log says
    h.add(op(5, "Bo", json{{"kind", "secrecy"}, {"topic", "andt"}, {"org", "polis"}, {"entry", "e1"}, {"osl", "35 kap. 1 § OSL"}}));
    // A topic field and a decision item are not entries.
    h.add(op(6, "Eva", {{"kind", "text"}, {"target", {{"topic", "andt"}, {"field", "bedomning"}}}, {"ops", json::array({"x"})}}));
    h.add(op(7, "Bo", entry_change("remove_entry", "e1")));
    const json j = h.to_json();
    REQUIRE(j.at("entries").size() == 1);
    const json& e = j.at("entries").at(0);
    CHECK(e.at("authors") == json::array({"Anna", "Bo"}));
    CHECK(e.at("content").at("fields").at("handelse") == " då");
    CHECK(e.at("content").at("secrecy") == "35 kap. 1 § OSL");
    CHECK(e.at("removed").at("rev") == 7);
    // add, Anna's run of text, Bo's text, the marking, the removal.
    CHECK(e.at("events").size() == 5);
}

TEST_CASE("entry_history gives no content for an entry whose start is not in the log", "[history]") {
    entry_history h(false);
    // The log was compacted: the entry's text starts mid-way, so the replay cannot hold.
    h.add(op(40, "Anna", text("e9", "handelse", json::array({12, "!"}))));
    h.add(op(41, "Anna", entry_change("remove_entry", "e9")));
    const json j = h.to_json();
    CHECK(j.at("complete") == false);
    const json& e = j.at("entries").at(0);
    CHECK(e.at("added").is_null());
    CHECK_FALSE(e.contains("content"));
    CHECK(e.at("removed").at("by") == "Anna");
}

TEST_CASE("entry_history keeps at most max_events per entry", "[history]") {
    entry_history h(true);
    h.add(op(1, "Anna", entry_change("add_entry", "e1")));
    for (std::uint64_t i = 0; i < entry_history::max_events + 10; ++i)
        h.add(op(2 + i, i % 2 ? "Anna" : "Bo", {{"kind", "set"}, {"target", {{"topic", "andt"}, {"org", "polis"}, {"entry", "e1"}, {"field", "trend"}}}, {"value", "ökar"}}));
    const json j = h.to_json();
    CHECK(j.at("entries").at(0).at("events").size() == entry_history::max_events);
    CHECK(j.at("entries").at(0).at("events").back().at("rev") == 1 + entry_history::max_events + 10);
}
