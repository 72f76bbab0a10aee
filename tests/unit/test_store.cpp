// The store on its own: what is written comes back on load, a failing write fails alone, a write that makes
// SQLite roll back the transaction fails every write of its commit, and a failed meeting's writes are refused
// until it is loaded again.
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>
#include <catch2/catch.hpp>

#include "est/server/store.hpp"

using est::server::loaded_meeting;
using est::server::op_record;
using est::server::store;

namespace {

struct temp_file {
    std::filesystem::path dir;
    temp_file() {
        char tmpl[] = "/tmp/est-store-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    ~temp_file() { std::filesystem::remove_all(dir); }
    std::filesystem::path db() const { return dir / "est.sqlite3"; }
};

// Waits for one write's completion.
std::string wait(const std::function<void(store::completion)>& write) {
    std::promise<std::string> p;
    write([&](const std::string& e) { p.set_value(e); });
    return p.get_future().get();
}

void add_meeting(store& s, const std::string& id) {
    REQUIRE(wait([&](auto done) { s.put_group({"g-1", R"({"name":"G"})"}, done); }).empty());
    REQUIRE(wait([&](auto done) { s.put_meeting({id, "g-1", R"({"title":"T"})", "{}"}, done); }).empty());
}

op_record op(const std::string& meeting, std::uint64_t rev, std::string change = {}) {
    if (change.empty()) change = R"({"kind":"text","n":)" + std::to_string(rev) + "}";
    return {meeting, rev, "c-" + meeting, rev * 10, R"({"name":"N"})", std::move(change)};
}

std::optional<loaded_meeting> load(store& s, const std::string& id, std::uint64_t history = 1000,
                                   std::size_t history_bytes = 1 << 20, std::string next_epoch = {}) {
    std::promise<std::optional<loaded_meeting>> p;
    s.load_meeting(id, history, history_bytes, std::move(next_epoch), [&](std::optional<loaded_meeting> lm, const std::string& e) {
        REQUIRE(e.empty());
        p.set_value(std::move(lm));
    });
    return p.get_future().get();
}

std::vector<std::uint64_t> revs(const loaded_meeting& lm) {
    std::vector<std::uint64_t> out;
    for (const auto& o : lm.ops) out.push_back(o.rev);
    return out;
}

// Holds the store thread (in a completion) so that what is queued meanwhile goes into one commit.
class hold {
public:
    explicit hold(store& s) {
        s.put_group({"g-hold", "{}"}, [this](const std::string&) {
            entered_.set_value();
            release_future_.wait();
        });
        entered_.get_future().wait();
    }
    void release() { release_.set_value(); }

private:
    std::promise<void> entered_, release_;
    std::shared_future<void> release_future_ = release_.get_future().share();
};

// Completions of one batch, by name.
struct results {
    std::mutex m;
    std::map<std::string, std::string> errors;
    store::completion of(const std::string& name) {
        return [this, name](const std::string& e) {
            std::lock_guard lock(m);
            errors[name] = e;
        };
    }
};

// Meetings m-a and m-b of group g-1, each with an op at revision 1; m-a with a snapshot there and closed at
// revision 2 (sequence 1 of the group's chain, signature "s").
void two_meetings_one_closed(store& s) {
    const std::string closing =
        R"({"kind":"close","closing":{"statement":"{\"group\":\"g-1\",\"meeting\":\"m-a\",\"sequence\":1}","sshsig":"s","key_id":"k"}})";
    for (const auto* m : {"m-a", "m-b"}) {
        add_meeting(s, m);
        REQUIRE(wait([&](auto done) { s.append_op(op(m, 1), done); }).empty());
    }
    s.save_snapshot("m-a", 1, R"({"rev":1})");
    REQUIRE(wait([&](auto done) { s.append_op(op("m-a", 2, closing), done); }).empty());
}

}  // namespace

TEST_CASE("the store loads a meeting as its latest snapshot with the ops after it and the history before it", "[server][store]") {
    temp_file f;
    {
        store s(f.db(), true);
        add_meeting(s, "m-1");
        add_meeting(s, "m-2");
        for (std::uint64_t r = 1; r <= 10; ++r) {
            s.append_op(op("m-1", r), [](const std::string& e) { CHECK(e.empty()); });
            s.append_op(op("m-2", r), [](const std::string& e) { CHECK(e.empty()); });
            if (r == 6) s.save_snapshot("m-1", 6, R"({"snap":6})");
        }
        s.save_snapshot("m-1", 3, R"({"snap":3})");  // older than the one stored: ignored
        s.flush();

        auto lm = load(s, "m-1", 2);
        REQUIRE(lm);
        CHECK(lm->meeting.group_id == "g-1");
        CHECK(lm->meeting.meta == R"({"title":"T"})");
        CHECK(lm->snapshot == std::optional<std::string>(R"({"snap":6})"));
        CHECK(lm->snapshot_rev == 6);
        CHECK(revs(*lm) == std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10});
        const auto& o = lm->ops.front();
        CHECK(o.meeting == "m-1");
        CHECK(o.client == "c-m-1");
        CHECK(o.seq == 50);
        CHECK(o.author == R"({"name":"N"})");
        CHECK(o.change == R"({"kind":"text","n":5})");

        CHECK(revs(*load(s, "m-1", 100)) == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        // Before the snapshot, ops are read newest first until their stored text (client + author + change:
        // 38 bytes each here, 39 for rev 10) passes the history's bytes; every op after it is read regardless.
        CHECK(revs(*load(s, "m-1", 100, 152)) == std::vector<std::uint64_t>{7, 8, 9, 10});     // 153 after 7..10
        CHECK(revs(*load(s, "m-1", 100, 153)) == std::vector<std::uint64_t>{6, 7, 8, 9, 10});  // not past it yet
        CHECK(revs(*load(s, "m-1", 100, 0)) == std::vector<std::uint64_t>{7, 8, 9, 10});
        auto m2 = load(s, "m-2", 2);
        REQUIRE(m2);
        CHECK_FALSE(m2->snapshot);
        CHECK(revs(*m2).size() == 10);
        CHECK(revs(*load(s, "m-2", 2, 0)).size() == 10);  // no snapshot: all of them are replayed
        CHECK_FALSE(load(s, "m-none"));
    }
    // What was acknowledged is there after a restart, and its time is recorded in the one format.
    {
        store s(f.db(), true);
        CHECK(revs(*load(s, "m-2", 0)).size() == 10);
    }
    SQLite::Database db(f.db().string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT count(*) FROM ops WHERE at GLOB "
                            "'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getInt() == 20);
}

TEST_CASE("a failing write fails alone and its meeting's later writes are refused until it is loaded again", "[server][store]") {
    temp_file f;
    store s(f.db(), true);
    for (const auto* m : {"m-a", "m-b", "m-c"}) {
        add_meeting(s, m);
        REQUIRE(wait([&](auto done) { s.append_op(op(m, 1), done); }).empty());
    }

    results r;
    {
        hold h(s);
        s.append_op(op("m-a", 2), r.of("a2"));
        s.append_op(op("m-b", 1, R"({"other":true})"), r.of("b1 again"));  // revision 1 is taken
        s.put_meeting({"m-x", "g-none", "{}", "{}"}, r.of("meeting of no group"));
        s.append_op(op("m-c", 2), r.of("c2"));
        s.save_snapshot("m-c", 2, R"({"snap":2})");
        h.release();
        s.flush();
    }
    CHECK(r.errors.at("a2").empty());
    CHECK_FALSE(r.errors.at("b1 again").empty());
    CHECK_FALSE(r.errors.at("meeting of no group").empty());
    CHECK(r.errors.at("c2").empty());
    CHECK(s.failed_meetings() == 1);

    // b's next write must not leave a gap: refused. The others go on.
    CHECK_THAT(wait([&](auto done) { s.append_op(op("m-b", 2), done); }), Catch::Contains("earlier write"));
    CHECK(wait([&](auto done) { s.append_op(op("m-a", 3), done); }).empty());

    CHECK(revs(*load(s, "m-a")) == std::vector<std::uint64_t>{1, 2, 3});
    auto c = load(s, "m-c");
    CHECK(revs(*c) == std::vector<std::uint64_t>{1, 2});
    CHECK(c->snapshot_rev == 2);
    CHECK_FALSE(load(s, "m-x"));
    auto b = load(s, "m-b");  // loading again lets its writes flow
    REQUIRE(revs(*b) == std::vector<std::uint64_t>{1});
    CHECK(b->ops.front().change == R"({"kind":"text","n":1})");  // the failed write changed nothing
    CHECK(s.failed_meetings() == 0);
    CHECK(wait([&](auto done) { s.append_op(op("m-b", 2), done); }).empty());
    CHECK(revs(*load(s, "m-b")) == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("a write that makes SQLite roll back the transaction (disk full) fails every write of its commit",
          "[server][store]") {
    temp_file f;
    store s(f.db(), true);
    for (const auto* m : {"m-a", "m-b", "m-c"}) {
        add_meeting(s, m);
        REQUIRE(wait([&](auto done) { s.append_op(op(m, 1), done); }).empty());
    }

    // The file may not grow: a small row still fits on its page, a large one needs new pages (SQLITE_FULL
    // in the middle of the transaction, which SQLite answers by rolling back the whole transaction). The large
    // write is a group's: the tables of meeting content have triggers (migration 3), and SQLite undoes a statement
    // with triggers by itself (a statement journal), so a large op would fail alone (the test below).
    s.set_max_page_count_for_tests(1);
    results r;
    {
        hold h(s);
        s.append_op(op("m-a", 2), r.of("a2"));
        s.put_group({"g-large", std::string(64 * 1024, 'x')}, r.of("large group"));
        s.append_op(op("m-c", 2), r.of("c2"));
        h.release();
        s.flush();
    }
    CHECK_FALSE(r.errors.at("a2").empty());
    CHECK_FALSE(r.errors.at("large group").empty());
    CHECK_FALSE(r.errors.at("c2").empty());
    CHECK(s.failed_meetings() == 2);
    CHECK_THAT(wait([&](auto done) { s.append_op(op("m-c", 2), done); }), Catch::Contains("earlier write"));

    // Space returns; nothing of the failed commit was kept, and each meeting continues once loaded again.
    s.set_max_page_count_for_tests(0);
    for (const auto* m : {"m-a", "m-c"}) {
        CHECK(revs(*load(s, m)) == std::vector<std::uint64_t>{1});
        CHECK(wait([&](auto done) { s.append_op(op(m, 2), done); }).empty());
        CHECK(revs(*load(s, m)) == std::vector<std::uint64_t>{1, 2});
    }
    CHECK(s.failed_meetings() == 0);
}

TEST_CASE("a large op under a full disk fails alone: SQLite undoes only its statement", "[server][store]") {
    temp_file f;
    store s(f.db(), true);
    for (const auto* m : {"m-a", "m-b"}) {
        add_meeting(s, m);
        REQUIRE(wait([&](auto done) { s.append_op(op(m, 1), done); }).empty());
    }
    s.set_max_page_count_for_tests(1);
    results r;
    {
        hold h(s);
        s.append_op(op("m-a", 2), r.of("a2"));
        s.append_op(op("m-b", 2, std::string(64 * 1024, 'x')), r.of("b2 large"));
        h.release();
        s.flush();
    }
    CHECK(r.errors.at("a2").empty());
    CHECK_FALSE(r.errors.at("b2 large").empty());
    CHECK(s.failed_meetings() == 1);
    s.set_max_page_count_for_tests(0);
    CHECK(revs(*load(s, "m-a")) == std::vector<std::uint64_t>{1, 2});
    CHECK(revs(*load(s, "m-b")) == std::vector<std::uint64_t>{1});
}

TEST_CASE("a closed meeting's rows cannot change: the database refuses it, whatever asks", "[server][store][closed]") {
    temp_file f;
    {
        store s(f.db(), true);
        two_meetings_one_closed(s);
        // Through the store: no op, no snapshot and no new meta for the closed meeting; the other goes on.
        CHECK_THAT(wait([&](auto done) { s.append_op(op("m-a", 3), done); }), Catch::Contains("closed"));
        CHECK(wait([&](auto done) { s.append_op(op("m-b", 2), done); }).empty());
        CHECK_THAT(wait([&](auto done) { s.put_meeting({"m-a", "g-1", R"({"state":"open"})", "{}"}, done); }),
                   Catch::Contains("closed"));
        const auto closings = s.closings();
        REQUIRE(closings.size() == 1);
        CHECK(closings[0].meeting_id == "m-a");
        CHECK(closings[0].group_id == "g-1");
        CHECK(closings[0].sequence == 1);
        CHECK(nlohmann::json::parse(closings[0].record).at("key_id") == "k");
    }
    // Straight SQL, as an operator's shell would: every change to the closed meeting's rows is refused.
    SQLite::Database db(f.db().string(), SQLite::OPEN_READWRITE);
    for (const char* sql : {"UPDATE ops SET change = '{}' WHERE meeting_id = 'm-a'",
                            "DELETE FROM ops WHERE meeting_id = 'm-a'",
                            "INSERT INTO ops (meeting_id, rev, client, seq, author, change) VALUES ('m-a', 9, 'c', 1, '{}', '{}')",
                            "UPDATE ops SET meeting_id = 'm-a' WHERE meeting_id = 'm-b'",
                            "UPDATE snapshots SET state = '{}' WHERE meeting_id = 'm-a'",
                            "DELETE FROM snapshots WHERE meeting_id = 'm-a'",
                            "INSERT OR REPLACE INTO snapshots (meeting_id, rev, state) VALUES ('m-a', 5, '{}')",
                            "UPDATE meetings SET meta = '{}' WHERE id = 'm-a'",
                            "DELETE FROM meetings WHERE id = 'm-a'",
                            "UPDATE closings SET record = '{}'",
                            "DELETE FROM closings"}) {
        INFO(sql);
        CHECK_THROWS_WITH(db.exec(sql), Catch::Contains("closed") || Catch::Contains("cannot change"));
    }
    // The open meeting's rows are as changeable as before.
    CHECK(db.exec("UPDATE ops SET change = '{}' WHERE meeting_id = 'm-b' AND rev = 2") == 1);
}

TEST_CASE("a closed meeting's op log is compacted only to its snapshot at the closing, and purged only with its purge row",
          "[server][store][closed][retention]") {
    temp_file f;
    const std::string at_closing = R"({"rev":2,"lifecycle":{"closing":{"statement":"…","sshsig":"s","key_id":"k"}}})";
    {
        store s(f.db(), true);
        two_meetings_one_closed(s);
        CHECK(s.closed_with_ops() == std::vector<std::string>{"m-a"});

        // Not at the closing's revision, not a closed meeting, not the closing's snapshot: refused, nothing changes.
        CHECK_THAT(wait([&](auto done) { s.compact_closed("m-a", 1, R"({"rev":1})", done); }),
                   Catch::Contains("not closed at revision 1"));
        CHECK_THAT(wait([&](auto done) { s.compact_closed("m-b", 1, R"({"rev":1})", done); }), Catch::Contains("not closed"));
        CHECK_THAT(wait([&](auto done) { s.compact_closed("m-a", 2, R"({"rev":2,"lifecycle":{"closing":null}})", done); }),
                   Catch::Contains("closed"));
        CHECK(revs(*load(s, "m-a")) == std::vector<std::uint64_t>{1, 2});

        // The snapshot at the closing replaces the op log, in one go; a second compaction finds nothing to do.
        REQUIRE(wait([&](auto done) { s.compact_closed("m-a", 2, at_closing, done); }).empty());
        auto lm = load(s, "m-a");
        CHECK(lm->snapshot_rev == 2);
        CHECK(*lm->snapshot == at_closing);
        CHECK(lm->ops.empty());
        CHECK_FALSE(lm->purged);
        CHECK(s.closed_with_ops().empty());
        CHECK(wait([&](auto done) { s.compact_closed("m-a", 2, R"({"rev":2})", done); }).empty());
        CHECK(*load(s, "m-a")->snapshot == at_closing);
        CHECK(revs(*load(s, "m-b")) == std::vector<std::uint64_t>{1});

        // A purge: only of a closed meeting, once; the row and the closing stay.
        CHECK_FALSE(wait([&](auto done) { s.purge_meeting({"m-b", "2027-01-05T00:00:00.000Z", "{}"}, done); }).empty());
        CHECK(revs(*load(s, "m-b")) == std::vector<std::uint64_t>{1});
        REQUIRE(wait([&](auto done) { s.purge_meeting({"m-a", "2027-01-05T00:00:00.000Z", R"({"bra_items":[]})"}, done); }).empty());
        CHECK_FALSE(wait([&](auto done) { s.purge_meeting({"m-a", "2027-01-06T00:00:00.000Z", "{}"}, done); }).empty());
        lm = load(s, "m-a");
        REQUIRE(lm);
        CHECK(lm->purged);
        CHECK_FALSE(lm->snapshot);
        CHECK(lm->ops.empty());
        REQUIRE(s.purges().size() == 1);
        CHECK(s.purges()[0].meeting_id == "m-a");
        CHECK(s.purges()[0].purged_at == "2027-01-05T00:00:00.000Z");
        CHECK(s.purges()[0].kept == R"({"bra_items":[]})");
        CHECK(s.closings().size() == 1);
        // Nothing is written for it again.
        CHECK_THAT(wait([&](auto done) { s.compact_closed("m-a", 2, at_closing, done); }), Catch::Contains("closed"));
    }
    // Straight SQL: a closed meeting's snapshot goes only with a purge row, and a purge is final.
    SQLite::Database db(f.db().string(), SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO snapshots (meeting_id, rev, state) VALUES ('m-b', 1, '{}')");
    db.exec("INSERT INTO ops (meeting_id, rev, client, seq, author, change) VALUES ('m-b', 2, 'c', 1, '{}', "
            R"('{"kind":"close","closing":{"statement":"{\"group\":\"g-1\",\"meeting\":\"m-b\",\"sequence\":2}","sshsig":"t","key_id":"k"}}'))");
    for (const char* sql : {"DELETE FROM snapshots WHERE meeting_id = 'm-b'",
                            "DELETE FROM ops WHERE meeting_id = 'm-b'",
                            "UPDATE snapshots SET rev = 2, state = '{\"rev\":2}' WHERE meeting_id = 'm-b'",
                            "INSERT OR REPLACE INTO snapshots (meeting_id, rev, state) VALUES ('m-b', 2, '{}')",
                            "INSERT INTO snapshots (meeting_id, rev, state) VALUES ('m-a', 2, '{\"rev\":2,\"lifecycle\":"
                            "{\"closing\":{\"sshsig\":\"s\"}}}')",
                            "UPDATE purges SET purged_at = ''", "DELETE FROM purges", "DELETE FROM closings"}) {
        INFO(sql);
        CHECK_THROWS_WITH(db.exec(sql), Catch::Contains("closed") || Catch::Contains("final") ||
                                            Catch::Contains("cannot change"));
    }
    SQLite::Statement left(db, "SELECT count(*) FROM ops WHERE meeting_id = 'm-b'");
    REQUIRE(left.executeStep());
    CHECK(left.getColumn(0).getInt() == 2);
}

TEST_CASE("with a commit interval, a load or a write someone waits on commits the edits queued before it at once",
          "[server][store]") {
    // An interval of an hour: an op waits for it, a load or a meeting's write does not. On the code before, the
    // load below waited the hour out (the test's timeout fails it).
    temp_file t;
    store s(t.db(), false, std::chrono::hours(1));
    add_meeting(s, "m-1");  // the first commit runs at once; the hour starts after it
    std::promise<std::string> first;
    s.append_op(op("m-1", 1), [&](const std::string& e) { first.set_value(e); });
    auto lm = load(s, "m-1");  // queued behind the op, and commits it with itself
    REQUIRE(lm);
    REQUIRE(lm->ops.size() == 1);
    CHECK(first.get_future().get().empty());
    std::promise<std::string> second;
    s.append_op(op("m-1", 2), [&](const std::string& e) { second.set_value(e); });
    // A load records the epoch it is given, after reading the one before.
    const auto loaded = load(s, "m-1", 1000, 1 << 20, "0123456789abcdef");
    CHECK(second.get_future().get().empty());
    REQUIRE(loaded);
    CHECK(loaded->ops.size() == 2);
    CHECK(loaded->epoch.empty());
    CHECK(loaded->next_epoch == "0123456789abcdef");
    CHECK(load(s, "m-1", 1000, 1 << 20, "fedcba9876543210")->epoch == "0123456789abcdef");
    CHECK(load(s, "m-1")->epoch == "fedcba9876543210");
}
