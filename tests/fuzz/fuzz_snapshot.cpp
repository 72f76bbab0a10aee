// Fuzzes loading: any bytes, parsed with the bounded JSON parser, as a stored snapshot
// (meeting_state::from_snapshot, what a room loads from the database) and as a picture
// (meeting_document::from_json, what the demo seed and exports go through), over the real template and
// the demo group's organisations. Either bad_snapshot or a state that round-trips (to_json → from_json
// equal, counters equal to a fresh load's) and takes further changes: each applied one raises the revision
// by one, each refused one changes nothing, and the state still round-trips after them.
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "est/json_limits.hpp"
#include "fuzz_support.hpp"

namespace {

using est::fuzz::fail;

// Open findings in the core's loaders (tests/fuzz/crashes/README.md). Inputs of these shapes are skipped so
// that a run goes on to find something new; remove a check once its finding is fixed, and the fuzzer holds
// the fix from then on.
//  - S1: a revision ("rev" of the snapshot or of a choice) or a last_seq that is not a whole number in
//    0..2^53-1 loads: a float is cast to uint64 (undefined behaviour past its range), a negative number
//    wraps, and a snapshot at rev 2^64-1 wraps to 0 on its next change.
//  - S2: a topic listed twice in "topics" loads (the second's fields win, the entries of both are kept);
//    total_text() then counts both, so it differs from a fresh load of the same picture.
//  - S3: an entry that is also listed as retired, or an entry id twice in one cell, loads; removing it
//    then adds its key to "retired" again, and encoded_bytes() counts it twice (differs from a fresh load).
bool known_open_entries(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("topics") || !doc["topics"].is_array()) return false;
    std::set<std::string> retired;
    if (doc.contains("retired") && doc["retired"].is_array())
        for (const auto& k : doc["retired"])
            if (k.is_string()) retired.insert(k.get<std::string>());
    for (const auto& t : doc["topics"]) {
        if (!t.is_object() || !t.contains("id") || !t["id"].is_string() || !t.contains("cells") || !t["cells"].is_object())
            continue;
        for (const auto& [org, c] : t["cells"].items()) {
            if (!c.is_object() || !c.contains("entries") || !c["entries"].is_array()) continue;
            std::set<std::string> ids;
            for (const auto& e : c["entries"]) {
                if (!e.is_object() || !e.contains("id") || !e["id"].is_string()) continue;
                const std::string id = e["id"].get<std::string>();
                if (!ids.insert(id).second || retired.count(t["id"].get<std::string>() + "/" + org + "/" + id)) return true;
            }
        }
    }
    return false;
}

bool known_open(const nlohmann::json& j) {
    if (known_open_entries(j)) return true;
    constexpr std::uint64_t max_safe = (std::uint64_t{1} << 53) - 1;
    auto bad_number = [&](const nlohmann::json& v) { return !v.is_number_unsigned() || v.get<std::uint64_t>() > max_safe; };
    if (j.is_object()) {
        for (const auto& [key, v] : j.items()) {
            if (key == "rev" && bad_number(v)) return true;
            if (key == "last_seq" && v.is_object())
                for (const auto& seq : v)
                    if (bad_number(seq)) return true;
            if (key == "topics" && v.is_array()) {
                std::set<std::string> ids;
                for (const auto& t : v)
                    if (t.is_object() && t.contains("id") && t["id"].is_string() && !ids.insert(t["id"].get<std::string>()).second)
                        return true;
            }
        }
    }
    if (j.is_structured())
        for (const auto& v : j)
            if (known_open(v)) return true;
    return false;
}

void expect_bad_snapshot(const est::domain_error& e, const char* what) {
    if (e.code() != "bad_snapshot") fail(std::string(what) + " threw " + e.code() + " instead of bad_snapshot: " + e.what());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    nlohmann::json j;
    try {
        j = est::parse_json_bounded(text, 32);
    } catch (const est::domain_error&) {
        return 0;
    }
    // EST_FUZZ_OPEN_FINDINGS=1 checks those inputs too: how tests/fuzz/crashes/ reproduces them.
    static const bool check_open = std::getenv("EST_FUZZ_OPEN_FINDINGS") != nullptr;
    if (!check_open && known_open(j)) return 0;
    const auto& tmpl = est::fuzz::est_template();
    const auto& orgs = est::fuzz::fagersta_orgs();
    est::limits lim;
    lim.max_entries_per_cell = 12;
    lim.history_window = 32;

    // The bytes as a picture.
    try {
        const auto doc = est::meeting_document::from_json(tmpl, orgs, j);
        est::fuzz::check_document(doc, "picture");
    } catch (const est::domain_error& e) {
        expect_bad_snapshot(e, "meeting_document::from_json");
    }

    // The bytes as a snapshot, then changes on top: how a room goes on after loading one.
    std::optional<est::meeting_state> state;
    try {
        state.emplace(est::meeting_state::from_snapshot(tmpl, orgs, j, lim));
    } catch (const est::domain_error& e) {
        expect_bad_snapshot(e, "meeting_state::from_snapshot");
        return 0;
    }
    est::fuzz::check_state(*state, "loaded snapshot");
    est::fuzz::prng r(est::fuzz::fnv1a(text));
    for (int i = 0; i < 24; ++i) est::fuzz::submit_generated(*state, r);
    est::fuzz::check_state(*state, "snapshot after changes");
    return 0;
}
