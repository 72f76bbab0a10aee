// Issue 15 in the core: personal identity numbers flagged by the server, the chair's acknowledgements, and the
// sekretess marking of entries (DESIGN.md §6).
#include "est/privacy_review.hpp"

#include "fixtures.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/correction.hpp"
#include "est/error.hpp"
#include "est/meeting_state.hpp"
#include "est/redaction.hpp"
#include "est/sshsig.hpp"

using est::acknowledge_change;
using est::change;
using est::field_ref;
using est::identity;
using est::meeting_state;
using est::role;
using est::secrecy_change;
using est::text_operation;
using est::test::code_of;
using json = nlohmann::json;

namespace {

meeting_state fresh() { return meeting_state(est::meeting_document(est::test::biweekly(), est::test::test_orgs), 0, {}, {}); }

const identity anna{"Anna", "polis", role::participant};
const identity kim{"Kim", "kommun", role::participant};
const identity cecilia{"Cecilia", "kommun", role::chair};

const field_ref handelse{"hot-och-vald", "polis", "e1", "handelse"};
const field_ref plats{"hot-och-vald", "polis", "e1", "plats"};
// The id the server gives 121212-1212 (and 19121212-1212): the SHA-256 of its last ten digits.
const std::string number = est::sshsig::sha256_hex("1212121212");

change text(const field_ref& target, const char* wire) {
    return est::text_change{target, text_operation::from_json(json::parse(wire), "ops")};
}
acknowledge_change ack(const field_ref& where = handelse, std::string reason = "Behövs för uppföljningen") {
    return acknowledge_change{where, number, std::move(reason)};
}

// A meeting with Anna's entry e1 in the police's cell.
struct meeting {
    meeting_state st = fresh();
    std::uint64_t seq = 0;
    meeting() { st.submit("anna", ++seq, st.rev(), est::add_entry_change{"hot-och-vald", "polis", "e1"}, anna); }
    void type(const field_ref& where, const char* wire) { st.submit("anna", ++seq, st.rev(), text(where, wire), anna); }
    std::vector<std::pair<std::string, std::string>> open() { return st.privacy().unresolved(); }
};

}  // namespace

TEST_CASE("a personal identity number typed into a field is flagged by the server, also when typed in two edits",
          "[privacy]") {
    meeting m;
    m.type(handelse, R"(["Anmälan om 121212-12"])");
    CHECK_FALSE(m.st.flags_changed());
    CHECK(m.open().empty());
    m.type(handelse, R"([20, "12"])");  // the last two digits: now a whole number with a valid check digit
    CHECK(m.st.flags_changed());
    REQUIRE(m.open().size() == 1);
    CHECK(m.open()[0] == std::pair<std::string, std::string>{handelse.key(), number});
    const json flags = m.st.privacy().field_json(handelse);
    CHECK(flags.at("target") == handelse.to_json());
    CHECK(flags.at("numbers") == json::parse(R"([{"number":")" + number + R"(","kind":"personnummer"}])"));

    // Typing after it changes nothing flagged; the same person's 12-digit form is the same number.
    m.type(handelse, R"([22, " och 19121212-1212"])");
    CHECK_FALSE(m.st.flags_changed());
    CHECK(m.open().size() == 1);

    // A look-alike is not flagged: a date, a phone number, a wrong check digit.
    m.type(plats, R"(["2024-01-15, 070-123 45 67, 121212-1213"])");
    CHECK_FALSE(m.st.flags_changed());
    CHECK(m.st.privacy().field_json(plats).at("numbers").empty());

    // Edited away: resolved, and the op says so.
    const auto len = est::test::U("Anmälan om 121212-1212 och 19121212-1212").size();
    m.type(handelse, (R"([-)" + std::to_string(len) + R"(, "Anmälan om en person"])").c_str());
    CHECK(m.st.flags_changed());
    CHECK(m.open().empty());
    CHECK(m.st.privacy().field_json(handelse).at("numbers").empty());
}

TEST_CASE("the sign-off waits for every flag, and only the chair acknowledges one, with a reason", "[privacy]") {
    meeting m;
    m.type(handelse, R"(["Gäller 121212-1212"])");
    REQUIRE(m.open().size() == 1);
    const auto refused = est::test::fails([&] { m.st.check_personal_data_resolved(); });
    CHECK(refused.code == "personal_data");
    CHECK_THAT(refused.message, Catch::Contains(handelse.key()));
    CHECK_THAT(refused.message, !Catch::Contains("1212"));  // where, never what

    // A participant may not; an acknowledgement of a number not flagged there is not_found.
    const json before = m.st.snapshot();
    CHECK(code_of([&] { m.st.submit("anna", 10, m.st.rev(), ack(), anna); }) == "forbidden");
    CHECK(code_of([&] { m.st.submit("cecilia", 1, m.st.rev(), ack(plats), cecilia); }) == "not_found");
    CHECK(m.st.snapshot() == before);

    auto a = ack();
    a.by = "Cecilia";
    a.at = "2026-12-05T08:30:00Z";
    const auto rev = m.st.rev();
    REQUIRE(m.st.submit("cecilia", 1, rev, a, cecilia).has_value());
    CHECK(m.st.rev() == rev + 1);
    CHECK(m.open().empty());
    CHECK(code_of([&] { m.st.check_personal_data_resolved(); }) == "(allowed)");
    CHECK(code_of([&] { m.st.submit("cecilia", 2, m.st.rev(), ack(), cecilia); }) == "conflict");
    const json acked = m.st.privacy().acknowledged_json();
    REQUIRE(acked.size() == 1);
    CHECK(acked[0].at("reason") == "Behövs för uppföljningen");
    CHECK(acked[0].at("by") == "Cecilia");
    CHECK(acked[0].at("rev") == rev + 1);

    // A reason may not itself hold a number, where no flag would see it; nor an OSL reference.
    CHECK(code_of([&] { m.st.submit("cecilia", 5, m.st.rev(), ack(plats, "Gäller 850709-9805"), cecilia); }) == "bad_value");
    CHECK(code_of([&] {
              m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e1", "850709-9805"}, anna);
          }) == "bad_value");

    // The acknowledgement is of that number in that field: the same number elsewhere is a flag of its own.
    m.type(plats, R"(["121212-1212"])");
    CHECK(m.open().size() == 1);
}

TEST_CASE("an acknowledgement voids no signature and survives a snapshot, and flags are rebuilt from the text",
          "[privacy]") {
    meeting m;
    m.type(handelse, R"(["Gäller 121212-1212"])");
    REQUIRE(m.st.submit("cecilia", 1, m.st.rev(), ack(), cecilia));
    const json snap = m.st.snapshot();
    REQUIRE(snap.contains("privacy"));
    auto restored = meeting_state::from_snapshot(est::test::biweekly(), est::test::test_orgs, snap, {});
    CHECK(restored.privacy().flags_json() == m.st.privacy().flags_json());
    CHECK(restored.privacy().acknowledged_json() == m.st.privacy().acknowledged_json());
    CHECK(restored.privacy().unresolved().empty());
    CHECK(restored.encoded_bytes() == m.st.encoded_bytes());

    // A meeting without acknowledgements stores no privacy key: its snapshot is as before.
    meeting plain;
    CHECK_FALSE(plain.st.snapshot().contains("privacy"));
}

TEST_CASE("replaying the op log gives the flags and acknowledgements the live meeting had", "[privacy]") {
    meeting live;
    meeting_state replayed = fresh();
    std::uint64_t rev = 0;
    auto both = [&](const std::string& client, change c, const identity& who) {
        auto applied = live.st.submit(client, ++rev, live.st.rev(), std::move(c), who);
        REQUIRE(applied);
        replayed.replay(client, rev, change_to_json(*applied));
    };
    replayed.replay("anna", 0, est::change_to_json(est::add_entry_change{"hot-och-vald", "polis", "e1"}));
    rev = live.st.rev();
    both("anna", text(handelse, R"(["Gäller 121212-1212 och 850709-9805"])"), anna);
    auto a = ack();
    a.by = "Cecilia";
    a.at = "2026-12-05T08:30:00Z";
    both("cecilia", a, cecilia);
    CHECK(replayed.privacy().flags_json() == live.st.privacy().flags_json());
    CHECK(replayed.privacy().acknowledged_json() == live.st.privacy().acknowledged_json());
    CHECK(replayed.privacy().unresolved().size() == 1);
}

TEST_CASE("removing an entry takes its flags with it", "[privacy]") {
    meeting m;
    m.type(handelse, R"(["121212-1212"])");
    REQUIRE(m.open().size() == 1);
    m.st.submit("anna", ++m.seq, m.st.rev(), est::remove_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    CHECK(m.st.flags_changed());
    CHECK(m.open().empty());
    CHECK(m.st.privacy().flags_json().empty());
}

TEST_CASE("flags count toward the meeting's encoded size", "[privacy]") {
    meeting m;
    const auto before = m.st.encoded_bytes();
    m.type(handelse, R"(["121212-1212"])");
    // 11 characters of text, and the flag's target and SHA-256 besides.
    CHECK(m.st.encoded_bytes() >= before + 11 + 64);
}

TEST_CASE("an entry is marked secret by its organisation or the chair, with an OSL reference", "[privacy][secrecy]") {
    meeting m;
    const secrecy_change mark{"hot-och-vald", "polis", "e1", "35 kap. 1 § OSL"};
    const json before = m.st.document().to_json();
    CHECK_FALSE(before.dump().find("secrecy") != std::string::npos);  // an unmarked picture keeps its digest

    CHECK(code_of([&] { m.st.submit("kim", 1, m.st.rev(), mark, kim); }) == "forbidden");
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), mark, anna));
    const auto& e = m.st.document().entry_at("hot-och-vald", "polis", "e1");
    CHECK(e.secrecy == "35 kap. 1 § OSL");
    CHECK(e.secrecy_rev == m.st.rev());
    const json marked = m.st.document().to_json().at("topics")[0].at("cells").at("polis").at("entries")[0];
    CHECK(marked.at("secrecy") == json{{"osl", "35 kap. 1 § OSL"}, {"rev", m.st.rev()}});

    // A marking based on a revision before someone else's is a conflict, like a choice field.
    const auto stale = m.st.rev() - 1;
    CHECK(code_of([&] { m.st.submit("cecilia", 1, stale, secrecy_change{"hot-och-vald", "polis", "e1", ""}, cecilia); }) ==
          "conflict");

    // Once the picture is locked, the organisation may not; the chair still may (the review before signing).
    m.st.apply_lifecycle({est::lifecycle_kind::lock_picture, "", std::nullopt});
    CHECK(code_of([&] { m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e1", ""}, anna); }) ==
          "locked");
    REQUIRE(m.st.submit("cecilia", 1, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e1", ""}, cecilia));
    CHECK(m.st.document().entry_at("hot-och-vald", "polis", "e1").secrecy.empty());

    // The snapshot carries it.
    auto restored = meeting_state::from_snapshot(est::test::biweekly(), est::test::test_orgs, m.st.snapshot(), {});
    CHECK(restored.document() == m.st.document());
}

TEST_CASE("the wire forms of secrecy and acknowledge round-trip, and bad ones are refused", "[privacy][change]") {
    const secrecy_change mark{"andt", "polis", "e1", "26 kap. 1 § OSL"};
    CHECK(std::get<secrecy_change>(est::change_from_json(est::change_to_json(mark), "change")).osl == mark.osl);
    auto a = ack();
    a.by = "Cecilia";
    a.at = "2026-12-05T08:30:00Z";
    const auto back = std::get<acknowledge_change>(est::change_from_json(est::change_to_json(a), "change"));
    CHECK(back.target == a.target);
    CHECK(back.number == a.number);
    CHECK(back.reason == a.reason);
    CHECK(back.by == a.by);
    CHECK(back.at == a.at);

    const auto bad = [](const char* wire) {
        return code_of([&] { est::change_from_json(json::parse(wire), "change"); });
    };
    CHECK(bad(R"({"kind":"secrecy","topic":"andt","org":"polis","entry":"e1"})") == "bad_message");
    CHECK(bad(R"({"kind":"secrecy","topic":"andt","org":"polis","entry":"e1","osl":"a\nb"})") == "bad_message");
    CHECK(bad(R"({"kind":"secrecy","topic":"andt","org":"polis","entry":"e1","osl":7})") == "bad_message");
    const std::string long_osl(201, 'x');
    CHECK(bad((R"({"kind":"secrecy","topic":"andt","org":"polis","entry":"e1","osl":")" + long_osl + "\"}").c_str()) ==
          "bad_message");
    const std::string target = R"("target":{"topic":"andt","org":"polis","entry":"e1","field":"handelse"})";
    CHECK(bad((R"({"kind":"acknowledge",)" + target + R"(,"number":"12","reason":"x"})").c_str()) == "bad_message");
    CHECK(bad((R"({"kind":"acknowledge",)" + target + R"(,"number":")" + std::string(64, 'A') + R"(","reason":"x"})").c_str()) ==
          "bad_message");
    CHECK(bad((R"({"kind":"acknowledge",)" + target + R"(,"number":")" + number + R"(","reason":""})").c_str()) ==
          "bad_message");
    CHECK(bad((R"({"kind":"acknowledge",)" + target + R"(,"number":")" + number + R"(","reason":"ok","extra":1})").c_str()) ==
          "bad_message");
}

TEST_CASE("a correction's copy keeps the sekretess markings of the closed picture and loads", "[privacy][secrecy]") {
    meeting m;
    m.type(handelse, R"(["Misshandel i trapphus"])");
    // A second entry marked and then cleared: {"osl":"","rev":N} in the closed picture.
    m.st.submit("anna", ++m.seq, m.st.rev(), est::add_entry_change{"hot-och-vald", "polis", "e2"}, anna);
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e2", "26 kap. 1 § OSL"}, anna));
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e2", ""}, anna));
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e1", "35 kap. 1 § OSL"}, anna));
    const est::meeting_document copy = est::correction_copy(m.st.document());
    const auto& e = copy.entry_at("hot-och-vald", "polis", "e1");
    CHECK(e.secrecy == "35 kap. 1 § OSL");
    CHECK(e.secrecy_rev == 0);  // the new meeting's registers start over
    CHECK(copy.entry_at("hot-och-vald", "polis", "e2").secrecy.empty());
    // The new meeting's first snapshot at revision 0 loads (a marking past its revision would be refused).
    const json snap = meeting_state(copy, 0, {}, {}).snapshot();
    auto loaded = meeting_state::from_snapshot(est::test::biweekly(), est::test::test_orgs, snap, {});
    CHECK(loaded.document() == copy);
    CHECK(loaded.encoded_bytes() == meeting_state(copy, 0, {}, {}).encoded_bytes());
}

TEST_CASE("a field holds at most so many personal identity numbers, and ids hold none", "[privacy]") {
    meeting m;
    // 21 different valid numbers: 1 January of 1950…1970, serial 123 and its Luhn check digit, as YYMMDD-NNNC.
    std::string text;
    for (int year = 50; year <= 70; ++year) {
        const std::string nine = std::to_string(year) + "0101" + "123";
        int sum = 0;
        for (std::size_t i = 0; i < 9; ++i) {
            const int v = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
            sum += v > 9 ? v - 9 : v;
        }
        text += nine.substr(0, 6) + "-" + nine.substr(6) + std::to_string((10 - sum % 10) % 10) + " ";
    }
    REQUIRE(est::find_personal_numbers(est::test::U(text)).size() == 21);
    const json before = m.st.snapshot();
    CHECK(code_of([&] { m.type(handelse, (R"([")" + text + R"("])").c_str()); }) == "limit_reached");
    CHECK(m.st.snapshot() == before);
    const std::string twenty = text.substr(0, 12 * 20);
    m.type(handelse, (R"([")" + twenty + R"("])").c_str());
    CHECK(m.open().size() == 20);

    CHECK(code_of([&] { m.st.submit("anna", ++m.seq, m.st.rev(), est::add_entry_change{"andt", "polis", "191212121212"}, anna); }) ==
          "bad_value");
}

TEST_CASE("a closed meeting's snapshot keeps only the acknowledgements of numbers still in its picture", "[privacy]") {
    meeting m;
    m.type(handelse, R"(["Gäller 121212-1212 och 850709-9805"])");
    auto a = ack();
    a.by = "Cecilia";
    a.at = "2026-12-05T08:30:00Z";
    REQUIRE(m.st.submit("cecilia", 1, m.st.rev(), a, cecilia));
    acknowledge_change b{handelse, est::sshsig::sha256_hex("8507099805"), "Behövs"};
    b.by = "Cecilia";
    b.at = "2026-12-05T08:31:00Z";
    REQUIRE(m.st.submit("cecilia", 2, m.st.rev(), b, cecilia));
    // The first number is edited away: while the meeting runs, its acknowledgement stays.
    m.type(handelse, R"([7, -16, 11])");
    CHECK(est::test::S(m.st.document().field(handelse).text) == "Gäller 850709-9805");
    CHECK(m.st.snapshot().at("privacy").at("acknowledged").size() == 2);
    m.st.apply_lifecycle({est::lifecycle_kind::lock_picture, "", std::nullopt});
    CHECK(m.st.snapshot().at("privacy").at("acknowledged").size() == 2);
    // Signed by the chair and the co-signer (the statements as the server would record them), then closed.
    for (const auto& by : {est::signer{"a-chair", cecilia}, est::signer{"a-co", {"Åsa", "polis", role::cosigner}}})
        m.st.apply_lifecycle({est::lifecycle_kind::sign, "",
                              est::signed_record{est::signature_statement("m1", "g1", m.st.rev(), "d1", "2026-12-05T09:00:00Z", by),
                                                 "sig", "SHA256:k"}});
    m.st.apply_lifecycle({est::lifecycle_kind::close, "", est::signed_record{"{}", "sig", "SHA256:k"}});
    REQUIRE(m.st.lifecycle().phase() == est::meeting_phase::closed);
    const json kept = m.st.snapshot().at("privacy").at("acknowledged");
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].at("number") == b.number);
    CHECK(m.st.snapshot().dump().find(number) == std::string::npos);
}

TEST_CASE("the public copy empties every field of a secret entry and nothing else", "[privacy][secrecy]") {
    meeting m;
    m.type(handelse, R"(["Hot mot Kalle"])");
    m.st.submit("anna", ++m.seq, m.st.rev(), est::set_change{{"hot-och-vald", "polis", "e1", "trend"}, "ökar"}, anna);
    m.st.submit("anna", ++m.seq, m.st.rev(), est::add_entry_change{"hot-och-vald", "polis", "e2"}, anna);
    m.type({"hot-och-vald", "polis", "e2", "handelse"}, R"(["Klotter"])");
    m.st.submit("anna", ++m.seq, m.st.rev(), est::add_entry_change{"hot-och-vald", "polis", "e3"}, anna);
    m.type({"hot-och-vald", "polis", "e3", "handelse"}, R"(["Skadegörelse"])");
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e1", "35 kap. 1 § OSL"}, anna));
    // Marked and cleared again: public.
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e3", "26 kap. 1 § OSL"}, anna));
    REQUIRE(m.st.submit("anna", ++m.seq, m.st.rev(), secrecy_change{"hot-och-vald", "polis", "e3", ""}, anna));

    const auto secret = est::secret_entries(m.st.document());
    REQUIRE(secret.size() == 1);
    CHECK(secret[0].entry == "e1");
    CHECK(secret[0].osl == "35 kap. 1 § OSL");

    const est::meeting_document pub = est::redacted_copy(m.st.document());
    const std::string dumped = pub.to_json().dump();
    CHECK(dumped.find("Kalle") == std::string::npos);
    CHECK(dumped.find("ökar") == std::string::npos);
    CHECK(dumped.find("Klotter") != std::string::npos);
    CHECK(dumped.find("Skadegörelse") != std::string::npos);
    const auto& e1 = pub.entry_at("hot-och-vald", "polis", "e1");
    CHECK(e1.secrecy == "35 kap. 1 § OSL");
    for (const auto& [id, v] : e1.fields) {
        CHECK(v.text.empty());
        CHECK(v.choice.empty());
    }
    CHECK(est::secret_entries(pub).size() == 1);  // the marker stays
}
