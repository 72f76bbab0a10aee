#include "bra_items.hpp"

#include <algorithm>

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

queue_watcher::queue_watcher(boost::asio::io_context& ioc, accounts_fixture& f, person& p)
    : ws(ioc, {[this] { ws.send(R"({"type":"watch_queue"})"); },
               [this](std::string_view text) {
                   // Several protocol messages may come in one WebSocket message, one per line.
                   while (!text.empty()) {
                       const auto end = text.find('\n');
                       got.push_back(nlohmann::json::parse(text.substr(0, end)));
                       text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
                   }
               },
               [this](const std::string& why) { closed = why; }}) {
    ws.connect(f.server().host(), f.server().port(), "/ws", {{"Cookie", p.http.cookie()}, {"Origin", p.http.own_origin()}});
}

bool queue_watcher::has(const std::string& type, const std::string& status) const {
    return std::any_of(got.begin(), got.end(), [&](const nlohmann::json& m) {
        return m.value("type", "") == type && (status.empty() || m.at("item").value("status", "") == status);
    });
}

}  // namespace est::test
