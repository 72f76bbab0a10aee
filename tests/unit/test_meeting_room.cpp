// meeting_room on its own: an io_context run by the test, a real store in a temporary folder, and members
// that only record what they are sent.
#include <filesystem>
#include <functional>
#include <future>
#include <random>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "est/error.hpp"
#include "est/server/meeting_room.hpp"
#include "est/server/store.hpp"
#include "fixtures.hpp"

namespace {

struct recording_member : est::server::room_member {
    std::vector<std::string> got;
    void deliver(std::shared_ptr<const std::string> m) override { got.push_back(*m); }
    void close_with(std::uint16_t, std::string) override {}
};

struct room_fixture {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("est-room-test-" + std::to_string(std::random_device{}()));
    boost::asio::io_context ioc{1};
    std::unique_ptr<est::server::store> db;
    std::shared_ptr<est::server::meeting_room> room;

    room_fixture() {
        std::filesystem::create_directories(dir);
        db = std::make_unique<est::server::store>(dir / "est.db", false);
        est::group grp{"g", "Gruppen", "", {{"polis", "Polisen"}, {"kommun", "Kommunen"}}};
        est::server::meeting_info info{"m1", "g", "EST-möte", "2026-11-24", "open", "", est::test::biweekly()};
        est::limits lim;
        est::meeting_state state(est::meeting_document(info.tmpl, grp.organisation_ids()), 0, {}, lim);
        room = std::make_shared<est::server::meeting_room>(ioc.get_executor(), info, grp, std::move(state), *db);
    }
    ~room_fixture() {
        room.reset();
        ioc.run();  // handlers still queued hold the room
        db.reset();
        std::filesystem::remove_all(dir);
    }

    est::server::meeting_room::join_result join(const std::shared_ptr<recording_member>& m, const std::string& client,
                                                bool takes_applied = false) {
        std::optional<est::server::meeting_room::join_result> result;
        room->join(m, {"m1", client, est::identity{"Anna", "polis", est::role::participant}, std::nullopt, {}, takes_applied},
                   [&](est::server::meeting_room::join_result r) { result = r; });
        ioc.restart();
        while (!result) ioc.run_one();
        return *result;
    }
    // Anna and Bo in the room, each welcomed (Anna has also seen Bo's presence).
    std::pair<std::shared_ptr<recording_member>, std::shared_ptr<recording_member>> two_welcomed(bool take_applied = false) {
        auto anna = std::make_shared<recording_member>(), bo = std::make_shared<recording_member>();
        REQUIRE(join(anna, "c-anna", take_applied) == est::server::meeting_room::join_result::joined);
        REQUIRE(join(bo, "c-bo", take_applied) == est::server::meeting_room::join_result::joined);
        run_until([&] { return anna->got.size() == 2 && bo->got.size() == 1; });
        return {anna, bo};
    }
    // Holds the store's thread (nothing commits) until the returned function is called.
    std::function<void()> hold_store() {
        auto resume = std::make_shared<std::promise<void>>();
        db->hold_for_tests(resume->get_future().share());
        return [resume] { resume->set_value(); };
    }
    // Messages of `type` that `m` got, as (type, rev) in order of arrival, e.g. {"op",1},{"ack",2}.
    static std::vector<std::pair<std::string, std::uint64_t>> revs(const recording_member& m) {
        std::vector<std::pair<std::string, std::uint64_t>> out;
        for (const auto& text : m.got) {
            const auto j = nlohmann::json::parse(text);
            const auto type = j.at("type").get<std::string>();
            if (type == "op" || type == "ack" || type == "applied") out.emplace_back(type, j.at("rev").get<std::uint64_t>());
        }
        return out;
    }
    void run() {  // everything queued, and what that queues
        ioc.restart();
        ioc.run();
    }
    // Runs until `done()` or 10 s: for what comes back from the store's thread, which this io_context cannot see.
    template <class Pred>
    void run_until(Pred done) {
        auto work = boost::asio::make_work_guard(ioc);
        ioc.restart();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(std::chrono::milliseconds(100));
    }
};

}  // namespace

TEST_CASE("a room nobody is in retires once idle and sends later joins back to the registry", "[room]") {
    room_fixture f;
    int retired = 0;
    f.room->on_retire([&] { ++retired; });

    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    f.room->leave(anna.get());
    f.room->retire_if_idle(std::chrono::hours(1));  // empty, but not for an hour yet
    f.run();
    CHECK(retired == 0);
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(retired == 1);

    // The registry no longer hands this room out; a join that was already on its way is answered
    // `retired` (and the session opens the meeting again) instead of joining a room nobody else can reach.
    auto bo = std::make_shared<recording_member>();
    CHECK(f.join(bo, "c-bo") == est::server::meeting_room::join_result::retired);
    CHECK(bo->got.empty());
    CHECK(f.room->member_count() == 0);
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(retired == 1);  // once
}

TEST_CASE("a room with someone in it, or just loaded, does not retire", "[room]") {
    room_fixture f;
    int retired = 0;
    f.room->on_retire([&] { ++retired; });
    // Just loaded, nobody in it yet: its joiner is on the way.
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(retired == 0);

    // Someone came and went (the room was empty once), then two came.
    auto early = std::make_shared<recording_member>();
    REQUIRE(f.join(early, "c-early") == est::server::meeting_room::join_result::joined);
    f.room->leave(early.get());
    auto anna = std::make_shared<recording_member>(), bo = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    REQUIRE(f.join(bo, "c-bo") == est::server::meeting_room::join_result::joined);
    f.room->leave(anna.get());  // one of two leaves: the room stays
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(retired == 0);

    // A join queued before the last leave and the idle check runs first: the room is not idle.
    std::optional<est::server::meeting_room::join_result> cecilia_joined;
    auto cecilia = std::make_shared<recording_member>();
    f.room->join(cecilia, {"m1", "c-cecilia", est::identity{"Cecilia", "kommun", est::role::participant}, std::nullopt, {}},
                 [&](est::server::meeting_room::join_result r) { cecilia_joined = r; });
    f.room->leave(bo.get());
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(cecilia_joined == est::server::meeting_room::join_result::joined);
    CHECK(retired == 0);

    f.room->leave(cecilia.get());
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    CHECK(retired == 1);
}

TEST_CASE("an export's copy of the picture waits until every change in it is durable", "[room][export]") {
    room_fixture f;
    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    std::optional<est::server::picture_result> read;
    bool acked_before = false;
    f.room->read_picture([&](est::server::picture_result r) {
        // Acknowledgements go out when a revision is durable, before any export of it.
        for (const auto& m : anna->got) acked_before = acked_before || m.find("\"type\":\"ack\"") != std::string::npos;
        read = std::move(r);
    });
    f.run_until([&] { return read.has_value(); });  // the store's thread commits, then hops back here
    REQUIRE(read);
    CHECK(read->error.empty());
    CHECK(read->rev == 1);
    CHECK(acked_before);
    REQUIRE(read->document);
    CHECK(read->document->topic("andt").cells.at("polis").entries.size() == 1);

    // A retired room sends the reader back to the registry, which loads the meeting afresh.
    f.room->leave(anna.get());
    f.room->retire_if_idle(std::chrono::milliseconds(0));
    f.run();
    read.reset();
    f.room->read_picture([&](est::server::picture_result r) { read = std::move(r); });
    f.run();
    REQUIRE(read);
    CHECK(read->error == "retired");
    CHECK_FALSE(read->document);
}

TEST_CASE("an export waiting for a commit that fails gets storage_failed, never the lost change", "[room][export]") {
    room_fixture f;
    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    f.run();
    // The file may not grow: a 4,000-character change needs new pages, and its commit fails.
    f.db->set_max_page_count_for_tests(1);
    est::text_operation op;
    op.insert(std::u16string(4000, u'x'));
    f.room->submit(anna, {2, 1, est::text_change{{"andt", "polis", "e1", "handelse"}, op}});
    std::optional<est::server::picture_result> read;
    f.room->read_picture([&](est::server::picture_result r) { read = std::move(r); });
    f.run_until([&] { return read.has_value(); });
    REQUIRE(read);
    CHECK(read->error == "storage_failed");
    CHECK_FALSE(read->document);
}

TEST_CASE("a damaged op-log row in the catch-up history fails the load, checked once per row", "[room][load]") {
    using est::server::op_record;
    const std::string author = R"({"name":"Anna","org":"polis","role":"participant","session":"p1"})";
    const std::string change = R"({"kind":"add_entry","topic":"andt","org":"polis","entry":"e1"})";
    auto code_of = [](const std::function<void()>& f) -> std::string {
        try {
            f();
        } catch (const est::domain_error& e) {
            return e.code();
        }
        return "(loaded)";
    };
    {
        // Rows up to the snapshot (revision 2 here) are checked whole: the replay did not parse them.
        room_fixture f;
        std::vector<op_record> ops{{"m1", 1, "c1", 1, author, change}, {"m1", 2, "c1", 2, author, "{\"kind\":"}};
        CHECK(code_of([&] { f.room->remember_logged(ops, 2); }) == "bad_snapshot");
    }
    {
        // An author that is not JSON, after one that is: not taken for the same author.
        room_fixture f;
        std::vector<op_record> ops{{"m1", 1, "c1", 1, author, change}, {"m1", 2, "c1", 2, author + "}", change}};
        CHECK(code_of([&] { f.room->remember_logged(ops, 0); }) == "bad_snapshot");
    }
    {
        // Whole rows load, before and after the snapshot.
        room_fixture f;
        std::vector<op_record> ops{{"m1", 1, "c1", 1, author, change}, {"m1", 2, "c1", 2, author, change}};
        CHECK(code_of([&] { f.room->remember_logged(ops, 1); }) == "(loaded)");
    }
}

TEST_CASE("an edit reaches the others before it is durable, and its author's ack only once it is", "[room][durability]") {
    room_fixture f;
    auto [anna, bo] = f.two_welcomed();
    using rev_list = std::vector<std::pair<std::string, std::uint64_t>>;

    auto release = f.hold_store();
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    f.run();
    CHECK(room_fixture::revs(*bo) == rev_list{{"op", 1}});  // not durable yet, but shown
    CHECK(room_fixture::revs(*anna).empty());                  // acknowledged only once durable
    // Anna's ack still waits: bo's change may not overtake it on her connection.
    f.room->submit(bo, {1, 1, est::add_entry_change{"andt", "polis", "e2"}});
    f.run();
    CHECK(room_fixture::revs(*anna).empty());
    release();
    f.run_until([&] { return room_fixture::revs(*anna).size() == 2 && room_fixture::revs(*bo).size() == 2; });
    CHECK(room_fixture::revs(*anna) == rev_list{{"ack", 1}, {"op", 2}});
    CHECK(room_fixture::revs(*bo) == rev_list{{"op", 1}, {"ack", 2}});
}

TEST_CASE("a client that takes applied gets others' changes before its own is durable, each after an applied", "[room][durability]") {
    room_fixture f;
    auto [anna, bo] = f.two_welcomed(true);
    auto cara = std::make_shared<recording_member>();  // joined without `applied`: the order as before
    REQUIRE(f.join(cara, "c-cara") == est::server::meeting_room::join_result::joined);
    f.run_until([&] { return !cara->got.empty(); });
    using rev_list = std::vector<std::pair<std::string, std::uint64_t>>;

    auto release = f.hold_store();
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    f.run();
    CHECK(room_fixture::revs(*anna).empty());  // nothing later is due to her: no applied
    f.room->submit(bo, {1, 1, est::add_entry_change{"andt", "polis", "e2"}});
    f.room->submit(cara, {1, 2, est::add_entry_change{"andt", "polis", "e3"}});
    f.run();
    // Anna is told that hers is applied (not durable), then gets the others' changes at once.
    CHECK(room_fixture::revs(*anna) == rev_list{{"applied", 1}, {"op", 2}, {"op", 3}});
    CHECK(room_fixture::revs(*bo) == rev_list{{"op", 1}, {"applied", 2}, {"op", 3}});
    CHECK(room_fixture::revs(*cara) == rev_list{{"op", 1}, {"op", 2}});
    release();
    f.run_until([&] { return room_fixture::revs(*anna).size() == 4 && room_fixture::revs(*bo).size() == 4 &&
                             room_fixture::revs(*cara).size() == 3; });
    // Durable in order: Anna's and Bo's acks are marks after their applied; Cara's is in its place.
    CHECK(room_fixture::revs(*anna) == rev_list{{"applied", 1}, {"op", 2}, {"op", 3}, {"ack", 1}});
    CHECK(room_fixture::revs(*bo) == rev_list{{"op", 1}, {"applied", 2}, {"op", 3}, {"ack", 2}});
    CHECK(room_fixture::revs(*cara) == rev_list{{"op", 1}, {"op", 2}, {"ack", 3}});
}

TEST_CASE("a client that takes applied keeps the strict order while its welcome waits, and survives a replaced connection", "[room][durability]") {
    room_fixture f;
    using rev_list = std::vector<std::pair<std::string, std::uint64_t>>;
    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna", true) == est::server::meeting_room::join_result::joined);
    f.run_until([&] { return !anna->got.empty(); });

    auto release = f.hold_store();
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    auto bo = std::make_shared<recording_member>();  // welcome at revision 1, which is not durable yet
    REQUIRE(f.join(bo, "c-bo", true) == est::server::meeting_room::join_result::joined);
    f.room->submit(bo, {1, 1, est::add_entry_change{"andt", "polis", "e2"}});
    f.room->submit(anna, {2, 2, est::add_entry_change{"andt", "polis", "e3"}});
    f.run();
    CHECK(bo->got.empty());  // nothing before its welcome, and no applied while it waits
    CHECK(room_fixture::revs(*anna) == rev_list{{"applied", 1}, {"op", 2}});
    // Anna's connection is replaced by a new one of the same client before her changes are durable.
    auto anna2 = std::make_shared<recording_member>();
    REQUIRE(f.join(anna2, "c-anna", true) == est::server::meeting_room::join_result::joined);
    release();
    f.run_until([&] { return room_fixture::revs(*bo).size() == 2 && !anna2->got.empty(); });
    CHECK(room_fixture::revs(*bo) == rev_list{{"ack", 2}, {"op", 3}});
    // The old connection, closing (4001), still gets its marks, in order; nothing counts them as held.
    CHECK(room_fixture::revs(*anna) == rev_list{{"applied", 1}, {"op", 2}, {"ack", 1}, {"ack", 3}});
    const auto welcome = nlohmann::json::parse(anna2->got.front());
    CHECK(welcome.at("type") == "welcome");
    CHECK(welcome.at("last_seq") == 2);
    CHECK(welcome.at("rev") == 3);
}

TEST_CASE("a lifecycle move is shown only once durable, and no edit after it overtakes it", "[room][durability]") {
    room_fixture f;
    auto [anna, bo] = f.two_welcomed();
    using rev_list = std::vector<std::pair<std::string, std::uint64_t>>;

    auto release = f.hold_store();
    std::optional<est::server::lifecycle_result> locked;
    est::server::lifecycle_request lock{est::lifecycle_kind::lock_topic, "andt", {"", {"Eva", "kommun", est::role::chair}}, 0, {}};
    f.room->act(lock, [&](est::server::lifecycle_result r) { locked = std::move(r); });
    f.room->submit(anna, {1, 0, est::add_entry_change{"hot-och-vald", "polis", "e1"}});
    f.run();
    CHECK_FALSE(locked);
    CHECK(room_fixture::revs(*anna).empty());
    CHECK(room_fixture::revs(*bo).empty());
    release();
    f.run_until([&] { return room_fixture::revs(*anna).size() == 2 && room_fixture::revs(*bo).size() == 2; });
    REQUIRE(locked);
    CHECK(locked->error.empty());
    CHECK(locked->rev == 1);
    CHECK(room_fixture::revs(*anna) == rev_list{{"op", 1}, {"ack", 2}});
    CHECK(room_fixture::revs(*bo) == rev_list{{"op", 1}, {"op", 2}});
}

TEST_CASE("a since counts under the room's epoch, and under the one before up to where the room loaded", "[room][durability]") {
    room_fixture f;
    f.room->follow_epoch("e-before", "");  // loaded at revision 0, under an epoch of its own
    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    f.room->submit(anna, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    f.run_until([&] { return anna->got.size() == 2; });
    const auto first = nlohmann::json::parse(anna->got.at(0));
    const std::string epoch = first.at("epoch");
    CHECK(epoch.size() == 16);
    auto rejoin = [&](const std::string& client, const std::string& with_epoch, std::uint64_t since = 0) {
        auto m = std::make_shared<recording_member>();
        est::join_message j{"m1", client, est::identity{"Bo", "polis", est::role::participant}, since, with_epoch};
        std::optional<est::server::meeting_room::join_result> result;
        f.room->join(m, j, [&](est::server::meeting_room::join_result r) { result = r; });
        f.run_until([&] { return !m->got.empty(); });
        REQUIRE(result == est::server::meeting_room::join_result::joined);
        return nlohmann::json::parse(m->got.at(0));
    };
    const auto same = rejoin("c-bo-1", epoch);
    CHECK(same.at("epoch") == epoch);
    CHECK(same.at("catch_up").size() == 1);
    CHECK_FALSE(same.contains("state"));
    CHECK(rejoin("c-bo-2", "e-before").at("catch_up").size() == 1);
    // Revision 1 came after the load: under the epoch before it may have been another change, lost.
    for (const auto& [other, since] : {std::pair<std::string, std::uint64_t>{"0000000000000000", 0},
                                       {"", 0}, {"e-before", 1}}) {
        const auto w = rejoin("c-bo-" + other + std::to_string(since), other, since);
        CHECK(w.contains("state"));
        CHECK_FALSE(w.contains("catch_up"));
    }
}

TEST_CASE("regression: a connection gone before it left the room does not hold back later welcomes", "[room][durability]") {
    // Its ack was counted as held for it; when the connection was gone by the time the ack was due, the count
    // stayed up, the next presence for it queued behind nothing that would ever be delivered, and every later
    // join's welcome waited behind that.
    room_fixture f;
    auto [anna, bo] = f.two_welcomed();
    auto release = f.hold_store();
    f.room->submit(bo, {1, 0, est::add_entry_change{"andt", "polis", "e1"}});
    f.run();
    bo.reset();  // the connection is gone; its leave has not reached the room
    release();
    std::optional<est::server::picture_result> durable;  // an export's copy waits until revision 1 is durable
    f.room->read_picture([&](est::server::picture_result r) { durable = std::move(r); });
    f.run_until([&] { return durable.has_value(); });
    REQUIRE(durable);
    REQUIRE(durable->rev == 1);
    // The ack for bo has gone nowhere now that its revision is durable: a focus now, then a join.
    f.room->focus(anna, {std::nullopt});
    f.run();
    auto cara = std::make_shared<recording_member>();
    REQUIRE(f.join(cara, "c-cara") == est::server::meeting_room::join_result::joined);
    f.run_until([&] { return !cara->got.empty(); });
    REQUIRE_FALSE(cara->got.empty());
    CHECK(nlohmann::json::parse(cara->got.front()).at("type") == "welcome");
}
