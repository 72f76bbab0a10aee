#include "est/meeting_state.hpp"

#include "fixtures.hpp"

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/utf.hpp"

using est::change;
using est::field_ref;
using est::identity;
using est::meeting_state;
using est::role;
using est::text_operation;
using json = nlohmann::json;

namespace {

using est::test::biweekly;
using est::test::S;
using est::test::U;

const std::vector<std::string>& orgs = est::test::test_orgs;

meeting_state fresh(est::limits lim = {}) { return meeting_state(est::meeting_document(biweekly(), orgs), 0, {}, lim); }

const identity anna{"Anna", "polis", role::participant};
const identity bjorn{"Björn", "polis", role::participant};
const identity kim{"Kim", "kommun", role::participant};
const identity cecilia{"Cecilia", "kommun", role::chair};


const field_ref handelse{"hot-och-vald", "polis", "e1", "handelse"};
const field_ref plats{"hot-och-vald", "polis", "e1", "plats"};
const field_ref trend{"hot-och-vald", "polis", "e1", "trend"};
const field_ref niva{"hot-och-vald", "", "", "niva"};

change text(const field_ref& target, const char* wire) {
    return est::text_change{target, text_operation::from_json(json::parse(wire), "ops")};
}
change set(const field_ref& target, std::string value) { return est::set_change{target, std::move(value)}; }
change add_e1() { return est::add_entry_change{"hot-och-vald", "polis", "e1"}; }

std::string text_of(const meeting_state& st, const field_ref& f) { return S(st.document().field(f).text); }

std::string submit_error(meeting_state& st, const std::string& client, std::uint64_t seq, std::uint64_t base, change c,
                         const identity& who) {
    try {
        st.submit(client, seq, base, std::move(c), who);
    } catch (const est::domain_error& e) {
        return e.code();
    }
    return "(no error)";
}

// Submits a change that must be refused with `code` and checks nothing changed.
void expect_refused(meeting_state& st, const std::string& client, std::uint64_t seq, std::uint64_t base, change c,
                    const identity& who, const std::string& code) {
    const json before = st.snapshot();
    const auto floor = st.history_floor();
    CHECK(submit_error(st, client, seq, base, std::move(c), who) == code);
    CHECK(st.snapshot() == before);
    CHECK(st.history_floor() == floor);
}

json op_json(const std::optional<change>& c) {
    REQUIRE(c.has_value());
    REQUIRE(std::holds_alternative<est::text_change>(*c));
    return std::get<est::text_change>(*c).op.to_json();
}

}  // namespace

TEST_CASE("submit applies a change as the next revision", "[meeting_state]") {
    auto st = fresh();
    CHECK(st.rev() == 0);
    CHECK(st.last_seq("anna-1") == 0);
    const auto applied = st.submit("anna-1", 1, 0, add_e1(), anna);
    REQUIRE(applied.has_value());
    CHECK(std::holds_alternative<est::add_entry_change>(*applied));
    CHECK(st.rev() == 1);
    CHECK(st.last_seq("anna-1") == 1);
    CHECK(st.document().topic("hot-och-vald").cells.at("polis").entries.size() == 1);

    const auto t = st.submit("anna-1", 2, 1, text(handelse, R"(["Hot mot väktare"])"), anna);
    CHECK(op_json(t) == json::parse(R"(["Hot mot väktare"])"));
    CHECK(st.rev() == 2);
    CHECK(text_of(st, handelse) == "Hot mot väktare");
    CHECK(st.document().field(trend).rev == 0);
    st.submit("anna-1", 3, 2, set(trend, "ökar"), anna);
    CHECK(st.document().field(trend).rev == 3);
}

TEST_CASE("a change on a stale base revision is transformed: both typists keep their words", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);  // rev 1: empty field

    // Anna and Björn both type into the empty field, both based on revision 1.
    const auto a = st.submit("anna-1", 2, 1, text(handelse, R"(["Hej "])"), anna);
    CHECK(op_json(a) == json::parse(R"(["Hej "])"));
    const auto b = st.submit("bjorn-1", 1, 1, text(handelse, R"(["då"])"), bjorn);
    // Anna's insert was applied first, so Björn's goes after it.
    CHECK(op_json(b) == json::parse(R"([4, "då"])"));
    CHECK(text_of(st, handelse) == "Hej då");
    CHECK(st.rev() == 3);

    // Anna's second device, based on revision 2 ("Hej "), puts an emoji first and deletes the space.
    const auto c = st.submit("anna-2", 1, 2, text(handelse, R"(["🙂", 3, -1])"), anna);
    CHECK(op_json(c) == json::parse(R"(["🙂", 3, -1, 2])"));
    CHECK(text_of(st, handelse) == "🙂Hejdå");

    // Björn, still on revision 3 ("Hej då"), appends: transformed over Anna's second change.
    const auto d = st.submit("bjorn-1", 2, 3, text(handelse, R"([6, " allihop"])"), bjorn);
    CHECK(op_json(d) == json::parse(R"([7, " allihop"])"));
    CHECK(text_of(st, handelse) == "🙂Hejdå allihop");
    CHECK(st.rev() == 5);
}

TEST_CASE("changes to other fields are not transformed against each other", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);
    st.submit("anna-1", 2, 1, text(handelse, R"(["Slagsmål"])"), anna);
    const auto p = st.submit("bjorn-1", 1, 1, text(plats, R"(["Torget"])"), bjorn);
    CHECK(op_json(p) == json::parse(R"(["Torget"])"));
    CHECK(text_of(st, plats) == "Torget");
    CHECK(text_of(st, handelse) == "Slagsmål");
}

TEST_CASE("a resent (client, seq) returns nullopt and changes nothing", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);
    st.submit("anna-1", 2, 1, text(handelse, R"(["hej"])"), anna);
    const json before = st.snapshot();

    CHECK_FALSE(st.submit("anna-1", 2, 1, text(handelse, R"(["hej"])"), anna).has_value());
    CHECK(st.snapshot() == before);
    CHECK_FALSE(st.submit("anna-1", 1, 0, add_e1(), anna).has_value());
    // Even a different change under an old seq is a resend.
    CHECK_FALSE(st.submit("anna-1", 2, 2, text(handelse, R"([3, "!!!"])"), anna).has_value());
    CHECK(st.snapshot() == before);
    CHECK(st.rev() == 2);
    CHECK(st.last_seq("anna-1") == 2);

    // Another client's seq 2 is its own.
    CHECK(st.submit("bjorn-1", 2, 2, text(handelse, R"([3, "!"])"), bjorn).has_value());
    CHECK(text_of(st, handelse) == "hej!");
}

TEST_CASE("seq 0 is refused", "[meeting_state]") {
    auto st = fresh();
    expect_refused(st, "anna-1", 0, 0, add_e1(), anna, "bad_message");
}

TEST_CASE("a base revision from the future is stale_revision", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);
    expect_refused(st, "anna-1", 2, 2, text(handelse, R"(["x"])"), anna, "stale_revision");
    expect_refused(st, "anna-1", 2, 99, add_e1(), anna, "stale_revision");
    expect_refused(st, "anna-1", 2, 5, set(trend, "ökar"), anna, "stale_revision");
    CHECK(st.last_seq("anna-1") == 1);
}

TEST_CASE("a text change based before the history window is stale_revision", "[meeting_state]") {
    est::limits lim;
    lim.history_window = 3;
    auto st = fresh(lim);
    st.submit("anna-1", 1, 0, add_e1(), anna);  // rev 1
    for (std::uint64_t i = 0; i < 6; ++i) {      // revs 2..7 each append "a"
        const std::string op = i == 0 ? R"(["a"])" : "[" + std::to_string(i) + R"(, "a"])";
        st.submit("anna-1", 2 + i, st.rev(), text(handelse, op.c_str()), anna);
    }
    REQUIRE(st.rev() == 7);
    REQUIRE(text_of(st, handelse) == "aaaaaa");
    CHECK(st.history_floor() == 4);

    // Revision 3 ("aa") is too old to merge.
    expect_refused(st, "bjorn-1", 1, 3, text(handelse, R"(["X", 2])"), bjorn, "stale_revision");
    // Revision 4 ("aaa") is the oldest still mergeable: transformed over revisions 5, 6 and 7.
    const auto ok = st.submit("bjorn-1", 1, 4, text(handelse, R"(["X", 3])"), bjorn);
    CHECK(op_json(ok) == json::parse(R"(["X", 6])"));
    CHECK(text_of(st, handelse) == "Xaaaaaa");
    CHECK(st.history_floor() == 5);
    // Non-text changes do not need the history.
    CHECK(st.submit("bjorn-1", 2, 0, set(trend, "minskar"), bjorn).has_value());
}

TEST_CASE("the history is bounded by memory too: past --history-bytes the oldest operations go", "[meeting_state]") {
    est::limits lim;
    lim.history_window = 1000;
    lim.history_bytes = 2048;
    auto st = fresh(lim);
    st.submit("anna-1", 1, 0, add_e1(), anna);  // rev 1
    const std::string chunk(90, 'x');            // each text change holds at least 180 bytes of UTF-16
    for (std::uint64_t i = 0; i < 40; ++i) {     // revs 2..41
        const std::string op = i == 0 ? "[\"" + chunk + "\"]" : "[" + std::to_string(i * 90) + ", \"" + chunk + "\"]";
        st.submit("anna-1", 2 + i, st.rev(), text(handelse, op.c_str()), anna);
    }
    REQUIRE(st.rev() == 41);
    // Far fewer than the 1,000 the count allows are kept; the newest always are.
    const auto floor = st.history_floor();
    CHECK(floor > 30);
    CHECK(floor < 41);
    // A change based below the floor is too old; one based at the floor is still merged.
    expect_refused(st, "bjorn-1", 1, floor - 1, text(handelse, R"(["X", 3000])"), bjorn, "stale_revision");
    const std::size_t len_at_floor = (floor - 1) * 90;
    const std::string at_floor = "[\"X\", " + std::to_string(len_at_floor) + "]";
    CHECK(st.submit("bjorn-1", 1, floor, text(handelse, at_floor.c_str()), bjorn).has_value());
    CHECK(text_of(st, handelse).front() == 'X');
}

TEST_CASE("a set on an outdated base revision is a conflict", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);               // rev 1
    st.submit("anna-1", 2, 1, set(trend, "ökar"), anna);     // rev 2: register at 2
    expect_refused(st, "bjorn-1", 1, 1, set(trend, "minskar"), bjorn, "conflict");
    CHECK(st.document().field(trend).choice == "ökar");
    // A set that has seen revision 2 wins.
    CHECK(st.submit("bjorn-1", 1, 2, set(trend, "minskar"), bjorn).has_value());
    CHECK(st.document().field(trend).choice == "minskar");
    CHECK(st.document().field(trend).rev == 3);
    // Other changes do not move the register's revision.
    st.submit("anna-1", 3, 3, text(handelse, R"(["x"])"), anna);  // rev 4
    CHECK(st.submit("anna-1", 4, 3, set(trend, ""), anna).has_value());
    CHECK(st.document().field(trend).choice.empty());

    // The chair's topic register.
    CHECK(st.submit("cecilia-1", 1, 5, set(niva, "hög"), cecilia).has_value());
    expect_refused(st, "cecilia-2", 1, 5, set(niva, "låg"), cecilia, "conflict");
}

TEST_CASE("submit checks permissions and the document, and a refused seq may be used again", "[meeting_state]") {
    auto st = fresh();
    st.submit("anna-1", 1, 0, add_e1(), anna);
    expect_refused(st, "kim-1", 1, 1, text(handelse, R"(["x"])"), kim, "forbidden");
    expect_refused(st, "kim-1", 1, 1, est::add_entry_change{"andt", "polis", "e2"}, kim, "forbidden");
    expect_refused(st, "kim-1", 1, 1, set(niva, "hög"), kim, "forbidden");
    expect_refused(st, "anna-1", 2, 1, text(handelse, "[3]"), anna, "out_of_range");
    expect_refused(st, "anna-1", 2, 1, set(trend, "kanske"), anna, "bad_value");
    expect_refused(st, "anna-1", 2, 1, add_e1(), anna, "duplicate_entry");
    CHECK(st.last_seq("kim-1") == 0);
    CHECK(st.submit("kim-1", 1, 1, est::add_entry_change{"andt", "kommun", "e1"}, kim).has_value());

    // An edit of an entry removed meanwhile cannot land.
    st.submit("anna-1", 2, 2, est::remove_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    expect_refused(st, "bjorn-1", 1, 1, text(handelse, R"(["x"])"), bjorn, "not_found");
}

TEST_CASE("snapshot / from_snapshot round trip", "[meeting_state][json]") {
    est::limits lim;
    auto st = fresh(lim);
    st.submit("anna-1", 1, 0, add_e1(), anna);
    st.submit("anna-1", 2, 1, text(handelse, R"(["Hot och våld 👊"])"), anna);
    st.submit("bjorn-1", 7, 2, set(trend, "ökar"), bjorn);
    st.submit("kim-1", 1, 3, est::add_entry_change{"andt", "kommun", "k1"}, kim);
    st.submit("kim-1", 2, 4, est::remove_entry_change{"andt", "kommun", "k1"}, kim);
    st.submit("cecilia-1", 3, 5, set(niva, "förhöjd"), cecilia);

    const json snap = st.snapshot();
    CHECK(snap.at("rev") == 6);
    CHECK(snap.at("last_seq") == json::parse(R"({"anna-1": 2, "bjorn-1": 7, "kim-1": 2, "cecilia-1": 3})"));

    for (const json& s : {snap, json::parse(snap.dump())}) {
        auto back = meeting_state::from_snapshot(biweekly(), orgs, s, lim);
        CHECK(back.document() == st.document());
        CHECK(back.document().to_json() == st.document().to_json());
        CHECK(back.rev() == st.rev());
        for (const char* c : {"anna-1", "bjorn-1", "kim-1", "cecilia-1", "nobody"}) CHECK(back.last_seq(c) == st.last_seq(c));
        CHECK(back.snapshot() == snap);
        CHECK(back.history_floor() == 6);

        // Exactly-once survives the restore; history does not (a merge before it is stale).
        CHECK_FALSE(back.submit("bjorn-1", 7, 6, set(trend, "minskar"), bjorn).has_value());
        CHECK(submit_error(back, "anna-1", 3, 5, text(handelse, "[15]"), anna) == "stale_revision");
        CHECK(back.submit("anna-1", 3, 6, text(handelse, R"([15, "!"])"), anna).has_value());
        CHECK(text_of(back, handelse) == "Hot och våld 👊!");
        // A retired entry id stays retired.
        CHECK(submit_error(back, "kim-1", 3, 7, est::add_entry_change{"andt", "kommun", "k1"}, kim) == "duplicate_entry");
    }

    json broken = snap;
    broken.erase("rev");
    CHECK_THROWS_AS(meeting_state::from_snapshot(biweekly(), orgs, broken, lim), est::domain_error);
    try {
        meeting_state::from_snapshot(biweekly(), orgs, broken, lim);
    } catch (const est::domain_error& e) {
        CHECK(e.code() == "bad_snapshot");
    }
}

TEST_CASE("replay re-applies the op log exactly as logged", "[meeting_state]") {
    auto st = fresh();
    std::vector<std::tuple<std::string, std::uint64_t, change>> log;
    auto submit = [&](const std::string& client, std::uint64_t seq, std::uint64_t base, change c, const identity& who) {
        auto applied = st.submit(client, seq, base, std::move(c), who);
        REQUIRE(applied.has_value());
        log.emplace_back(client, seq, *applied);
    };
    submit("anna-1", 1, 0, add_e1(), anna);
    submit("anna-1", 2, 1, text(handelse, R"(["Hej "])"), anna);
    submit("bjorn-1", 1, 1, text(handelse, R"(["då"])"), bjorn);  // transformed before logging
    submit("bjorn-1", 2, 3, set(trend, "oförändrad"), bjorn);
    submit("anna-1", 3, 2, text(handelse, R"([4, "🎉"])"), anna);

    auto replayed = fresh();
    for (const auto& [client, seq, c] : log) replayed.replay(client, seq, c);
    CHECK(replayed.document() == st.document());
    CHECK(replayed.snapshot() == st.snapshot());
    CHECK(text_of(replayed, handelse) == "Hej då🎉");  // at equal positions the earlier revision goes first
    CHECK(replayed.last_seq("bjorn-1") == 2);

    // The replayed history merges a late change exactly as the original would.
    auto late = [] { return text(handelse, R"([4, "x"])"); };  // based on revision 2 ("Hej ")
    const auto a = st.submit("anna-2", 1, 2, late(), anna);
    const auto b = replayed.submit("anna-2", 1, 2, late(), anna);
    CHECK(op_json(a) == op_json(b));
    CHECK(replayed.snapshot() == st.snapshot());

    // Replaying a log entry again with an old seq does not lower last_seq.
    replayed.replay("bjorn-1", 1, set(trend, "ökar"));
    CHECK(replayed.last_seq("bjorn-1") == 2);
    CHECK(replayed.rev() == st.rev() + 1);
}

// ---- issue 11: what a meeting may cost, what text may hold, how far seq may jump ----

namespace {
change insert_at_end(const meeting_state& st, const field_ref& f, std::u16string s) {
    text_operation op;
    op.retain(st.document().field(f).text.size()).insert(s);
    return est::text_change{f, op};
}
}  // namespace

TEST_CASE("regression: control characters cannot inflate a meeting past what a welcome may carry", "[meeting_state][issue11]") {
    // U+0001 took 6 bytes in JSON per UTF-16 unit: 2 Mi of them made a 12.6 MB welcome that no joiner could take.
    auto st = fresh();
    st.submit("a", 1, 0, add_e1(), anna);
    CHECK(submit_error(st, "a", 2, 1, insert_at_end(st, handelse, std::u16string(100, u'\u0001')), anna) == "bad_text");
    for (char16_t bad : {u'\u0000', u'\r', u'\u001b', u'\u007f', u'\u0085', u'\u202a', u'\u202e', u'\u2066', u'\u2069'}) {
        INFO(static_cast<unsigned>(bad));
        CHECK(submit_error(st, "a", 2, 1, insert_at_end(st, handelse, std::u16string(u"ok") + bad), anna) == "bad_text");
    }
    CHECK(st.rev() == 1);
    CHECK(text_of(st, handelse).empty());
    // Tab, line feed and marks such as U+200E stay allowed.
    st.submit("a", 2, 1, insert_at_end(st, handelse, u"rad 1\n\trad 2 \u200e"), anna);
    CHECK(st.rev() == 2);
}

TEST_CASE("a meeting's encoded size is bounded by max_meeting_bytes, whatever the characters", "[meeting_state][issue11]") {
    est::limits lim;
    lim.max_meeting_bytes = 64 * 1024;
    lim.max_field_length = 1000000;
    lim.max_meeting_text = 1000000;
    auto st = fresh(lim);
    st.submit("a", 1, 0, add_e1(), anna);
    // Three bytes per unit (U+20AC) and two per quote: fill until refused.
    std::uint64_t seq = 2;
    std::string code;
    for (int i = 0; i < 100 && code.empty(); ++i) {
        try {
            st.submit("a", seq, st.rev(), insert_at_end(st, handelse, std::u16string(1000, u'\u20ac') + u"\"\"\\"), anna);
            ++seq;
        } catch (const est::domain_error& e) {
            code = e.code();
        }
    }
    CHECK(code == "text_too_long");
    CHECK(st.encoded_bytes() <= lim.max_meeting_bytes);
    // What a welcome carries is no more than what was counted.
    CHECK(st.document().to_json().dump().size() <= st.document().encoded_bytes());
    CHECK(st.document().to_json().dump().size() + 2048 >= st.document().encoded_bytes());
    // Deleting is always allowed, and frees the room again.
    text_operation del;
    del.remove(st.document().field(handelse).text.size());
    st.submit("a", seq++, st.rev(), est::text_change{handelse, del}, anna);
    CHECK(st.encoded_bytes() < 2048);
}

TEST_CASE("regression: removed entries and clients' sequence records count against the meeting's size", "[meeting_state][issue11]") {
    // 600 add/remove cycles grew a welcome from 3 KB to 49 KB without any bound.
    est::limits lim;
    lim.max_meeting_bytes = 16 * 1024;
    auto st = fresh(lim);
    std::uint64_t seq = 1;
    std::string code;
    int cycles = 0;
    for (; cycles < 2000 && code.empty(); ++cycles) {
        const std::string id = "entry-" + std::to_string(cycles);
        try {
            st.submit("a", seq, st.rev(), est::add_entry_change{"hot-och-vald", "polis", id}, anna);
            ++seq;
        } catch (const est::domain_error& e) {
            code = e.code();
            break;
        }
        st.submit("a", seq++, st.rev(), est::remove_entry_change{"hot-och-vald", "polis", id}, anna);
    }
    CHECK(code == "limit_reached");
    CHECK(cycles > 100);
    CHECK(st.encoded_bytes() <= lim.max_meeting_bytes);
    CHECK(st.document().to_json().dump().size() <= st.document().encoded_bytes());

    // A flood of new client ids fills the sequence records until a new client is refused.
    auto st2 = fresh(lim);
    st2.submit("a", 1, 0, add_e1(), anna);
    std::string code2;
    for (int i = 0; i < 2000 && code2.empty(); ++i) {
        try {
            st2.submit("k-client-" + std::to_string(i), 1, st2.rev(), insert_at_end(st2, handelse, u"x"), anna);
        } catch (const est::domain_error& e) {
            code2 = e.code();
        }
    }
    // Refused either as a new record (limit_reached) or as text that no longer fits beside the records.
    CHECK((code2 == "limit_reached" || code2 == "text_too_long"));
    CHECK(st2.encoded_bytes() <= lim.max_meeting_bytes);
    CHECK(st2.snapshot().dump().size() <= lim.max_meeting_bytes + 1024);
}

TEST_CASE("regression: a seq far past the last applied one is refused, not recorded", "[meeting_state][issue11]") {
    // seq 2^53-1 made every later change of that client a silent 'duplicate'.
    auto st = fresh();
    st.submit("a", 1, 0, add_e1(), anna);
    CHECK(submit_error(st, "a", (std::uint64_t{1} << 53) - 1, 1, insert_at_end(st, handelse, u"x"), anna) == "bad_message");
    CHECK(submit_error(st, "a", 1 + 4097, 1, insert_at_end(st, handelse, u"x"), anna) == "bad_message");
    CHECK(st.last_seq("a") == 1);
    // Within reach, a gap is fine (refused changes leave gaps).
    st.submit("a", 1 + 4096, 1, insert_at_end(st, handelse, u"x"), anna);
    CHECK(st.last_seq("a") == 4097);
    CHECK(text_of(st, handelse) == "x");
}

TEST_CASE("a snapshot's forbidden characters load, and may be deleted", "[meeting_state][issue11]") {
    auto st = fresh();
    st.submit("a", 1, 0, add_e1(), anna);
    st.submit("a", 2, 1, insert_at_end(st, handelse, u"ok"), anna);
    json snap = st.snapshot();
    snap["document"]["topics"][0]["cells"]["polis"]["entries"][0]["fields"]["handelse"] = "a\u202eb";
    auto loaded = meeting_state::from_snapshot(biweekly(), orgs, snap, {});
    CHECK(loaded.document().encoded_bytes() == est::meeting_document::from_json(biweekly(), orgs, snap["document"]).encoded_bytes());
    loaded.submit("a", 3, 2, text(handelse, "[1,-1,1]"), anna);
    CHECK(text_of(loaded, handelse) == "ab");
}

TEST_CASE("regression: damaged snapshots found by fuzz_snapshot are refused as bad_snapshot", "[meeting_state][json][issue11]") {
    // S1: numbers read without a range check (1e300 was undefined behaviour, 2^64-1 wrapped the next revision);
    // S2: a topic listed twice; S3: an entry both live and removed, or listed twice; a choice outside its choices
    // or set after the snapshot's revision.
    for (const char* bad : {
             R"({"rev":1e300,"document":{"topics":[]},"last_seq":{}})",
             R"({"rev":18446744073709551615,"document":{"topics":[]},"last_seq":{}})",
             R"({"rev":-1,"document":{"topics":[]},"last_seq":{}})",
             R"({"rev":0,"document":{"topics":[]},"last_seq":{"k-a":1.5}})",
             R"({"rev":0,"document":{"topics":[{"id":"ordningsstorning","fields":{"bedomning":"T"},"cells":{}},{"id":"ordningsstorning","fields":{"bedomning":""},"cells":{}}]},"last_seq":{}})",
             R"({"rev":42,"document":{"topics":[{"id":"extremism","fields":{},"cells":{"kommun":{"entries":[{"id":"e3","fields":{}}]}}}],"retired":["extremism/kommun/e3"]},"last_seq":{}})",
             R"({"rev":42,"document":{"topics":[{"id":"extremism","fields":{},"cells":{"kommun":{"entries":[{"id":"e3","fields":{}},{"id":"e3","fields":{}}]}}}]},"last_seq":{}})",
             R"({"rev":42,"document":{"topics":[{"id":"extremism","fields":{"niva":{"value":"enorm","rev":1}},"cells":{}}]},"last_seq":{}})",
             R"({"rev":4,"document":{"topics":[{"id":"extremism","fields":{"niva":{"value":"hög","rev":9}},"cells":{}}]},"last_seq":{}})",
         }) {
        INFO(bad);
        try {
            meeting_state::from_snapshot(biweekly(), orgs, json::parse(bad), {});
            FAIL("loaded");
        } catch (const est::domain_error& e) {
            CHECK(std::string(e.code()) == "bad_snapshot");
        }
    }
    // The shapes the server writes still load.
    const auto ok = meeting_state::from_snapshot(
        biweekly(), orgs,
        json::parse(R"({"rev":9,"document":{"topics":[{"id":"extremism","fields":{"niva":{"value":"hög","rev":9}},"cells":{"kommun":{"entries":[{"id":"e3","fields":{}}]}}}],"retired":["extremism/kommun/e2"]},"last_seq":{"k-a":3}})"),
        {});
    CHECK(ok.rev() == 9);
    CHECK(ok.last_seq("k-a") == 3);
}
