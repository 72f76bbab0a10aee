// A meeting's first phase (DESIGN.md §4: draft → open) and the group's setting of who signs (shared/src/lifecycle.cpp,
// shared/src/group.cpp): a new meeting is a draft only the chair prepares and opens; one made before drafts (no
// lifecycle in its snapshot, none at all) is open; the signers fixed into the draft decide when the picture is signed.
#include "est/lifecycle.hpp"

#include <functional>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/group.hpp"
#include "est/meeting_state.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::code_of;
using est::test::biweekly;

identity person(role r, std::string org = "polis", std::string name = "Eva Ek") {
    return {std::move(name), std::move(org), r};
}

lifecycle_change signature(const signer& by) {
    return {lifecycle_kind::sign, {},
            signed_record{signature_statement("m1", "g1", 3, "d1", "2026-12-04T10:15:00Z", by), "sig", "SHA256:k"}};
}

const lifecycle_change open_move{lifecycle_kind::open, {}, std::nullopt};
const signer chair_signer{"a-chair", person(role::chair, "kommun", "Maria Ekström")};
const signer first_co{"a-co1", person(role::cosigner, "polis", "Lars Nyström")};
const signer second_co{"a-co2", person(role::cosigner, "kommun", "Åsa Öberg")};
const signer third_co{"a-co3", person(role::cosigner, "skola", "Per Wallin")};

}  // namespace

TEST_CASE("draft: only the chair edits the topic fields, nobody the cells, until the chair opens it", "[lifecycle][draft]") {
    const auto& t = *biweekly();
    meeting_lifecycle l = meeting_lifecycle::draft(default_signers());
    CHECK(l.phase() == meeting_phase::draft);
    CHECK(l.required() == std::vector<role>{role::chair, role::cosigner});

    // Cells are the meeting's: refused in a draft, for their own organisation too, with the draft's reason.
    const auto refused = test::fails([&] {
        check_may_apply(person(role::participant), add_entry_change{"andt", "polis", "e1"}, t, l.status());
    });
    CHECK(refused.code == "forbidden");
    CHECK_THAT(refused.message, Catch::Contains("draft"));
    CHECK(code_of([&] { check_may_apply(person(role::chair, "kommun"), add_entry_change{"andt", "kommun", "e1"}, t,
                                        l.status()); }) == "forbidden");
    // The chair prepares the joint assessment.
    CHECK(code_of([&] { check_may_apply(person(role::chair), set_change{{"andt", "", "", "niva"}, "hög"}, t,
                                        l.status()); }) == "(allowed)");
    CHECK(code_of([&] { check_may_apply(person(role::participant), set_change{{"andt", "", "", "niva"}, "hög"}, t,
                                        l.status()); }) == "forbidden");

    // Nothing but opening moves a draft; only the chair opens it.
    for (auto k : {lifecycle_kind::lock_topic, lifecycle_kind::lock_picture, lifecycle_kind::sign, lifecycle_kind::close})
        CHECK(code_of([&] { l.check(chair_signer.who, k, "andt", t); }) == "wrong_phase");
    CHECK(code_of([&] { l.check(person(role::participant), lifecycle_kind::open, {}, t); }) == "forbidden");
    CHECK(code_of([&] { l.check(first_co.who, lifecycle_kind::open, {}, t); }) == "forbidden");
    CHECK(code_of([&] { l.check(person(role::admin, ""), lifecycle_kind::open, {}, t); }) == "forbidden");
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::open, {}, t); }) == "(allowed)");
    l.apply(open_move);
    CHECK(l.phase() == meeting_phase::open);
    CHECK(code_of([&] { check_may_apply(person(role::participant), add_entry_change{"andt", "polis", "e1"}, t,
                                        l.status()); }) == "(allowed)");
    // Opened once: a second `open` is a wrong phase, as it is in every later phase.
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::open, {}, t); }) == "wrong_phase");
    l.apply({lifecycle_kind::lock_picture, {}, std::nullopt});
    CHECK(code_of([&] { l.check(chair_signer.who, lifecycle_kind::open, {}, t); }) == "wrong_phase");
}

TEST_CASE("draft: the open move is logged as its kind alone and read back strictly", "[lifecycle][draft]") {
    CHECK(to_json(open_move) == json{{"kind", "open"}});
    CHECK(is_lifecycle_change(json{{"kind", "open"}}));
    CHECK(lifecycle_change_from_json(json{{"kind", "open"}}, "change").kind == lifecycle_kind::open);
    CHECK(code_of([] { lifecycle_change_from_json(json{{"kind", "open"}, {"topic", "andt"}}, "change"); }) == "bad_message");
    CHECK(action_of(lifecycle_kind::open) == action::open_meeting);
    CHECK(to_string(lifecycle_kind::open) == "open");
}

TEST_CASE("draft: a new meeting's snapshot holds the draft, and opening is a revision replayed from the log",
          "[lifecycle][draft][state]") {
    const std::vector<std::string> orgs = {"polis", "kommun"};
    const identity chair = person(role::chair, "kommun");
    const identity polis = person(role::participant, "polis");
    const std::vector<role> three = {role::chair, role::cosigner, role::cosigner, role::cosigner};
    meeting_state s(meeting_document(biweekly(), orgs), 0, {}, limits{}, meeting_lifecycle::draft(three));
    const json first = s.snapshot();  // what catalog::create_meeting writes

    REQUIRE(s.submit("chair", 1, 0, set_change{{"andt", "", "", "niva"}, "förhöjd"}, chair));
    CHECK(code_of([&] { s.submit("c1", 1, 1, add_entry_change{"andt", "polis", "e1"}, polis); }) == "forbidden");
    CHECK(s.last_seq("c1") == 0);  // refused: its seq is not used up
    s.apply_lifecycle(open_move);
    CHECK(s.rev() == 2);
    REQUIRE(s.submit("c1", 1, 2, add_entry_change{"andt", "polis", "e1"}, polis));

    // Restored from the first snapshot and the log: the same state, the signers still the ones fixed at creation.
    meeting_state replayed = meeting_state::from_snapshot(biweekly(), orgs, first, limits{});
    CHECK(replayed.lifecycle().phase() == meeting_phase::draft);
    replayed.replay("chair", 1, change_to_json(set_change{{"andt", "", "", "niva"}, "förhöjd"}));
    replayed.replay("", 0, to_json(open_move));
    replayed.replay("c1", 1, change_to_json(add_entry_change{"andt", "polis", "e1"}));
    CHECK(replayed.lifecycle() == s.lifecycle());
    CHECK(replayed.lifecycle().required() == three);
    CHECK(replayed.document() == s.document());
    // And from a snapshot taken after the opening.
    CHECK(meeting_state::from_snapshot(biweekly(), orgs, s.snapshot(), limits{}).lifecycle() == s.lifecycle());
}

TEST_CASE("draft: meetings made before drafts load open", "[lifecycle][draft][state]") {
    const std::vector<std::string> orgs = {"polis", "kommun"};
    // No snapshot at all: the room starts from the default state.
    const meeting_state fresh(meeting_document(biweekly(), orgs), 0, {}, limits{});
    CHECK(fresh.lifecycle().phase() == meeting_phase::open);
    CHECK(fresh.lifecycle().required() == default_signers());
    // A snapshot from before the lifecycle (the demo's, a long meeting's) has no "lifecycle" key.
    const json old = {{"rev", 7u}, {"document", meeting_document(biweekly(), orgs).to_json()}, {"last_seq", json::object()}};
    const auto loaded = meeting_state::from_snapshot(biweekly(), orgs, old, limits{});
    CHECK(loaded.lifecycle().phase() == meeting_phase::open);
    CHECK(loaded.lifecycle() == meeting_lifecycle());
    // A lifecycle written before drafts names its phase and signers as now: read as it was.
    const json before_drafts = {{"phase", "locked"}, {"locked_topics", json::array()}, {"required", {"chair", "cosigner"}},
                                {"signatures", json::array()}, {"closing", nullptr}};
    CHECK(meeting_lifecycle::from_json(before_drafts).phase() == meeting_phase::locked);
    // A draft survives its own JSON.
    const auto d = meeting_lifecycle::draft({role::chair});
    CHECK(meeting_lifecycle::from_json(d.to_json()) == d);
    CHECK(d.to_json().at("phase") == "draft");
    CHECK(d.to_json().at("required") == json{"chair"});
}

TEST_CASE("signers: one chair signs a one-signer group's picture", "[lifecycle][signers]") {
    meeting_lifecycle l = meeting_lifecycle::draft({role::chair});
    l.apply(open_move);
    l.apply({lifecycle_kind::lock_picture, {}, std::nullopt});
    CHECK(l.missing_signers() == std::vector<role>{role::chair});
    // No co-signer is asked for: theirs is refused, and nothing changes.
    CHECK(code_of([&] { l.check_sign(first_co, 3, "d1", 3, "d1"); }) == "forbidden");
    CHECK(code_of([&] { l.check_sign(chair_signer, 3, "d1", 3, "d1"); }) == "(allowed)");
    l.apply(signature(chair_signer));
    CHECK(l.phase() == meeting_phase::signed_off);
    CHECK(l.missing_signers().empty());
}

TEST_CASE("signers: three co-signers are three different people, each filling one place", "[lifecycle][signers]") {
    meeting_lifecycle l = meeting_lifecycle::draft({role::chair, role::cosigner, role::cosigner, role::cosigner});
    l.apply(open_move);
    l.apply({lifecycle_kind::lock_picture, {}, std::nullopt});
    l.apply(signature(first_co));
    CHECK(l.missing_signers() == std::vector<role>{role::chair, role::cosigner, role::cosigner});
    // The same person again: refused, however many places are left.
    CHECK(code_of([&] { l.check_sign(first_co, 3, "d1", 3, "d1"); }) == "already_signed");
    CHECK(code_of([&] { l.check_sign(second_co, 3, "d1", 3, "d1"); }) == "(allowed)");
    l.apply(signature(second_co));
    l.apply(signature(chair_signer));
    CHECK(l.phase() == meeting_phase::locked);  // one place left
    CHECK(l.missing_signers() == std::vector<role>{role::cosigner});
    l.apply(signature(third_co));
    CHECK(l.phase() == meeting_phase::signed_off);
    // A fourth co-signer has no place: the picture is signed (and its phase no longer signable).
    CHECK(code_of([&] { l.check_sign({"a-co4", person(role::cosigner, "skola", "Nils")}, 3, "d1", 3, "d1"); }) ==
          "already_signed");
    CHECK(meeting_lifecycle::from_json(l.to_json()) == l);

    // Two places, one filled: a second co-signer is still asked for.
    meeting_lifecycle two = meeting_lifecycle::draft({role::chair, role::cosigner, role::cosigner});
    two.apply(open_move);
    two.apply({lifecycle_kind::lock_picture, {}, std::nullopt});
    two.apply(signature(chair_signer));
    two.apply(signature(first_co));
    CHECK(two.phase() == meeting_phase::locked);
    CHECK(code_of([&] { two.check_sign({"a-chair2", person(role::chair, "kommun", "Ny Ordf")}, 3, "d1", 3, "d1"); }) ==
          "already_signed");
}

TEST_CASE("signers: the group's setting is the chair once and up to three co-signers", "[group][signers]") {
    using roles = std::vector<role>;
    CHECK(default_signers() == roles{role::chair, role::cosigner});
    for (const roles& ok : {roles{role::chair}, roles{role::chair, role::cosigner},
                            roles{role::chair, role::cosigner, role::cosigner},
                            roles{role::chair, role::cosigner, role::cosigner, role::cosigner}}) {
        CHECK(code_of([&] { check_signers(ok); }) == "(allowed)");
        CHECK(signers_from_json(signers_to_json(ok), "signers") == ok);
    }
    const auto message_of = [](const json& j) { return test::fails([&] { signers_from_json(j, "signers"); }); };
    CHECK_THAT(message_of(json::array()).message, Catch::Contains("must begin with \"chair\""));
    CHECK_THAT(message_of({"cosigner", "chair"}).message, Catch::Contains("must begin with \"chair\""));
    CHECK_THAT(message_of({"chair", "chair"}).message, Catch::Contains("signers[1]"));
    CHECK_THAT(message_of({"chair", "participant"}).message, Catch::Contains("only co-signers"));
    CHECK_THAT(message_of({"chair", "bra_member"}).message, Catch::Contains("signers[1]"));
    CHECK_THAT(message_of({"chair", "cosigner", "cosigner", "cosigner", "cosigner"}).message,
               Catch::Contains("1 to 4 roles"));
    CHECK_THAT(message_of({"chair", "king"}).message, Catch::Contains("signers[1]"));
    CHECK_THAT(message_of({"chair", 7}).message, Catch::Contains("signers[1]"));
    CHECK_THAT(message_of("chair").message, Catch::Contains("must be an array"));
    CHECK(message_of({"cosigner"}).code == "bad_message");
}

TEST_CASE("signers: the group's JSON carries them, and a group stored before the setting has the default", "[group][signers]") {
    json j = {{"id", "fagersta"}, {"name", "EST-gruppen Fagersta"}, {"organisations", {{{"id", "polis"}, {"name", "Polisen"}}}}};
    const group old = group::from_json(j, true);
    CHECK(old.signers == default_signers());
    CHECK(old.to_json().at("signers") == json{"chair", "cosigner"});
    j["signers"] = {"chair"};
    const group one = group::from_json(j, true);
    CHECK(one.signers == std::vector<role>{role::chair});
    CHECK(group::from_json(one.to_json(), true).signers == one.signers);
    j["signers"] = {"chair", "participant"};
    CHECK(code_of([&] { group::from_json(j, true); }) == "bad_message");
}
