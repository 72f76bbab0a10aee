// The permission table through the real est-server: every actor the table knows (anonymous, a signed-in
// non-member, each role of the group, a server administrator) × every action of est::permission_table() × every
// meeting state a meeting can be in (draft, open, locked, signed, closed), each over the REST route or WebSocket
// message that takes the action. The expected answer is est::decide's, so the table, docs/security.md and the
// server cannot drift apart.
#include "est/permission_table.hpp"
#include "est/sshsig.hpp"

#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "live_member.hpp"

using namespace est;
using json = nlohmann::json;

namespace {

// Actions the server cannot be asked to take yet: no REST route and no WebSocket message. Each moves to the
// probes below when its route or message lands; an action in neither list fails the test.
const std::map<std::string_view, std::string_view> not_reachable_yet = {
};

// Meeting states no route drives a meeting into (none today; a new state goes here until one does).
const std::map<meeting_phase, std::string_view> unreachable_phases = {};
// A new meeting is a draft; the chair drives it on from there: open, lock_picture, both signatures, close
// (POST /api/meetings/{id}/lifecycle).
const std::set<meeting_phase> reachable_phases = {meeting_phase::draft, meeting_phase::open, meeting_phase::locked,
                                                  meeting_phase::signed_off, meeting_phase::closed};

// What the table says of one person and one action. A refusal for the meeting's state is its own outcome: the
// person may, but not now (closed: never again), or not on a topic locked (or not locked) as this one is.
// A change refused because the meeting is still a draft is `forbidden` (est::refusal_code), a move `wrong_phase`.
enum class outcome { allowed, sign_in, not_member, forbidden, wrong_phase, draft, closed, topic_lock };

outcome expected_outcome(const test::person& p, action a, meeting_phase phase, bool topic_locked) {
    const decision d = p.anonymous() ? decide(actor::anonymous, a, phase, topic_locked)
                                     : decide(standing{p.server_admin, p.member_role}, a, phase, topic_locked);
    switch (d.why) {
        case refusal::none: return outcome::allowed;
        case refusal::sign_in: return outcome::sign_in;
        case refusal::not_member: return outcome::not_member;
        case refusal::phase:
            if (phase == meeting_phase::draft) return outcome::draft;
            return phase == meeting_phase::closed ? outcome::closed : outcome::wrong_phase;
        case refusal::topic_lock: return phase == meeting_phase::closed ? outcome::closed : outcome::topic_lock;
        default: return outcome::forbidden;
    }
}

// How each outcome sounds on each channel (docs/protocol.md, "Checks on every request" and "The live meeting
// under accounts").
std::string rest_answer(outcome o) {
    switch (o) {
        case outcome::allowed: return "allowed";
        case outcome::sign_in: return "401 sign_in_required";
        case outcome::not_member: return "404 not_found";
        case outcome::forbidden: return "403 forbidden";
        // Only the lifecycle moves depend on the state (docs/protocol.md, "POST /api/meetings/{id}/lifecycle").
        case outcome::wrong_phase:
        case outcome::draft: return "409 wrong_phase";
        case outcome::closed: return "409 closed";
        case outcome::topic_lock: return "409 conflict";
    }
    return "?";
}
std::string join_answer(outcome o) {
    switch (o) {
        case outcome::allowed: return "allowed";
        case outcome::sign_in: return "upgrade 401 sign_in_required";
        case outcome::not_member: return "meeting_not_found";
        case outcome::forbidden: return "forbidden";
        // A change the state refuses (est::refusal_code): `locked` until the meeting is closed, then `closed`.
        case outcome::wrong_phase: return "locked";
        case outcome::draft: return "forbidden";
        case outcome::closed: return "closed";
        case outcome::topic_lock: return "locked";
    }
    return "?";
}
// A change on a connection whose join was refused is not_joined; without a session there is no connection.
std::string op_answer(outcome o) { return o == outcome::not_member ? "not_joined" : join_answer(o); }

std::string observed(const client::http_result& r) {
    if (r.status >= 200 && r.status < 300) return "allowed";
    const json j = json::parse(r.body, nullptr, false);
    return std::to_string(r.status) + " " + (j.is_object() ? j.value("error", "?") : "?");
}

std::set<std::string> ids_of(const client::http_result& r) {
    std::set<std::string> out;
    const json j = json::parse(r.body, nullptr, false);
    if (j.is_array())
        for (const auto& g : j) out.insert(g.value("id", ""));
    return out;
}

// One way of asking the server to take an action, and what it should answer.
struct probe {
    std::string how;                                  // "GET /api/groups", "op add_entry (own cell)"
    std::function<std::string(outcome)> expect;       // the answer the outcome should give
    std::function<std::string(test::person&)> ask;    // the answer the server gave
    // When set, the answer for this person instead of `expect`'s: for a rule the table leaves to the domain
    // (a follow-up only by the item's owner organisation, est::bra_record).
    std::function<std::string(const test::person&, outcome)> expect_for = {};
    // Why the probe means nothing for this person ("" when it does): a role without an organisation has no
    // cell of its own.
    std::function<std::string(const test::person&)> not_applicable = [](const test::person&) { return std::string(); };
    // Whether the topic the probe names is locked (the table's topic condition).
    bool topic_locked = false;
};

}  // namespace

TEST_CASE("every action of the permission table and every meeting state is classified", "[access][matrix]") {
    // A new action (or state) must be given its route or message in the matrix below, or listed as not reachable.
    const std::set<std::string_view> probed = {
        "write_own_cell", "write_other_cell", "add_own_entry", "add_other_entry", "remove_own_entry",
        "remove_other_entry", "write_topic_field", "join_meeting", "export_meeting", "list_own_groups",
        "list_all_groups", "create_group", "list_meetings", "create_meeting", "invite_to_group", "change_roles",
        "change_group_settings", "manage_accounts", "read_audit_log", "read_stats", "open_meeting", "lock_topic", "unlock_topic", "lock_picture",
        "unlock_picture", "sign_picture", "close_meeting", "correct_meeting", "propose_decision_item",
        "select_decision_item", "decide_decision_item", "comment_decision_item", "follow_up_decision_item",
        "read_bra_report", "import_decision_items", "mark_own_secrecy", "mark_other_secrecy",
        "acknowledge_personal_data", "lead_topic", "edit_meeting", "archive_meeting"};
    CHECK(permission_table().size() == action_count);
    for (const auto& rule : permission_table()) {
        INFO("action " << rule.name);
        CHECK(probed.count(rule.name) + not_reachable_yet.count(rule.name) == 1);
    }
    for (const auto name : probed) CHECK(action_from_string(name).has_value());
    for (const auto& [name, why] : not_reachable_yet) CHECK(action_from_string(name).has_value());
    for (std::size_t i = 0; i < meeting_phase_count; ++i) {
        const auto phase = static_cast<meeting_phase>(i);
        INFO("meeting state " << to_string(phase));
        CHECK(reachable_phases.count(phase) + unreachable_phases.count(phase) == 1);
    }
}

TEST_CASE("every actor × every action × every meeting state, through the real server", "[access][matrix]") {
    // A refused join does not stop --join-timeout's clock: the non-member's connection must outlast the matrix.
    // The chair makes a meeting for each state and several for the moves, and drives each through the
    // lifecycle: more moves than one account may make at once by default.
    test::accounts_fixture::options setup;
    setup.server_args = {"--join-timeout", "600", "--move-burst", "100000"};
    test::accounts_fixture f(setup);
    auto& admin = f.at("server_admin");
    auto& chair = f.at("chair");
    const std::string g = "/api/groups/" + f.group();
    const std::string spare_id = f.at("spare").id;

    // The actors: everyone but `spare`, the participant whose role and account the probes change.
    std::vector<test::person*> actors;
    for (auto* p : f.people())
        if (p->key != "spare") actors.push_back(p);

    boost::asio::io_context ioc;
    // POST /api/meetings/{id}/lifecycle as `p`.
    const auto move_on = [&](const std::string& id, test::person& p, const json& body) {
        return observed(p.http.post("/api/meetings/" + id + "/lifecycle", body));
    };
    // A signature by `p` of the picture as it is now (the revision and digest of the JSON export).
    const auto sign_body = [&](const std::string& id, const test::person& p) {
        const auto r = admin.http.get("/api/meetings/" + id + "/export?format=json");
        REQUIRE(r.status == 200);
        const json exp = json::parse(r.body);
        return json{{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")}, {"password", p.password}};
    };

    // Entries to write in and to remove: per cell, one to write in and one per actor to remove. Made by the
    // cells' own participants while the meeting is open, which the table allows.
    const std::vector<std::string> seeded_cells = {"polis", "kommun"};
    const auto seed = [&](const std::string& id) {
        for (const auto& org : seeded_cells) {
            test::live_member by(ioc, f.live_options(f.at(org == "polis" ? "participant_a" : "participant_b"), id));
            REQUIRE(by.join() == "allowed");
            REQUIRE(by.apply(add_entry_change{"andt", org, "seed-" + org + "-w"}) == "allowed");
            for (auto* p : actors) REQUIRE(by.apply(add_entry_change{"andt", org, "seed-" + org + "-r-" + p->key}) == "allowed");
        }
        // A personal identity number flagged in an entry of its own per actor, for the chair to acknowledge.
        test::live_member police(ioc, f.live_options(f.at("participant_a"), id));
        REQUIRE(police.join() == "allowed");
        for (auto* p : actors) {
            const field_ref where{"andt", "polis", "seed-polis-pn-" + p->key, "handelse"};
            REQUIRE(police.apply(add_entry_change{"andt", "polis", where.entry}) == "allowed");
            REQUIRE(police.append(where, u"Anmälan gäller 121212-1212.") == "allowed");
        }
        // Decision items: one to write in, which the chair sends to BRÅ (so a closed meeting's is in the queue),
        // and one per actor to remove.
        test::live_member a(ioc, f.live_options(f.at("participant_a"), id));
        REQUIRE(a.join() == "allowed");
        REQUIRE(a.apply(add_item_change{"andt", "seed-item-w"}) == "allowed");
        REQUIRE(a.append(field_ref{"andt", "", "", "rubrik", "seed-item-w"}, u"Orsaksanalys") == "allowed");
        for (auto* p : actors) REQUIRE(a.apply(add_item_change{"andt", "seed-item-r-" + p->key}) == "allowed");
        test::live_member c(ioc, f.live_options(chair, id));
        REQUIRE(c.join() == "allowed");
        REQUIRE(c.apply(set_change{field_ref{"andt", "", "", "till_bra", "seed-item-w"}, "ja"}) == "allowed");
    };
    // The chair's acknowledgement of the number seeded for `key`.
    const auto flagged_number = [](const std::string& key) {
        return acknowledge_change{{"andt", "polis", "seed-polis-pn-" + key, "handelse"},
                                  est::sshsig::sha256_hex("1212121212"), "Behövs för ärendets uppföljning"};
    };
    // A new meeting in `phase`: the chair creates it (a draft), opens it, locks one topic, then locks the picture,
    // both sign and the chair closes it, as far as `phase`. The probes write in "andt", which stays unlocked. A
    // draft has no entries (nobody may add them yet): every probe of a cell is refused before the entry counts.
    const std::string locked_topic = "hot-och-vald";
    int made = 0;
    const auto prepare = [&](meeting_phase phase, bool seeded) {
        const std::string title = "Matrisen " + std::to_string(++made) + " (" + std::string(to_string(phase)) + ")";
        const auto created = chair.http.post(g + "/meetings", {{"title", title}});
        REQUIRE(created.status == 201);
        const std::string id = json::parse(created.body).at("id");
        if (phase != meeting_phase::draft) {
            REQUIRE(move_on(id, chair, {{"action", "open"}}) == "allowed");
            if (seeded) seed(id);
            REQUIRE(move_on(id, chair, {{"action", "lock_topic"}, {"topic", locked_topic}}) == "allowed");
        }
        if (phase != meeting_phase::draft && phase != meeting_phase::open)
            REQUIRE(move_on(id, chair, {{"action", "lock_picture"}}) == "allowed");
        if (seeded && (phase == meeting_phase::signed_off || phase == meeting_phase::closed)) {
            // The seeded numbers would hold the signatures up.
            test::live_member c(ioc, f.live_options(chair, id));
            REQUIRE(c.join() == "allowed");
            for (auto* p : actors) REQUIRE(c.apply(flagged_number(p->key)) == "allowed");
        }
        if (phase == meeting_phase::signed_off || phase == meeting_phase::closed)
            for (const char* who : {"chair", "cosigner"}) REQUIRE(move_on(id, f.at(who), sign_body(id, f.at(who))) == "allowed");
        if (phase == meeting_phase::closed) REQUIRE(move_on(id, chair, {{"action", "close"}}) == "allowed");
        const auto meeting = json::parse(admin.http.get("/api/meetings/" + id).body);
        REQUIRE(meeting.at("state") == std::string(to_string(phase)));
        return id;
    };

    // The matrix runs once per state a meeting can be in, each time against a meeting in that state.
    std::map<meeting_phase, std::string> in_phase;
    for (const auto phase : reachable_phases) in_phase[phase] = prepare(phase, true);
    meeting_phase current = meeting_phase::open;
    std::string m;  // "/api/meetings/{id}" of in_phase[current]
    // A move that is allowed changes its meeting: the moves go to meetings of their own, one per state that no
    // move has changed yet, and the next probe after an allowed move gets a new one.
    std::map<meeting_phase, std::string> unmoved;

    // Everyone's live connection to the meeting under test, anonymous (no cookie) included.
    std::map<std::string, std::unique_ptr<test::live_member>> live;
    std::map<std::string, std::string> joined;  // the answer to each person's join
    // Everyone in the meeting sees the same revision before a change is made against it.
    const auto in_step = [&] {
        REQUIRE(client::run_until(ioc, [&] {
            std::uint64_t lo = UINT64_MAX, hi = 0;
            for (auto& [k, l] : live) {
                if (!l->client().welcomed()) continue;
                lo = std::min(lo, l->client().replica().rev());
                hi = std::max(hi, l->client().replica().rev());
            }
            return lo == hi || hi == 0;
        }));
    };

    // A person's own organisation in the group, and another one. A member without an organisation has no cell
    // of their own: every cell is another's. Anonymous and non-members are refused before the cell counts.
    const auto own_org = [&](const test::person& p) -> std::string {
        if (!p.org.empty()) return p.org;
        return p.member_role || p.server_admin ? std::string() : std::string("polis");
    };
    const auto other_org = [&](const test::person& p) -> std::string { return own_org(p) == "polis" ? "kommun" : "polis"; };
    const auto without_own_cell = [&](const test::person& p) {
        return own_org(p).empty() ? std::string("a ") + (p.server_admin ? "server administrator" : std::string(to_string(*p.member_role))) +
                                        " has no organisation, so no cell of its own"
                                  : std::string();
    };
    const auto rest = [](std::string how, std::function<client::http_result(test::person&)> call) {
        return probe{std::move(how), rest_answer, [call](test::person& p) { return observed(call(p)); }};
    };
    const auto op = [&](std::string how, std::function<change(const test::person&)> make) {
        return probe{std::move(how), op_answer, [&, make](test::person& p) {
                         in_step();
                         return live.at(p.key)->apply(make(p));
                     }};
    };
    const auto text = [&](std::string how, std::function<field_ref(const test::person&)> where) {
        return probe{std::move(how), op_answer, [&, where](test::person& p) {
                         in_step();
                         return live.at(p.key)->append(where(p), u" [skrivet]");
                     }};
    };
    const auto lifecycle = [&](std::string how, std::function<json(const std::string&, const test::person&)> body,
                               bool topic_locked = false) {
        probe pr{"POST /api/meetings/{id}/lifecycle " + std::move(how), rest_answer, [&, body](test::person& p) {
                     auto it = unmoved.find(current);
                     if (it == unmoved.end()) it = unmoved.emplace(current, prepare(current, false)).first;
                     const std::string answer = move_on(it->second, p, body(it->second, p));
                     if (answer == "allowed") unmoved.erase(it);
                     return answer;
                 }};
        pr.topic_locked = topic_locked;
        return pr;
    };
    const auto topic_move = [](const char* what, const std::string& topic) {
        return [what, topic](const std::string&, const test::person&) { return json{{"action", what}, {"topic", topic}}; };
    };
    const auto picture_move = [](const char* what) {
        return [what](const std::string&, const test::person&) { return json{{"action", what}}; };
    };
    const auto phase_name = [&] { return std::string(to_string(current)); };
    const auto own_groups = [&](const test::person& p) {
        std::set<std::string> out;
        if (p.member_role) out.insert(f.group());
        if (p.key == "non_member") out.insert(f.other_group());
        return out;
    };

    std::map<std::string_view, std::vector<probe>> probes;
    // The picture, live.
    probes["write_own_cell"] = {text("op text in an entry of their own organisation's cell",
                                     [&](const test::person& p) { return field_ref{"andt", own_org(p), "seed-" + own_org(p) + "-w", "handelse"}; })};
    probes["write_own_cell"][0].not_applicable = without_own_cell;
    probes["write_other_cell"] = {text("op text in an entry of another organisation's cell", [&](const test::person& p) {
        return field_ref{"andt", other_org(p), "seed-" + other_org(p) + "-w", "handelse"};
    })};
    probes["add_own_entry"] = {op("op add_entry in their own organisation's cell",
                                  [&](const test::person& p) { return add_entry_change{"andt", own_org(p), "add-" + p.key}; })};
    probes["add_own_entry"][0].not_applicable = without_own_cell;
    probes["add_other_entry"] = {op("op add_entry in another organisation's cell",
                                    [&](const test::person& p) { return add_entry_change{"andt", other_org(p), "addo-" + p.key}; })};
    probes["remove_own_entry"] = {op("op remove_entry in their own organisation's cell", [&](const test::person& p) {
        return remove_entry_change{"andt", own_org(p), "seed-" + own_org(p) + "-r-" + p.key};
    })};
    probes["remove_own_entry"][0].not_applicable = without_own_cell;
    probes["remove_other_entry"] = {op("op remove_entry in another organisation's cell", [&](const test::person& p) {
        return remove_entry_change{"andt", other_org(p), "seed-" + other_org(p) + "-r-" + p.key};
    })};
    probes["write_topic_field"] = {
        text("op text in a topic field (samlad bedömning)", [](const test::person&) { return field_ref{"andt", "", "", "bedomning"}; }),
        op("op set of a topic's choice field (nivå)", [](const test::person&) { return set_change{{"andt", "", "", "niva"}, "hög"}; })};
    // Reading a meeting.
    probes["join_meeting"] = {
        probe{"WebSocket upgrade and join", join_answer,
              [&](test::person& p) {
                  const std::string answer = joined.at(p.key);
                  if (answer != "allowed") return answer;
                  // Who they are comes from the account and the group, not from the join.
                  const json you = live.at(p.key)->welcome().at("you");
                  const std::string role = p.member_role ? std::string(to_string(*p.member_role)) : "admin";
                  if (you.value("name", "") == p.name && you.value("org", "") == p.org && you.value("role", "") == role) return answer;
                  return "allowed, but as " + you.dump();
              }},
        rest("GET /api/meetings/{id}", [&](test::person& p) { return p.http.get(m); })};
    probes["export_meeting"] = {rest("GET /api/meetings/{id}/export?format=json", [&](test::person& p) { return p.http.get(m + "/export?format=json"); }),
                                rest("GET /api/meetings/{id}/export", [&](test::person& p) { return p.http.get(m + "/export"); })};
    // Groups and meetings. GET /api/groups answers both list actions: its contents say which was allowed.
    probes["list_own_groups"] = {probe{"GET /api/groups holds the groups they belong to", rest_answer, [&](test::person& p) {
                                           const auto r = p.http.get("/api/groups");
                                           if (r.status != 200) return observed(r);
                                           const auto ids = ids_of(r);
                                           for (const auto& id : own_groups(p))
                                               if (!ids.count(id)) return "200 without their group " + id;
                                           return std::string("allowed");
                                       }}};
    probes["list_all_groups"] = {probe{"GET /api/groups holds every group",
                                       [](outcome o) {
                                           // Refused, a signed-in person still lists their own groups, and only those.
                                           return o == outcome::allowed ? "every group" : o == outcome::sign_in ? "401 sign_in_required" : "own groups only";
                                       },
                                       [&](test::person& p) {
                                           const auto r = p.http.get("/api/groups");
                                           if (r.status != 200) return observed(r);
                                           const auto ids = ids_of(r);
                                           if (ids.count(f.group()) && ids.count(f.other_group())) return std::string("every group");
                                           if (ids == own_groups(p)) return std::string("own groups only");
                                           return "200 with " + r.body;
                                       }}};
    probes["create_group"] = {probe{"POST /api/groups", rest_answer, [&](test::person& p) {
                                        const std::string id = "made-by-" + p.key + "-" + phase_name();
                                        auto answer = observed(p.http.post("/api/groups", {{"id", id}, {"name", "Grupp av " + p.key},
                                                                                            {"organisations", {{{"id", "polis"}, {"name", "Polisen"}}}}}));
                                        const bool exists = admin.http.get("/api/groups/" + id).status == 200;
                                        if (exists != (answer == "allowed")) answer += exists ? ", and the group exists" : ", but no group exists";
                                        return answer;
                                    }}};
    probes["list_meetings"] = {rest("GET /api/groups/{id}/meetings", [&](test::person& p) { return p.http.get(g + "/meetings"); }),
                               rest("GET /api/groups/{id}", [&](test::person& p) { return p.http.get(g); })};
    probes["create_meeting"] = {probe{"POST /api/groups/{id}/meetings", rest_answer, [&](test::person& p) {
                                          const std::string title = "Möte av " + p.key + " (" + phase_name() + ")";
                                          auto answer = observed(p.http.post(g + "/meetings", {{"title", title}}));
                                          bool exists = false;
                                          for (const auto& mt : json::parse(admin.http.get(g + "/meetings").body)) exists = exists || mt.at("title") == title;
                                          if (exists != (answer == "allowed")) answer += exists ? ", and the meeting exists" : ", but no meeting exists";
                                          return answer;
                                      }}};
    // People and the server.
    probes["invite_to_group"] = {
        rest("POST /api/groups/{id}/invitations as participant",
             [&](test::person& p) {
                 return p.http.post(g + "/invitations", {{"email", "invited-by-" + p.key + "-" + phase_name() + "@est.test"}, {"role", "participant"}, {"org", "polis"}});
             }),
        rest("GET /api/groups/{id}/members", [&](test::person& p) { return p.http.get(g + "/members"); })};
    probes["change_roles"] = {
        rest("PUT /api/groups/{id}/members/{account}",
             [&](test::person& p) { return p.http.put(g + "/members/" + spare_id, {{"role", "participant"}, {"org", "raddning"}}); }),
        rest("POST /api/groups/{id}/invitations as chair",
             [&](test::person& p) { return p.http.post(g + "/invitations", {{"email", "chair-by-" + p.key + "-" + phase_name() + "@est.test"}, {"role", "chair"}}); })};
    // The group's signers, set to what they are (the chair and one co-signer): who may, not what, is probed.
    probes["change_group_settings"] = {rest("PUT /api/groups/{id}/settings", [&](test::person& p) {
        return p.http.put(g + "/settings", {{"signers", {"chair", "cosigner"}}});
    })};
    probes["manage_accounts"] = {
        rest("GET /api/accounts", [&](test::person& p) { return p.http.get("/api/accounts"); }),
        rest("POST /api/accounts/{id}/disable (false)",
             [&](test::person& p) { return p.http.post("/api/accounts/" + spare_id + "/disable", {{"disabled", false}}); }),
        rest("POST /api/accounts/{id}/password-reset",
             [&](test::person& p) { return p.http.post("/api/accounts/" + spare_id + "/password-reset", json::object()); })};
    probes["read_audit_log"] = {rest("GET /api/audit", [&](test::person& p) { return p.http.get("/api/audit"); }),
                                rest("GET /api/audit/verify", [&](test::person& p) { return p.http.get("/api/audit/verify"); })};
    probes["read_stats"] = {rest("GET /api/stats", [&](test::person& p) { return p.http.get("/api/stats"); })};
    // The meeting's lifecycle: opening the draft, a topic unlocked ("andt") and one locked (locked_topic) in each
    // state (a draft's topics are all unlocked: nothing is locked before the meeting opens).
    probes["open_meeting"] = {lifecycle("open", picture_move("open"))};
    probes["lock_topic"] = {lifecycle("lock_topic of an unlocked topic", topic_move("lock_topic", "andt")),
                            lifecycle("lock_topic of a locked topic", topic_move("lock_topic", locked_topic), true)};
    probes["unlock_topic"] = {lifecycle("unlock_topic of a locked topic", topic_move("unlock_topic", locked_topic), true),
                              lifecycle("unlock_topic of an unlocked topic", topic_move("unlock_topic", "andt"))};
    probes["lock_picture"] = {lifecycle("lock_picture", picture_move("lock_picture"))};
    probes["unlock_picture"] = {lifecycle("unlock_picture", picture_move("unlock_picture"))};
    // With the signer's own password and the picture's current revision and digest: only who signs, and when,
    // decides.
    probes["sign_picture"] = {lifecycle("sign", sign_body)};
    probes["close_meeting"] = {lifecycle("close", picture_move("close"))};
    // A correction of the meeting under test: a new meeting, the meeting itself unchanged (allowed once per closed
    // meeting, and only the chair may).
    probes["correct_meeting"] = {rest("POST /api/meetings/{id}/correction",
                                      [&](test::person& p) { return p.http.post(m + "/correction", json::object()); })};

    // Decision items, live: proposing one, writing one (text and choice), removing one, and the chair's mark.
    const auto item_field = [](const std::string& item, const char* field) { return field_ref{"andt", "", "", field, item}; };
    probes["propose_decision_item"] = {
        op("op add_item", [](const test::person& p) { return add_item_change{"andt", "prop-" + p.key}; }),
        text("op text in a decision item's field (rubrik)", [&](const test::person&) { return item_field("seed-item-w", "rubrik"); }),
        op("op set of a decision item's choice field (typ)",
           [&](const test::person&) { return set_change{item_field("seed-item-w", "typ"), "orsaksanalys"}; }),
        op("op remove_item", [](const test::person& p) { return remove_item_change{"andt", "seed-item-r-" + p.key}; })};
    probes["mark_own_secrecy"] = {op("op secrecy of an entry in their own organisation's cell", [&](const test::person& p) {
        return secrecy_change{"andt", own_org(p), "seed-" + own_org(p) + "-w", "35 kap. 1 § OSL (" + p.key + ")"};
    })};
    probes["mark_own_secrecy"][0].not_applicable = without_own_cell;
    // The chair marks any entry, their own organisation's too, under mark_other_secrecy's row (also once locked).
    probes["mark_own_secrecy"][0].expect_for = [&](const test::person& p, outcome o) {
        if (o != outcome::allowed && expected_outcome(p, action::mark_other_secrecy, current, false) == outcome::allowed)
            return std::string("allowed");
        return op_answer(o);
    };
    probes["mark_other_secrecy"] = {op("op secrecy of an entry in another organisation's cell", [&](const test::person& p) {
        return secrecy_change{"andt", other_org(p), "seed-" + other_org(p) + "-w", "26 kap. 1 § OSL (" + p.key + ")"};
    })};
    probes["acknowledge_personal_data"] = {
        op("op acknowledge of a flagged personal identity number", [&](const test::person& p) { return flagged_number(p.key); })};
    // Preparing and filing: a title of the actor's own (titles are unique in a group), then the meeting archived
    // and brought back, so it stays in the list for the probes after.
    probes["edit_meeting"] = {rest("PATCH /api/meetings/{id} with a title and a date", [&](test::person& p) {
        return p.http.patch(m, {{"title", "Möte döpt av " + p.key + " (" + phase_name() + ")"}, {"date", "2026-12-08"}});
    })};
    probes["archive_meeting"] = {probe{"PATCH /api/meetings/{id} archived true, then false", rest_answer, [&](test::person& p) {
        auto answer = observed(p.http.patch(m, {{"archived", true}}));
        if (answer != "allowed") return answer;
        if (!json::parse(admin.http.get(m).body).contains("archived_at")) return std::string("allowed, but not archived");
        return observed(p.http.patch(m, {{"archived", false}}));
    }}};
    probes["lead_topic"] = {op("op current_topic naming a topic", [&](const test::person&) { return est::current_topic_change{"andt"}; })};
    probes["select_decision_item"] = {op("op set of a decision item's till_bra", [&](const test::person&) {
        return set_change{item_field("seed-item-w", "till_bra"), "ja"};
    })};
    // The BRÅ queue: the item the chair sent to BRÅ in the meeting under test, at its present version. Only a
    // closed meeting's items are in the queue; before that the item is not_found for everyone signed in
    // (docs/protocol.md, "Items").
    const auto queue_item = [&] { return "/api/bra/items/" + in_phase.at(current) + ".andt.seed-item-w"; };
    const auto event = [&](std::string how, json body) {
        return probe{"POST /api/bra/items/{id}/events " + std::move(how),
                     [&](outcome o) {
                         if (current != meeting_phase::closed && o != outcome::sign_in) return std::string("404 not_found");
                         return rest_answer(o);
                     },
                     [&, body](test::person& p) {
                         const auto now = admin.http.get(queue_item());
                         json b = body;
                         b["version"] = now.status == 200 ? json::parse(now.body).at("version").get<std::uint64_t>() : 1;
                         return observed(p.http.post(queue_item() + "/events", b));
                     }};
    };
    probes["decide_decision_item"] = {event("decide (bifall)", {{"kind", "decide"}, {"verdict", "approve"}, {"owner_org", "polis"},
                                                                {"contact", "Anna Berg"}, {"due", "2099-03-01"}})};
    probes["comment_decision_item"] = {event("comment", {{"kind", "comment"}, {"text", "Tas upp i januari"}})};
    // Approved with polis as the owner (the decide probe above, before it in the table's order): only polis's
    // representatives report progress.
    probe follow_up = event("follow_up", {{"kind", "follow_up"}, {"progress", "green"}});
    follow_up.expect_for = [table = follow_up.expect](const test::person& p, outcome o) {
        return o == outcome::allowed && p.org != "polis" ? std::string("403 forbidden") : table(o);
    };
    probes["follow_up_decision_item"] = {std::move(follow_up)};

    // The group's monthly report (a month without meetings: who may read it is what is probed, not what it holds).
    probes["read_bra_report"] = {rest("GET /api/bra/report?month=2026-01&group={id}&format=json", [&](test::person& p) {
        return p.http.get("/api/bra/report?month=2026-01&group=" + f.group() + "&format=json");
    })};

    // Open measures into the group's queue: one awaiting item, in the queue's own JSON form.
    probes["import_decision_items"] = {rest("POST /api/bra/import?group={id} (JSON)", [&](test::person& p) {
        const json item = {{"topic", "andt"}, {"status", "awaiting"},
                           {"fields", {{"rubrik", "Importerad av " + p.key + " (" + phase_name() + ")"}}}};
        return p.http.post("/api/bra/import?group=" + f.group(), {{"items", json::array({item})}});
    })};

    std::vector<std::string> disagreements, not_applicable;
    std::size_t asked = 0;
    std::map<meeting_phase, std::size_t> asked_in;
    for (const auto phase : reachable_phases) {
        current = phase;
        m = "/api/meetings/" + in_phase.at(phase);
        live.clear();
        joined.clear();
        for (auto* p : actors) {
            live[p->key] = std::make_unique<test::live_member>(ioc, f.live_options(*p, in_phase.at(phase)));
            joined[p->key] = live[p->key]->join();
        }
        for (const auto& rule : permission_table()) {
            if (not_reachable_yet.count(rule.name)) continue;
            const auto it = probes.find(rule.name);
            INFO("action " << rule.name);
            REQUIRE(it != probes.end());
            for (auto* p : actors) {
                for (auto& pr : it->second) {
                    if (const auto why = pr.not_applicable(*p); !why.empty()) {
                        not_applicable.push_back(std::string(rule.name) + " × " + p->key + ": " + why);
                        continue;
                    }
                    const outcome o = expected_outcome(*p, rule.what, phase, pr.topic_locked);
                    const std::string want = pr.expect_for ? pr.expect_for(*p, o) : pr.expect(o);
                    const std::string got = pr.ask(*p);
                    ++asked;
                    ++asked_in[phase];
                    if (got != want)
                        disagreements.push_back(std::string(to_string(phase)) + " · " + std::string(rule.name) + " · " + p->key +
                                                " · " + pr.how + ": expected " + want + ", got " + got);
                }
            }
        }
        live.clear();
    }
    std::ostringstream report;
    for (const auto& d : disagreements) report << "\n  " << d;
    INFO(asked << " answers checked; " << not_applicable.size() << " not applicable; disagreements:" << report.str());
    CHECK(disagreements.empty());
    for (const auto phase : reachable_phases) {
        INFO("meeting state " << to_string(phase));
        CHECK(asked_in[phase] > 250);
    }
}
