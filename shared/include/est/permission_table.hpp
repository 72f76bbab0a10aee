#pragma once
// The one permission table: who (actor) × what (action) × the meeting's phase × its topic's lock → allowed,
// or refused with a reason the server can send as it is. Every REST route and every WebSocket message asks
// `decide`; nothing else says who may do what. docs/security.md holds render_permission_table_markdown()
// verbatim, and tests/unit/test_permissions.cpp fails when the two differ.
//
// Ownership is part of the inputs, not a fourth lookup: membership of the group is the actor (a member has a
// role in it, `non_member` has none), and own organisation versus another is the action (write_own_cell versus
// write_other_cell), so the caller says which it is and the table lists both.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "est/identity.hpp"
#include "est/meeting_phase.hpp"

namespace est {

// Who asks, as far as the action's group is concerned.
enum class actor : unsigned char {
    anonymous,   // no session
    non_member,  // signed in, without a role in the group (server-wide actions: not an administrator)
    participant,
    chair,
    cosigner,
    bra_member,
    admin,
};
inline constexpr std::size_t actor_count = 7;

// A member of the group acts in their role there.
constexpr actor as_actor(role r) noexcept {
    switch (r) {
        case role::participant: return actor::participant;
        case role::chair: return actor::chair;
        case role::cosigner: return actor::cosigner;
        case role::bra_member: return actor::bra_member;
        case role::admin: return actor::admin;
    }
    return actor::non_member;
}
// "anonymous", "non_member", or the role's name.
std::string_view to_string(actor a) noexcept;
std::optional<actor> actor_from_string(std::string_view s) noexcept;

// Everything anyone may ask to do. The names (to_string) are stable: logs, the audit log and the docs use them.
enum class action : unsigned char {
    // The picture, live (WebSocket `op`). "own": the cell is of the actor's organisation.
    write_own_cell,
    write_other_cell,
    add_own_entry,
    add_other_entry,
    remove_own_entry,
    remove_other_entry,
    write_topic_field,
    // Reading a meeting.
    join_meeting,
    export_meeting,
    // Groups and meetings.
    list_own_groups,
    list_all_groups,
    create_group,
    list_meetings,
    create_meeting,
    // People and the server.
    invite_to_group,
    change_roles,
    change_group_settings,
    manage_accounts,
    read_audit_log,
    read_stats,
    // The lifecycle (DESIGN.md §4).
    open_meeting,
    lock_topic,
    unlock_topic,
    lock_picture,
    unlock_picture,
    sign_picture,
    close_meeting,
    correct_meeting,
    // Decision items (DESIGN.md §5).
    propose_decision_item,
    select_decision_item,
    decide_decision_item,
    comment_decision_item,
    follow_up_decision_item,
    // BRÅ's records of a group (DESIGN.md §5).
    read_bra_report,
    import_decision_items,
    // Personal data and public records (DESIGN.md §6).
    mark_own_secrecy,
    mark_other_secrecy,
    acknowledge_personal_data,
    // Leading the meeting.
    lead_topic,
    // Preparing and filing a group's meetings.
    edit_meeting,
    archive_meeting,
};
inline constexpr std::size_t action_count = 41;

std::string_view to_string(action a) noexcept;
std::optional<action> action_from_string(std::string_view s) noexcept;

// Where the actor's standing comes from.
enum class action_scope : unsigned char {
    server,   // no one group: `admin` for an administrator's account, otherwise `non_member` once signed in
    group,    // one group: the actor's role in it
    meeting,  // one meeting: the actor's role in its group, and the meeting's phase and topic locks count
};
std::string_view to_string(action_scope s) noexcept;

// What an action needs of the lock of the topic it touches.
enum class topic_condition : unsigned char { any, unlocked, locked };

// One row: the actors allowed, in which phases, under which topic lock, and why others are refused.
struct permission_rule {
    action what;
    std::string_view name;  // the stable name of `what`
    action_scope scope;
    std::uint8_t actors;  // bit (1 << actor) per actor allowed
    std::uint8_t phases;  // bit (1 << meeting_phase) per phase allowed; every phase unless scope is meeting
    topic_condition topic;
    std::string_view description;
    std::string_view who_reason;    // for an actor not allowed (a member; see decide for the others)
    std::string_view when_reason;   // for a phase not allowed; empty: the phase's own reason
    std::string_view topic_reason;  // for a topic lock that does not fit

    constexpr bool allows(actor a) const noexcept { return (actors >> static_cast<unsigned>(a)) & 1u; }
    constexpr bool allows(meeting_phase p) const noexcept { return (phases >> static_cast<unsigned>(p)) & 1u; }
    constexpr bool allows_topic(bool locked) const noexcept {
        return topic == topic_condition::any || (topic == topic_condition::locked) == locked;
    }
};

// Every action's row, in the order of `action`.
std::span<const permission_rule> permission_table() noexcept;
const permission_rule& rule_for(action a) noexcept;

// Why a request was refused; the server maps it to its answer (sign_in: 401, the others: 403 / `forbidden`).
enum class refusal : unsigned char {
    none,        // allowed
    sign_in,     // anonymous, and the action needs an account
    not_member,  // signed in, but without a role in the group
    role,        // the actor's role may not do this
    phase,       // not in the meeting's present phase
    topic_lock,  // not with the topic locked (or, to unlock it, not locked)
};

struct decision {
    refusal why = refusal::none;
    std::string_view reason;  // a clear English sentence for the error message; empty when allowed

    constexpr bool allowed() const noexcept { return why == refusal::none; }
    constexpr explicit operator bool() const noexcept { return allowed(); }
};

// May `who` do `what` now? `phase` and `topic_locked` count only for meeting actions (others ignore them);
// `topic_locked` says whether the topic the action touches is locked. Checked in this order: the actor, the
// phase, the topic lock — so a refusal names the first thing wrong.
decision decide(actor who, action what, meeting_phase phase = meeting_phase::open,
                bool topic_locked = false) noexcept;

// A signed-in person's standing for one action: `server_admin` (an administrator of the whole server) and their
// role in the action's group, if any. The role decides first; when it refuses, or there is none, a server
// administrator is asked as `admin`. Server-scope actions: `admin` or `non_member`.
struct standing {
    bool server_admin = false;
    std::optional<role> member_role;  // in the action's group
};
decision decide(const standing& who, action what, meeting_phase phase = meeting_phase::open,
                bool topic_locked = false) noexcept;
// The actor a person joins a meeting of the group as: their role there, else `admin` for a server
// administrator, else `non_member`.
actor actor_in_group(const standing& who) noexcept;

// Inviting someone as a participant is an invitation. Every other role is a change of roles: `chair` and `admin`
// hand out the group's running, and the `cosigner` and `bra_member` are the chair's checks (the second signature,
// the decisions on the chair's items): a chair who could invite them could hold both ends, since the inviter
// holds the link.
action invitation_action(role r) noexcept;

// The table as Markdown, one row per action and one column per actor: what docs/security.md holds between its
// permission-table markers.
std::string render_permission_table_markdown();

}  // namespace est
