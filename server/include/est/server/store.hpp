#pragma once
// The one owner of the SQLite database (WAL). All access runs on the store's own thread; writes queued
// from any thread are grouped into one transaction per turn (group commit), and each write's completion
// runs after its transaction is durable. No other code touches SQLite.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

struct group_row {
    std::string id;
    std::string data;  // JSON of the group
};

struct loaded_meeting {
    meeting_row meeting;
    std::optional<std::string> snapshot;  // JSON, see meeting_state::snapshot()
    std::uint64_t snapshot_rev = 0;
    // Ops after snapshot_rev - history (those up to snapshot_rev only refill the catch-up history).
    std::vector<op_record> ops;
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

    // Reads run on the store thread too; these block the caller until answered.
    std::vector<group_row> groups();
    std::vector<meeting_row> meetings();
    // Async load of one meeting: its latest snapshot, the ops after it and up to `history` ops before it.
    // nullopt when it does not exist. `done` runs on the store thread.
    void load_meeting(std::string id, std::uint64_t history, std::function<void(std::optional<loaded_meeting>, const std::string& error)> done);

    // Blocks until everything queued before the call is committed.
    void flush();
    stats counters() const;

    // For fault tests: the number of meetings whose writes are refused after a failed commit.
    std::size_t failed_meetings() const;
    // For fault tests: caps the database file at `pages` pages (at least its current size; 0 lifts the cap),
    // so that a write needing more fails with SQLITE_FULL. Returns once in effect.
    void set_max_page_count_for_tests(std::uint64_t pages);

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
    void migrate();
    static void step(SQLite::Statement& s);  // reset and run a prepared statement that returns no rows

    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<SQLite::Statement> insert_op_;
    std::unique_ptr<SQLite::Statement> begin_, commit_, rollback_;  // prepared once: one each per batch
    std::unique_ptr<SQLite::Statement> upsert_snapshot_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<job> queue_;
    std::vector<std::string> errors_;  // per job of the batch being run (store thread only)
    bool stopping_ = false;
    stats stats_;
    // Meetings whose commit failed: their later writes are refused (never leave a gap in the op log)
    // until the meeting is loaded again.
    std::set<std::string, std::less<>> failed_;
    std::chrono::microseconds commit_interval_;
    std::thread thread_;
};

}  // namespace est::server
