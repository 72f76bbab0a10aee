// The lifecycle's rules (shared/src/lifecycle.cpp): who may lock, sign and close when, what a move does to the
// phase and the signatures, the statements the server signs, and how meeting_state carries all of it.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/correction.hpp"
#include "est/error.hpp"
#include "est/lifecycle.hpp"
#include "est/meeting_state.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::code_of;
using est::test::biweekly;

identity person(role r, std::string org = "polis", std::string name = "Eva Ek") { return {std::move(name), std::move(org), r}; }

// A signature as the server would record it (the SSHSIG is not looked at by the rules).
lifecycle_change signature(const signer& by, std::string digest = "d1", std::uint64_t rev = 5) {
    return {lifecycle_kind::sign, {},
            signed_record{signature_statement("m1", "g1", rev, digest, "2026-12-04T10:15:00Z", by), "sig", "SHA256:k"}};
}
const signer chair_signer{"a-chair", person(role::chair, "kommun")};
const signer cosigner_signer{"a-co", person(role::cosigner, "polis", "Åsa Öberg")};

json vectors() {
    std::ifstream in(std::string(EST_SOURCE_DIR) + "/tests/vectors/signature.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

}  // namespace

TEST_CASE("lifecycle: topic locks are the chair's, while the meeting is open", "[lifecycle]") {
    meeting_lifecycle l;
    const auto& t = *biweekly();
    CHECK(code_of([&] { l.check(person(role::participant), lifecycle_kind::lock_topic, "andt", t); }) == "forbidden");
    CHECK(code_of([&] { l.check(person(role::chair), lifecycle_kind::lock_topic, "nope", t); }) == "not_found");
    CHECK(code_of([&] { l.check(person(role::chair), lifecycle_kind::unlock_topic, "andt", t); }) == "conflict");
    CHECK(code_of([&] { l.check(person(role::chair), lifecycle_kind::lock_topic, "andt", t); }) == "(allowed)");
    l.apply({lifecycle_kind::lock_topic, "andt", std::nullopt});
    CHECK(l.status().topic_locked("andt"));
    CHECK(code_of([&] { l.check(person(role::chair), lifecycle_kind::lock_topic, "andt", t); }) == "conflict");
    // A locked topic's cells are refused with `locked`; the chair's assessment is not.
    CHECK(code_of([&] { check_may_apply(person(role::participant), add_entry_change{"andt", "polis", "e1"}, t, l.status()); }) ==
          "locked");
    CHECK(code_of([&] {
              check_may_apply(person(role::chair), set_change{{"andt", "", "", "niva"}, "hög"}, t, l.status());
          }) == "(allowed)");
    l.apply({lifecycle_kind::unlock_topic, "andt", std::nullopt});
    CHECK_FALSE(l.status().topic_locked("andt"));
}

TEST_CASE("lifecycle: locked, signed by chair and co-signer, closed, every refusal naming its reason", "[lifecycle]") {
    meeting_lifecycle l;
    const auto& t = *biweekly();
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::sign, {}, t); }) == "wrong_phase");
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::close, {}, t); }) == "wrong_phase");
    CHECK(code_of([&] { l.check(cosigner_signer.who, lifecycle_kind::lock_picture, {}, t); }) == "forbidden");
    l.apply({lifecycle_kind::lock_picture, {}, std::nullopt});
    CHECK(l.phase() == meeting_phase::locked);
    CHECK(code_of([&] { check_may_apply(person(role::participant), add_entry_change{"andt", "polis", "e1"}, t, l.status()); }) ==
          "locked");
    CHECK(code_of([&] { l.check(person(role::participant), lifecycle_kind::sign, {}, t); }) == "forbidden");
    CHECK(code_of([&] { l.check(person(role::bra_member, ""), lifecycle_kind::sign, {}, t); }) == "forbidden");

    // The picture the signer read must be the one now.
    CHECK(code_of([&] { l.check_sign(chair_signer, 5, "old", 7, "d1"); }) == "stale_revision");
    CHECK(code_of([&] { l.check_sign(chair_signer, 8, "d1", 7, "d1"); }) == "stale_revision");
    CHECK(code_of([&] { l.check_sign(chair_signer, 5, "d1", 7, "d1"); }) == "(allowed)");
    l.apply(signature(chair_signer));
    CHECK(l.phase() == meeting_phase::locked);
    CHECK(l.missing_signers() == std::vector<role>{role::cosigner});
    // Once per person and once per role.
    CHECK(code_of([&] { l.check_sign(chair_signer, 6, "d1", 6, "d1"); }) == "already_signed");
    CHECK(code_of([&] { l.check_sign({"a-other", person(role::chair, "", "Bo")}, 6, "d1", 6, "d1"); }) ==
          "already_signed");
    CHECK(code_of([&] { l.check_sign({"a-chair", person(role::cosigner, "polis")}, 6, "d1", 6, "d1"); }) ==
          "already_signed");

    // Unlocking withdraws the signature; any accepted edit does too.
    meeting_lifecycle unlocked = l;
    CHECK(code_of([&] { unlocked.check(chair_signer.who, lifecycle_kind::unlock_picture, {}, t); }) == "(allowed)");
    unlocked.apply({lifecycle_kind::unlock_picture, {}, std::nullopt});
    CHECK(unlocked.phase() == meeting_phase::open);
    CHECK(unlocked.signatures().empty());
    meeting_lifecycle edited = l;
    CHECK(edited.picture_changed());
    CHECK(edited.signatures().empty());
    CHECK(edited.phase() == meeting_phase::locked);
    CHECK_FALSE(edited.picture_changed());

    l.apply(signature(cosigner_signer, "d1", 6));
    CHECK(l.phase() == meeting_phase::signed_off);
    CHECK(l.missing_signers().empty());
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::unlock_picture, {}, t); }) == "wrong_phase");
    CHECK(code_of([&] { check_may_apply(chair_signer.who, set_change{{"andt", "", "", "niva"}, "hög"}, t, l.status()); }) ==
          "locked");
    CHECK(code_of([&] { l.check(cosigner_signer.who, lifecycle_kind::close, {}, t); }) == "forbidden");
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::close, {}, t); }) == "(allowed)");
    l.apply({lifecycle_kind::close, {}, signed_record{"{}", "sig", "SHA256:k"}});
    CHECK(l.phase() == meeting_phase::closed);

    // Closed: nothing moves and nothing is written, and the answer says why.
    for (auto k : {lifecycle_kind::lock_topic, lifecycle_kind::unlock_topic, lifecycle_kind::lock_picture,
                   lifecycle_kind::unlock_picture, lifecycle_kind::sign, lifecycle_kind::close})
        CHECK(code_of([&] { l.check(chair_signer.who, k, "andt", t); }) == "closed");
    CHECK(code_of([&] { check_may_apply(person(role::participant), add_entry_change{"andt", "polis", "e1"}, t, l.status()); }) ==
          "closed");
    CHECK(code_of([&] { check_may_apply(chair_signer.who, set_change{{"andt", "", "", "niva"}, "hög"}, t, l.status()); }) ==
          "closed");

    // And it all comes back from its JSON.
    CHECK(meeting_lifecycle::from_json(l.to_json()) == l);
}

TEST_CASE("lifecycle: moves and the lifecycle read from JSON strictly", "[lifecycle]") {
    const lifecycle_change lock{lifecycle_kind::lock_topic, "andt", std::nullopt};
    CHECK(to_json(lock) == json{{"kind", "lock_topic"}, {"topic", "andt"}});
    const auto back = lifecycle_change_from_json(to_json(signature(chair_signer)), "change");
    CHECK(back.kind == lifecycle_kind::sign);
    CHECK(back.record == signature(chair_signer).record);
    CHECK(is_lifecycle_change(json{{"kind", "close"}}));
    CHECK_FALSE(is_lifecycle_change(json{{"kind", "text"}}));
    CHECK_FALSE(is_lifecycle_change(json::array()));
    CHECK(code_of([] { lifecycle_change_from_json(json{{"kind", "lock_topic"}}, "change"); }) == "bad_message");
    CHECK(code_of([] { lifecycle_change_from_json(json{{"kind", "lock_picture"}, {"topic", "x"}}, "change"); }) ==
          "bad_message");
    CHECK(code_of([] { lifecycle_change_from_json(json{{"kind", "sign"}}, "change"); }) == "bad_message");
    CHECK(code_of([] { lifecycle_change_from_json(json{{"kind", "explode"}}, "change"); }) == "bad_message");
    CHECK(code_of([] { meeting_lifecycle::from_json(json{{"phase", "melted"}}); }) == "bad_snapshot");
    json damaged = meeting_lifecycle().to_json();
    damaged["signatures"] = json::array({{{"statement", "not json"}, {"sshsig", "s"}, {"key_id", "k"}}});
    CHECK(code_of([&] { meeting_lifecycle::from_json(damaged); }) == "bad_snapshot");
}

TEST_CASE("lifecycle: the statements are the golden vectors' texts", "[lifecycle][vectors]") {
    const json v = vectors();
    const std::string digest = v.at("picture_digest");
    const signer eva{"", person(role::chair, "kommun", "Eva Ek")};
    const signer asa{"a-7f3c", person(role::cosigner, "polisen", "Åsa Öberg")};
    CHECK(signature_statement("m1", "fagersta", 57, digest, "2026-12-04T10:15:00Z", eva) ==
          v.at("signatures").at(0).at("statement"));
    CHECK(signature_statement("m1", "fagersta", 57, digest, "2026-12-04T10:17:30Z", asa) ==
          v.at("signatures").at(1).at("statement"));
    const std::vector<std::string> sigs = {v.at("signatures").at(0).at("sha256"), v.at("signatures").at(1).at("sha256")};
    CHECK(closing_statement("m1", "fagersta", 57, digest, "2026-12-04T10:20:00Z", eva, sigs, "", 1) ==
          v.at("closing").at("statement"));
    const auto facts = read_signature_statement(v.at("signatures").at(1).at("statement").get<std::string>());
    CHECK(facts.account == "a-7f3c");
    CHECK(facts.who.role == role::cosigner);
    CHECK(facts.who.name == "Åsa Öberg");
    CHECK(facts.rev == 57);
    CHECK(facts.digest == digest);
}

TEST_CASE("lifecycle: a correction's statements name what they correct, as the golden vectors say", "[lifecycle][vectors][correction]") {
    const json v = vectors();
    const json& c = v.at("correction");
    const std::string digest = c.at("picture_digest");
    const signer eva{"", person(role::chair, "kommun", "Eva Ek")};
    const signer asa{"a-7f3c", person(role::cosigner, "polisen", "Åsa Öberg")};
    // What m2 corrects comes from m1's closing statement alone: its meeting, its digest and its own hash.
    const correction_link link = correction_of(v.at("closing").at("statement").get<std::string>());
    CHECK(link.to_json() == c.at("corrects"));
    CHECK(link == correction_link::from_json(c.at("corrects"), "corrects"));
    CHECK(link.meeting == "m1");
    CHECK(link.digest == v.at("picture_digest"));
    CHECK(link.closing == v.at("closing").at("sha256"));

    CHECK(signature_statement("m2", "fagersta", 12, digest, "2026-12-11T09:05:00Z", eva, link) ==
          c.at("signatures").at(0).at("statement"));
    CHECK(signature_statement("m2", "fagersta", 12, digest, "2026-12-11T09:06:10Z", asa, link) ==
          c.at("signatures").at(1).at("statement"));
    const std::vector<std::string> sigs = {c.at("signatures").at(0).at("sha256"), c.at("signatures").at(1).at("sha256")};
    // The correction's closing takes the group's next place in the chain, after m1's.
    CHECK(closing_statement("m2", "fagersta", 12, digest, "2026-12-11T09:08:00Z", eva, sigs,
                            v.at("closing").at("sha256").get<std::string>(), 2, link) == c.at("closing").at("statement"));
    // Without a link the texts stay those of before corrections existed (the vectors above), byte for byte.
    CHECK(signature_statement("m2", "fagersta", 12, digest, "2026-12-11T09:05:00Z", eva).find("corrects") ==
          std::string::npos);
    // A correction's signature reads like any other.
    const auto facts = read_signature_statement(c.at("signatures").at(1).at("statement").get<std::string>());
    CHECK(facts.meeting == "m2");
    CHECK(facts.who.role == role::cosigner);
}

TEST_CASE("correction: the link is read from a closing and checked when read back", "[lifecycle][correction]") {
    CHECK(code_of([] { correction_of("not json"); }) == "bad_snapshot");
    CHECK(code_of([] { correction_of(vectors().at("signatures").at(0).at("statement").get<std::string>()); }) ==
          "bad_snapshot");
    const json good = vectors().at("correction").at("corrects");
    for (const char* field : {"meeting", "digest", "closing"}) {
        json bad = good;
        bad.erase(field);
        INFO(field);
        CHECK(code_of([&] { correction_link::from_json(bad, "corrects"); }) == "bad_message");
    }
    json upper = good;
    upper["digest"] = "DFA2FBEBBE17E72EEC4FFE4F4DA81A8755B0E900F2411DFC068B5866B1434AC6";
    CHECK(code_of([&] { correction_link::from_json(upper, "corrects"); }) == "bad_message");
    json extra = good;
    extra["sequence"] = 1;
    CHECK(code_of([&] { correction_link::from_json(extra, "corrects", "bad_snapshot"); }) == "bad_snapshot");
}

TEST_CASE("correction: the title says so in Swedish and never splits a character", "[correction]") {
    CHECK(correction_title("EST-möte 2026-12-04") == "Rättelse: EST-möte 2026-12-04");
    CHECK(correction_title("Rättelse: A") == "Rättelse: Rättelse: A");  // a correction of a correction
    const std::string prefix = "Rättelse: ";
    // "ö" is two bytes: at a limit that falls inside it, it is left out whole.
    CHECK(correction_title("aöb", prefix.size() + 2) == prefix + "a");
    CHECK(correction_title("aöb", prefix.size() + 3) == prefix + "aö");
    CHECK(correction_title(std::string(500, 'x')).size() == 200);
}

TEST_CASE("correction: the copy holds every entry and field, with the registers' revisions reset", "[correction]") {
    const std::vector<std::string> orgs = {"polis", "kommun"};
    meeting_state s(meeting_document(biweekly(), orgs), 0, {}, limits{});
    const identity polis = person(role::participant, "polis");
    const identity chair = person(role::chair, "kommun");
    REQUIRE(s.submit("c1", 1, 0, add_entry_change{"andt", "polis", "e1"}, polis));
    REQUIRE(s.submit("c1", 2, 1, add_entry_change{"andt", "polis", "e2"}, polis));
    REQUIRE(s.submit("c1", 3, 2, remove_entry_change{"andt", "polis", "e2"}, polis));
    text_operation typed;
    typed.insert(u"Klotter vid skolan");
    REQUIRE(s.submit("c1", 4, 3, text_change{{"andt", "polis", "e1", "handelse"}, typed}, polis));
    REQUIRE(s.submit("c2", 1, 4, set_change{{"andt", "", "", "niva"}, "hög"}, chair));
    REQUIRE(s.document().newest_register_rev() == 5);

    const meeting_document copy = correction_copy(s.document());
    CHECK(copy.newest_register_rev() == 0);
    CHECK(copy.field({"andt", "polis", "e1", "handelse"}).text == u"Klotter vid skolan");
    CHECK(copy.field({"andt", "", "", "niva"}).choice == "hög");
    CHECK(copy.topic("andt").cells.at("polis").entries.size() == 1);
    CHECK(copy.to_json().at("retired").empty());
    CHECK(copy.organisations() == s.document().organisations());
    CHECK(copy.tmpl_ptr() == s.document().tmpl_ptr());
    // A correction starts at revision 0: its snapshot loads, and its log goes on from there.
    meeting_state corrected(copy, 0, {}, limits{});
    const json snap = corrected.snapshot();
    CHECK(meeting_state::from_snapshot(biweekly(), orgs, snap, limits{}).document() == copy);
}

TEST_CASE("meeting_state: lifecycle moves are revisions, replayed and snapshotted", "[lifecycle][state]") {
    const std::vector<std::string> orgs = {"polis", "kommun"};
    meeting_state s(meeting_document(biweekly(), orgs), 0, {}, limits{});
    const identity polis = person(role::participant, "polis");
    REQUIRE(s.submit("c1", 1, 0, add_entry_change{"andt", "polis", "e1"}, polis));
    s.apply_lifecycle({lifecycle_kind::lock_topic, "andt", std::nullopt});
    CHECK(s.rev() == 2);
    CHECK(code_of([&] { s.submit("c1", 2, 2, add_entry_change{"andt", "polis", "e2"}, polis); }) == "locked");
    CHECK(s.last_seq("c1") == 1);  // a refused change does not use up its seq
    // A text change made before the lock, arriving after it, is refused whole.
    text_operation op;
    op.insert(u"late");
    CHECK(code_of([&] { s.submit("c1", 2, 1, text_change{{"andt", "polis", "e1", "handelse"}, op}, polis); }) ==
          "locked");
    CHECK(s.document().field({"andt", "polis", "e1", "handelse"}).text.empty());

    // The snapshot carries the lifecycle; one from before the lifecycle is an open meeting.
    const auto again = meeting_state::from_snapshot(biweekly(), orgs, s.snapshot(), limits{});
    CHECK(again.lifecycle() == s.lifecycle());
    json old = s.snapshot();
    old.erase("lifecycle");
    CHECK(meeting_state::from_snapshot(biweekly(), orgs, old, limits{}).lifecycle() == meeting_lifecycle());

    // Replaying the log's JSON gives the same state as living it.
    meeting_state replayed(meeting_document(biweekly(), orgs), 0, {}, limits{});
    replayed.replay("c1", 1, change_to_json(add_entry_change{"andt", "polis", "e1"}));
    replayed.replay("", 0, to_json(lifecycle_change{lifecycle_kind::lock_topic, "andt", std::nullopt}));
    CHECK(replayed.rev() == s.rev());
    CHECK(replayed.lifecycle() == s.lifecycle());
    CHECK(replayed.document() == s.document());

    // An edit while signatures stand voids them, as it does in every replica.
    s.apply_lifecycle({lifecycle_kind::unlock_topic, "andt", std::nullopt});
    s.apply_lifecycle({lifecycle_kind::lock_picture, {}, std::nullopt});
    s.apply_lifecycle(signature(chair_signer));
    REQUIRE(s.lifecycle().signatures().size() == 1);
    REQUIRE(s.submit("chair", 1, s.rev(), set_change{{"andt", "", "", "niva"}, "hög"}, chair_signer.who));
    CHECK(s.lifecycle().signatures().empty());
}
