// Issue 16 through the real server: who wrote what. GET /api/meetings/{id}/history names who added, wrote in and
// removed each entry, and what a removed entry held, so its organisation can restore it; members only.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "cosigner", "chair", "non_member", "anonymous"};
    return o;
}

const json* find_entry(const json& history, const std::string& entry) {
    for (const auto& e : history.at("entries"))
        if (e.at("entry") == entry) return &e;
    return nullptr;
}

}  // namespace

TEST_CASE("the history names each entry's writers and keeps what a removed entry held, for members only",
          "[history][integration]") {
    test::accounts_fixture f(people());
    boost::asio::io_context ioc;
    auto& police = f.at("participant_a");  // polis
    auto& cosigner = f.at("cosigner");     // polis too
    {
        test::live_member a(ioc, f.live_options(police));
        test::live_member b(ioc, f.live_options(cosigner));
        REQUIRE(a.join() == "allowed");
        REQUIRE(b.join() == "allowed");
        REQUIRE(a.apply(add_entry_change{"andt", "polis", "e-kept"}) == "allowed");
        REQUIRE(a.append(field_ref{"andt", "polis", "e-kept", "handelse"}, u"Langning vid ") == "allowed");
        REQUIRE(b.append(field_ref{"andt", "polis", "e-kept", "handelse"}, u"skolan") == "allowed");
        REQUIRE(a.apply(add_entry_change{"andt", "polis", "e-gone"}) == "allowed");
        REQUIRE(a.append(field_ref{"andt", "polis", "e-gone", "handelse"}, u"Klotter på ") == "allowed");
        REQUIRE(a.append(field_ref{"andt", "polis", "e-gone", "handelse"}, u"stationen, å ä ö 🙂") == "allowed");
        REQUIRE(a.append(field_ref{"andt", "polis", "e-gone", "plats"}, u"Resecentrum") == "allowed");
        REQUIRE(a.apply(set_change{{"andt", "polis", "e-gone", "trend"}, "ökar"}) == "allowed");
        REQUIRE(b.apply(remove_entry_change{"andt", "polis", "e-gone"}) == "allowed");
    }
    const std::string path = "/api/meetings/" + f.meeting() + "/history";
    const auto r = f.at("chair").http.get(path);
    REQUIRE(r.status == 200);
    const json h = json::parse(r.body);
    CHECK(h.at("complete") == true);
    CHECK(h.at("meeting") == f.meeting());

    const json* kept = find_entry(h, "e-kept");
    REQUIRE(kept);
    CHECK(kept->at("added").at("by") == police.name);
    CHECK(kept->at("authors") == json::array({police.name, cosigner.name}));
    CHECK(kept->at("changed").at("by") == cosigner.name);
    CHECK_FALSE(kept->contains("removed"));
    CHECK_FALSE(kept->contains("content"));  // a live entry's content is the picture's
    // Keystrokes run together: add, then one run of text per person.
    CHECK(kept->at("events").size() == 3);

    const json* gone = find_entry(h, "e-gone");
    REQUIRE(gone);
    CHECK(gone->at("removed").at("by") == cosigner.name);
    CHECK(gone->at("content").at("fields") ==
          json{{"handelse", "Klotter på stationen, å ä ö 🙂"}, {"plats", "Resecentrum"}, {"trend", "ökar"}});
    CHECK(gone->at("content").at("secrecy") == "");

    // Members only, GET only; a stranger finds nothing.
    CHECK(police.http.get(path).status == 200);
    CHECK(f.at("non_member").http.get(path).status == 404);
    CHECK(f.at("anonymous").http.get(path).status == 401);
    CHECK(f.at("chair").http.post(path, json::object()).status == 405);
    CHECK(f.at("chair").http.get("/api/meetings/no-such/history").status == 404);

    // The history is the durable log's: a kill -9 keeps it.
    f.crash_and_restart();
    const auto again = f.at("chair").http.get(path);
    REQUIRE(again.status == 200);
    CHECK(json::parse(again.body) == h);
}
