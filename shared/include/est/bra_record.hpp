#pragma once
// What happens to a decision item after its meeting has closed (DESIGN.md §5): BRÅ decides it (bifall with an
// owner organisation, a contact and a due date; avslag with a reason; bordläggning to the date of a later BRÅ
// meeting), comments on it, and its owner organisation follows it up (grön / gul / röd, gul and röd with a note)
// until it is done. The item's signed text is never part of this: it stays in the closed picture. Every change is
// an event with who and when, kept in order; the record is what the events add up to.
//
// Pure: the permission table decides who may act (decide_decision_item, comment_decision_item,
// follow_up_decision_item), the caller supplies the time, "today" and the group's organisations.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/calendar_date.hpp"
#include "est/permission_table.hpp"

namespace est {

// Where an item stands. Stable names: "awaiting", "approved", "rejected", "deferred", "done".
enum class bra_status : unsigned char { awaiting, approved, rejected, deferred, done };
// BRÅ's decision. Stable names: "approve" (bifall), "reject" (avslag), "defer" (bordläggning).
enum class bra_verdict : unsigned char { approve, reject, defer };
// A follow-up's colour, or done. Stable names: "green", "yellow", "red", "done".
enum class bra_progress : unsigned char { green, yellow, red, done };
// What an event does. Stable names: "decide", "assign", "comment", "follow_up", "import". An import is no request
// a person sends to an item: it is the first event of an item imported into the queue (POST /api/bra/import), and
// gives the item the state it had where it came from.
enum class bra_event_kind : unsigned char { decide, assign, comment, follow_up, import_item };

std::string_view to_string(bra_status s) noexcept;
std::string_view to_string(bra_verdict v) noexcept;
std::string_view to_string(bra_progress p) noexcept;
std::string_view to_string(bra_event_kind k) noexcept;
std::optional<bra_status> bra_status_from_string(std::string_view s) noexcept;
// The permission table's action for an event.
action action_of(bra_event_kind k) noexcept;

inline constexpr std::size_t max_bra_text_bytes = 2000;     // a reason, a comment, a note
inline constexpr std::size_t max_bra_contact_bytes = 200;   // "Anna Berg, 0223-123 45"
inline constexpr std::size_t max_bra_history = 1000;        // events on one item

// What a person asks, as a REST body: {"kind":"decide","version":3,"verdict":"approve","owner_org":"polis",
// "contact":"…","due":"2027-03-01"}; only the fields of its kind (docs/protocol.md, "The BRÅ queue").
struct bra_request {
    bra_event_kind kind = bra_event_kind::comment;
    std::uint64_t version = 0;  // of the record the person saw: a decision on anything else is a conflict
    std::optional<bra_verdict> verdict;     // decide
    std::string owner_org, contact, due;    // decide (approve), assign
    std::string reason;                     // decide (reject)
    std::string deferred_to;                // decide (defer): the BRÅ meeting it comes back to
    std::optional<bra_progress> progress;   // follow_up
    std::string text;                       // comment (required), follow_up note, an optional word with a decision
    std::optional<bra_status> status;       // import: the state the item starts in (with the fields above)

    // Throws domain_error("bad_message") naming the field: unknown or missing fields, unknown values, text that is
    // not clean UTF-8 or too long, a date that is no date; kind "import" (no one sends that).
    static bra_request from_json(const nlohmann::json& j, const std::string& where);

    // An imported item's state from its status columns (docs/protocol.md, "The queue as CSV and JSON"): `value`
    // gives a column's text ("" when absent or empty), `where` names a column in an error. Throws
    // domain_error("bad_message", "<where(column)>: …"): an unknown status, verdict or progress, a verdict or progress
    // that does not fit the status, a column the status needs that is empty (an approved item's owner, contact and
    // due date; a rejected one's reason; a deferred one's date) or one it cannot have, a date that is not a real day
    // (a past one is allowed: an overdue measure is still open), text that is not clean or too long, and — unless
    // `organisations` is null (a stored event read again) — an owner that is not one of the group's organisations.
    static bra_request imported(const std::function<std::string(std::string_view)>& value,
                                const std::function<std::string(std::string_view)>& where,
                                const std::vector<std::string>* organisations);
};

// Who made an event, as the server knows them (never from the body).
struct bra_author {
    std::string account;
    std::string name;
    std::string org;   // their organisation in the item's group ("" for none)
    std::string role;  // their role there, or "admin"
    bool operator==(const bra_author&) const = default;
};

struct bra_event {
    bra_request what;
    bra_author by;
    std::string at;             // ISO 8601 UTC, e.g. "2026-12-04T10:15:00Z"
    std::uint64_t version = 0;  // the record's version this event made

    nlohmann::json to_json() const;  // the request's fields without "version", then "by", "at", "version"
    static bra_event from_json(const nlohmann::json& j);  // throws domain_error("bad_snapshot")
};

// What the queue marks on an item today.
struct bra_flags {
    bool overdue = false;         // approved, not done, its due date has passed
    bool stale = false;           // approved, not done, no follow-up for `stale_weeks` ("inte uppdaterad")
    bool back_on_agenda = false;  // deferred, and the BRÅ meeting it was deferred to has come
};

class bra_record {
public:
    bra_record() = default;  // awaiting BRÅ, version 1, no history

    bra_status status() const noexcept { return status_; }
    std::uint64_t version() const noexcept { return version_; }
    const std::optional<bra_verdict>& verdict() const noexcept { return verdict_; }
    const std::string& owner_org() const noexcept { return owner_org_; }
    const std::string& contact() const noexcept { return contact_; }
    const std::string& due() const noexcept { return due_; }
    const std::string& reason() const noexcept { return reason_; }
    const std::string& deferred_to() const noexcept { return deferred_to_; }
    const std::optional<bra_progress>& progress() const noexcept { return progress_; }
    const std::vector<bra_event>& history() const noexcept { return history_; }

    // Throws domain_error when `who` (their standing in the item's group and their organisation there) may not
    // make this request today: forbidden / sign_in (the table; a follow-up by another organisation than the
    // owner), conflict (the record is not at `version`: someone else acted first), wrong_state (e.g. deciding an
    // item already decided, following up one not approved), bad_message (an owner that is not one of the group's
    // `organisations`, a due or deferral date in the past, a missing reason, contact or note), limit_reached.
    void check(const bra_request& r, const standing& who, std::string_view who_org, calendar_date today,
               std::span<const std::string> organisations) const;
    // Applies a checked event, or replays a stored one (throws bad_snapshot when it does not follow). An import is
    // only ever the first event.
    void apply(const bra_event& e);

    bra_flags flags(calendar_date today, unsigned stale_weeks) const;

    nlohmann::json to_json() const;                             // the state and the whole history
    static bra_record from_json(const nlohmann::json& j);       // replays the history: throws bad_snapshot

private:
    bra_status status_ = bra_status::awaiting;
    std::uint64_t version_ = 1;
    std::optional<bra_verdict> verdict_;
    std::string owner_org_, contact_, due_, reason_, deferred_to_;
    std::optional<bra_progress> progress_;
    std::string last_report_at_;  // the decision's or the last follow-up's time: what "stale" counts from
    std::vector<bra_event> history_;
};

}  // namespace est
