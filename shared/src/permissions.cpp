#include "est/permissions.hpp"

#include <algorithm>

#include "est/error.hpp"

namespace est {

namespace {

// The action of a change to a cell, by its kind, for the cell's own organisation and for another.
struct cell_actions {
    action own;
    action other;
    const char* verb;  // for the message: "you ... may not <verb> in the cell of ..."
};
constexpr cell_actions write_field_actions{action::write_own_cell, action::write_other_cell, "write"};
constexpr cell_actions add_entry_actions{action::add_own_entry, action::add_other_entry, "add entries"};
constexpr cell_actions remove_entry_actions{action::remove_own_entry, action::remove_other_entry, "remove entries"};
constexpr cell_actions secrecy_actions{action::mark_own_secrecy, action::mark_other_secrecy, "mark entries as secret"};

const cell_actions& cell_actions_of(const change& c) noexcept {
    if (std::holds_alternative<secrecy_change>(c)) return secrecy_actions;
    if (std::holds_alternative<add_entry_change>(c)) return add_entry_actions;
    if (std::holds_alternative<remove_entry_change>(c)) return remove_entry_actions;
    return write_field_actions;
}

[[noreturn]] void refuse(const std::string& why) { throw domain_error("forbidden", why); }
[[noreturn]] void refuse(const decision& d, meeting_phase phase) {
    throw domain_error(std::string(refusal_code(d.why, phase)), std::string(d.reason));
}

// Where a change lands: its topic, its cell's organisation (empty for a topic field) and the field it writes
// (empty for adding or removing an entry).
struct landing {
    std::string_view topic;
    std::string_view org;
    std::string_view field;
    bool is_field;
};
landing landing_of(const change& c) noexcept {
    return std::visit(
        [](const auto& v) -> landing {
            if constexpr (requires { v.target; })
                return {v.target.topic, v.target.org, v.target.field, true};
            else if constexpr (requires { v.org; })
                return {v.topic, v.org, {}, false};
            else
                return {v.topic, {}, {}, false};
        },
        c);
}

// A change to a topic's decision items: adding or removing one, or writing one of its fields.
bool is_item_change(const change& c) noexcept {
    if (std::holds_alternative<add_item_change>(c) || std::holds_alternative<remove_item_change>(c)) return true;
    if (const auto* t = std::get_if<text_change>(&c)) return t->target.is_item_field();
    if (const auto* s = std::get_if<set_change>(&c)) return s->target.is_item_field();
    return false;
}

}  // namespace

std::string_view refusal_code(refusal why, meeting_phase phase) noexcept {
    if (phase == meeting_phase::closed && (why == refusal::phase || why == refusal::topic_lock)) return "closed";
    if (why == refusal::topic_lock) return "locked";
    if (why == refusal::phase && phase != meeting_phase::draft) return "locked";
    return "forbidden";
}

bool meeting_status::topic_locked(std::string_view topic) const noexcept {
    return std::find(locked_topics.begin(), locked_topics.end(), topic) != locked_topics.end();
}

action action_of(const identity& who, const change& c) noexcept {
    if (std::holds_alternative<acknowledge_change>(c)) return action::acknowledge_personal_data;
    if (std::holds_alternative<current_topic_change>(c)) return action::lead_topic;
    const landing at = landing_of(c);
    if (is_item_change(c)) return at.field == to_bra_field ? action::select_decision_item : action::propose_decision_item;
    if (at.is_field && at.org.empty()) return action::write_topic_field;
    const cell_actions& acts = cell_actions_of(c);
    return who.org == at.org ? acts.own : acts.other;
}

bool may_write_cell(const identity& who, std::string_view org) noexcept {
    return decide(as_actor(who.role), who.org == org ? action::write_own_cell : action::write_other_cell).allowed();
}

bool may_write_topic_field(const identity& who, const field_def& def) noexcept {
    // Topic fields are the group's joint judgement; the chair writes them, whether marked or not.
    (void)def;
    return decide(as_actor(who.role), action::write_topic_field).allowed();
}

void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl) {
    check_may_apply(who, c, tmpl, meeting_status{});
}

void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl, const meeting_status& now) {
    const actor a = as_actor(who.role);
    const landing at = landing_of(c);
    const action what = action_of(who, c);
    const bool locked = now.topic_locked(at.topic);

    if (what == action::propose_decision_item || what == action::select_decision_item ||
        what == action::acknowledge_personal_data || what == action::lead_topic) {
        // Decision items belong to no organisation and no topic lock holds them (DESIGN.md §4); neither does the
        // chair's acknowledgement of a flagged number (DESIGN.md §6).
        const decision d = decide(a, what, now.phase, locked);
        if (!d) refuse(d, now.phase);
        return;
    }

    if (what == action::write_topic_field) {
        const field_def* def = tmpl.find_topic_field(at.field);
        if (!def) return;  // not_found is reported by the document
        const decision d = decide(a, what, now.phase, locked);
        if (d.why == refusal::role) refuse("only the chair may write '" + def->label + "'");
        if (!d) refuse(d, now.phase);
        return;
    }
    // A cell: first whether the role edits cells at all, then whose cell it is, then the phase and the lock.
    const cell_actions& acts = cell_actions_of(c);
    const decision own = decide(a, acts.own, now.phase, locked);
    if (own.why == refusal::role) refuse("role " + std::string(to_string(who.role)) + " may not edit the picture");
    // The chair marks any entry as secret, also after the lock that stops their own organisation's writing.
    const decision d = what == acts.own ? own : decide(a, what, now.phase, locked);
    if (what == acts.own && acts.own == action::mark_own_secrecy && !d && d.why != refusal::role) {
        if (decide(a, action::mark_other_secrecy, now.phase, locked)) return;
    }
    if (d.why == refusal::role)
        refuse("you represent '" + who.org + "' and may not " + acts.verb + " in the cell of '" + std::string(at.org) +
               "'");
    if (!d) refuse(d, now.phase);
}

}  // namespace est
