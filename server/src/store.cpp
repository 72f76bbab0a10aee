#include "est/server/store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

namespace est::server {

namespace {
// The commit time as ops.at records it, the format of its column default strftime('%Y-%m-%dT%H:%M:%fZ', 'now').
std::string utc_timestamp(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return out;
}

// The database holds every meeting's text: readable by the server's user only. SQLite creates the -wal and
// -shm files with the main file's mode, so the main file is created 0600 before SQLite opens it, and files
// an older version left readable to others are tightened.
void make_private(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
    const bool tight = ::fchmod(fd, 0600) == 0;
    const int err = errno;
    ::close(fd);
    if (!tight) throw std::runtime_error("cannot make " + file.string() + " private (0600): " + std::strerror(err));
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        const std::string side = file.string() + suffix;
        struct stat st {};
        if (::lstat(side.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0077)) ::chmod(side.c_str(), 0600);
    }
}

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
    make_private(file);
    db_ = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(5000);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db_->exec("PRAGMA foreign_keys=ON");
    migrate();
    insert_op_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT INTO ops (meeting_id, rev, client, seq, author, change, at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    begin_ = std::make_unique<SQLite::Statement>(*db_, "BEGIN IMMEDIATE");
    commit_ = std::make_unique<SQLite::Statement>(*db_, "COMMIT");
    rollback_ = std::make_unique<SQLite::Statement>(*db_, "ROLLBACK");
    upsert_snapshot_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT INTO snapshots (meeting_id, rev, state) VALUES (?, ?, ?) "
              "ON CONFLICT(meeting_id) DO UPDATE SET rev = excluded.rev, state = excluded.state "
              "WHERE excluded.rev >= snapshots.rev");
}

void store::step(SQLite::Statement& s) {
    s.tryReset();  // not reset(): that reports the statement's last error again
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

store::job store::other(std::function<void()> run, completion done) {
    job j;
    j.run = std::move(run);
    j.done = std::move(done);
    return j;
}

void store::enqueue(job j) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(j));
    }
    wake_.notify_one();
}

void store::thread_main() {
    std::vector<job> batch;
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

void store::run_batch(std::vector<job>& batch) {
    // One transaction for the whole batch. Every job is one statement (or only reads), and SQLite undoes a
    // failed statement by itself, so a job that fails leaves the transaction as it was and fails alone. Some
    // errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, SQLITE_BUSY) may make SQLite roll back the whole
    // transaction instead: then the batch fails as a whole, as when the COMMIT fails.
    auto& errors = errors_;
    errors.assign(batch.size(), {});
    std::string commit_error;
    sqlite3* const handle = db_->getHandle();
    const std::string at = utc_timestamp(std::chrono::system_clock::now());  // ops.at: the commit's time
    try {
        step(*begin_);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto& j = batch[i];
            if (!failed_.empty() && !j.op.meeting.empty() && failed_.count(j.op.meeting)) {
                errors[i] = "an earlier write of this meeting failed; it must be loaded again";
                continue;
            }
            try {
                switch (j.what) {
                case job::kind::op: insert_op(j.op, at); break;
                case job::kind::snapshot: upsert_snapshot(j.op); break;
                case job::kind::other:
                    if (j.run) j.run();
                    break;
                }
            } catch (const std::exception& e) {
                if (sqlite3_get_autocommit(handle)) throw;  // the transaction is gone: every job in it failed
                errors[i] = e.what();
            }
        }
        step(*commit_);
    } catch (const std::exception& e) {
        commit_error = std::string("the database could not save: ") + e.what();
        if (!sqlite3_get_autocommit(handle)) {
            try {
                step(*rollback_);
            } catch (const std::exception&) {
                // Nothing more to undo: SQLite rolls back what it could not commit.
            }
        }
    }
    {
        std::lock_guard lock(mutex_);
        ++stats_.transactions;
        stats_.writes += batch.size();
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (!batch[i].op.meeting.empty() && (!commit_error.empty() || !errors[i].empty()))
                failed_.insert(batch[i].op.meeting);
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (batch[i].done) batch[i].done(commit_error.empty() ? errors[i] : commit_error);
}

// The strings stay in the batch until the statement has run: bound without a copy.
void store::insert_op(const op_record& op, const std::string& at) {
    auto& s = *insert_op_;
    s.tryReset();  // not reset(): that reports the statement's last error again
    s.bindNoCopy(1, op.meeting);
    s.bind(2, static_cast<std::int64_t>(op.rev));
    s.bindNoCopy(3, op.client);
    s.bind(4, static_cast<std::int64_t>(op.seq));
    s.bindNoCopy(5, op.author);
    s.bindNoCopy(6, op.change);
    s.bindNoCopy(7, at);
    s.exec();
}

void store::upsert_snapshot(const op_record& snapshot) {
    auto& s = *upsert_snapshot_;
    s.tryReset();
    s.bindNoCopy(1, snapshot.meeting);
    s.bind(2, static_cast<std::int64_t>(snapshot.rev));
    s.bindNoCopy(3, snapshot.change);
    s.exec();
}

void store::append_op(op_record op, completion done) {
    job j;
    j.what = job::kind::op;
    j.op = std::move(op);
    j.done = std::move(done);
    enqueue(std::move(j));
}

void store::save_snapshot(std::string meeting, std::uint64_t rev, std::string snapshot_json) {
    job j;
    j.what = job::kind::snapshot;
    j.op.meeting = std::move(meeting);
    j.op.rev = rev;
    j.op.change = std::move(snapshot_json);
    enqueue(std::move(j));
}

void store::put_group(group_row g, completion done) {
    enqueue(other([this, g = std::move(g)] {
                      SQLite::Statement s(*db_, "INSERT INTO groups (id, data) VALUES (?, ?) "
                                                "ON CONFLICT(id) DO UPDATE SET data = excluded.data");
                      s.bind(1, g.id);
                      s.bind(2, g.data);
                      s.exec();
                  },
                  std::move(done)));
}

void store::put_meeting(meeting_row m, completion done) {
    enqueue(other([this, m = std::move(m)] {
                      SQLite::Statement s(*db_, "INSERT INTO meetings (id, group_id, meta, template) VALUES (?, ?, ?, ?) "
                                                "ON CONFLICT(id) DO UPDATE SET meta = excluded.meta");
                      s.bind(1, m.id);
                      s.bind(2, m.group_id);
                      s.bind(3, m.meta);
                      s.bind(4, m.tmpl);
                      s.exec();
                  },
                  std::move(done)));
}

std::vector<group_row> store::groups() {
    std::promise<std::vector<group_row>> result;
    enqueue(other([&] {
                      std::vector<group_row> out;
                      SQLite::Statement s(*db_, "SELECT id, data FROM groups ORDER BY id");
                      while (s.executeStep()) out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString()});
                      result.set_value(std::move(out));
                  },
                  [&](const std::string& err) {
                      if (!err.empty()) result.set_exception(std::make_exception_ptr(std::runtime_error(err)));
             }));
    return result.get_future().get();
}

std::vector<meeting_row> store::meetings() {
    std::promise<std::vector<meeting_row>> result;
    enqueue(other([&] {
                      std::vector<meeting_row> out;
                      SQLite::Statement s(*db_, "SELECT id, group_id, meta, template FROM meetings ORDER BY id");
                      while (s.executeStep())
                          out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                                         s.getColumn(2).getString(), s.getColumn(3).getString()});
                      result.set_value(std::move(out));
                  },
                  [&](const std::string& err) {
                      if (!err.empty()) result.set_exception(std::make_exception_ptr(std::runtime_error(err)));
             }));
    return result.get_future().get();
}

void store::load_meeting(std::string id, std::uint64_t history,
                         std::function<void(std::optional<loaded_meeting>, const std::string& error)> done) {
    auto result = std::make_shared<std::optional<loaded_meeting>>();
    enqueue(other([this, id, history, result] {
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
                  [result, done = std::move(done)](const std::string& err) { done(std::move(*result), err); }));
}

void store::flush() {
    std::promise<void> done;
    enqueue(other({}, [&](const std::string&) { done.set_value(); }));
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

void store::set_max_page_count_for_tests(std::uint64_t pages) {
    std::promise<void> done;
    enqueue(other([this, pages] { db_->exec("PRAGMA max_page_count = " + std::to_string(pages ? pages : 4294967294ULL)); },
                  [&](const std::string&) { done.set_value(); }));
    done.get_future().wait();
}

}  // namespace est::server
