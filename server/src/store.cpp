#include "est/server/store.hpp"

#include <future>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

namespace est::server {

namespace {
// Numbered migrations, applied in order; PRAGMA user_version records how many ran.
const char* const migrations[] = {
    R"sql(
    CREATE TABLE groups (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE meetings (id TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups(id),
                           meta TEXT NOT NULL, template TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE ops (meeting_id TEXT NOT NULL, rev INTEGER NOT NULL, client TEXT NOT NULL, seq INTEGER NOT NULL,
                      author TEXT NOT NULL, change TEXT NOT NULL,
                      at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                      PRIMARY KEY (meeting_id, rev)) WITHOUT ROWID;
    CREATE TABLE snapshots (meeting_id TEXT PRIMARY KEY, rev INTEGER NOT NULL, state TEXT NOT NULL) WITHOUT ROWID;
    )sql",
};
}  // namespace

store::store(const std::filesystem::path& file, bool full_sync, std::chrono::microseconds commit_interval)
    : commit_interval_(commit_interval) {
    open(file, full_sync);
    thread_ = std::thread([this] { thread_main(); });
}

store::~store() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void store::open(const std::filesystem::path& file, bool full_sync) {
    db_ = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(5000);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db_->exec("PRAGMA foreign_keys=ON");
    migrate();
    insert_op_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT INTO ops (meeting_id, rev, client, seq, author, change) VALUES (?, ?, ?, ?, ?, ?)");
    savepoint_ = std::make_unique<SQLite::Statement>(*db_, "SAVEPOINT job");
    release_ = std::make_unique<SQLite::Statement>(*db_, "RELEASE job");
    rollback_to_ = std::make_unique<SQLite::Statement>(*db_, "ROLLBACK TO job");
    upsert_snapshot_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT INTO snapshots (meeting_id, rev, state) VALUES (?, ?, ?) "
              "ON CONFLICT(meeting_id) DO UPDATE SET rev = excluded.rev, state = excluded.state "
              "WHERE excluded.rev >= snapshots.rev");
}

void store::step(SQLite::Statement& s) {
    s.reset();
    s.exec();
}

void store::migrate() {
    const int have = db_->execAndGet("PRAGMA user_version").getInt();
    const int want = static_cast<int>(std::size(migrations));
    if (have > want)
        throw std::runtime_error("the database schema (version " + std::to_string(have) +
                                 ") is newer than this est-server understands (" + std::to_string(want) + ")");
    for (int v = have; v < want; ++v) {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        db_->exec(migrations[v]);
        db_->exec("PRAGMA user_version = " + std::to_string(v + 1));
        tx.commit();
    }
}

void store::enqueue(job j) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(j));
    }
    wake_.notify_one();
}

void store::thread_main() {
    std::deque<job> batch;
    auto next_commit = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            // Too soon after the last commit: let more writes gather for this one (group commit).
            wake_.wait_until(lock, next_commit, [&] { return stopping_; });
            batch.swap(queue_);
        }
        next_commit = std::chrono::steady_clock::now() + commit_interval_;
        run_batch(batch);
        batch.clear();
    }
}

void store::run_batch(std::deque<job>& batch) {
    // One transaction for the whole batch; each job in a savepoint so one bad job fails alone.
    std::vector<std::string> errors(batch.size());
    std::string commit_error;
    std::set<std::string, std::less<>> meetings_in_batch;
    try {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto& j = batch[i];
            if (!j.meeting.empty()) {
                meetings_in_batch.insert(j.meeting);
                if (failed_.count(j.meeting)) {
                    errors[i] = "an earlier write of this meeting failed; it must be loaded again";
                    continue;
                }
            }
            if (!j.run) continue;
            try {
                step(*savepoint_);
                j.run();
                step(*release_);
            } catch (const std::exception& e) {
                errors[i] = e.what();
                step(*rollback_to_);
                step(*release_);
            }
        }
        tx.commit();
    } catch (const std::exception& e) {
        commit_error = std::string("the database could not save: ") + e.what();
    }
    {
        std::lock_guard lock(mutex_);
        ++stats_.transactions;
        stats_.writes += batch.size();
        if (!commit_error.empty())
            for (const auto& m : meetings_in_batch) failed_.insert(m);
        else
            for (std::size_t i = 0; i < batch.size(); ++i)
                if (!errors[i].empty() && !batch[i].meeting.empty()) failed_.insert(batch[i].meeting);
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (batch[i].done) batch[i].done(commit_error.empty() ? errors[i] : commit_error);
}

void store::append_op(op_record op, completion done) {
    std::string meeting = op.meeting;
    enqueue({std::move(meeting),
             [this, op = std::move(op)] {
                 auto& s = *insert_op_;
                 s.reset();
                 s.bind(1, op.meeting);
                 s.bind(2, static_cast<std::int64_t>(op.rev));
                 s.bind(3, op.client);
                 s.bind(4, static_cast<std::int64_t>(op.seq));
                 s.bind(5, op.author);
                 s.bind(6, op.change);
                 s.exec();
             },
             std::move(done)});
}

void store::save_snapshot(std::string meeting, std::uint64_t rev, std::string snapshot_json) {
    std::string key = meeting;
    enqueue({std::move(key),
             [this, meeting = std::move(meeting), rev, snap = std::move(snapshot_json)] {
                 auto& s = *upsert_snapshot_;
                 s.reset();
                 s.bind(1, meeting);
                 s.bind(2, static_cast<std::int64_t>(rev));
                 s.bind(3, snap);
                 s.exec();
             },
             {}});
}

void store::put_group(group_row g, completion done) {
    enqueue({{},
             [this, g = std::move(g)] {
                 SQLite::Statement s(*db_, "INSERT INTO groups (id, data) VALUES (?, ?) "
                                           "ON CONFLICT(id) DO UPDATE SET data = excluded.data");
                 s.bind(1, g.id);
                 s.bind(2, g.data);
                 s.exec();
             },
             std::move(done)});
}

void store::put_meeting(meeting_row m, completion done) {
    enqueue({{},
             [this, m = std::move(m)] {
                 SQLite::Statement s(*db_, "INSERT INTO meetings (id, group_id, meta, template) VALUES (?, ?, ?, ?) "
                                           "ON CONFLICT(id) DO UPDATE SET meta = excluded.meta");
                 s.bind(1, m.id);
                 s.bind(2, m.group_id);
                 s.bind(3, m.meta);
                 s.bind(4, m.tmpl);
                 s.exec();
             },
             std::move(done)});
}

std::vector<group_row> store::groups() {
    std::promise<std::vector<group_row>> result;
    enqueue({{},
             [&] {
                 std::vector<group_row> out;
                 SQLite::Statement s(*db_, "SELECT id, data FROM groups ORDER BY id");
                 while (s.executeStep()) out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString()});
                 result.set_value(std::move(out));
             },
             [&](const std::string& err) {
                 if (!err.empty()) result.set_exception(std::make_exception_ptr(std::runtime_error(err)));
             }});
    return result.get_future().get();
}

std::vector<meeting_row> store::meetings() {
    std::promise<std::vector<meeting_row>> result;
    enqueue({{},
             [&] {
                 std::vector<meeting_row> out;
                 SQLite::Statement s(*db_, "SELECT id, group_id, meta, template FROM meetings ORDER BY id");
                 while (s.executeStep())
                     out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                                    s.getColumn(2).getString(), s.getColumn(3).getString()});
                 result.set_value(std::move(out));
             },
             [&](const std::string& err) {
                 if (!err.empty()) result.set_exception(std::make_exception_ptr(std::runtime_error(err)));
             }});
    return result.get_future().get();
}

void store::load_meeting(std::string id, std::uint64_t history,
                         std::function<void(std::optional<loaded_meeting>, const std::string& error)> done) {
    auto result = std::make_shared<std::optional<loaded_meeting>>();
    enqueue({{},
             [this, id, history, result] {
                 SQLite::Statement m(*db_, "SELECT id, group_id, meta, template FROM meetings WHERE id = ?");
                 m.bind(1, id);
                 if (!m.executeStep()) return;
                 loaded_meeting lm;
                 lm.meeting = {m.getColumn(0).getString(), m.getColumn(1).getString(), m.getColumn(2).getString(),
                               m.getColumn(3).getString()};
                 std::int64_t from = 0;
                 SQLite::Statement s(*db_, "SELECT rev, state FROM snapshots WHERE meeting_id = ?");
                 s.bind(1, id);
                 if (s.executeStep()) {
                     lm.snapshot_rev = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
                     lm.snapshot = s.getColumn(1).getString();
                     from = static_cast<std::int64_t>(lm.snapshot_rev > history ? lm.snapshot_rev - history : 0);
                 }
                 SQLite::Statement o(*db_, "SELECT rev, client, seq, author, change FROM ops "
                                           "WHERE meeting_id = ? AND rev > ? ORDER BY rev");
                 o.bind(1, id);
                 o.bind(2, from);
                 while (o.executeStep())
                     lm.ops.push_back({id, static_cast<std::uint64_t>(o.getColumn(0).getInt64()),
                                                      o.getColumn(1).getString(),
                                                      static_cast<std::uint64_t>(o.getColumn(2).getInt64()),
                                                      o.getColumn(3).getString(), o.getColumn(4).getString()});
                 *result = std::move(lm);
                 // A fresh load starts from what is durable: writes may flow again.
                 std::lock_guard lock(mutex_);
                 failed_.erase(id);
             },
             [result, done = std::move(done)](const std::string& err) { done(std::move(*result), err); }});
}

void store::flush() {
    std::promise<void> done;
    enqueue({{}, {}, [&](const std::string&) { done.set_value(); }});
    done.get_future().wait();
}

store::stats store::counters() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::size_t store::failed_meetings() const {
    std::lock_guard lock(mutex_);
    return failed_.size();
}

}  // namespace est::server
