// meeting_room on its own: an io_context run by the test, a real store in a temporary folder, and members
// that only record what they are sent.
#include <filesystem>
#include <random>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

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

    est::server::meeting_room::join_result join(const std::shared_ptr<recording_member>& m, const std::string& client) {
        std::optional<est::server::meeting_room::join_result> result;
        room->join(m, {"m1", client, {"Anna", "polis", est::role::participant}, std::nullopt},
                   [&](est::server::meeting_room::join_result r) { result = r; });
        ioc.restart();
        while (!result) ioc.run_one();
        return *result;
    }
};

}  // namespace

TEST_CASE("a room nobody is in retires after its idle time and sends later joins back to the registry", "[room]") {
    room_fixture f;
    int retired = 0;
    f.room->on_retire(std::chrono::milliseconds(0), [&] { ++retired; });

    auto anna = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    f.room->leave(anna.get());
    f.ioc.restart();
    while (retired == 0) f.ioc.run_one();  // the idle clock (0 ms here) runs out once the last one left
    CHECK(retired == 1);

    // The registry no longer hands this room out; a join that was already on its way is answered
    // `retired` (and the session opens the meeting again) instead of joining a room nobody else can reach.
    auto bo = std::make_shared<recording_member>();
    CHECK(f.join(bo, "c-bo") == est::server::meeting_room::join_result::retired);
    CHECK(bo->got.empty());
    CHECK(f.room->member_count() == 0);
    CHECK(retired == 1);
}

TEST_CASE("a room with someone in it does not retire", "[room]") {
    room_fixture f;
    int retired = 0;
    f.room->on_retire(std::chrono::milliseconds(0), [&] { ++retired; });
    auto anna = std::make_shared<recording_member>(), bo = std::make_shared<recording_member>();
    REQUIRE(f.join(anna, "c-anna") == est::server::meeting_room::join_result::joined);
    REQUIRE(f.join(bo, "c-bo") == est::server::meeting_room::join_result::joined);
    f.room->leave(anna.get());  // one of two leaves: the room stays
    f.ioc.restart();
    f.ioc.poll();
    CHECK(retired == 0);
    CHECK(f.join(std::make_shared<recording_member>(), "c-cecilia") == est::server::meeting_room::join_result::joined);
}
