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
