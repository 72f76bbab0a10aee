#include "est/permission_table.hpp"

#include <array>

namespace est {

namespace {

template <class... A>
constexpr std::uint8_t actors_of(A... a) noexcept {
    return static_cast<std::uint8_t>(((1u << static_cast<unsigned>(a)) | ... | 0u));
}
template <class... P>
constexpr std::uint8_t phases_of(P... p) noexcept {
    return static_cast<std::uint8_t>(((1u << static_cast<unsigned>(p)) | ... | 0u));
}

using enum actor;
using enum meeting_phase;

constexpr std::uint8_t nobody = 0;
constexpr std::uint8_t taking_part = actors_of(participant, chair, cosigner);
constexpr std::uint8_t members = actors_of(participant, chair, cosigner, bra_member, admin);
constexpr std::uint8_t signed_in = actors_of(non_member, participant, chair, cosigner, bra_member, admin);
constexpr std::uint8_t every_phase = phases_of(draft, open, locked, signed_off, closed);
// DESIGN.md §4: after `locked` only the chair's assessment and decision items may change.
constexpr std::uint8_t until_locked = phases_of(draft, open, locked);

constexpr std::string_view only_own_cells = "only an organisation's own representatives write its cells";
constexpr std::string_view who_edits = "only participants, the chair and the co-signer edit the picture";
constexpr std::string_view topic_locked_cells = "the topic is locked: its cells can no longer change";

constexpr permission_rule row(action what, std::string_view name, action_scope scope, std::uint8_t actors,
                              std::string_view description, std::string_view who_reason) noexcept {
    return {what, name, scope, actors, every_phase, topic_condition::any, description, who_reason, {}, {}};
}
constexpr permission_rule row(action what, std::string_view name, std::uint8_t actors, std::uint8_t phases,
                              topic_condition topic, std::string_view description, std::string_view who_reason,
                              std::string_view when_reason = {}, std::string_view topic_reason = {}) noexcept {
    return {what, name, action_scope::meeting, actors, phases, topic, description, who_reason, when_reason,
            topic_reason};
}

constexpr auto any_topic = topic_condition::any;
constexpr auto unlocked = topic_condition::unlocked;
constexpr auto server_wide = action_scope::server;
constexpr auto in_group = action_scope::group;

// One row per action, in the order of `action` (checked below). Server and group rows hold in every phase.
// clang-format off
constexpr std::array<permission_rule, action_count> table{{
    row(action::write_own_cell, "write_own_cell", taking_part, phases_of(open), unlocked,
        "write a field of an entry in their own organisation's cell", who_edits, {}, topic_locked_cells),
    row(action::write_other_cell, "write_other_cell", nobody, phases_of(open), unlocked,
        "write a field of an entry in another organisation's cell", only_own_cells, {}, topic_locked_cells),
    row(action::add_own_entry, "add_own_entry", taking_part, phases_of(open), unlocked,
        "add an entry to their own organisation's cell", who_edits, {}, topic_locked_cells),
    row(action::add_other_entry, "add_other_entry", nobody, phases_of(open), unlocked,
        "add an entry to another organisation's cell", only_own_cells, {}, topic_locked_cells),
    row(action::remove_own_entry, "remove_own_entry", taking_part, phases_of(open), unlocked,
        "remove an entry from their own organisation's cell", who_edits, {}, topic_locked_cells),
    row(action::remove_other_entry, "remove_other_entry", nobody, phases_of(open), unlocked,
        "remove an entry from another organisation's cell", only_own_cells, {}, topic_locked_cells),
    row(action::write_topic_field, "write_topic_field", actors_of(chair), until_locked, any_topic,
        "write a topic's joint assessment (samlad bedömning, nivå, prioriteringar)",
        "only the chair writes a topic's joint assessment"),

    row(action::join_meeting, "join_meeting", members, every_phase, any_topic,
        "join a meeting live, or read it", "only the group's members open its meetings"),
    row(action::export_meeting, "export_meeting", members, every_phase, any_topic,
        "export a meeting's picture (HTML, JSON)", "only the group's members export its meetings"),

    row(action::list_own_groups, "list_own_groups", server_wide, signed_in,
        "list the groups one belongs to", "sign in to see your groups"),
    row(action::list_all_groups, "list_all_groups", server_wide, actors_of(admin),
        "list every group on the server", "only an administrator lists every group"),
    row(action::create_group, "create_group", server_wide, actors_of(admin),
        "create a group", "only an administrator creates groups"),
    row(action::list_meetings, "list_meetings", in_group, members,
        "list a group's meetings", "only the group's members list its meetings"),
    row(action::create_meeting, "create_meeting", in_group, actors_of(chair),
        "create a meeting in the group (as a draft)", "only the group's chair creates meetings"),

    row(action::invite_to_group, "invite_to_group", in_group, actors_of(chair, admin),
        "invite a person to the group as a participant (any other role: change_roles)",
        "only the group's chair or an administrator invites people"),
    row(action::change_roles, "change_roles", in_group, actors_of(admin),
        "change or remove a person's role in the group", "only an administrator changes roles"),
    row(action::change_group_settings, "change_group_settings", in_group, actors_of(admin),
        "change the group's settings (who signs, retention, short names)", "only an administrator changes a group's settings"),
    row(action::manage_accounts, "manage_accounts", server_wide, actors_of(admin),
        "disable an account, issue a password-reset link", "only an administrator manages accounts"),
    row(action::read_audit_log, "read_audit_log", server_wide, actors_of(admin),
        "read the audit log", "only an administrator reads the audit log"),
    row(action::read_stats, "read_stats", server_wide, actors_of(admin),
        "read the server's statistics (`GET /api/stats`)", "only an administrator reads the server's statistics"),

    row(action::open_meeting, "open_meeting", actors_of(chair), phases_of(draft), any_topic,
        "open a draft meeting for live editing", "only the chair opens a meeting",
        "only a draft meeting can be opened"),
    row(action::lock_topic, "lock_topic", actors_of(chair), phases_of(open), unlocked,
        "lock one topic: its cells can no longer change", "only the chair locks a topic",
        "topics are locked and unlocked only while the meeting is open", "the topic is already locked"),
    row(action::unlock_topic, "unlock_topic", actors_of(chair), phases_of(open), topic_condition::locked,
        "unlock a locked topic", "only the chair unlocks a topic",
        "topics are locked and unlocked only while the meeting is open", "the topic is not locked"),
    row(action::lock_picture, "lock_picture", actors_of(chair), phases_of(open), any_topic,
        "lock the whole picture", "only the chair locks the picture",
        "only an open meeting's picture can be locked"),
    row(action::unlock_picture, "unlock_picture", actors_of(chair), phases_of(locked), any_topic,
        "unlock the locked picture again (every signature on it is withdrawn)", "only the chair unlocks the picture",
        "only a locked picture that not everyone has signed yet can be unlocked"),
    row(action::sign_picture, "sign_picture", actors_of(chair, cosigner), phases_of(locked), any_topic,
        "sign the locked picture", "only the chair and the co-signer sign the picture",
        "only a locked picture can be signed"),
    row(action::close_meeting, "close_meeting", actors_of(chair), phases_of(signed_off), any_topic,
        "close the signed meeting for good", "only the chair closes a meeting",
        "only a signed meeting can be closed"),
    row(action::correct_meeting, "correct_meeting", actors_of(chair), phases_of(closed), any_topic,
        "start a correction of the closed meeting: a new meeting whose picture starts as a copy of it",
        "only the chair corrects a meeting",
        "only a closed meeting is corrected: until it is closed, unlock or change it"),

    row(action::propose_decision_item, "propose_decision_item", taking_part, phases_of(open, locked), any_topic,
        "propose a decision item for BRÅ, write its fields or remove it (topic locks do not apply)",
        "only those taking part in the meeting propose decision items"),
    row(action::select_decision_item, "select_decision_item", actors_of(chair), phases_of(open, locked), any_topic,
        "mark whether a decision item goes to BRÅ (its field till_bra)",
        "only the chair decides which decision items go to BRÅ"),
    row(action::decide_decision_item, "decide_decision_item", actors_of(bra_member), phases_of(closed), any_topic,
        "decide on a decision item (bifall, avslag, bordläggning)", "only a BRÅ member decides on decision items",
        "BRÅ decides on the decision items of a closed meeting"),
    row(action::comment_decision_item, "comment_decision_item", actors_of(chair, bra_member), phases_of(closed),
        any_topic, "comment on a decision item in the BRÅ queue",
        "only a BRÅ member or the group's chair comments on decision items in the BRÅ queue",
        "decision items are in the BRÅ queue once their meeting is closed"),
    row(action::follow_up_decision_item, "follow_up_decision_item", taking_part, phases_of(closed), any_topic,
        "report progress on an approved decision item (only the owner organisation's representatives)",
        "only those taking part in the group's meetings report progress on decision items",
        "decision items are followed up once their meeting is closed and BRÅ has approved them"),

    row(action::read_bra_report, "read_bra_report", in_group, members,
        "read the group's monthly report to BRÅ and Länsstyrelsen (closed pictures, decision items, level charts)",
        "only the group's members read its monthly report"),
    row(action::import_decision_items, "import_decision_items", in_group, actors_of(bra_member, admin),
        "import open measures into the group's BRÅ queue (CSV or JSON, the queue's export format)",
        "only a BRÅ member or an administrator imports measures into the BRÅ queue"),

    row(action::mark_own_secrecy, "mark_own_secrecy", taking_part, phases_of(open), unlocked,
        "mark an entry of their own organisation's cell as secret (sekretess, with its OSL reference) or clear it",
        who_edits, {}, topic_locked_cells),
    row(action::mark_other_secrecy, "mark_other_secrecy", actors_of(chair), phases_of(open, locked), any_topic,
        "mark any entry as secret (sekretess, with its OSL reference) or clear it, also once the picture is locked",
        "only the chair marks another organisation's entries as secret",
        "entries are marked as secret until the picture is signed"),
    row(action::acknowledge_personal_data, "acknowledge_personal_data", actors_of(chair), phases_of(open, locked),
        any_topic, "acknowledge a flagged personal identity number with a reason, so it no longer holds the sign-off up",
        "only the chair acknowledges a flagged personal identity number",
        "flagged personal identity numbers are acknowledged until the picture is signed"),
    row(action::lead_topic, "lead_topic", actors_of(chair), phases_of(draft, open, locked, signed_off), any_topic,
        "say which topic the meeting is on now (current_topic), so every client can follow",
        "only the chair leads the meeting from topic to topic",
        "a closed meeting has no current topic"),

    row(action::edit_meeting, "edit_meeting", actors_of(chair), phases_of(draft, open, locked), any_topic,
        "change a meeting's title or date", "only the chair changes a meeting's title or date",
        "a meeting's title and date change only until its picture is signed"),
    row(action::archive_meeting, "archive_meeting", actors_of(chair), every_phase, any_topic,
        "archive a meeting (out of the group's list of meetings, still readable) or bring it back",
        "only the chair archives meetings"),
}};
// clang-format on

constexpr bool rows_in_action_order() {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].what != static_cast<action>(i) || table[i].name.empty() || table[i].who_reason.empty())
            return false;
    return true;
}
static_assert(rows_in_action_order(), "one row per action, in the order of est::action, each with its name and reason");

// The reasons for the phases: a row that is refused in a phase without a reason of its own gives these. `open`
// has none: a row refused while the meeting is open must say why itself.
constexpr std::string_view phase_reason(meeting_phase p) noexcept {
    switch (p) {
        case draft: return "the meeting is still a draft: the chair has not opened it";
        case open: return {};
        case locked: return "the picture is locked: only the chair's assessment and decision items may still change";
        case signed_off: return "the picture is signed and can no longer change";
        case closed: return "the meeting is closed and can no longer change";
    }
    return {};
}

constexpr bool every_refusal_explained() {
    for (const auto& r : table) {
        if (r.topic != topic_condition::any && r.topic_reason.empty()) return false;
        for (std::size_t p = 0; p < meeting_phase_count; ++p) {
            const auto phase = static_cast<meeting_phase>(p);
            if (!r.allows(phase) && r.when_reason.empty() && phase_reason(phase).empty()) return false;
        }
        if (r.scope != action_scope::meeting && (r.phases != every_phase || r.topic != topic_condition::any))
            return false;
    }
    return true;
}
static_assert(every_refusal_explained(), "every refusal has a reason; only meeting actions depend on phase or lock");

}  // namespace

std::string_view to_string(actor a) noexcept {
    switch (a) {
        case anonymous: return "anonymous";
        case non_member: return "non_member";
        case participant: return to_string(role::participant);
        case chair: return to_string(role::chair);
        case cosigner: return to_string(role::cosigner);
        case bra_member: return to_string(role::bra_member);
        case admin: return to_string(role::admin);
    }
    return "anonymous";
}

std::optional<actor> actor_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < actor_count; ++i)
        if (to_string(static_cast<actor>(i)) == s) return static_cast<actor>(i);
    return std::nullopt;
}

std::string_view to_string(action a) noexcept { return rule_for(a).name; }

std::optional<action> action_from_string(std::string_view s) noexcept {
    for (const auto& r : table)
        if (r.name == s) return r.what;
    return std::nullopt;
}

std::string_view to_string(action_scope s) noexcept {
    switch (s) {
        case action_scope::server: return "server";
        case action_scope::group: return "group";
        case action_scope::meeting: return "meeting";
    }
    return "server";
}

std::span<const permission_rule> permission_table() noexcept { return table; }

const permission_rule& rule_for(action a) noexcept {
    const auto i = static_cast<std::size_t>(a);
    return table[i < table.size() ? i : 0];
}

decision decide(actor who, action what, meeting_phase phase, bool topic_locked) noexcept {
    const permission_rule& r = rule_for(what);
    if (!r.allows(who)) {
        if (who == anonymous) return {refusal::sign_in, "sign in first"};
        if (who == non_member && r.scope != action_scope::server)
            return {refusal::not_member, "you are not a member of this group"};
        return {refusal::role, r.who_reason};
    }
    if (r.scope != action_scope::meeting) return {};
    if (!r.allows(phase)) return {refusal::phase, r.when_reason.empty() ? phase_reason(phase) : r.when_reason};
    if (!r.allows_topic(topic_locked)) return {refusal::topic_lock, r.topic_reason};
    return {};
}

actor actor_in_group(const standing& who) noexcept {
    if (who.member_role) return as_actor(*who.member_role);
    return who.server_admin ? actor::admin : actor::non_member;
}

decision decide(const standing& who, action what, meeting_phase phase, bool topic_locked) noexcept {
    if (rule_for(what).scope == action_scope::server)
        return decide(who.server_admin ? actor::admin : actor::non_member, what, phase, topic_locked);
    const decision as_member = decide(actor_in_group(who), what, phase, topic_locked);
    if (as_member || !who.server_admin || !who.member_role) return as_member;
    const decision as_admin = decide(actor::admin, what, phase, topic_locked);
    return as_admin ? as_admin : as_member;
}

action invitation_action(role r) noexcept {
    return r == role::participant ? action::invite_to_group : action::change_roles;
}

std::string render_permission_table_markdown() {
    std::string out = "| action | what | scope |";
    for (std::size_t a = 0; a < actor_count; ++a) {
        out += ' ';
        out += to_string(static_cast<actor>(a));
        out += " |";
    }
    out += " meeting state | topic |\n|---|---|---|";
    for (std::size_t a = 0; a < actor_count; ++a) out += ":-:|";
    out += "---|---|\n";
    for (const auto& r : table) {
        out += "| `";
        out += r.name;
        out += "` | ";
        out += r.description;
        out += " | ";
        out += to_string(r.scope);
        out += " |";
        for (std::size_t a = 0; a < actor_count; ++a) out += r.allows(static_cast<actor>(a)) ? " ✓ |" : " — |";
        // Phases and locks of an action nobody may take would only mislead.
        if (r.scope != action_scope::meeting || r.actors == nobody) {
            out += " — | — |\n";
            continue;
        }
        out += ' ';
        if (r.phases == every_phase) {
            out += "any";
        } else {
            bool first = true;
            for (std::size_t p = 0; p < meeting_phase_count; ++p) {
                if (!r.allows(static_cast<meeting_phase>(p))) continue;
                if (!first) out += ", ";
                out += to_string(static_cast<meeting_phase>(p));
                first = false;
            }
        }
        switch (r.topic) {
            case topic_condition::any: out += " | any |\n"; break;
            case topic_condition::unlocked: out += " | unlocked |\n"; break;
            case topic_condition::locked: out += " | locked |\n"; break;
        }
    }
    return out;
}

}  // namespace est
