#include "bra_items.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "live_member.hpp"

namespace est::test {

namespace {

using json = nlohmann::json;

std::string move(accounts_fixture& f, const json& body) {
    return answer_of(f.at("chair").http.post("/api/meetings/" + f.meeting() + "/lifecycle", body));
}

void sign(accounts_fixture& f, const std::string& who) {
    const auto picture = f.at("chair").http.get("/api/meetings/" + f.meeting() + "/export?format=json");
    REQUIRE(picture.status == 200);
    const json now = json::parse(picture.body);
    const auto r = f.at(who).http.post("/api/meetings/" + f.meeting() + "/lifecycle",
                                       {{"action", "sign"}, {"rev", now.at("rev")}, {"digest", now.at("digest")},
                                        {"password", accounts_fixture::password_of(who)}});
    REQUIRE(answer_of(r) == "200");
}

}  // namespace

std::string answer_of(const client::http_result& r) {
    if (r.status == 200) return "200";
    return std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

accounts_fixture::options queue_people() {
    accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner", "bra_member", "non_member", "anonymous"};
    return o;
}

void meeting_with_items_closed(accounts_fixture& f) {
    {
        boost::asio::io_context ioc;
        live_member a(ioc, f.live_options(f.at("participant_a")));
        REQUIRE(a.join() == "allowed");
        for (const char* id : {"d1", "d2", "d3"}) {
            REQUIRE(a.apply(add_item_change{"andt", id}) == "allowed");
            REQUIRE(a.append(field_ref{"andt", "", "", "rubrik", id}, u"Fördjupad kartläggning vid resecentrum") ==
                    "allowed");
        }
        // Only the chair sends items to BRÅ.
        CHECK(a.apply(set_change{field_ref{"andt", "", "", "till_bra", "d1"}, "ja"}) == "forbidden");
    }
    {
        boost::asio::io_context ioc;
        live_member chair(ioc, f.live_options(f.at("chair")));
        REQUIRE(chair.join() == "allowed");
        REQUIRE(chair.apply(set_change{field_ref{"andt", "", "", "till_bra", "d1"}, "ja"}) == "allowed");
        REQUIRE(chair.apply(set_change{field_ref{"andt", "", "", "till_bra", "d2"}, "ja"}) == "allowed");
        REQUIRE(chair.apply(set_change{field_ref{"andt", "", "", "till_bra", "d3"}, "nej"}) == "allowed");
    }
    REQUIRE(move(f, {{"action", "lock_picture"}}) == "200");
    sign(f, "chair");
    sign(f, "cosigner");
    // Not in the queue before the picture closes.
    const auto before = f.at("bra_member").http.get("/api/bra/items");
    REQUIRE(before.status == 200);
    CHECK(json::parse(before.body).at("items").empty());
    REQUIRE(move(f, {{"action", "close"}}) == "200");
}

}  // namespace est::test
