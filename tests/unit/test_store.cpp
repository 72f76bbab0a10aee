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

std::optional<loaded_meeting> load(store& s, const std::string& id, std::uint64_t history = 1000) {
    std::promise<std::optional<loaded_meeting>> p;
    s.load_meeting(id, history, [&](std::optional<loaded_meeting> lm, const std::string& e) {
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
        auto m2 = load(s, "m-2", 2);
        REQUIRE(m2);
        CHECK_FALSE(m2->snapshot);
        CHECK(revs(*m2).size() == 10);
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
    // in the middle of the transaction, which SQLite answers by rolling back the whole transaction).
    s.set_max_page_count_for_tests(1);
    results r;
    {
        hold h(s);
        s.append_op(op("m-a", 2), r.of("a2"));
        s.append_op(op("m-b", 2, std::string(64 * 1024, 'x')), r.of("b2 large"));
        s.append_op(op("m-c", 2), r.of("c2"));
        h.release();
        s.flush();
    }
    CHECK_FALSE(r.errors.at("a2").empty());
    CHECK_FALSE(r.errors.at("b2 large").empty());
    CHECK_FALSE(r.errors.at("c2").empty());
    CHECK(s.failed_meetings() == 3);
    CHECK_THAT(wait([&](auto done) { s.append_op(op("m-c", 2), done); }), Catch::Contains("earlier write"));

    // Space returns; nothing of the failed commit was kept, and each meeting continues once loaded again.
    s.set_max_page_count_for_tests(0);
    for (const auto* m : {"m-a", "m-b", "m-c"}) {
        CHECK(revs(*load(s, m)) == std::vector<std::uint64_t>{1});
        CHECK(wait([&](auto done) { s.append_op(op(m, 2), done); }).empty());
        CHECK(revs(*load(s, m)) == std::vector<std::uint64_t>{1, 2});
    }
    CHECK(s.failed_meetings() == 0);
}
