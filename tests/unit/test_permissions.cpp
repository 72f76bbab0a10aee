#include "est/permissions.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "est/error.hpp"
#include "est/permission_table.hpp"

using est::action;
using est::actor;
using est::identity;
using est::meeting_phase;
using est::refusal;
using est::role;

namespace {

const est::meeting_template& biweekly() {
    static const auto t = est::meeting_template::load_file(EST_SOURCE_DIR "/templates/est-biweekly.json");
    return t;
}

identity person(role r, const char* org = "polis") { return {"Anna Andersson", org, r}; }

struct failure {
    std::string code;
    std::string message;
};
failure check(const identity& who, const est::change& c) {
    try {
        est::check_may_apply(who, c, biweekly());
    } catch (const est::domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(allowed)", ""};
}

est::change cell_text(const char* org) {
    return est::text_change{{"hot-och-vald", org, "e1", "handelse"}, est::text_operation{}.insert(u"x")};
}
est::change cell_set(const char* org) { return est::set_change{{"hot-och-vald", org, "e1", "trend"}, "ökar"}; }
est::change add(const char* org) { return est::add_entry_change{"hot-och-vald", org, "e1"}; }
est::change remove_entry(const char* org) { return est::remove_entry_change{"hot-och-vald", org, "e1"}; }
est::change topic_text(const char* field = "bedomning") {
    return est::text_change{{"hot-och-vald", "", "", field}, est::text_operation{}.insert(u"x")};
}
est::change topic_set() { return est::set_change{{"hot-och-vald", "", "", "niva"}, "hög"}; }

}  // namespace

TEST_CASE("may_write_cell: own organisation only, roles taking part only", "[permissions]") {
    CHECK(est::may_write_cell(person(role::participant), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::participant), "kommun"));
    CHECK(est::may_write_cell(person(role::chair), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::chair), "kommun"));
    CHECK(est::may_write_cell(person(role::cosigner), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::cosigner), "skola"));
    CHECK_FALSE(est::may_write_cell(person(role::bra_member), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::admin), "polis"));
}

TEST_CASE("may_write_topic_field: the chair alone", "[permissions]") {
    for (const auto& def : biweekly().topic_fields) {
        INFO(def.id);
        CHECK(est::may_write_topic_field(person(role::chair), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::participant), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::cosigner), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::bra_member), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::admin), def));
    }
    est::field_def unmarked{"note", "Anteckning", est::field_kind::text, {}, 0, false};
    CHECK(est::may_write_topic_field(person(role::chair), unmarked));
    CHECK_FALSE(est::may_write_topic_field(person(role::participant), unmarked));
}

TEST_CASE("check_may_apply: a participant writes their own organisation's cells", "[permissions]") {
    const auto p = person(role::participant, "polis");
    for (const auto& c : {cell_text("polis"), cell_set("polis"), add("polis"), remove_entry("polis")})
        CHECK(check(p, c).code == "(allowed)");
    for (const auto& c : {cell_text("kommun"), cell_set("kommun"), add("kommun"), remove_entry("skola")}) {
        const auto f = check(p, c);
        CHECK(f.code == "forbidden");
        CHECK_THAT(f.message, Catch::Contains("polis"));
    }
    const auto f = check(p, add("kommun"));
    CHECK_THAT(f.message, Catch::Contains("kommun"));
}

TEST_CASE("check_may_apply: topic fields are the chair's", "[permissions]") {
    CHECK(check(person(role::chair), topic_text()).code == "(allowed)");
    CHECK(check(person(role::chair), topic_text("prioriteringar")).code == "(allowed)");
    CHECK(check(person(role::chair), topic_set()).code == "(allowed)");
    // The chair also writes their own organisation's cells, not others'.
    CHECK(check(person(role::chair, "polis"), cell_text("polis")).code == "(allowed)");
    CHECK(check(person(role::chair, "polis"), cell_text("kommun")).code == "forbidden");

    for (role r : {role::participant, role::cosigner, role::bra_member, role::admin}) {
        INFO(est::to_string(r));
        const auto f = check(person(r), topic_text());
        CHECK(f.code == "forbidden");
        CHECK_THAT(f.message, Catch::Contains("Samlad bedömning"));
        CHECK(check(person(r), topic_set()).code == "forbidden");
    }
    // An unknown topic field is left for the document to report as not_found.
    CHECK(check(person(role::participant), topic_text("nope")).code == "(allowed)");
}

TEST_CASE("check_may_apply: bra_member and admin may not edit cells, not even their own", "[permissions]") {
    for (role r : {role::bra_member, role::admin}) {
        INFO(est::to_string(r));
        for (const auto& c : {cell_text("polis"), cell_set("polis"), add("polis"), remove_entry("polis")}) {
            const auto f = check(person(r, "polis"), c);
            CHECK(f.code == "forbidden");
            CHECK_THAT(f.message, Catch::Contains(std::string(est::to_string(r))));
        }
    }
}

TEST_CASE("cosigner writes own cells like a participant", "[permissions]") {
    CHECK(check(person(role::cosigner, "skola"), cell_text("skola")).code == "(allowed)");
    CHECK(check(person(role::cosigner, "skola"), add("polis")).code == "forbidden");
}

// ---------------------------------------------------------------------------------------------------------------
// The permission table. The expectation below is the product's rules written out once more by hand, from
// DESIGN.md §2 and §4 and issue 12 — never read back from the table — so a changed row fails here until someone
// changes both on purpose.

namespace {

constexpr std::size_t actor_count = est::actor_count;
constexpr std::size_t action_count = est::action_count;
constexpr std::size_t phase_count = est::meeting_phase_count;

struct expectation {
    bool role_ok;            // the actor may take the action at all
    bool phase_ok = true;    // in this meeting phase
    bool topic_ok = true;    // with the topic locked or not
    bool server_wide = false;
};

expectation expected(actor who, action what, meeting_phase phase, bool topic_locked) {
    const bool member = who != actor::anonymous && who != actor::non_member;
    const bool takes_part = who == actor::participant || who == actor::chair || who == actor::cosigner;
    const bool is_chair = who == actor::chair;
    const bool is_admin = who == actor::admin;
    const bool open = phase == meeting_phase::open;
    switch (what) {
        case action::write_own_cell:
        case action::add_own_entry:
        case action::remove_own_entry: return {takes_part, open, !topic_locked};
        case action::write_other_cell:
        case action::add_other_entry:
        case action::remove_other_entry: return {false, open, !topic_locked};
        case action::write_topic_field:
            return {is_chair, phase == meeting_phase::draft || open || phase == meeting_phase::locked};
        case action::join_meeting:
        case action::export_meeting: return {member};
        case action::list_own_groups: return {who != actor::anonymous, true, true, true};
        case action::list_all_groups:
        case action::create_group:
        case action::manage_accounts:
        case action::read_audit_log:
        case action::read_stats: return {is_admin, true, true, true};
        case action::list_meetings: return {member};
        case action::create_meeting: return {is_chair};
        case action::invite_to_group: return {is_chair || is_admin};
        case action::change_roles: return {is_admin};
        case action::change_group_settings: return {is_admin};
        case action::open_meeting: return {is_chair, phase == meeting_phase::draft};
        case action::lock_topic: return {is_chair, open, !topic_locked};
        case action::unlock_topic: return {is_chair, open, topic_locked};
        case action::lock_picture: return {is_chair, open};
        case action::unlock_picture: return {is_chair, phase == meeting_phase::locked};
        case action::sign_picture: return {is_chair || who == actor::cosigner, phase == meeting_phase::locked};
        case action::close_meeting: return {is_chair, phase == meeting_phase::signed_off};
        case action::correct_meeting: return {is_chair, phase == meeting_phase::closed};
        case action::propose_decision_item: return {takes_part, open || phase == meeting_phase::locked};
        case action::select_decision_item: return {is_chair, open || phase == meeting_phase::locked};
        case action::decide_decision_item: return {who == actor::bra_member, phase == meeting_phase::closed};
        case action::comment_decision_item:
            return {is_chair || who == actor::bra_member, phase == meeting_phase::closed};
        case action::follow_up_decision_item: return {takes_part, phase == meeting_phase::closed};
        case action::read_bra_report: return {member};
        case action::import_decision_items: return {who == actor::bra_member || is_admin};
        // DESIGN.md §6: an organisation marks its own entries while it may write them; the chair marks any entry
        // and acknowledges flagged numbers until the picture is signed.
        case action::mark_own_secrecy: return {takes_part, open, !topic_locked};
        case action::mark_other_secrecy:
        case action::acknowledge_personal_data: return {is_chair, open || phase == meeting_phase::locked};
        // Issue 16: the chair leads the meeting from topic to topic in every phase but closed.
        case action::lead_topic: return {is_chair, phase != meeting_phase::closed};
        // Issue 16: the chair prepares (title, date) until the picture is signed, and files meetings away in any.
        case action::edit_meeting:
            return {is_chair, phase == meeting_phase::draft || open || phase == meeting_phase::locked};
        case action::archive_meeting: return {is_chair};
    }
    FAIL("an action without an expectation: " << static_cast<int>(what));
    return {false};
}

refusal expected_refusal(actor who, action what, meeting_phase phase, bool topic_locked) {
    const expectation e = expected(who, what, phase, topic_locked);
    if (!e.role_ok) {
        if (who == actor::anonymous) return refusal::sign_in;
        if (who == actor::non_member && !e.server_wide) return refusal::not_member;
        return refusal::role;
    }
    if (!e.phase_ok) return refusal::phase;
    if (!e.topic_ok) return refusal::topic_lock;
    return refusal::none;
}

const char* name_of(refusal r) {
    switch (r) {
        case refusal::none: return "allowed";
        case refusal::sign_in: return "sign_in";
        case refusal::not_member: return "not_member";
        case refusal::role: return "role";
        case refusal::phase: return "phase";
        case refusal::topic_lock: return "topic_lock";
    }
    return "?";
}

std::vector<actor> every_actor() {
    std::vector<actor> v;
    for (std::size_t i = 0; i < actor_count; ++i) v.push_back(static_cast<actor>(i));
    return v;
}
std::vector<action> every_action() {
    std::vector<action> v;
    for (std::size_t i = 0; i < action_count; ++i) v.push_back(static_cast<action>(i));
    return v;
}
std::vector<meeting_phase> every_phase() {
    std::vector<meeting_phase> v;
    for (std::size_t i = 0; i < phase_count; ++i) v.push_back(static_cast<meeting_phase>(i));
    return v;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("permission table: every actor × action × meeting state × topic lock as expected", "[permissions][table]") {
    std::size_t checked = 0;
    for (actor who : every_actor())
        for (action what : every_action())
            for (meeting_phase phase : every_phase())
                for (bool topic_locked : {false, true}) {
                    INFO(est::to_string(who) << " " << est::to_string(what) << " in " << est::to_string(phase)
                                             << (topic_locked ? ", topic locked" : ""));
                    const est::decision d = est::decide(who, what, phase, topic_locked);
                    const refusal want = expected_refusal(who, what, phase, topic_locked);
                    CHECK(name_of(d.why) == std::string(name_of(want)));
                    CHECK(d.allowed() == (want == refusal::none));
                    CHECK(static_cast<bool>(d) == d.allowed());
                    // A refusal always says why; an allowance says nothing.
                    CHECK(d.reason.empty() == d.allowed());
                    ++checked;
                }
    CHECK(checked == 7 * action_count * 5 * 2);
}

TEST_CASE("permission table: the names are stable and round-trip", "[permissions][table]") {
    // Logs, the audit log and docs/security.md use these names: renaming one is a breaking change.
    const std::vector<std::string> actions = {
        "write_own_cell", "write_other_cell", "add_own_entry", "add_other_entry", "remove_own_entry",
        "remove_other_entry", "write_topic_field", "join_meeting", "export_meeting", "list_own_groups",
        "list_all_groups", "create_group", "list_meetings", "create_meeting", "invite_to_group", "change_roles",
        "change_group_settings", "manage_accounts", "read_audit_log", "read_stats", "open_meeting", "lock_topic", "unlock_topic",
        "lock_picture", "unlock_picture", "sign_picture", "close_meeting", "correct_meeting", "propose_decision_item", "select_decision_item",
        "decide_decision_item",
        "comment_decision_item", "follow_up_decision_item", "read_bra_report", "import_decision_items",
        "mark_own_secrecy", "mark_other_secrecy", "acknowledge_personal_data", "lead_topic", "edit_meeting",
        "archive_meeting"};
    REQUIRE(actions.size() == action_count);
    for (std::size_t i = 0; i < action_count; ++i) {
        const auto a = static_cast<action>(i);
        CHECK(est::to_string(a) == actions[i]);
        CHECK(est::action_from_string(actions[i]) == a);
        CHECK(est::rule_for(a).what == a);
    }
    CHECK_FALSE(est::action_from_string("write_cell").has_value());

    const std::vector<std::string> actors = {"anonymous", "non_member", "participant", "chair",
                                             "cosigner", "bra_member", "admin"};
    REQUIRE(actors.size() == actor_count);
    for (std::size_t i = 0; i < actor_count; ++i) {
        CHECK(est::to_string(static_cast<actor>(i)) == actors[i]);
        CHECK(est::actor_from_string(actors[i]) == static_cast<actor>(i));
    }
    for (role r : {role::participant, role::chair, role::cosigner, role::bra_member, role::admin})
        CHECK(est::to_string(est::as_actor(r)) == est::to_string(r));

    const std::vector<std::string> phases = {"draft", "open", "locked", "signed", "closed"};
    REQUIRE(phases.size() == phase_count);
    for (std::size_t i = 0; i < phase_count; ++i) {
        CHECK(est::to_string(static_cast<meeting_phase>(i)) == phases[i]);
        CHECK(est::meeting_phase_from_string(phases[i]) == static_cast<meeting_phase>(i));
    }
    CHECK_FALSE(est::meeting_phase_from_string("signed_off").has_value());
}

TEST_CASE("attendance counts while the meeting is held: open or locked, not draft, signed or closed", "[attendance]") {
    CHECK_FALSE(est::counts_attendance(meeting_phase::draft));
    CHECK(est::counts_attendance(meeting_phase::open));
    CHECK(est::counts_attendance(meeting_phase::locked));
    CHECK_FALSE(est::counts_attendance(meeting_phase::signed_off));
    CHECK_FALSE(est::counts_attendance(meeting_phase::closed));
}

TEST_CASE("permission table: spot checks in words", "[permissions][table]") {
    using est::decide;
    SECTION("the police's participant writes the police's cell while the meeting is open, not once the topic or "
            "the picture is locked") {
        CHECK(decide(actor::participant, action::write_own_cell));
        CHECK(decide(actor::participant, action::write_own_cell, meeting_phase::open, true).why == refusal::topic_lock);
        const auto d = decide(actor::participant, action::write_own_cell, meeting_phase::locked);
        CHECK(d.why == refusal::phase);
        CHECK_THAT(std::string(d.reason), Catch::Contains("locked") && Catch::Contains("chair's assessment"));
    }
    SECTION("nobody writes another organisation's cell, not even the chair") {
        for (actor who : every_actor()) CHECK_FALSE(decide(who, action::write_other_cell));
        CHECK(decide(actor::chair, action::add_other_entry).why == refusal::role);
    }
    SECTION("the chair writes the joint assessment in a locked picture and in a locked topic, not once signed") {
        CHECK(decide(actor::chair, action::write_topic_field, meeting_phase::locked));
        CHECK(decide(actor::chair, action::write_topic_field, meeting_phase::open, true));
        CHECK(decide(actor::chair, action::write_topic_field, meeting_phase::signed_off).why == refusal::phase);
    }
    SECTION("a closed meeting is immutable: it can be read, exported, archived, and its items decided, commented "
            "and followed up in the BRÅ queue, nothing else") {
        for (actor who : every_actor())
            for (action what : every_action()) {
                if (est::rule_for(what).scope != est::action_scope::meeting) continue;
                if (!decide(who, what, meeting_phase::closed)) continue;
                INFO(est::to_string(who) << " " << est::to_string(what));
                CHECK((what == action::join_meeting || what == action::export_meeting || what == action::correct_meeting ||
                       what == action::archive_meeting ||
                       what == action::decide_decision_item || what == action::comment_decision_item ||
                       what == action::follow_up_decision_item));
            }
    }
    SECTION("signing needs a locked picture, and the co-signer signs beside the chair") {
        CHECK(decide(actor::cosigner, action::sign_picture, meeting_phase::locked));
        CHECK(decide(actor::chair, action::sign_picture, meeting_phase::open).why == refusal::phase);
        CHECK(decide(actor::participant, action::sign_picture, meeting_phase::locked).why == refusal::role);
    }
    SECTION("a BRÅ member follows the meeting and decides on its items once it is closed") {
        CHECK(decide(actor::bra_member, action::join_meeting, meeting_phase::open));
        CHECK_FALSE(decide(actor::bra_member, action::propose_decision_item, meeting_phase::open));
        CHECK(decide(actor::bra_member, action::decide_decision_item, meeting_phase::signed_off).why == refusal::phase);
        CHECK(decide(actor::bra_member, action::decide_decision_item, meeting_phase::closed));
    }
    SECTION("someone without a session is asked to sign in; someone outside the group is told so") {
        const auto anon = decide(actor::anonymous, action::join_meeting);
        CHECK(anon.why == refusal::sign_in);
        CHECK_THAT(std::string(anon.reason), Catch::Contains("sign in"));
        const auto outsider = decide(actor::non_member, action::export_meeting);
        CHECK(outsider.why == refusal::not_member);
        CHECK_THAT(std::string(outsider.reason), Catch::Contains("not a member"));
        // Server-wide actions have no group: a signed-in person lists their own groups, only an admin all.
        CHECK(decide(actor::non_member, action::list_own_groups));
        CHECK(decide(actor::non_member, action::list_all_groups).why == refusal::role);
        CHECK(decide(actor::admin, action::read_stats));
    }
    SECTION("a group's chair invites people; only an administrator changes roles") {
        CHECK(decide(actor::chair, action::invite_to_group));
        CHECK(decide(actor::admin, action::invite_to_group));
        CHECK_FALSE(decide(actor::participant, action::invite_to_group));
        CHECK(decide(actor::chair, action::change_roles).why == refusal::role);
    }
}

TEST_CASE("permission table: the Markdown rendering is one row per action and one column per actor",
          "[permissions][table]") {
    const std::string md = est::render_permission_table_markdown();
    CHECK(md.rfind("| action | what | scope | anonymous | non_member | participant | chair | cosigner | bra_member | "
                   "admin | meeting state | topic |\n",
                   0) == 0);
    CHECK_THAT(md, Catch::Contains("| `write_own_cell` | write a field of an entry in their own organisation's cell "
                                   "| meeting | — | — | ✓ | ✓ | ✓ | — | — | open | unlocked |\n"));
    CHECK_THAT(md, Catch::Contains("| `create_group` | create a group | server | — | — | — | — | — | — | ✓ | — | — |\n"));
    CHECK(static_cast<std::size_t>(std::count(md.begin(), md.end(), '\n')) == 2 + action_count);
}

TEST_CASE("docs/security.md holds the permission table exactly as the code renders it", "[permissions][table]") {
    const std::string path = EST_SOURCE_DIR "/docs/security.md";
    const std::string doc = read_file(path);
    REQUIRE_FALSE(doc.empty());
    const std::string begin = "<!-- permission-table:begin";
    const std::string end = "<!-- permission-table:end -->";
    const auto b = doc.find(begin);
    REQUIRE(b != std::string::npos);
    CHECK(doc.find(begin, b + 1) == std::string::npos);
    const auto body = doc.find('\n', b);
    REQUIRE(body != std::string::npos);
    const auto e = doc.find(end, body);
    REQUIRE(e != std::string::npos);
    const std::string in_doc = doc.substr(body + 1, e - body - 1);
    const std::string fresh = est::render_permission_table_markdown();
    if (in_doc != fresh) {
        // Catch wraps its messages at 80 columns: the table goes to stdout as it is, ready to paste.
        std::cout << "---- the permission table, to put between the markers of " << path << " ----\n"
                  << fresh << "---- end of the permission table ----\n";
        FAIL(path << " and the permission table in the code differ; the fresh table is on stdout above");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The live changes through the table.

TEST_CASE("action_of: a change is the action of its kind and of whose cell it is", "[permissions]") {
    const auto p = person(role::participant, "polis");
    CHECK(est::action_of(p, cell_text("polis")) == action::write_own_cell);
    CHECK(est::action_of(p, cell_set("kommun")) == action::write_other_cell);
    CHECK(est::action_of(p, add("polis")) == action::add_own_entry);
    CHECK(est::action_of(p, add("kommun")) == action::add_other_entry);
    CHECK(est::action_of(p, remove_entry("polis")) == action::remove_own_entry);
    CHECK(est::action_of(p, remove_entry("skola")) == action::remove_other_entry);
    CHECK(est::action_of(p, topic_text()) == action::write_topic_field);
    CHECK(est::action_of(p, topic_set()) == action::write_topic_field);
}

TEST_CASE("check_may_apply: every role × change × ownership × meeting state × topic lock as expected",
          "[permissions][table]") {
    struct kind {
        const char* name;
        est::change (*make)(const char* org);
        action own;
        action other;
    };
    const kind kinds[] = {
        {"text", cell_text, action::write_own_cell, action::write_other_cell},
        {"set", cell_set, action::write_own_cell, action::write_other_cell},
        {"add_entry", add, action::add_own_entry, action::add_other_entry},
        {"remove_entry", remove_entry, action::remove_own_entry, action::remove_other_entry},
    };
    const std::vector<std::string> locked_topic = {"hot-och-vald"};
    const std::vector<std::string> other_topic_locked = {"andt"};
    for (role r : {role::participant, role::chair, role::cosigner, role::bra_member, role::admin})
        for (meeting_phase phase : every_phase())
            for (bool topic_locked : {false, true}) {
                const est::meeting_status now{phase, topic_locked ? locked_topic : other_topic_locked};
                const identity who = person(r, "polis");
                // The code of the refusal ("" when allowed): locked and closed say why, forbidden the rest.
                auto outcome = [&](const est::change& c) -> std::string {
                    try {
                        est::check_may_apply(who, c, biweekly(), now);
                    } catch (const est::domain_error& e) {
                        return e.code();
                    }
                    return "";
                };
                auto expect = [&](action a) -> std::string {
                    const refusal why = expected_refusal(est::as_actor(r), a, phase, topic_locked);
                    return why == refusal::none ? "" : std::string(est::refusal_code(why, phase));
                };
                INFO(est::to_string(r) << " in " << est::to_string(phase) << (topic_locked ? ", topic locked" : ""));
                for (const auto& k : kinds) {
                    INFO(k.name);
                    CHECK(outcome(k.make("polis")) == expect(k.own));
                    CHECK(outcome(k.make("kommun")) == expect(k.other));
                }
                for (const auto& c : {topic_text(), topic_text("prioriteringar"), topic_set()})
                    CHECK(outcome(c) == expect(action::write_topic_field));
            }
}

TEST_CASE("check_may_apply: refusals for the meeting's state say why", "[permissions]") {
    const std::vector<std::string> locked = {"hot-och-vald"};
    const auto p = person(role::participant, "polis");
    SECTION("the three-argument form is an open meeting with no topic locked") {
        CHECK(check(p, cell_text("polis")).code == "(allowed)");
        CHECK_NOTHROW(est::check_may_apply(p, cell_text("polis"), biweekly(), est::meeting_status{}));
    }
    SECTION("a locked topic keeps its cells, not the chair's assessment") {
        const est::meeting_status now{meeting_phase::open, locked};
        try {
            est::check_may_apply(p, add("polis"), biweekly(), now);
            FAIL("allowed");
        } catch (const est::domain_error& e) {
            CHECK(e.code() == "locked");
            CHECK_THAT(e.what(), Catch::Contains("topic is locked"));
        }
        CHECK_NOTHROW(est::check_may_apply(person(role::chair), topic_text(), biweekly(), now));
        // Another topic is not locked.
        CHECK_NOTHROW(est::check_may_apply(p, est::add_entry_change{"andt", "polis", "e9"}, biweekly(), now));
    }
    SECTION("a locked picture: the chair's assessment only; a signed one: nothing") {
        CHECK_THROWS_WITH(est::check_may_apply(p, cell_text("polis"), biweekly(), {meeting_phase::locked, {}}),
                          Catch::Contains("the picture is locked"));
        CHECK_NOTHROW(est::check_may_apply(person(role::chair), topic_set(), biweekly(), {meeting_phase::locked, {}}));
        CHECK_THROWS_WITH(
            est::check_may_apply(person(role::chair), topic_set(), biweekly(), {meeting_phase::signed_off, {}}),
            Catch::Contains("signed"));
        CHECK_THROWS_WITH(est::check_may_apply(p, remove_entry("polis"), biweekly(), {meeting_phase::closed, {}}),
                          Catch::Contains("closed"));
    }
    SECTION("who and whose come before when: the existing messages stand in every state") {
        CHECK_THROWS_WITH(est::check_may_apply(p, add("kommun"), biweekly(), {meeting_phase::closed, {}}),
                          Catch::Contains("you represent 'polis'") && Catch::Contains("'kommun'"));
        CHECK_THROWS_WITH(
            est::check_may_apply(person(role::bra_member), cell_text("polis"), biweekly(), {meeting_phase::draft, {}}),
            Catch::Contains("role bra_member may not edit the picture"));
        CHECK_THROWS_WITH(est::check_may_apply(p, topic_text(), biweekly(), {meeting_phase::signed_off, locked}),
                          Catch::Contains("only the chair may write 'Samlad bedömning'"));
    }
}

TEST_CASE("a person's standing: their role in the group decides, a server administrator falls back to admin") {
    using est::standing;
    // A participant of the group writes their own cell; a server administrator with no role there may not.
    CHECK(est::decide(standing{false, role::participant}, action::write_own_cell));
    CHECK(est::decide(standing{true, std::nullopt}, action::write_own_cell).why == refusal::role);
    // Without a role in the group and without being an administrator: not a member (404 over REST).
    CHECK(est::decide(standing{false, std::nullopt}, action::list_meetings).why == refusal::not_member);
    CHECK(est::decide(standing{false, std::nullopt}, action::join_meeting).why == refusal::not_member);
    // A server administrator reads every group and invites to it, role or not.
    CHECK(est::decide(standing{true, std::nullopt}, action::list_meetings));
    CHECK(est::decide(standing{true, role::participant}, action::change_roles));
    // A participant who is no administrator may not; the refusal names the role, not the fallback.
    const auto d = est::decide(standing{false, role::participant}, action::change_roles);
    CHECK(d.why == refusal::role);
    // Server actions: administrators only, whatever their roles in groups.
    CHECK(est::decide(standing{false, role::chair}, action::read_audit_log).why == refusal::role);
    CHECK(est::decide(standing{true, std::nullopt}, action::read_audit_log));
    CHECK(est::decide(standing{false, std::nullopt}, action::list_own_groups));
    CHECK(!est::decide(standing{false, std::nullopt}, action::list_all_groups));
}

TEST_CASE("the actor a person joins a meeting as") {
    using est::standing;
    CHECK(est::actor_in_group(standing{false, role::cosigner}) == actor::cosigner);
    CHECK(est::actor_in_group(standing{true, role::participant}) == actor::participant);
    CHECK(est::actor_in_group(standing{true, std::nullopt}) == actor::admin);
    CHECK(est::actor_in_group(standing{false, std::nullopt}) == actor::non_member);
}

TEST_CASE("inviting someone as a participant is an invitation, as any other role a change of roles") {
    CHECK(est::invitation_action(role::participant) == action::invite_to_group);
    // The co-signer and BRÅ's members check the chair: the chair does not pick them.
    CHECK(est::invitation_action(role::cosigner) == action::change_roles);
    CHECK(est::invitation_action(role::bra_member) == action::change_roles);
    CHECK(!est::decide(actor::chair, est::invitation_action(role::cosigner)));
    CHECK(!est::decide(actor::chair, est::invitation_action(role::bra_member)));
    CHECK(est::invitation_action(role::chair) == action::change_roles);
    CHECK(est::invitation_action(role::admin) == action::change_roles);
    // So a chair invites participants but cannot make another chair.
    CHECK(est::decide(actor::chair, est::invitation_action(role::participant)));
    CHECK(!est::decide(actor::chair, est::invitation_action(role::chair)));
}
