// The BRÅ queue through the real server (issue 14): decision items proposed live and sent to BRÅ by the chair land
// in the queue when the picture closes; BRÅ decides them (bifall, avslag, bordläggning), two reviewers at once get
// one winner and a conflict; the owner organisation follows up until done; all of it survives kill -9; bad input
// and the wrong people are refused with nothing changed.
#include <boost/asio/io_context.hpp>
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "bra_items.hpp"
#include "est/client/meeting_client.hpp"
#include "est/client/ws_connection.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using test::answer_of;
using test::meeting_with_items_closed;
using test::queue_people;
using test::queue_watcher;

json queue(test::accounts_fixture& f, const std::string& who, const std::string& query = "") {
    const auto r = f.at(who).http.get("/api/bra/items" + query);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

std::string item_path(test::accounts_fixture& f, const std::string& topic, const std::string& item) {
    return "/api/bra/items/" + f.meeting() + "." + topic + "." + item;
}

json item(test::accounts_fixture& f, const std::string& who, const std::string& path) {
    const auto r = f.at(who).http.get(path);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

// POST an event at the item's present version (or `version` when given).
client::http_result act(test::accounts_fixture& f, const std::string& who, const std::string& path, json body,
                        std::optional<std::uint64_t> version = std::nullopt) {
    body["version"] = version ? *version : item(f, "bra_member", path).at("version").get<std::uint64_t>();
    return f.at(who).http.post(path + "/events", body);
}

json approve(const std::string& owner = "polis", const std::string& due = "2099-03-01") {
    return {{"kind", "decide"}, {"verdict", "approve"}, {"owner_org", owner}, {"contact", "Anna Berg, 0223-123 45"},
            {"due", due}};
}

}  // namespace

TEST_CASE("a decision item's life: proposed, sent to BRÅ, decided, followed up, done, with kill -9 between",
          "[bra][integration]") {
    test::accounts_fixture f(queue_people());
    meeting_with_items_closed(f);
    const std::string d1 = item_path(f, "andt", "d1"), d2 = item_path(f, "andt", "d2");

    // In the queue: the two the chair sent, with their signed text, awaiting BRÅ.
    const json q = queue(f, "bra_member");
    REQUIRE(q.at("items").size() == 2);
    const json& first = q.at("items").at(0);
    CHECK(first.at("id") == f.meeting() + ".andt.d1");
    CHECK(first.at("status") == "awaiting");
    CHECK(first.at("fields").at("rubrik") == "Fördjupad kartläggning vid resecentrum");
    CHECK(first.at("topic").at("id") == "andt");
    CHECK(first.at("meeting").at("id") == f.meeting());
    // Every member of the group reads it; a stranger does not learn it exists.
    CHECK(queue(f, "participant_b").at("items").size() == 2);
    CHECK(queue(f, "non_member").at("items").empty());
    CHECK(answer_of(f.at("non_member").http.get(d1)) == "404 not_found");
    CHECK(answer_of(f.at("anonymous").http.get("/api/bra/items")) == "401 sign_in_required");
    CHECK(answer_of(f.at("bra_member").http.get(item_path(f, "andt", "d3"))) == "404 not_found");

    // Who decides: a BRÅ member only.
    CHECK(answer_of(act(f, "chair", d1, approve())) == "403 forbidden");
    CHECK(answer_of(act(f, "participant_a", d1, approve())) == "403 forbidden");
    CHECK(answer_of(act(f, "non_member", d1, approve())) == "404 not_found");
    CHECK(answer_of(act(f, "anonymous", d1, approve())) == "401 sign_in_required");
    // Bad decisions change nothing.
    CHECK(answer_of(act(f, "bra_member", d1, approve("polis", "2001-01-01"))) == "400 bad_message");
    CHECK(answer_of(act(f, "bra_member", d1, approve("polis", "2099-02-30"))) == "400 bad_message");
    CHECK(answer_of(act(f, "bra_member", d1, approve("brandkaren"))) == "400 bad_message");
    CHECK(answer_of(act(f, "bra_member", d1, {{"kind", "decide"}, {"verdict", "reject"}})) == "400 bad_message");
    CHECK(answer_of(act(f, "bra_member", d1, {{"kind", "decide"}, {"verdict", "maybe"}})) == "400 bad_message");
    CHECK(answer_of(act(f, "bra_member", d1, {{"kind", "edit"}, {"rubrik", "Annan text"}})) == "400 bad_message");
    CHECK(item(f, "bra_member", d1).at("version") == 1);
    CHECK(item(f, "bra_member", d1).at("history").empty());

    // Bifall: owner, contact, due date.
    auto ok = act(f, "bra_member", d1, approve());
    REQUIRE(answer_of(ok) == "200");
    CHECK(json::parse(ok.body).at("status") == "approved");

    f.crash_and_restart();
    json now = item(f, "participant_a", d1);
    CHECK(now.at("status") == "approved");
    CHECK(now.at("owner_org") == "polis");
    CHECK(now.at("due") == "2099-03-01");
    CHECK(now.at("history").size() == 1);
    CHECK(now.at("history").at(0).at("by").at("name") == f.at("bra_member").name);
    // The signed text is the picture's: a decision never changes it, and there is no way to.
    CHECK(now.at("fields").at("rubrik") == "Fördjupad kartläggning vid resecentrum");

    // Follow-up: only the owner organisation (polis), gul needs a note.
    CHECK(answer_of(act(f, "participant_b", d1, {{"kind", "follow_up"}, {"progress", "green"}})) == "403 forbidden");
    CHECK(answer_of(act(f, "bra_member", d1, {{"kind", "follow_up"}, {"progress", "green"}})) == "403 forbidden");
    CHECK(answer_of(act(f, "participant_a", d1, {{"kind", "follow_up"}, {"progress", "yellow"}})) == "400 bad_message");
    CHECK(answer_of(act(f, "participant_a", d1, {{"kind", "follow_up"}, {"progress", "blue"}})) == "400 bad_message");
    REQUIRE(answer_of(act(f, "participant_a", d1,
                          {{"kind", "follow_up"}, {"progress", "yellow"}, {"text", "Kamerorna är försenade"}})) == "200");
    REQUIRE(answer_of(act(f, "chair", d1, {{"kind", "comment"}, {"text", "Följs upp på nästa möte"}})) == "200");

    f.crash_and_restart();
    now = item(f, "bra_member", d1);
    CHECK(now.at("progress") == "yellow");
    CHECK(now.at("history").size() == 3);
    REQUIRE(answer_of(act(f, "participant_a", d1, {{"kind", "follow_up"}, {"progress", "done"}})) == "200");
    CHECK(item(f, "bra_member", d1).at("status") == "done");
    CHECK(answer_of(act(f, "participant_a", d1, {{"kind", "follow_up"}, {"progress", "green"}})) == "409 wrong_state");

    // Bordläggning to a later BRÅ meeting, then avslag with a reason.
    CHECK(answer_of(act(f, "bra_member", d2, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2001-01-01"}})) ==
          "400 bad_message");
    REQUIRE(answer_of(act(f, "bra_member", d2, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2099-01-20"}})) ==
            "200");
    CHECK(item(f, "bra_member", d2).at("status") == "deferred");
    REQUIRE(answer_of(act(f, "bra_member", d2,
                          {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Ingår redan i polisens arbete"}})) == "200");
    f.crash_and_restart();
    now = item(f, "bra_member", d2);
    CHECK(now.at("status") == "rejected");
    CHECK(now.at("reason") == "Ingår redan i polisens arbete");
    CHECK(now.at("history").size() == 2);

    // The queue filtered to the group, and as CSV: a header and one row per item.
    CHECK(queue(f, "bra_member", "?group=" + f.group()).at("items").size() == 2);
    CHECK(answer_of(f.at("bra_member").http.get("/api/bra/items?group=" + f.other_group())) == "404 not_found");
    const auto csv = f.at("bra_member").http.get("/api/bra/items?format=csv");
    REQUIRE(csv.status == 200);
    CHECK(csv.body.rfind("id,group,meeting,meeting_date,topic,", 0) == 0);
    CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 3);
    CHECK(csv.body.find("Fördjupad kartläggning vid resecentrum") != std::string::npos);
    CHECK(csv.body.find(",rejected,reject,") != std::string::npos);

    // Every event is in the audit log.
    const auto audit = f.at("server_admin").http.get("/api/audit?limit=50");
    REQUIRE(audit.status == 200);
    const json rows = json::parse(audit.body);
    CHECK(std::count_if(rows.begin(), rows.end(), [](const json& row) { return row.value("action", "") == "bra.event"; }) ==
          6);
}

TEST_CASE("two reviewers decide one item at once: one wins, the other gets conflict and sees the winner's decision",
          "[bra][integration]") {
    test::accounts_fixture f(queue_people());
    f.invite("bra_member_2", role::bra_member);
    meeting_with_items_closed(f);
    const std::string d1 = item_path(f, "andt", "d1");
    const auto v = item(f, "bra_member", d1).at("version").get<std::uint64_t>();
    REQUIRE(answer_of(act(f, "bra_member", d1, approve(), v)) == "200");
    const auto lost = act(f, "bra_member_2", d1, {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Nej"}}, v);
    CHECK(answer_of(lost) == "409 conflict");
    const json body = json::parse(lost.body);
    CHECK(body.at("item").at("status") == "approved");
    CHECK(body.at("item").at("history").size() == 1);
    // At the new version a second decision is refused as decided already.
    CHECK(answer_of(act(f, "bra_member_2", d1, {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Nej"}})) ==
          "409 wrong_state");
}

TEST_CASE("a decision reaches a second reviewer watching the queue live, and no one outside the group",
          "[bra][integration]") {
    test::accounts_fixture f(queue_people());
    f.invite("bra_member_2", role::bra_member);
    meeting_with_items_closed(f);
    boost::asio::io_context ioc;
    queue_watcher second(ioc, f, f.at("bra_member_2"));
    queue_watcher stranger(ioc, f, f.at("non_member"));
    REQUIRE(client::run_until(ioc, [&] { return second.has("queue_watching") && stranger.has("queue_watching"); },
                              std::chrono::seconds(20)));
    CHECK(second.got.front().at("groups") == json::array({f.group()}));

    const std::string d1 = item_path(f, "andt", "d1");
    REQUIRE(answer_of(act(f, "bra_member", d1, approve())) == "200");
    REQUIRE(client::run_until(ioc, [&] { return second.has("queue_item", "approved"); }, std::chrono::seconds(20)));
    const auto it = std::find_if(second.got.begin(), second.got.end(), [](const json& m) { return m.value("type", "") == "queue_item"; });
    CHECK(it->at("item").at("id") == f.meeting() + ".andt.d1");
    CHECK(it->at("item").at("owner_org") == "polis");
    CHECK(it->at("item").at("history_length") == 1);
    // The stranger's watch got nothing of it: the next thing it gets is the answer to a message of its own.
    stranger.ws.send(R"({"type":"watch_queue"})");
    REQUIRE(client::run_until(ioc, [&] { return stranger.has("error"); }, std::chrono::seconds(20)));
    CHECK_FALSE(stranger.has("queue_item"));
    CHECK(stranger.got.back().at("code") == "already_joined");
    // A watcher that is not a meeting member cannot send changes.
    second.ws.send(R"({"type":"op","seq":1,"rev":0,"change":{"kind":"add_entry","topic":"andt","org":"polis","entry":"e9"}})");
    REQUIRE(client::run_until(ioc, [&] { return second.has("error"); }, std::chrono::seconds(20)));
    CHECK(second.got.back().at("code") == "not_joined");
}

TEST_CASE("the BRÅ queue refuses a foreign web page, and a damaged history row neither stops the server nor changes "
          "the others",
          "[bra][integration]") {
    test::accounts_fixture f(queue_people());
    meeting_with_items_closed(f);
    const std::string d1 = item_path(f, "andt", "d1"), d2 = item_path(f, "andt", "d2");
    // A page of another origin, with the BRÅ member's cookie: refused before anything is read, nothing changes.
    json body = approve();
    body["version"] = 1;
    const auto foreign = f.at("bra_member").http.post(d1 + "/events", body, {{"Origin", "https://evil.example"}});
    CHECK(foreign.status == 403);
    CHECK(item(f, "bra_member", d1).at("version") == 1);
    REQUIRE(answer_of(act(f, "bra_member", d2, approve())) == "200");

    // A row written past the server (it may only append: the triggers refuse UPDATE and DELETE) that is not an
    // event of the item's history: the server still starts, reports it, and serves every other item as it was.
    f.server().terminate();
    {
        SQLite::Database db(f.data_dir() + "/est.sqlite3", SQLite::OPEN_READWRITE);
        SQLite::Statement s(db, "INSERT INTO bra_events (item, version, meeting_id, event) VALUES (?, 2, ?, 'not json')");
        s.bind(1, f.meeting() + ".andt.d1");
        s.bind(2, f.meeting());
        REQUIRE(s.exec() == 1);
        CHECK_THROWS(db.exec("DELETE FROM bra_events"));
    }
    f.restart();
    CHECK(item(f, "bra_member", d2).at("status") == "approved");
    CHECK(item(f, "bra_member", d1).at("status") == "awaiting");
}
