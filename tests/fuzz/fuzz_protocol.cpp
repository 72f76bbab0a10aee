// Fuzzes the protocol decoder and, behind it, the meeting state: any bytes as a client message; every
// op that decodes is submitted to a live meeting_state. Nothing may crash, and a decoded message must
// survive encode → decode unchanged, and a change is written (change_json_text) as dump() writes it and reads back the same. The op's `rev` is read relative to the state's revision (its two low
// bits: equal, ahead by 1–3, behind by the rest, or as it is), so based-ahead, current and late changes are
// all reached: one based ahead is never applied, a refused one changes nothing, an applied one raises the
// revision by one, and the state round-trips through its snapshot with the same counters and the same
// personal-number flags (worked out from scratch there). The state starts
// over every 4096 ops so that it stays small and fast.
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_state.hpp"
#include "est/protocol.hpp"

namespace {

std::shared_ptr<const est::meeting_template> fuzz_template() {
    static const auto t = std::make_shared<const est::meeting_template>(est::meeting_template::from_json(
        nlohmann::json::parse(R"({"id":"t","name":"T","version":1,
          "topics":[{"id":"a","title":"A"},{"id":"b","title":"B"}],
          "entry_fields":[{"id":"h","label":"H","kind":"text","max_length":300},{"id":"trend","label":"T","kind":"choice","choices":["ökar","minskar"]}],
          "topic_fields":[{"id":"s","label":"S","kind":"text","editor":"chair"},{"id":"n","label":"N","kind":"choice","choices":["låg","hög"],"editor":"chair"}]})"),
        "fuzz"));
    return t;
}

const est::limits& fuzz_limits() {
    static const est::limits lim = [] {
        est::limits l;
        l.history_window = 64;
        l.max_entries_per_cell = 8;
        return l;
    }();
    return lim;
}

est::meeting_state fresh_state() { return {est::meeting_document(fuzz_template(), {"x", "y"}), 0, {}, fuzz_limits()}; }

est::meeting_state& state() {
    static est::meeting_state s = fresh_state();
    static unsigned ops = 0;
    if (++ops % 4096 == 0) s = fresh_state();
    return s;
}

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

// The base revision an op claims, relative to where the meeting is.
std::uint64_t base_revision(std::uint64_t wire_rev, std::uint64_t now) {
    const std::uint64_t k = wire_rev >> 2;
    switch (wire_rev & 3) {
        case 0: return now;                                       // current
        case 1: return now + 1 + k % 3;                           // ahead: never applied
        case 2: return now - std::min(now, k);                    // behind (maybe below the history)
        default: return k;                                        // as sent
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    est::limits lim;
    est::client_message msg;
    try {
        msg = est::parse_client_message(text, lim);
    } catch (const est::domain_error&) {
        return 0;
    }
    const std::string encoded = est::encode_client_message(msg);
    const auto again = est::parse_client_message(encoded, lim);
    if (est::encode_client_message(again) != encoded) std::abort();

    if (auto* op = std::get_if<est::op_message>(&msg)) {
        // The change as the server broadcasts and logs it is nlohmann's own dump of it, byte for byte, and reads
        // back as the same change.
        if (const auto t = est::change_json_text(op->body); nlohmann::json::parse(t).dump() != t)
            broken("change_json_text differs from dump()");
        else if (est::change_json_text(est::change_from_json(nlohmann::json::parse(t), "change")) != t)
            broken("change_json_text does not read back as the same change");
        auto& s = state();
        const est::identity who{"F", op->seq % 2 ? "x" : "y", op->seq % 3 ? est::role::participant : est::role::chair};
        const est::meeting_document before = s.document();
        const std::uint64_t rev = s.rev();
        const std::uint64_t base = base_revision(op->rev, rev);
        try {
            const auto applied = s.submit("c" + std::to_string(op->seq % 4), op->seq, base, op->body, who);
            if (applied && (base > rev || s.rev() != rev + 1)) broken("an op based ahead was applied, or rev did not rise by one");
            if (applied) {
                const auto t = est::change_json_text(*applied);
                if (nlohmann::json::parse(t).dump() != t) broken("change_json_text of the applied change differs from dump()");
            }
            if (!applied && (s.rev() != rev || !(s.document() == before))) broken("a resend changed the state");
        } catch (const est::domain_error&) {
            if (s.rev() != rev || !(s.document() == before)) broken("a refused change changed the state");
        }
        // Snapshots must round-trip whatever state was reached, with the same counters as a fresh load.
        const auto snap = s.snapshot();
        const auto restored = est::meeting_state::from_snapshot(fuzz_template(), {"x", "y"}, snap, fuzz_limits());
        if (!(restored.document() == s.document()) || restored.rev() != s.rev() || restored.snapshot() != snap)
            broken("snapshot → from_snapshot changed the state");
        if (restored.document().total_text() != s.document().total_text()) broken("total_text differs from a fresh load's");
        if (restored.encoded_bytes() != s.encoded_bytes()) broken("encoded_bytes differs from a fresh load's");
        if (restored.current_topic() != s.current_topic()) broken("the current topic differs from a fresh load's");
        // The personal-number flags kept up change by change are those of the picture read from scratch.
        if (restored.privacy().flags_json() != s.privacy().flags_json() ||
            restored.privacy().acknowledged_json() != s.privacy().acknowledged_json())
            broken("the flags kept up change by change differ from a fresh load's");
    }
    return 0;
}
