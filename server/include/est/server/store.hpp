#pragma once
// The one owner of the SQLite database (WAL). All access runs on the store's own thread; writes queued
// from any thread are grouped into one transaction per turn (group commit), and each write's completion
// runs after its transaction is durable. No other code touches SQLite.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include "est/server/attendance_row.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace est::server {

// One applied change as logged: enough to replay it exactly.
struct op_record {
    std::string meeting;
    std::uint64_t rev = 0;
    std::string client;
    std::uint64_t seq = 0;
    std::string author;  // JSON of who made it
    std::string change;  // JSON of the change as applied
};

struct meeting_row {
    std::string id;
    std::string group_id;
    std::string meta;      // JSON: title, date, state, created_at...
    std::string tmpl;      // JSON of the template the meeting was created from
};

// A closed meeting's closing, as the closing op recorded it (migration 3).
struct closing_row {
    std::string meeting_id;
    std::string group_id;
    std::uint64_t sequence = 0;  // its place in the group's chain: 1, 2, …
    std::string record;          // JSON {"statement","sshsig","key_id"}
};

struct group_row {
    std::string id;
    std::string data;  // JSON of the group
};

// Identity (migration 2). Times of sessions and invitations are milliseconds since the Unix epoch.
struct account_row {
    std::string id;
    std::string email;  // normalised: lower-case, unique
    std::string display_name;
    std::optional<std::string> password_hash;  // Argon2id string; absent while none is set
    bool disabled = false;
    bool is_admin = false;
    std::string created_at;  // ISO 8601 UTC
    std::optional<std::string> external_issuer;  // single sign-on, later: issuer and subject, both or neither
    std::optional<std::string> external_subject;
};

struct membership_row {
    std::string account_id;
    std::string group_id;
    std::string role;                // est::role as text
    std::optional<std::string> org;  // participant and cosigner: an organisation of the group
};

struct session_row {
    std::string token_hash;  // SHA-256 of the token, hex; the token itself is never stored
    std::string id;          // public handle of the session (not a secret)
    std::string account_id;
    std::int64_t created_at = 0;
    std::int64_t last_seen = 0;
    std::int64_t expires_at = 0;  // absolute expiry
};

struct invitation_row {
    std::string token_hash;  // SHA-256 of the token, hex
    std::string kind;        // "invite" or "reset"
    std::string email;
    std::optional<std::string> group_id;  // invite: the group, role and organisation it grants
    std::optional<std::string> role;
    std::optional<std::string> org;
    std::optional<std::string> account_id;  // reset: whose password
    std::string created_by;                 // account id, or empty (the command line)
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    std::optional<std::int64_t> used_at;
};

// One row of the append-only audit log; `hash` is the SHA-256 over the row's canonical encoding, which
// includes `prev_hash`, the hash of the row before (a chain).
struct audit_row {
    std::uint64_t seq = 0;  // 1, 2, ... in order of appending
    std::string at;         // ISO 8601 UTC
    std::string actor;      // account id, empty for none (the command line, an unknown user)
    std::string address;    // client address, "local" for the command line
    std::string action;
    std::string subject;
    std::string detail;     // JSON
    std::string prev_hash;  // hex; 64 zeros for the first row
    std::string hash;       // hex
};

// One event in the history of a closed meeting's decision item (the BRÅ queue; est::bra_event as JSON).
struct bra_event_row {
    std::string item;  // "<meeting>.<topic>.<item>"
    std::uint64_t version = 0;
    std::string meeting_id;
    std::string event;
};

// One import of open measures into a group's BRÅ queue (est::bra_import_item as JSON, see bra_queue).
struct bra_import_row {
    std::string batch;  // "imp-<16 hex>": the items' ids are "<batch>.<topic>.i<n>"
    std::string group_id;
    std::string at;     // ISO 8601 UTC
    std::string data;   // JSON: {"by":{…},"items":[{"id","topic","fields","state":{…}}]}
};

// A closed meeting purged under its group's retention (migration 6): its op log and snapshot are gone, its row and
// closing stay. `kept` is JSON the purge chose to keep (the decision items already in the BRÅ queue).
struct purge_row {
    std::string meeting_id;
    std::string purged_at;  // ISO 8601 UTC
    std::string kept;
};

struct loaded_meeting {
    meeting_row meeting;
    std::optional<std::string> snapshot;  // JSON, see meeting_state::snapshot()
    std::uint64_t snapshot_rev = 0;
    // Ops after snapshot_rev - history (those up to snapshot_rev only refill the catch-up history).
    std::vector<op_record> ops;
    bool purged = false;  // purged under retention (migration 6): no snapshot, no ops
    std::string epoch;       // of the load before this one (migration 9); empty if none was recorded
    std::string next_epoch;  // recorded by this load (load_meeting's `next_epoch`)
};

class store {
public:
    // Empty error string on success.
    using completion = std::function<void(const std::string& error)>;

    struct stats {
        std::uint64_t transactions = 0;
        std::uint64_t writes = 0;
    };

    // Opens (creating if needed) the database and migrates its schema; throws std::runtime_error.
    // `commit_interval`: the least time between two commits (group commit); zero commits as soon as it can.
    store(const std::filesystem::path& file, bool full_sync, std::chrono::microseconds commit_interval = {});
    ~store();  // commits everything queued, then closes
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // Writes: queued, grouped, completed after commit (on the store thread: post back to your own).
    void append_op(op_record op, completion done);
    void save_snapshot(std::string meeting, std::uint64_t rev, std::string snapshot_json);
    void put_group(group_row g, completion done);
    void put_meeting(meeting_row m, completion done);
    // A new meeting: its first snapshot (revision 0) and then its row, in one job, so a meeting that exists has
    // that snapshot (a failed row may leave the snapshot alone: of no meeting, and replaced by the next one made
    // with that id).
    void create_meeting(meeting_row m, std::string first_snapshot, completion done);

    // Compaction (docs/records.md): replaces a closed meeting's op log by `snapshot_json`, its state at the
    // closing's revision `rev`, in one transaction; then the WAL is checkpointed and truncated, so the text the ops
    // held is in neither file any more (secure_delete zeroes what is freed). A second compaction of the same meeting
    // only deletes ops left, if any. Fails unless the meeting is closed at `rev` and not purged.
    void compact_closed(std::string meeting, std::uint64_t rev, std::string snapshot_json, completion done);
    // Retention (docs/records.md): records the purge of a closed meeting, then deletes its ops and snapshot, in one
    // transaction; then the WAL is emptied as for compaction. The meeting's row and closing stay.
    void purge_meeting(purge_row row, completion done);
    // Archives a meeting as of `at` (ISO 8601 UTC), or brings it back when `at` is empty (migration 7).
    void set_archived(std::string meeting_id, std::string at, completion done);
    // Notes that someone took part in a meeting (migration 8); a second note of the same person keeps the first time.
    void record_attendance(attendance_row row, completion done);
    // Rebuilds the database file (VACUUM), so pages freed before secure_delete was on hold nothing readable; then
    // empties the WAL. Blocks until done; throws std::runtime_error.
    void vacuum();

    // Reads run on the store thread too; these block the caller until answered.
    std::vector<group_row> groups();
    std::vector<meeting_row> meetings();
    std::vector<closing_row> closings();  // by group, then sequence
    std::vector<purge_row> purges();       // by meeting id
    std::vector<std::pair<std::string, std::string>> archived();  // (meeting id, archived at), by meeting id
    std::vector<attendance_row> attendance(const std::string& meeting);  // in the order noted
    // The meeting's ops that touch entries or fields (add_entry, remove_entry, secrecy, text, set), in revision order,
    // each as f(rev, at, author, change); at most `max`. False when there were more.
    bool each_entry_op(const std::string& meeting, std::size_t max,
                       const std::function<void(std::uint64_t, std::string, std::string, std::string)>& f);
    // The first revision the meeting's op log still holds; 0 when it holds none.
    std::uint64_t first_op_rev(const std::string& meeting);
    // Closed, unpurged meetings that still have an op log (closed before compaction, or with it off), by id.
    std::vector<std::string> closed_with_ops();
    // Appends one event of a decision item's history; the error names a taken (item, version) or a meeting that is
    // not closed (the triggers of migration 4).
    void append_bra_event(bra_event_row e, completion done);
    std::vector<bra_event_row> bra_events();  // by item, then version
    // Stores one import (migration 5); the error names a batch id taken or a group that does not exist.
    void put_bra_import(bra_import_row row, completion done);
    std::vector<bra_import_row> bra_imports();  // in the order they were made
    // Async load of one meeting: its latest snapshot, every op after it, and before it the newest ops the
    // catch-up history can keep: at most `history` of them, and only until their stored text passes
    // `history_bytes` (it is smaller than their wire form, so whatever a history of that many bytes keeps is
    // loaded). Ops in ascending order; nullopt when it does not exist. `done` runs on the store thread.
    // A non-empty `next_epoch` is recorded as the meeting's epoch (migration 9) in the same job, after the one
    // before was read into loaded_meeting::epoch: if it cannot be written, the load fails, so no op of a load is
    // ever durable while the table still names the epoch before it.
    void load_meeting(std::string id, std::uint64_t history, std::size_t history_bytes, std::string next_epoch,
                      std::function<void(std::optional<loaded_meeting>, const std::string& error)> done);

    // Identity writes (one statement each), completed after commit like the writes above.
    void put_account(account_row a, completion done);  // insert or replace by id
    void put_membership(membership_row m, completion done);  // insert or replace by (account, group)
    void delete_membership(std::string account_id, std::string group_id, completion done);
    void put_session(session_row s, completion done);  // insert or replace by token hash
    // Records use of a session; a session deleted meanwhile stays deleted.
    void touch_session(std::string token_hash, std::int64_t last_seen, completion done);
    void delete_session(std::string token_hash, completion done);
    void delete_sessions_of(std::string account_id, completion done);
    void delete_sessions_expired(std::int64_t now, std::int64_t idle_limit, completion done);
    void put_invitation(invitation_row i, completion done);
    // Marks an unused invitation used; fails ("already used or unknown") when it was used before, even by
    // another process on the same database.
    void redeem_invitation(std::string token_hash, std::int64_t used_at, completion done);
    // Appends to the audit log: on the store thread, inside the transaction, `seq` and `prev_hash` are set from
    // the last row, then `seal` fills in `hash`. So the chain holds even when two processes append.
    // `done` gets the row as written.
    void append_audit(audit_row row, std::function<void(audit_row&)> seal,
                      std::function<void(const audit_row&, const std::string& error)> done);

    // Identity reads (blocking, like groups()).
    std::vector<account_row> accounts();
    std::vector<membership_row> memberships();
    std::vector<session_row> sessions();
    std::vector<invitation_row> invitations(std::int64_t now);  // unused and unexpired at `now`
    // Every committed audit row in order, handed to `each` (not all in memory at once), then the recorded head of
    // the log (seq and hash; nullopt when none) — both from one snapshot, read on the caller's thread over a
    // read-only connection of its own, so scanning a long log never holds up the store thread or a meeting.
    using audit_head_row = std::optional<std::pair<std::uint64_t, std::string>>;
    audit_head_row read_audit(const std::function<void(const audit_row&)>& each);
    // Up to `limit` rows, newest first, with seq below `before` (0: from the newest).
    std::vector<audit_row> audit_page(std::uint64_t before, std::size_t limit);

    // Blocks until everything queued before the call is committed.
    void flush();
    stats counters() const;

    // For fault tests: the number of meetings whose writes are refused after a failed commit.
    std::size_t failed_meetings() const;
    // For fault tests: caps the database file at `pages` pages (at least its current size; 0 lifts the cap),
    // so that a write needing more fails with SQLITE_FULL. Returns once in effect.
    void set_max_page_count_for_tests(std::uint64_t pages);
    // For ordering tests: the store's thread does nothing more (no commit) until `resume` is ready. Returns once
    // the thread is held.
    void hold_for_tests(std::shared_future<void> resume);

private:
    // A write job is ONE statement (reads may be several): SQLite undoes a failed statement by itself, which is
    // what lets a failing job fail alone without a savepoint around each.
    struct job {
        enum class kind : std::uint8_t { op, snapshot, other };
        kind what = kind::other;
        // kind::op: the op. kind::snapshot: meeting, rev and the snapshot's JSON in `change`. kind::other:
        // `meeting` for writes tied to a meeting, empty otherwise. A write of a meeting that failed is refused.
        op_record op;
        std::function<void()> run;  // kind::other: on the store thread, inside the transaction
        completion done;            // after commit, with the error if any
    };
    static job other(std::function<void()> run, completion done);
    void enqueue(job j);
    void thread_main();
    void run_batch(std::vector<job>& batch);
    void insert_op(const op_record& op, const std::string& at);
    void upsert_snapshot(const op_record& snapshot);
    void open(const std::filesystem::path& file, bool full_sync);
    void read(std::function<void()> body);  // runs `body` on the store thread; blocks; rethrows its error
    void migrate();
    static void step(SQLite::Statement& s);  // reset and run a prepared statement that returns no rows
    // Runs `body` (several statements) as one: undone together when one fails, the batch's other jobs untouched.
    void in_savepoint(const std::function<void()>& body);
    void after_commit();  // the maintenance a batch's jobs asked for (store thread, outside the transaction)

    std::filesystem::path file_;
    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<SQLite::Statement> insert_op_;
    std::unique_ptr<SQLite::Statement> begin_, commit_, rollback_;  // prepared once: one each per batch
    std::unique_ptr<SQLite::Statement> upsert_snapshot_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<job> queue_;
    std::vector<std::string> errors_;  // per job of the batch being run (store thread only)
    bool stopping_ = false;
    // A job that is not an op or a snapshot is queued (a read, a load, a write someone waits on): the next commit
    // does not wait out commit_interval_.
    bool urgent_ = false;
    stats stats_;
    // Meetings whose commit failed: their later writes are refused (never leave a gap in the op log)
    // until the meeting is loaded again.
    std::set<std::string, std::less<>> failed_;
    std::chrono::microseconds commit_interval_;
    // Asked for by a batch's jobs, done once it is committed (store thread only).
    bool checkpoint_after_commit_ = false;
    bool vacuum_after_commit_ = false;
    std::thread thread_;
};

}  // namespace est::server

