#include "est/server/store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "est/server/error_log.hpp"

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
    // 2: identity (issue 12): accounts, memberships per group, sessions and invitations (only tokens' hashes),
    // and the audit log, append-only (triggers refuse UPDATE and DELETE) and hash-chained; audit_head follows
    // the last row so that removing rows from the end is detected too.
    R"sql(
    CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                           password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, is_admin INTEGER NOT NULL DEFAULT 0,
                           created_at TEXT NOT NULL, external_issuer TEXT, external_subject TEXT,
                           CHECK ((external_issuer IS NULL) = (external_subject IS NULL))) WITHOUT ROWID;
    CREATE UNIQUE INDEX accounts_external ON accounts (external_issuer, external_subject)
        WHERE external_issuer IS NOT NULL;
    CREATE TABLE memberships (account_id TEXT NOT NULL REFERENCES accounts(id),
                              group_id TEXT NOT NULL REFERENCES groups(id),
                              role TEXT NOT NULL CHECK (role IN ('participant', 'chair', 'cosigner', 'bra_member', 'admin')),
                              org TEXT, PRIMARY KEY (account_id, group_id)) WITHOUT ROWID;
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                           account_id TEXT NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,
                           last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX sessions_account ON sessions (account_id);
    CREATE TABLE invitations (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
                              email TEXT NOT NULL, group_id TEXT, role TEXT, org TEXT, account_id TEXT,
                              created_by TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                              used_at INTEGER) WITHOUT ROWID;
    CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, address TEXT NOT NULL,
                            action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,
                            prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
    CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log BEGIN
        UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
        INSERT INTO audit_head (id, seq, hash) SELECT 1, NEW.seq, NEW.hash WHERE NOT EXISTS (SELECT 1 FROM audit_head);
    END;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    )sql",
    // 3: sign-off (issue 13). A closed meeting never changes: its closing op records it in `closings` (by the
    // trigger, in the same statement), and from then on the triggers refuse every change to the rows that hold
    // the meeting's content, whatever code path or SQL shell tries. `closings` keeps each group's chain of
    // closed pictures (sequence 1, 2, … and the statement of each, which links to the one before).
    R"sql(
    CREATE TABLE closings (meeting_id TEXT PRIMARY KEY REFERENCES meetings(id), group_id TEXT NOT NULL,
                           sequence INTEGER NOT NULL, rev INTEGER NOT NULL, record TEXT NOT NULL,
                           UNIQUE (group_id, sequence)) WITHOUT ROWID;
    CREATE TRIGGER ops_record_closing AFTER INSERT ON ops WHEN json_extract(NEW.change, '$.kind') = 'close' BEGIN
        INSERT INTO closings (meeting_id, group_id, sequence, rev, record)
        VALUES (NEW.meeting_id, json_extract(json_extract(NEW.change, '$.closing.statement'), '$.group'),
                json_extract(json_extract(NEW.change, '$.closing.statement'), '$.sequence'), NEW.rev,
                json_extract(NEW.change, '$.closing'));
    END;
    CREATE TRIGGER ops_closed_insert BEFORE INSERT ON ops
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = NEW.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER ops_closed_update BEFORE UPDATE ON ops
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id IN (OLD.meeting_id, NEW.meeting_id)) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER ops_closed_delete BEFORE DELETE ON ops
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = OLD.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER snapshots_closed_insert BEFORE INSERT ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = NEW.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER snapshots_closed_update BEFORE UPDATE ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id IN (OLD.meeting_id, NEW.meeting_id)) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER snapshots_closed_delete BEFORE DELETE ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = OLD.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER meetings_closed_update BEFORE UPDATE ON meetings
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id IN (OLD.id, NEW.id)) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER meetings_closed_delete BEFORE DELETE ON meetings
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = OLD.id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    CREATE TRIGGER closings_no_update BEFORE UPDATE ON closings BEGIN
        SELECT RAISE(ABORT, 'a closed meeting cannot change');
    END;
    CREATE TRIGGER closings_no_delete BEFORE DELETE ON closings BEGIN
        SELECT RAISE(ABORT, 'a closed meeting cannot change');
    END;
    )sql",
    // 4: the BRÅ queue (issue 14). What happens to a closed meeting's decision item — decisions, assignments,
    // comments, follow-ups — is an append-only list of events per item; the item's signed text stays in the closed
    // picture. (item, version) is the key: two events made on the same version of an item cannot both be written.
    R"sql(
    CREATE TABLE bra_events (item TEXT NOT NULL, version INTEGER NOT NULL, meeting_id TEXT NOT NULL,
                             event TEXT NOT NULL, PRIMARY KEY (item, version)) WITHOUT ROWID;
    CREATE TRIGGER bra_events_no_update BEFORE UPDATE ON bra_events BEGIN
        SELECT RAISE(ABORT, 'the history of a decision item is append-only');
    END;
    CREATE TRIGGER bra_events_no_delete BEFORE DELETE ON bra_events BEGIN
        SELECT RAISE(ABORT, 'the history of a decision item is append-only');
    END;
    CREATE TRIGGER bra_events_closed_only BEFORE INSERT ON bra_events
        WHEN NOT EXISTS (SELECT 1 FROM closings WHERE meeting_id = NEW.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'decision items are decided once their meeting is closed');
    END;
    )sql",
    // 5: open measures imported into the BRÅ queue (issue 14). One row per import: its items' fields and the state
    // each started in (JSON), as unchangeable as a closed picture. The items' later events are bra_events whose
    // meeting_id is the import's batch id, so the trigger that keeps events to closed meetings lets those in too.
    R"sql(
    CREATE TABLE bra_imports (batch TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups(id), at TEXT NOT NULL,
                              data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TRIGGER bra_imports_no_update BEFORE UPDATE ON bra_imports BEGIN
        SELECT RAISE(ABORT, 'an import is append-only');
    END;
    CREATE TRIGGER bra_imports_no_delete BEFORE DELETE ON bra_imports BEGIN
        SELECT RAISE(ABORT, 'an import is append-only');
    END;
    DROP TRIGGER bra_events_closed_only;
    CREATE TRIGGER bra_events_closed_only BEFORE INSERT ON bra_events
        WHEN NOT EXISTS (SELECT 1 FROM closings WHERE meeting_id = NEW.meeting_id)
         AND NOT EXISTS (SELECT 1 FROM bra_imports WHERE batch = NEW.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'decision items are decided once their meeting is closed');
    END;
    )sql",
    // 6: compaction and retention (issue 15). Two changes to a closed meeting are let through, nothing else:
    // compaction writes its snapshot once, at the closing's revision and carrying the closing, and only then may its
    // ops go; a purge (retention) first records itself in `purges`, and only then may the ops and the snapshot go.
    // The meeting's row and its closing stay, so the group's chain of closings still verifies.
    R"sql(
    CREATE TABLE purges (meeting_id TEXT PRIMARY KEY REFERENCES closings(meeting_id), purged_at TEXT NOT NULL,
                         kept TEXT NOT NULL) WITHOUT ROWID;
    CREATE TRIGGER purges_no_update BEFORE UPDATE ON purges BEGIN
        SELECT RAISE(ABORT, 'a purge is final');
    END;
    CREATE TRIGGER purges_no_delete BEFORE DELETE ON purges BEGIN
        SELECT RAISE(ABORT, 'a purge is final');
    END;
    DROP TRIGGER ops_closed_delete;
    CREATE TRIGGER ops_closed_delete BEFORE DELETE ON ops
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = OLD.meeting_id)
         AND NOT EXISTS (SELECT 1 FROM snapshots s JOIN closings c ON c.meeting_id = s.meeting_id
                         WHERE s.meeting_id = OLD.meeting_id AND s.rev = c.rev)
         AND NOT EXISTS (SELECT 1 FROM purges WHERE meeting_id = OLD.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    DROP TRIGGER snapshots_closed_insert;
    CREATE TRIGGER snapshots_closed_insert BEFORE INSERT ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = NEW.meeting_id)
         AND (NOT EXISTS (SELECT 1 FROM closings c WHERE c.meeting_id = NEW.meeting_id AND NEW.rev = c.rev
                          AND json_extract(NEW.state, '$.rev') = c.rev
                          AND json_extract(NEW.state, '$.lifecycle.closing.sshsig') = json_extract(c.record, '$.sshsig'))
              OR EXISTS (SELECT 1 FROM snapshots WHERE meeting_id = NEW.meeting_id AND rev = NEW.rev)
              OR EXISTS (SELECT 1 FROM purges WHERE meeting_id = NEW.meeting_id)) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    DROP TRIGGER snapshots_closed_update;
    CREATE TRIGGER snapshots_closed_update BEFORE UPDATE ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id IN (OLD.meeting_id, NEW.meeting_id))
         AND NOT (NEW.meeting_id = OLD.meeting_id
                  AND EXISTS (SELECT 1 FROM closings c WHERE c.meeting_id = OLD.meeting_id AND OLD.rev < c.rev
                              AND NEW.rev = c.rev AND json_extract(NEW.state, '$.rev') = c.rev
                              AND json_extract(NEW.state, '$.lifecycle.closing.sshsig') = json_extract(c.record, '$.sshsig'))
                  AND NOT EXISTS (SELECT 1 FROM purges WHERE meeting_id = OLD.meeting_id)) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    DROP TRIGGER snapshots_closed_delete;
    CREATE TRIGGER snapshots_closed_delete BEFORE DELETE ON snapshots
        WHEN EXISTS (SELECT 1 FROM closings WHERE meeting_id = OLD.meeting_id)
         AND NOT EXISTS (SELECT 1 FROM purges WHERE meeting_id = OLD.meeting_id) BEGIN
        SELECT RAISE(ABORT, 'the meeting is closed');
    END;
    )sql",
    // 7: archived meetings (docs/protocol.md, "Preparing and filing meetings"): out of the group's list, still
    // readable. A table of its own, not the meeting's row, which a closing makes immutable.
    R"sql(
    CREATE TABLE archived_meetings (meeting_id TEXT PRIMARY KEY REFERENCES meetings(id), at TEXT NOT NULL) WITHOUT ROWID;
    )sql",
    // 8: attendance (docs/protocol.md, "Attendance"): who joined a meeting while it was open or locked, once per
    // person (name, organisation, role), with the first time, in the order noted (rowid). The record's "Närvaro"; a
    // purge removes it.
    R"sql(
    CREATE TABLE attendance (meeting_id TEXT NOT NULL REFERENCES meetings(id), name TEXT NOT NULL, org TEXT NOT NULL,
        role TEXT NOT NULL, first_at TEXT NOT NULL, UNIQUE (meeting_id, name, org, role));
    )sql",
    // 9: the epoch of a meeting's latest load (meeting_room::epoch_): a rejoin that saw revisions under it may still
    // catch up after a restart, up to the revision the next load starts from. A purge removes it.
    R"sql(
    CREATE TABLE meeting_epochs (meeting_id TEXT PRIMARY KEY, epoch TEXT NOT NULL) WITHOUT ROWID;
    )sql",
};

// Binds an optional text: NULL when absent.
void bind_opt(SQLite::Statement& s, int i, const std::optional<std::string>& v) {
    if (v) s.bind(i, *v);
    else s.bind(i);
}

std::optional<std::string> opt_text(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}

// A meeting's row: inserted, or (an existing id) its meta replaced; the template a meeting was made with stays.
void write_meeting_row(SQLite::Database& db, const meeting_row& m) {
    SQLite::Statement s(db, "INSERT INTO meetings (id, group_id, meta, template) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT(id) DO UPDATE SET meta = excluded.meta");
    s.bind(1, m.id);
    s.bind(2, m.group_id);
    s.bind(3, m.meta);
    s.bind(4, m.tmpl);
    s.exec();
}
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
    file_ = file;
    db_ = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(5000);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db_->exec("PRAGMA foreign_keys=ON");
    // What is deleted is overwritten with zeros, not left in free space: compaction and purges delete text that
    // must not stay readable in the file (docs/records.md, "Compaction and retention").
    db_->exec("PRAGMA secure_delete=ON");
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
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        // The thread waits for a first job, or for the commit interval to pass: an op joining a queue that is not
        // empty needs no wake-up (it would cost one per op), an urgent job cuts the interval short.
        const bool urgent = j.what == job::kind::other;
        wake = queue_.empty() || (urgent && !urgent_);
        urgent_ = urgent_ || urgent;
        queue_.push_back(std::move(j));
    }
    if (wake) wake_.notify_one();
}

void store::thread_main() {
    std::vector<job> batch;
    auto next_commit = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            // Too soon after the last commit: let more edits gather for this one (group commit), unless something
            // else is waited for.
            wake_.wait_until(lock, next_commit, [&] { return stopping_ || urgent_; });
            batch.swap(queue_);
            urgent_ = false;
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
        after_commit();
    } catch (const std::exception& e) {
        commit_error = std::string("the database could not save: ") + e.what();
        checkpoint_after_commit_ = vacuum_after_commit_ = false;
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

void store::after_commit() {
    const bool vacuum = std::exchange(vacuum_after_commit_, false);
    const bool checkpoint = std::exchange(checkpoint_after_commit_, false) || vacuum;
    // What was deleted must leave the WAL too: its old frames hold it until the WAL is checkpointed and truncated.
    // A failure here loses nothing (the commit is durable): it is logged, and the next compaction tries again.
    try {
        if (vacuum) db_->exec("VACUUM");
        if (checkpoint) db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception& e) {
        log_error({{"where", "store"}, {"detail", std::string(vacuum ? "VACUUM: " : "checkpoint: ") + e.what()}});
    }
}

void store::in_savepoint(const std::function<void()>& body) {
    db_->exec("SAVEPOINT job");
    try {
        body();
    } catch (const std::exception&) {
        if (!sqlite3_get_autocommit(db_->getHandle())) {
            db_->exec("ROLLBACK TO job");
            db_->exec("RELEASE job");
        }
        throw;
    }
    db_->exec("RELEASE job");
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
    enqueue(other([this, m = std::move(m)] { write_meeting_row(*db_, m); }, std::move(done)));
}

void store::create_meeting(meeting_row m, std::string first_snapshot, completion done) {
    enqueue(other(
        [this, m = std::move(m), snap = std::move(first_snapshot)] {
            upsert_snapshot({m.id, 0, {}, 0, {}, snap});
            write_meeting_row(*db_, m);
        },
        std::move(done)));
}

void store::compact_closed(std::string meeting, std::uint64_t rev, std::string snapshot_json, completion done) {
    enqueue(other(
        [this, meeting = std::move(meeting), rev, snap = std::move(snapshot_json)] {
            in_savepoint([&] {
                SQLite::Statement closed(*db_, "SELECT rev FROM closings WHERE meeting_id = ?");
                closed.bind(1, meeting);
                if (!closed.executeStep() || static_cast<std::uint64_t>(closed.getColumn(0).getInt64()) != rev)
                    throw std::runtime_error("meeting " + meeting + " is not closed at revision " + std::to_string(rev));
                SQLite::Statement has(*db_, "SELECT 1 FROM snapshots WHERE meeting_id = ? AND rev = ?");
                has.bind(1, meeting);
                has.bind(2, static_cast<std::int64_t>(rev));
                if (!has.executeStep()) upsert_snapshot({meeting, rev, {}, 0, {}, snap});
                SQLite::Statement ops(*db_, "DELETE FROM ops WHERE meeting_id = ?");
                ops.bind(1, meeting);
                ops.exec();
            });
            checkpoint_after_commit_ = true;
        },
        std::move(done)));
}

void store::purge_meeting(purge_row row, completion done) {
    enqueue(other(
        [this, row = std::move(row)] {
            in_savepoint([&] {
                SQLite::Statement p(*db_, "INSERT INTO purges (meeting_id, purged_at, kept) VALUES (?, ?, ?)");
                p.bind(1, row.meeting_id);
                p.bind(2, row.purged_at);
                p.bind(3, row.kept);
                p.exec();
                for (const char* sql : {"DELETE FROM ops WHERE meeting_id = ?", "DELETE FROM snapshots WHERE meeting_id = ?",
                                        "DELETE FROM attendance WHERE meeting_id = ?",
                                        "DELETE FROM meeting_epochs WHERE meeting_id = ?"}) {
                    SQLite::Statement d(*db_, sql);
                    d.bind(1, row.meeting_id);
                    d.exec();
                }
            });
            checkpoint_after_commit_ = true;
        },
        std::move(done)));
}

void store::set_archived(std::string meeting_id, std::string at, completion done) {
    enqueue(other(
        [this, id = std::move(meeting_id), at = std::move(at)] {
            if (at.empty()) {
                SQLite::Statement d(*db_, "DELETE FROM archived_meetings WHERE meeting_id = ?");
                d.bind(1, id);
                d.exec();
                return;
            }
            SQLite::Statement a(*db_, "INSERT INTO archived_meetings (meeting_id, at) VALUES (?, ?) "
                                      "ON CONFLICT(meeting_id) DO UPDATE SET at = excluded.at");
            a.bind(1, id);
            a.bind(2, at);
            a.exec();
        },
        std::move(done)));
}

void store::record_attendance(attendance_row row, completion done) {
    enqueue(other(
        [this, row = std::move(row)] {
            SQLite::Statement a(*db_, "INSERT OR IGNORE INTO attendance (meeting_id, name, org, role, first_at) VALUES (?, ?, ?, ?, ?)");
            a.bind(1, row.meeting_id);
            a.bind(2, row.name);
            a.bind(3, row.org);
            a.bind(4, row.role);
            a.bind(5, row.first_at);
            a.exec();
        },
        std::move(done)));
}

std::vector<attendance_row> store::attendance(const std::string& meeting) {
    std::vector<attendance_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT name, org, role, first_at FROM attendance WHERE meeting_id = ? ORDER BY rowid");
        s.bind(1, meeting);
        while (s.executeStep())
            out.push_back({meeting, s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                           s.getColumn(3).getString()});
    });
    return out;
}

bool store::each_entry_op(const std::string& meeting, std::size_t max,
                          const std::function<void(std::uint64_t, std::string, std::string, std::string)>& f) {
    bool more = false;
    read([&] {
        SQLite::Statement s(*db_, "SELECT rev, at, author, change FROM ops WHERE meeting_id = ? AND "
                                  "json_extract(change, '$.kind') IN ('add_entry', 'remove_entry', 'secrecy', 'text', 'set') "
                                  "ORDER BY rev LIMIT ?");
        s.bind(1, meeting);
        s.bind(2, static_cast<std::int64_t>(max) + 1);
        std::size_t n = 0;
        while (s.executeStep()) {
            if (++n > max) {
                more = true;
                break;
            }
            f(static_cast<std::uint64_t>(s.getColumn(0).getInt64()), s.getColumn(1).getString(), s.getColumn(2).getString(),
              s.getColumn(3).getString());
        }
    });
    return !more;
}

std::uint64_t store::first_op_rev(const std::string& meeting) {
    std::uint64_t first = 0;
    read([&] {
        SQLite::Statement s(*db_, "SELECT rev FROM ops WHERE meeting_id = ? ORDER BY rev LIMIT 1");
        s.bind(1, meeting);
        if (s.executeStep()) first = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
    });
    return first;
}

std::vector<std::pair<std::string, std::string>> store::archived() {
    std::vector<std::pair<std::string, std::string>> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT meeting_id, at FROM archived_meetings ORDER BY meeting_id");
        while (s.executeStep()) out.emplace_back(s.getColumn(0).getString(), s.getColumn(1).getString());
    });
    return out;
}

void store::vacuum() {
    std::promise<void> done;
    enqueue(other([this] { vacuum_after_commit_ = true; }, [&](const std::string&) { done.set_value(); }));
    done.get_future().wait();
}

std::vector<purge_row> store::purges() {
    std::vector<purge_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT meeting_id, purged_at, kept FROM purges ORDER BY meeting_id");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString()});
    });
    return out;
}

std::vector<std::string> store::closed_with_ops() {
    std::vector<std::string> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT c.meeting_id FROM closings c "
                                  "WHERE EXISTS (SELECT 1 FROM ops o WHERE o.meeting_id = c.meeting_id) "
                                  "AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.meeting_id = c.meeting_id) "
                                  "ORDER BY c.meeting_id");
        while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    });
    return out;
}

std::vector<group_row> store::groups() {
    std::vector<group_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT id, data FROM groups ORDER BY id");
        while (s.executeStep()) out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString()});
    });
    return out;
}

std::vector<meeting_row> store::meetings() {
    std::vector<meeting_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT id, group_id, meta, template FROM meetings ORDER BY id");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                           s.getColumn(3).getString()});
    });
    return out;
}

void store::append_bra_event(bra_event_row e, completion done) {
    enqueue(other([this, e = std::move(e)] {
                      SQLite::Statement s(*db_, "INSERT INTO bra_events (item, version, meeting_id, event) VALUES (?, ?, ?, ?)");
                      s.bind(1, e.item);
                      s.bind(2, static_cast<std::int64_t>(e.version));
                      s.bind(3, e.meeting_id);
                      s.bind(4, e.event);
                      s.exec();
                  },
                  std::move(done)));
}

std::vector<bra_event_row> store::bra_events() {
    std::vector<bra_event_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT item, version, meeting_id, event FROM bra_events ORDER BY item, version");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), static_cast<std::uint64_t>(s.getColumn(1).getInt64()),
                           s.getColumn(2).getString(), s.getColumn(3).getString()});
    });
    return out;
}

void store::put_bra_import(bra_import_row row, completion done) {
    enqueue(other([this, row = std::move(row)] {
                      SQLite::Statement s(*db_, "INSERT INTO bra_imports (batch, group_id, at, data) VALUES (?, ?, ?, ?)");
                      s.bind(1, row.batch);
                      s.bind(2, row.group_id);
                      s.bind(3, row.at);
                      s.bind(4, row.data);
                      s.exec();
                  },
                  std::move(done)));
}

std::vector<bra_import_row> store::bra_imports() {
    std::vector<bra_import_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT batch, group_id, at, data FROM bra_imports ORDER BY at, batch");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                           s.getColumn(3).getString()});
    });
    return out;
}

std::vector<closing_row> store::closings() {
    std::vector<closing_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT meeting_id, group_id, sequence, record FROM closings ORDER BY group_id, sequence");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                           static_cast<std::uint64_t>(s.getColumn(2).getInt64()), s.getColumn(3).getString()});
    });
    return out;
}

void store::load_meeting(std::string id, std::uint64_t history, std::size_t history_bytes, std::string next_epoch,
                         std::function<void(std::optional<loaded_meeting>, const std::string& error)> done) {
    auto result = std::make_shared<std::optional<loaded_meeting>>();
    enqueue(other([this, id, history, history_bytes, next_epoch = std::move(next_epoch), result] {
                      SQLite::Statement m(*db_, "SELECT id, group_id, meta, template FROM meetings WHERE id = ?");
                      m.bind(1, id);
                      if (!m.executeStep()) return;
                      loaded_meeting lm;
                      lm.meeting = {m.getColumn(0).getString(), m.getColumn(1).getString(), m.getColumn(2).getString(),
                                    m.getColumn(3).getString()};
                      SQLite::Statement p(*db_, "SELECT 1 FROM purges WHERE meeting_id = ?");
                      p.bind(1, id);
                      lm.purged = p.executeStep();
                      SQLite::Statement e(*db_, "SELECT epoch FROM meeting_epochs WHERE meeting_id = ?");
                      e.bind(1, id);
                      if (e.executeStep()) lm.epoch = e.getColumn(0).getString();
                      std::int64_t from = 0;
                      SQLite::Statement s(*db_, "SELECT rev, state FROM snapshots WHERE meeting_id = ?");
                      s.bind(1, id);
                      if (s.executeStep()) {
                          lm.snapshot_rev = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
                          lm.snapshot = s.getColumn(1).getString();
                          from = static_cast<std::int64_t>(lm.snapshot_rev > history ? lm.snapshot_rev - history : 0);
                      }
                      // Newest first: reading stops once the history is full. A long meeting's first join
                      // after a start read 2,000 rows here for a history that keeps about 500.
                      SQLite::Statement o(*db_, "SELECT rev, client, seq, author, change FROM ops "
                                                "WHERE meeting_id = ? AND rev > ? ORDER BY rev DESC");
                      o.bind(1, id);
                      o.bind(2, from);
                      std::size_t bytes = 0;
                      while (o.executeStep()) {
                          const auto rev = static_cast<std::uint64_t>(o.getColumn(0).getInt64());
                          if (rev <= lm.snapshot_rev && bytes > history_bytes) break;  // every op after it is replayed
                          op_record op{id, rev, o.getColumn(1).getString(), static_cast<std::uint64_t>(o.getColumn(2).getInt64()),
                                       o.getColumn(3).getString(), o.getColumn(4).getString()};
                          bytes += op.client.size() + op.author.size() + op.change.size();
                          lm.ops.push_back(std::move(op));
                      }
                      std::reverse(lm.ops.begin(), lm.ops.end());
                      if (!next_epoch.empty() && !lm.purged) {  // the one write of this job
                          SQLite::Statement w(*db_, "INSERT OR REPLACE INTO meeting_epochs (meeting_id, epoch) VALUES (?, ?)");
                          w.bind(1, id);
                          w.bind(2, next_epoch);
                          w.exec();
                          lm.next_epoch = next_epoch;
                      }
                      *result = std::move(lm);
                      // A fresh load starts from what is durable: writes may flow again.
                      std::lock_guard lock(mutex_);
                      failed_.erase(id);
                  },
                  [result, done = std::move(done)](const std::string& err) { done(std::move(*result), err); }));
}

void store::read(std::function<void()> body) {
    std::promise<void> result;
    bool read_all = false;  // the body ran: a failing COMMIT after it does not undo a read
    enqueue(other([&] {
                      body();
                      read_all = true;
                  },
                  [&](const std::string& err) {
                      if (read_all) result.set_value();
                      else result.set_exception(std::make_exception_ptr(std::runtime_error(err.empty() ? "read failed" : err)));
                  }));
    result.get_future().get();
}

void store::put_account(account_row a, completion done) {
    enqueue(other([this, a = std::move(a)] {
                      SQLite::Statement s(*db_,
                          "INSERT INTO accounts (id, email, display_name, password_hash, disabled, is_admin, created_at, "
                          "external_issuer, external_subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name, "
                          "password_hash = excluded.password_hash, disabled = excluded.disabled, "
                          "is_admin = excluded.is_admin, external_issuer = excluded.external_issuer, "
                          "external_subject = excluded.external_subject");
                      s.bind(1, a.id);
                      s.bind(2, a.email);
                      s.bind(3, a.display_name);
                      bind_opt(s, 4, a.password_hash);
                      s.bind(5, a.disabled ? 1 : 0);
                      s.bind(6, a.is_admin ? 1 : 0);
                      s.bind(7, a.created_at);
                      bind_opt(s, 8, a.external_issuer);
                      bind_opt(s, 9, a.external_subject);
                      s.exec();
                  },
                  std::move(done)));
}

void store::put_membership(membership_row m, completion done) {
    enqueue(other([this, m = std::move(m)] {
                      SQLite::Statement s(*db_, "INSERT INTO memberships (account_id, group_id, role, org) VALUES (?, ?, ?, ?) "
                                                "ON CONFLICT(account_id, group_id) DO UPDATE SET role = excluded.role, "
                                                "org = excluded.org");
                      s.bind(1, m.account_id);
                      s.bind(2, m.group_id);
                      s.bind(3, m.role);
                      bind_opt(s, 4, m.org);
                      s.exec();
                  },
                  std::move(done)));
}

void store::delete_membership(std::string account_id, std::string group_id, completion done) {
    enqueue(other([this, account_id = std::move(account_id), group_id = std::move(group_id)] {
                      SQLite::Statement s(*db_, "DELETE FROM memberships WHERE account_id = ? AND group_id = ?");
                      s.bind(1, account_id);
                      s.bind(2, group_id);
                      s.exec();
                  },
                  std::move(done)));
}

void store::put_session(session_row r, completion done) {
    enqueue(other([this, r = std::move(r)] {
                      SQLite::Statement s(*db_, "INSERT INTO sessions (token_hash, id, account_id, created_at, last_seen, "
                                                "expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(token_hash) DO UPDATE "
                                                "SET last_seen = excluded.last_seen, expires_at = excluded.expires_at");
                      s.bind(1, r.token_hash);
                      s.bind(2, r.id);
                      s.bind(3, r.account_id);
                      s.bind(4, r.created_at);
                      s.bind(5, r.last_seen);
                      s.bind(6, r.expires_at);
                      s.exec();
                  },
                  std::move(done)));
}

void store::touch_session(std::string token_hash, std::int64_t last_seen, completion done) {
    enqueue(other([this, token_hash = std::move(token_hash), last_seen] {
                      SQLite::Statement s(*db_, "UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND last_seen < ?");
                      s.bind(1, last_seen);
                      s.bind(2, token_hash);
                      s.bind(3, last_seen);
                      s.exec();
                  },
                  std::move(done)));
}

void store::delete_session(std::string token_hash, completion done) {
    enqueue(other([this, token_hash = std::move(token_hash)] {
                      SQLite::Statement s(*db_, "DELETE FROM sessions WHERE token_hash = ?");
                      s.bind(1, token_hash);
                      s.exec();
                  },
                  std::move(done)));
}

void store::delete_sessions_of(std::string account_id, completion done) {
    enqueue(other([this, account_id = std::move(account_id)] {
                      SQLite::Statement s(*db_, "DELETE FROM sessions WHERE account_id = ?");
                      s.bind(1, account_id);
                      s.exec();
                  },
                  std::move(done)));
}

void store::delete_sessions_expired(std::int64_t now, std::int64_t idle_limit, completion done) {
    enqueue(other([this, now, idle_limit] {
                      SQLite::Statement s(*db_, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen + ? <= ?");
                      s.bind(1, now);
                      s.bind(2, idle_limit);
                      s.bind(3, now);
                      s.exec();
                  },
                  std::move(done)));
}

void store::put_invitation(invitation_row i, completion done) {
    enqueue(other([this, i = std::move(i)] {
                      SQLite::Statement s(*db_, "INSERT INTO invitations (token_hash, kind, email, group_id, role, org, "
                                                "account_id, created_by, created_at, expires_at, used_at) "
                                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                      s.bind(1, i.token_hash);
                      s.bind(2, i.kind);
                      s.bind(3, i.email);
                      bind_opt(s, 4, i.group_id);
                      bind_opt(s, 5, i.role);
                      bind_opt(s, 6, i.org);
                      bind_opt(s, 7, i.account_id);
                      s.bind(8, i.created_by);
                      s.bind(9, i.created_at);
                      s.bind(10, i.expires_at);
                      if (i.used_at) s.bind(11, *i.used_at);
                      else s.bind(11);
                      s.exec();
                  },
                  std::move(done)));
}

void store::redeem_invitation(std::string token_hash, std::int64_t used_at, completion done) {
    enqueue(other([this, token_hash = std::move(token_hash), used_at] {
                      SQLite::Statement s(*db_, "UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL");
                      s.bind(1, used_at);
                      s.bind(2, token_hash);
                      if (s.exec() != 1) throw std::runtime_error("the invitation is already used or unknown");
                  },
                  std::move(done)));
}

void store::append_audit(audit_row row, std::function<void(audit_row&)> seal,
                         std::function<void(const audit_row&, const std::string& error)> done) {
    auto written = std::make_shared<audit_row>(std::move(row));
    enqueue(other([this, written, seal = std::move(seal)] {
                      auto& r = *written;
                      SQLite::Statement last(*db_, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
                      if (last.executeStep()) {
                          r.seq = static_cast<std::uint64_t>(last.getColumn(0).getInt64()) + 1;
                          r.prev_hash = last.getColumn(1).getString();
                      } else {
                          r.seq = 1;
                          r.prev_hash = std::string(64, '0');
                      }
                      seal(r);
                      SQLite::Statement s(*db_, "INSERT INTO audit_log (seq, at, actor, address, action, subject, detail, "
                                                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
                      s.bind(1, static_cast<std::int64_t>(r.seq));
                      s.bind(2, r.at);
                      s.bind(3, r.actor);
                      s.bind(4, r.address);
                      s.bind(5, r.action);
                      s.bind(6, r.subject);
                      s.bind(7, r.detail);
                      s.bind(8, r.prev_hash);
                      s.bind(9, r.hash);
                      s.exec();
                  },
                  [written, done = std::move(done)](const std::string& err) {
                      if (done) done(*written, err);
                  }));
}

std::vector<account_row> store::accounts() {
    std::vector<account_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT id, email, display_name, password_hash, disabled, is_admin, created_at, "
                                  "external_issuer, external_subject FROM accounts ORDER BY id");
        while (s.executeStep()) {
            account_row a;
            a.id = s.getColumn(0).getString();
            a.email = s.getColumn(1).getString();
            a.display_name = s.getColumn(2).getString();
            a.password_hash = opt_text(s.getColumn(3));
            a.disabled = s.getColumn(4).getInt() != 0;
            a.is_admin = s.getColumn(5).getInt() != 0;
            a.created_at = s.getColumn(6).getString();
            a.external_issuer = opt_text(s.getColumn(7));
            a.external_subject = opt_text(s.getColumn(8));
            out.push_back(std::move(a));
        }
    });
    return out;
}

std::vector<membership_row> store::memberships() {
    std::vector<membership_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT account_id, group_id, role, org FROM memberships ORDER BY account_id, group_id");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                           opt_text(s.getColumn(3))});
    });
    return out;
}

std::vector<session_row> store::sessions() {
    std::vector<session_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT token_hash, id, account_id, created_at, last_seen, expires_at FROM sessions");
        while (s.executeStep())
            out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                           s.getColumn(3).getInt64(), s.getColumn(4).getInt64(), s.getColumn(5).getInt64()});
    });
    return out;
}

std::vector<invitation_row> store::invitations(std::int64_t now) {
    std::vector<invitation_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT token_hash, kind, email, group_id, role, org, account_id, created_by, "
                                  "created_at, expires_at FROM invitations WHERE used_at IS NULL AND expires_at > ?");
        s.bind(1, now);
        while (s.executeStep()) {
            invitation_row i;
            i.token_hash = s.getColumn(0).getString();
            i.kind = s.getColumn(1).getString();
            i.email = s.getColumn(2).getString();
            i.group_id = opt_text(s.getColumn(3));
            i.role = opt_text(s.getColumn(4));
            i.org = opt_text(s.getColumn(5));
            i.account_id = opt_text(s.getColumn(6));
            i.created_by = s.getColumn(7).getString();
            i.created_at = s.getColumn(8).getInt64();
            i.expires_at = s.getColumn(9).getInt64();
            out.push_back(std::move(i));
        }
    });
    return out;
}

namespace {
// A row of `SELECT seq, at, actor, address, action, subject, detail, prev_hash, hash FROM audit_log`.
audit_row audit_row_of(SQLite::Statement& s) {
    audit_row r;
    r.seq = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
    r.at = s.getColumn(1).getString();
    r.actor = s.getColumn(2).getString();
    r.address = s.getColumn(3).getString();
    r.action = s.getColumn(4).getString();
    r.subject = s.getColumn(5).getString();
    r.detail = s.getColumn(6).getString();
    r.prev_hash = s.getColumn(7).getString();
    r.hash = s.getColumn(8).getString();
    return r;
}
}  // namespace

store::audit_head_row store::read_audit(const std::function<void(const audit_row&)>& each) {
    SQLite::Database db(file_.string(), SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Transaction snapshot(db);  // WAL: this reader sees one state of the log while writers go on
    {
        SQLite::Statement s(db, "SELECT seq, at, actor, address, action, subject, detail, prev_hash, hash "
                                "FROM audit_log ORDER BY seq");
        while (s.executeStep()) {
            each(audit_row_of(s));
        }
    }
    audit_head_row head;
    SQLite::Statement h(db, "SELECT seq, hash FROM audit_head WHERE id = 1");
    if (h.executeStep()) head.emplace(static_cast<std::uint64_t>(h.getColumn(0).getInt64()), h.getColumn(1).getString());
    return head;  // the transaction only read: ending it is a rollback
}

std::vector<audit_row> store::audit_page(std::uint64_t before, std::size_t limit) {
    std::vector<audit_row> out;
    read([&] {
        SQLite::Statement s(*db_, "SELECT seq, at, actor, address, action, subject, detail, prev_hash, hash "
                                  "FROM audit_log WHERE ?1 = 0 OR seq < ?1 ORDER BY seq DESC LIMIT ?2");
        s.bind(1, static_cast<std::int64_t>(before));
        s.bind(2, static_cast<std::int64_t>(limit));
        while (s.executeStep()) {
            out.push_back(audit_row_of(s));
        }
    });
    return out;
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

void store::hold_for_tests(std::shared_future<void> resume) {
    auto held = std::make_shared<std::promise<void>>();
    auto holding = held->get_future();
    enqueue(other([held, resume] {
                      held->set_value();
                      resume.wait();
                  },
                  [](const std::string&) {}));
    holding.wait();
}

}  // namespace est::server
