// Fuzzes the protocol decoder and, behind it, the meeting state: any bytes as a client message; every
// op that decodes is submitted to a live meeting_state. Nothing may crash, and a decoded message must
// survive encode → decode unchanged.
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

est::meeting_state& state() {
    static est::limits lim = [] {
        est::limits l;
        l.history_window = 64;
        l.max_entries_per_cell = 8;
        return l;
    }();
    static est::meeting_state s(est::meeting_document(fuzz_template(), {"x", "y"}), 0, {}, lim);
    return s;
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
        auto& s = state();
        const est::identity who{"F", op->seq % 2 ? "x" : "y", op->seq % 3 ? est::role::participant : est::role::chair};
        const auto before = s.document().to_json();
        try {
            s.submit("c" + std::to_string(op->seq % 4), op->seq, std::min(op->rev, s.rev()), op->body, who);
        } catch (const est::domain_error&) {
            if (s.document().to_json() != before) std::abort();  // a refused change must change nothing
        }
        // Snapshots must round-trip whatever state was reached.
        const auto snap = s.snapshot();
        const auto restored = est::meeting_state::from_snapshot(fuzz_template(), {"x", "y"}, snap, est::limits{});
        if (!(restored.document() == s.document())) std::abort();
    }
    return 0;
}
