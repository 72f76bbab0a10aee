// Issue 15 through the real server: a personal identity number typed by one participant is flagged for everyone,
// the sign-off is refused until it is edited away or the chair acknowledges it, only the chair acknowledges, and
// the flags and acknowledgements survive a restart.
#include <algorithm>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "est/server_message.hpp"
#include "est/sshsig.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

const std::string number = sshsig::sha256_hex("1212121212");  // 19121212-1212, as the server names it

std::string move(test::accounts_fixture& f, const std::string& who, const json& body) {
    const auto r = f.at(who).http.post("/api/meetings/" + f.meeting() + "/lifecycle", body);
    if (r.status == 200) return "200";
    return std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

std::string sign(test::accounts_fixture& f, const std::string& who) {
    const auto r = f.at(who).http.get("/api/meetings/" + f.meeting() + "/export?format=json");
    REQUIRE(r.status == 200);
    const json exp = json::parse(r.body);
    return move(f, who, {{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")},
                         {"password", test::accounts_fixture::password_of(who)}});
}

// A live member that keeps every op and ack message it sees.
struct watcher {
    test::live_member m;
    std::vector<json> ops;
    std::vector<json> acks;
    watcher(boost::asio::io_context& ioc, test::accounts_fixture& f, const std::string& who) : m(ioc, f.live_options(f.at(who))) {
        auto inner = m.client().on_message;
        m.client().on_message = [this, inner](const server_message& msg) {
            inner(msg);
            if (msg.type() == "op") ops.push_back(msg.json());
            if (msg.type() == "ack") acks.push_back(msg.json());
        };
        REQUIRE(m.join() == "allowed");
    }
    // The last op about `field`'s flags, once one has come.
    const json* flags_of(const field_ref& field) const {
        for (auto it = ops.rbegin(); it != ops.rend(); ++it)
            if (it->contains("flags") && it->at("flags").at("target") == field.to_json()) return &it->at("flags");
        return nullptr;
    }
};

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner"};
    return o;
}

}  // namespace

TEST_CASE("a personal identity number typed by one participant is flagged for all and holds the sign-off until the chair acknowledges it",
          "[privacy][integration]") {
    test::accounts_fixture f(people());
    boost::asio::io_context ioc;
    const field_ref handelse{"andt", "polis", "e1", "handelse"};
    {
        test::live_member police(ioc, f.live_options(f.at("participant_a")));
        watcher social(ioc, f, "participant_b");
        REQUIRE(police.join() == "allowed");
        REQUIRE(police.apply(add_entry_change{"andt", "polis", "e1"}) == "allowed");
        REQUIRE(police.append(handelse, u"Anmälan gäller 19121212-12") == "allowed");
        REQUIRE(police.append(handelse, u"12 på Storgatan.") == "allowed");
        // The other participant's broadcast says the field now holds the number: no digits, its SHA-256.
        REQUIRE(client::run_until(ioc, [&] { return social.flags_of(handelse) != nullptr; }));
        CHECK(*social.flags_of(handelse) ==
              json{{"target", handelse.to_json()}, {"numbers", json::array({{{"number", number}, {"kind", "personnummer"}}})}});
        // A newcomer's welcome lists it.
        test::live_member late(ioc, f.live_options(f.at("cosigner")));
        REQUIRE(late.join() == "allowed");
        CHECK(late.welcome().at("privacy").at("flags").size() == 1);
        CHECK(late.welcome().at("privacy").at("acknowledged").empty());
    }

    CHECK(move(f, "chair", {{"action", "lock_picture"}}) == "200");
    CHECK(sign(f, "chair") == "409 personal_data");

    // Only the chair acknowledges; a participant's attempt changes nothing.
    const acknowledge_change ack{handelse, number, "Uppgiften behövs för polisens uppföljning"};
    {
        test::live_member police(ioc, f.live_options(f.at("participant_a")));
        REQUIRE(police.join() == "allowed");
        CHECK(police.apply(ack) == "forbidden");
    }
    CHECK(sign(f, "chair") == "409 personal_data");
    {
        watcher social(ioc, f, "participant_b");
        test::live_member chair(ioc, f.live_options(f.at("chair")));
        REQUIRE(chair.join() == "allowed");
        acknowledge_change forged = ack;
        forged.by = "Någon annan";  // who and when are the server's to say
        REQUIRE(chair.apply(forged) == "allowed");
        CHECK(chair.apply(ack) == "conflict");
        REQUIRE(client::run_until(ioc, [&] {
            return std::any_of(social.ops.begin(), social.ops.end(),
                               [](const json& op) { return op.at("change").at("kind") == "acknowledge"; });
        }));
        const auto seen = std::find_if(social.ops.begin(), social.ops.end(),
                                       [](const json& op) { return op.at("change").at("kind") == "acknowledge"; });
        CHECK(seen->at("change").at("by") == f.at("chair").name);
        CHECK(seen->at("change").at("reason") == ack.reason);
        CHECK(seen->at("change").at("at").get<std::string>().size() >= 20);
    }

    // A restart restores the flag and the acknowledgement.
    f.crash_and_restart();
    {
        test::live_member late(ioc, f.live_options(f.at("cosigner")));
        REQUIRE(late.join() == "allowed");
        const json& privacy = late.welcome().at("privacy");
        CHECK(privacy.at("flags").size() == 1);
        REQUIRE(privacy.at("acknowledged").size() == 1);
        CHECK(privacy.at("acknowledged")[0].at("number") == number);
        CHECK(privacy.at("acknowledged")[0].at("by") == f.at("chair").name);
    }
    CHECK(sign(f, "chair") == "200");
    CHECK(sign(f, "cosigner") == "200");
}

TEST_CASE("a flagged number edited away no longer holds the sign-off", "[privacy][integration]") {
    test::accounts_fixture f(people());
    boost::asio::io_context ioc;
    const field_ref plats{"andt", "kommun", "e1", "plats"};
    {
        watcher police(ioc, f, "participant_a");
        watcher author(ioc, f, "participant_b");
        test::live_member& social = author.m;
        REQUIRE(social.apply(add_entry_change{"andt", "kommun", "e1"}) == "allowed");
        REQUIRE(social.append(plats, u"850709-9805") == "allowed");
        REQUIRE(client::run_until(ioc, [&] { return police.flags_of(plats) != nullptr; }));
        CHECK(police.flags_of(plats)->at("numbers").size() == 1);
        // The author hears of it in the ack of the change.
        REQUIRE(author.acks.size() == 2);
        CHECK_FALSE(author.acks[0].contains("flags"));
        CHECK(author.acks[1].at("flags") == *police.flags_of(plats));
        // Edited away: the broadcast says the field holds none now.
        const auto len = social.client().replica().confirmed().field(plats).text.size();
        text_operation erase;
        erase.remove(len);
        erase.insert(u"Centrum");
        REQUIRE(social.apply(text_change{plats, erase}) == "allowed");
        REQUIRE(client::run_until(ioc, [&] { return police.flags_of(plats)->at("numbers").empty(); }));
    }
    CHECK(move(f, "chair", {{"action", "lock_picture"}}) == "200");
    CHECK(sign(f, "chair") == "200");
}
