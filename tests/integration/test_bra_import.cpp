// Open measures imported into the BRÅ queue through the real server (issue 14): a BRÅ member imports a CSV or
// JSON file in the queue's own export format; the items show in the queue with an "import" event first, are
// followed up by their owner organisation and survive kill -9; the wrong people and every bad file are refused
// with nothing changed; a queue exported from one group and imported into another exports the same again.
#include <algorithm>
#include <map>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "bra_items.hpp"
#include "est/csv.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using test::answer_of;

client::http_result import_csv(test::accounts_fixture& f, const std::string& who, const std::string& group,
                               const std::string& csv, const test::api_client::headers& extra = {}) {
    test::api_client::headers h = {{"Content-Type", "text/csv; charset=utf-8"}};
    h.insert(h.end(), extra.begin(), extra.end());
    return f.at(who).http.call("POST", "/api/bra/import?group=" + group, csv, h);
}

json queue(test::accounts_fixture& f, const std::string& who, const std::string& group) {
    const auto r = f.at(who).http.get("/api/bra/items?group=" + group);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

json item_of(test::accounts_fixture& f, const std::string& who, const std::string& id) {
    const auto r = f.at(who).http.get("/api/bra/items/" + id);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

std::string exported_csv(test::accounts_fixture& f, const std::string& who, const std::string& group) {
    const auto r = f.at(who).http.get("/api/bra/items?format=csv&group=" + group);
    REQUIRE(r.status == 200);
    return r.body;
}

// The export's header and rows made of `cells` by column name.
std::string csv_file(test::accounts_fixture& f, const std::vector<std::map<std::string, std::string>>& rows) {
    const std::string exported = exported_csv(f, "bra_member", f.group());
    const auto header = csv::read(exported.substr(0, exported.find("\r\n"))).at(0);
    std::string out = csv::row(header);
    for (const auto& cells : rows) {
        std::vector<std::string> row;
        for (const auto& c : header) row.push_back(cells.count(c) ? cells.at(c) : "");
        out += csv::row(row);
    }
    return out;
}

const std::map<std::string, std::string> overdue_cameras = {
    {"topic", "andt"}, {"rubrik", "Kameror vid resecentrum"}, {"typ", "åtgärd/insats"}, {"status", "approved"},
    {"owner_org", "polis"}, {"contact", "Anna Berg, 0223-123 45"}, {"due", "2020-01-31"}, {"progress", "yellow"}};
const std::map<std::string, std::string> formula_walk = {
    {"topic", "ovrigt"}, {"rubrik", "=Trygghetsvandring, \"Norr\""}, {"beskrivning", "rad 1\nrad 2"}, {"status", "awaiting"}};

std::size_t audited(test::accounts_fixture& f, const std::string& action) {
    const auto audit = f.at("server_admin").http.get("/api/audit?limit=100");
    REQUIRE(audit.status == 200);
    const json rows = json::parse(audit.body);
    return static_cast<std::size_t>(
        std::count_if(rows.begin(), rows.end(), [&](const json& row) { return row.value("action", "") == action; }));
}

}  // namespace

TEST_CASE("a BRÅ member imports open measures from CSV and JSON: in the queue, followed up, kept through kill -9",
          "[bra][import][integration]") {
    test::accounts_fixture f(test::queue_people());
    // A member of the group watching the queue live, and one of another group.
    boost::asio::io_context ioc;
    test::queue_watcher watcher(ioc, f, f.at("participant_b"));
    test::queue_watcher stranger(ioc, f, f.at("non_member"));
    REQUIRE(client::run_until(ioc, [&] { return watcher.has("queue_watching") && stranger.has("queue_watching"); },
                              std::chrono::seconds(20)));

    const auto csv_answer = import_csv(f, "bra_member", f.group(), csv_file(f, {overdue_cameras, formula_walk}));
    INFO(csv_answer.body);
    REQUIRE(answer_of(csv_answer) == "200");
    const json imported = json::parse(csv_answer.body);
    CHECK(imported.at("count") == 2);
    const std::string batch = imported.at("batch");
    CHECK(batch.rfind("imp-", 0) == 0);
    const std::string cameras = batch + ".andt.i1", walk = batch + ".ovrigt.i2";
    CHECK(imported.at("items").at(0).at("id") == cameras);

    // The watcher gets both items as they are; the stranger's next message is the answer to one of its own.
    REQUIRE(client::run_until(ioc, [&] { return watcher.has("queue_item", "awaiting") && watcher.has("queue_item", "approved"); },
                              std::chrono::seconds(20)));
    CHECK(std::count_if(watcher.got.begin(), watcher.got.end(), [](const json& m) { return m.value("type", "") == "queue_item"; }) == 2);
    stranger.ws.send(R"({"type":"watch_queue"})");
    REQUIRE(client::run_until(ioc, [&] { return stranger.has("error"); }, std::chrono::seconds(20)));
    CHECK_FALSE(stranger.has("queue_item"));

    json q = queue(f, "participant_b", f.group());
    REQUIRE(q.at("items").size() == 2);
    json item = item_of(f, "bra_member", cameras);
    CHECK(item.at("status") == "approved");
    CHECK(item.at("progress") == "yellow");
    CHECK(item.at("flags").at("overdue") == true);  // a past due date is imported: the measure is overdue
    CHECK(item.at("meeting").at("id") == batch);
    CHECK(item.at("topic").at("title") == "ANDT");
    CHECK(item.at("history").size() == 1);
    CHECK(item.at("history").at(0).at("kind") == "import");
    CHECK(item.at("history").at(0).at("by").at("name") == f.at("bra_member").name);
    const json walk_item = item_of(f, "bra_member", walk);
    CHECK(walk_item.at("fields").at("rubrik") == "=Trygghetsvandring, \"Norr\"");  // the export's guard removed
    CHECK(walk_item.at("fields").at("beskrivning") == "rad 1\nrad 2");

    // Its owner organisation follows it up; someone else's may not; BRÅ decides the awaiting one.
    auto event = [&](const std::string& who, const std::string& id, json body) {
        body["version"] = item_of(f, "bra_member", id).at("version");
        return answer_of(f.at(who).http.post("/api/bra/items/" + id + "/events", body));
    };
    CHECK(event("participant_b", cameras, {{"kind", "follow_up"}, {"progress", "green"}}) == "403 forbidden");
    CHECK(event("participant_a", cameras, {{"kind", "follow_up"}, {"progress", "green"}}) == "200");
    CHECK(event("bra_member", walk, {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Görs redan"}}) == "200");

    // JSON: the list's own items.
    const json body = {{"items", {{{"topic", {{"id", "ungdomar-skolor"}}}, {"fields", {{"rubrik", "Fritidsgård öppen fredagar"}}},
                                   {"status", "deferred"}, {"deferred_to", "2099-01-20"}}}}};
    const auto json_answer = f.at("bra_member").http.post("/api/bra/import?group=" + f.group(), body);
    INFO(json_answer.body);
    REQUIRE(answer_of(json_answer) == "200");
    const std::string youth = json::parse(json_answer.body).at("items").at(0).at("id");

    f.crash_and_restart();
    q = queue(f, "bra_member", f.group());
    CHECK(q.at("items").size() == 3);
    item = item_of(f, "participant_a", cameras);
    CHECK(item.at("progress") == "green");
    CHECK(item.at("history").size() == 2);
    CHECK(item_of(f, "bra_member", walk).at("status") == "rejected");
    CHECK(item_of(f, "bra_member", youth).at("status") == "deferred");
    // And it goes on after the restart: an event on an imported item is stored as any other.
    CHECK(event("participant_a", cameras, {{"kind", "follow_up"}, {"progress", "done"}}) == "200");
    f.crash_and_restart();
    CHECK(item_of(f, "bra_member", cameras).at("status") == "done");
    CHECK(audited(f, "bra.import") == 2);
}

TEST_CASE("an import by the wrong person, into the wrong group, or of a bad file is refused and changes nothing",
          "[bra][import][integration]") {
    test::accounts_fixture f(test::queue_people());
    const std::string good = csv_file(f, {overdue_cameras});
    CHECK(answer_of(import_csv(f, "participant_a", f.group(), good)) == "403 forbidden");
    CHECK(answer_of(import_csv(f, "chair", f.group(), good)) == "403 forbidden");
    CHECK(answer_of(import_csv(f, "anonymous", f.group(), good)) == "401 sign_in_required");
    CHECK(answer_of(import_csv(f, "non_member", f.group(), good)) == "404 not_found");
    CHECK(answer_of(import_csv(f, "bra_member", f.other_group(), good)) == "404 not_found");
    CHECK(answer_of(import_csv(f, "bra_member", "no-such-group", good)) == "404 not_found");
    CHECK(answer_of(f.at("bra_member").http.call("POST", "/api/bra/import", good, {{"Content-Type", "text/csv"}})) ==
          "400 bad_message");
    // A page of another site, and a body a form could send.
    CHECK(import_csv(f, "bra_member", f.group(), good, {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(f.at("bra_member").http.call("POST", "/api/bra/import?group=" + f.group(), good, {{"Content-Type", "text/plain"}})
              .status == 415);
    CHECK(answer_of(f.at("bra_member").http.get("/api/bra/import?group=" + f.group())) == "405 method_not_allowed");

    // One bad row among good ones: 400 naming the row (the header is row 1) and the column.
    auto refused_because = [&](std::map<std::string, std::string> bad) {
        const auto r = import_csv(f, "bra_member", f.group(), csv_file(f, {overdue_cameras, bad}));
        CHECK(answer_of(r) == "400 bad_message");
        return json::parse(r.body).value("message", "");
    };
    auto with = [](std::string column, std::string value) {
        auto row = overdue_cameras;
        row[column] = value;
        return row;
    };
    CHECK(refused_because(with("status", "open")).rfind("row 3, column status: 'open' is not a status", 0) == 0);
    CHECK(refused_because(with("due", "2027-02-30")).rfind("row 3, column due: '2027-02-30' is not a day", 0) == 0);
    CHECK(refused_because(with("owner_org", "brandkaren")) ==
          "row 3, column owner_org: 'brandkaren' is not one of the group's organisations");
    CHECK(refused_because(with("topic", "fotboll")) == "row 3, column topic: 'fotboll' is not a topic of the template");
    const auto ragged = import_csv(f, "bra_member", f.group(), csv_file(f, {overdue_cameras}) + "andt,approved\r\n");
    CHECK(answer_of(ragged) == "400 bad_message");
    CHECK(json::parse(ragged.body).value("message", "").rfind("row 3: 2 cells, but the header has ", 0) == 0);
    const auto unterminated = import_csv(f, "bra_member", f.group(), good + "\"andt,approved\r\n");
    CHECK(json::parse(unterminated.body).value("message", "") == "row 3, column 1: a quoted cell that never ends (a '\"' is missing)");
    const auto bad_json = f.at("bra_member").http.post("/api/bra/import?group=" + f.group(),
                                                       {{"items", {{{"topic", "andt"}, {"status", "maybe"}}}}});
    CHECK(answer_of(bad_json) == "400 bad_message");
    CHECK(json::parse(bad_json.body).value("message", "").rfind("items[0].status: 'maybe' is not a status", 0) == 0);

    CHECK(queue(f, "bra_member", f.group()).at("items").empty());
    CHECK(audited(f, "bra.import") == 0);
}

TEST_CASE("the queue exported from one group and imported into another exports the same fields and state again",
          "[bra][import][integration]") {
    test::accounts_fixture f(test::queue_people());
    f.invite("bra_other", role::bra_member, "", f.other_group());
    test::meeting_with_items_closed(f);
    const std::string d1 = "/api/bra/items/" + f.meeting() + ".andt.d1", d2 = "/api/bra/items/" + f.meeting() + ".andt.d2";
    auto act = [&](const std::string& path, json body) {
        body["version"] = json::parse(f.at("bra_member").http.get(path).body).at("version");
        REQUIRE(answer_of(f.at("bra_member").http.post(path + "/events", body)) == "200");
    };
    act(d1, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2099-01-20"}});
    act(d1, {{"kind", "decide"}, {"verdict", "approve"}, {"owner_org", "polis"}, {"contact", "Anna Berg"}, {"due", "2099-03-01"}});
    act(d2, {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Ingår redan i polisens arbete"}});

    const std::string first = exported_csv(f, "bra_member", f.group());
    const auto answer = import_csv(f, "bra_other", f.other_group(), first);
    INFO(answer.body);
    REQUIRE(answer_of(answer) == "200");
    const std::string second = exported_csv(f, "bra_other", f.other_group());
    // The same cells but for where each item is (id, group, meeting, meeting_date) and its version.
    auto cells_of = [](const std::string& text) {
        auto rows = csv::read(text);
        for (auto& r : rows) {
            r.erase(r.begin(), r.begin() + 4);
            r.pop_back();
        }
        return rows;
    };
    CHECK(cells_of(second) == cells_of(first));
    CHECK(cells_of(second).size() == 3);
    CHECK(second.find(",approved,approve,polis,Anna Berg,2099-03-01,,2099-01-20,") != std::string::npos);
}

TEST_CASE("imports are bounded: 500 items in one, 5000 imported items in a group", "[bra][import][integration]") {
    test::accounts_fixture f(test::queue_people());
    const std::vector<std::map<std::string, std::string>> full(500, {{"topic", "andt"}, {"rubrik", "R"}, {"status", "awaiting"}});
    const std::string file = csv_file(f, full);
    auto too_many = full;
    too_many.push_back(full.front());
    const auto over = import_csv(f, "bra_member", f.group(), csv_file(f, too_many));
    CHECK(answer_of(over) == "400 bad_message");
    CHECK(json::parse(over.body).value("message", "") == "row 502: more than 500 items in one import");
    for (int i = 0; i < 10; ++i) REQUIRE(answer_of(import_csv(f, "bra_member", f.group(), file)) == "200");
    const auto full_group = import_csv(f, "bra_member", f.group(), csv_file(f, {full.front()}));
    CHECK(answer_of(full_group) == "400 limit_reached");
    f.restart();  // the count is read again from the store
    CHECK(answer_of(import_csv(f, "bra_member", f.group(), csv_file(f, {full.front()}))) == "400 limit_reached");
    CHECK(queue(f, "bra_member", f.group()).at("items").size() == 5000);
}

TEST_CASE("no meeting may take an import batch's id, so imported items stay their group's", "[bra][import][integration]") {
    test::accounts_fixture f(test::queue_people());
    const auto answer = import_csv(f, "bra_member", f.group(), csv_file(f, {overdue_cameras}));
    REQUIRE(answer_of(answer) == "200");
    const std::string batch = json::parse(answer.body).at("batch");
    // A chair naming a new meeting after the batch (or any id an import could take) is refused, and nothing is made.
    for (const std::string& id : {batch, std::string("imp-0000000000000000")}) {
        INFO(id);
        const auto made = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"id", id}, {"title", "Kapning"}});
        CHECK(answer_of(made) == "400 bad_message");
        CHECK(f.at("chair").http.get("/api/meetings/" + id).status == 404);
    }
    // The imported item is still where it was, for its group.
    CHECK(item_of(f, "bra_member", batch + ".andt.i1").at("group") == f.group());
}

TEST_CASE("an administrator who is not a BRÅ member imports awaiting measures only, never BRÅ's decisions",
          "[bra][import][integration]") {
    auto people = test::queue_people();
    people.people.push_back("group_admin");
    test::accounts_fixture f(people);
    std::map<std::string, std::string> awaiting = overdue_cameras;
    for (const char* k : {"owner_org", "contact", "due", "progress"}) awaiting.erase(k);
    awaiting["status"] = "awaiting";
    // Bifall in the file: BRÅ's decision, which the group's administrator may not make.
    CHECK(answer_of(import_csv(f, "group_admin", f.group(), csv_file(f, {awaiting, overdue_cameras}))) == "403 forbidden");
    CHECK(queue(f, "bra_member", f.group()).at("items").empty());
    CHECK(answer_of(import_csv(f, "group_admin", f.group(), csv_file(f, {awaiting}))) == "200");
    // A BRÅ member imports the decided one.
    CHECK(answer_of(import_csv(f, "bra_member", f.group(), csv_file(f, {overdue_cameras}))) == "200");
    CHECK(queue(f, "bra_member", f.group()).at("items").size() == 2);
}
