#pragma once
// The audit log: who did what, when, from where. Append-only (the database refuses UPDATE and DELETE on it) and
// hash-chained: each row's hash is the SHA-256 of its canonical encoding, which includes the previous row's hash;
// the database also keeps the last row's number and hash (audit_head), so a changed, removed or truncated log is
// found by verify(). Never put a password, a token or field text in a row.
//
// Canonical encoding (version 1): "est-audit-v1\n" followed by, for each of seq (decimal), at, actor, address,
// action, subject, detail, prev_hash in that order: the byte length in decimal, ':', the bytes, '\n'.
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "est/server/auth/auth_clock.hpp"
#include "est/server/store.hpp"

namespace est::server::auth {

// The actions recorded (the `action` column).
namespace audit_action {
inline constexpr const char* account_created = "account.create";
inline constexpr const char* account_disabled = "account.disable";
inline constexpr const char* account_enabled = "account.enable";
inline constexpr const char* membership_set = "membership.set";
inline constexpr const char* membership_removed = "membership.remove";
inline constexpr const char* sign_in = "sign_in";
inline constexpr const char* sign_in_failed = "sign_in.failed";
inline constexpr const char* sign_in_throttled = "sign_in.throttled";
inline constexpr const char* sign_out = "sign_out";
inline constexpr const char* sign_out_everywhere = "sign_out.everywhere";
inline constexpr const char* invitation_created = "invitation.create";
inline constexpr const char* invitation_accepted = "invitation.accept";
inline constexpr const char* invitation_revoked = "invitation.revoke";
inline constexpr const char* reset_created = "password_reset.create";
inline constexpr const char* reset_used = "password_reset.accept";
inline constexpr const char* group_created = "group.create";
inline constexpr const char* group_settings_changed = "group.settings";  // detail: the settings, before and after
inline constexpr const char* meeting_created = "meeting.create";
inline constexpr const char* meeting_edited = "meeting.edit";  // detail: the title and date, before and after
inline constexpr const char* meeting_archived = "meeting.archive";
inline constexpr const char* meeting_unarchived = "meeting.unarchive";
inline constexpr const char* signing_password_failed = "sign_off.password_failed";
inline constexpr const char* bra_event = "bra.event";  // subject: the item; detail: the kind, verdict or progress, version
inline constexpr const char* bra_import = "bra.import";  // subject: the group; detail: the import's batch id, its items
inline constexpr const char* lifecycle_move = "meeting.lifecycle";  // detail: the move, its revision and phase
inline constexpr const char* meeting_corrected = "meeting.correct";  // subject: the correction; detail: what it corrects
// Actor "server": subject the meeting; detail its group, closing sequence and time, the retention, what was kept.
inline constexpr const char* meeting_purged = "meeting.purged";
}  // namespace audit_action

class audit_log {
public:
    struct verification {
        bool ok = true;
        std::uint64_t rows = 0;       // rows read
        std::uint64_t first_bad = 0;  // seq of the first bad row (0 when ok, or the head when rows are missing at the end)
        std::string problem;          // what is wrong with it
        std::string last_hash;        // the last row's hash when ok: compare it with the copies in the server's log
    };

    audit_log(store& db, clock_fn now);

    // Appends; `done` (optional) runs on the store thread once durable, with the error if any.
    void record(std::string actor, std::string address, std::string action, std::string subject,
                nlohmann::json detail = nlohmann::json::object(), std::function<void(const std::string&)> done = {});
    // Appends and waits until durable; throws domain_error("storage_failed").
    audit_row record_durable(std::string actor, std::string address, std::string action, std::string subject,
                             nlohmann::json detail = nlohmann::json::object());

    // Up to `limit` rows, newest first, with seq below `before` (0: from the newest).
    std::vector<audit_row> page(std::uint64_t before, std::size_t limit) { return db_.audit_page(before, limit); }

    // Walks the whole chain.
    verification verify();

    static std::string canonical(const audit_row& r);
    static std::string hash_of(const audit_row& r);  // SHA-256 of canonical(r), hex

private:
    audit_row make_row(std::string actor, std::string address, std::string action, std::string subject,
                       const nlohmann::json& detail) const;

    store& db_;
    clock_fn now_;
};

}  // namespace est::server::auth
