#pragma once
// What several fuzz targets share: a byte reader, the real template and the demo group's organisations, a
// generator of changes that mostly fit a document (and sometimes do not), temporary directories, and the
// checks every reachable meeting state must pass. Header-only and free of Beast: targets include what
// they test and this.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/group.hpp"
#include "est/identity.hpp"
#include "est/meeting_document.hpp"
#include "est/meeting_state.hpp"
#include "est/meeting_template.hpp"
#include "est/utf.hpp"

#ifndef EST_TEMPLATE_FILE
#error "EST_TEMPLATE_FILE (templates/est-biweekly.json) is set by tests/fuzz/CMakeLists.txt"
#endif

namespace est::fuzz {

// A broken invariant: say which, then abort so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

class reader {
public:
    reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    bool more() const noexcept { return i_ < n_; }
    std::uint8_t byte() noexcept { return i_ < n_ ? d_[i_++] : 0; }
    std::size_t pick(std::size_t n) noexcept { return n == 0 ? 0 : byte() % n; }
    // Up to `max` raw bytes (may be anything, including invalid UTF-8).
    std::string bytes(std::size_t max) {
        const std::size_t n = std::min<std::size_t>(pick(max + 1), n_ - i_);
        std::string s(reinterpret_cast<const char*>(d_ + i_), n);
        i_ += n;
        return s;
    }
    std::string_view rest() const noexcept { return {reinterpret_cast<const char*>(d_ + i_), n_ - i_}; }

private:
    const std::uint8_t* d_;
    std::size_t n_, i_ = 0;
};

// A deterministic stream of bytes from a seed, for targets whose input is one JSON text (nothing left over).
class prng {
public:
    explicit prng(std::uint64_t seed) : s_(seed) {}
    std::uint8_t byte() noexcept {
        s_ += 0x9E3779B97F4A7C15ull;  // splitmix64
        std::uint64_t z = s_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return static_cast<std::uint8_t>(z ^ (z >> 31));
    }
    bool more() const noexcept { return true; }
    std::size_t pick(std::size_t n) noexcept { return n == 0 ? 0 : byte() % n; }

private:
    std::uint64_t s_;
};

inline std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

// templates/est-biweekly.json, the template every real meeting uses.
inline const std::shared_ptr<const meeting_template>& est_template() {
    static const auto t = std::make_shared<const meeting_template>(meeting_template::load_file(EST_TEMPLATE_FILE));
    return t;
}

// The demo group of server/demo/fagersta.json.
inline const group& fagersta() {
    static const group g = group::from_json(nlohmann::json::parse(R"({"id":"fagersta","name":"EST-gruppen Fagersta",
        "municipality":"Fagersta kommun","organisations":[{"id":"kommun","name":"Fagersta kommun"},
        {"id":"polis","name":"Polisen, lokalpolisområde Norra Västmanland"},
        {"id":"nvk","name":"Norra Västmanlands kommunalteknikförbund"},
        {"id":"nvu","name":"Norra Västmanlands utbildningsförbund"}]})"),
                                            true);
    return g;
}

inline const std::vector<std::string>& fagersta_orgs() {
    static const std::vector<std::string> ids = fagersta().organisation_ids();
    return ids;
}

// Characters that matter somewhere: Swedish letters, markup and JSON/Mustache syntax (exports), astral
// characters (surrogate pairs), and a few a text field must refuse (CR, C0/C1 controls, bidi overrides).
inline const std::vector<std::u16string>& alphabet() {
    static const std::vector<std::u16string> a = {
        u"a", u"b", u" ", u"å", u"ä", u"ö", u"Å", u"\n", u"\t", u"<", u">", u"&", u"\"", u"'", u"\\", u"{{", u"}}",
        u"{{{", u"/", u"=", u"😀", u"🇸🇪", u"é", u"\u200F", u"\r", u"\u0001", u"\u0085", u"\u202E", u"\u2066", u"\u007F"};
    return a;
}

// Text of whole characters (never a lone surrogate).
template <class R>
std::u16string make_text(R& r, std::size_t max_pieces) {
    std::u16string s;
    const std::size_t n = r.pick(max_pieces + 1);
    for (std::size_t k = 0; k < n; ++k) s += alphabet()[r.pick(alphabet().size())];
    return s;
}

// An operation on `doc` whose boundaries never cut a surrogate pair, except when `r` says so (rarely).
template <class R>
text_operation make_op(R& r, std::u16string_view doc) {
    text_operation op;
    std::size_t pos = 0;
    const bool sloppy = r.pick(32) == 0;  // let some operations cut a pair or miss the length
    while (pos < doc.size() && r.more() && r.pick(8) != 0) {
        const auto kind = r.pick(3);
        std::size_t n = 1 + r.pick(12);
        n = std::min(n, doc.size() - pos);
        if (!sloppy)
            while (pos + n < doc.size() && splits_surrogate_pair(doc, pos + n)) ++n;
        if (kind == 0) op.retain(n), pos += n;
        else if (kind == 1) op.remove(n), pos += n;
        else op.insert(make_text(r, 6));
    }
    op.retain(doc.size() - pos);
    if (r.pick(2)) op.insert(make_text(r, 8));
    if (sloppy && r.pick(2)) op.retain(1);  // one past the end
    return op;
}

struct generated {
    change c;
    identity who;
};

// A change for `doc`, mostly one the document accepts, with an identity that mostly may make it.
template <class R>
generated make_change(R& r, const meeting_document& doc) {
    const auto& t = doc.tmpl();
    const auto& orgs = doc.organisations();
    const std::string topic = t.topics.empty() ? "none" : t.topics[r.pick(t.topics.size())].id;
    const std::string org = orgs.empty() ? "none" : orgs[r.pick(orgs.size())];
    identity who{"Fuzz", org, r.pick(4) == 0 ? role::participant : role::chair};
    if (r.pick(16) == 0) who.org = orgs.empty() ? "x" : orgs[r.pick(orgs.size())];  // maybe not theirs
    if (r.pick(32) == 0) who.role = role::bra_member;                              // may not write at all
    const auto& entries = [&]() -> const std::vector<entry>& {
        static const std::vector<entry> none;
        try {
            const auto& ts = doc.topic(topic);
            const auto it = ts.cells.find(org);
            return it == ts.cells.end() ? none : it->second.entries;
        } catch (const domain_error&) {
            return none;
        }
    }();
    auto some_entry = [&]() -> std::string {
        if (!entries.empty() && r.pick(4) != 0) return entries[r.pick(entries.size())].id;
        return "e" + std::to_string(r.pick(12));
    };
    auto current_text = [&](const field_ref& ref) -> std::u16string {
        try {
            return doc.field(ref).text;
        } catch (const domain_error&) {
            return {};
        }
    };
    switch (r.pick(8)) {
        case 0:
        case 1:
            return {add_entry_change{topic, org, "e" + std::to_string(r.pick(12))}, who};
        case 2:
            return {remove_entry_change{topic, org, some_entry()}, who};
        case 3: {  // a topic field: the chair's
            const auto& fs = t.topic_fields;
            const field_def& f = fs[r.pick(fs.size())];
            field_ref ref{topic, "", "", f.id};
            if (f.kind == field_kind::choice || r.pick(16) == 0) {
                std::string v = f.choices.empty() || r.pick(5) == 0 ? "" : f.choices[r.pick(f.choices.size())];
                if (r.pick(16) == 0) v = "inte ett val";
                return {set_change{ref, v}, who};
            }
            return {text_change{ref, make_op(r, current_text(ref))}, who};
        }
        default: {  // an entry field
            const auto& fs = t.entry_fields;
            const field_def& f = fs[r.pick(fs.size())];
            field_ref ref{topic, org, some_entry(), f.id};
            if (f.kind == field_kind::choice) {
                std::string v = f.choices.empty() || r.pick(5) == 0 ? "" : f.choices[r.pick(f.choices.size())];
                return {set_change{ref, v}, who};
            }
            if (r.pick(64) == 0) ref.field = "ingen";  // a field the template lacks
            return {text_change{ref, make_op(r, current_text(ref))}, who};
        }
    }
}

// A document must survive to_json → from_json unchanged, and what it counts (text, encoded bytes) must
// match what a fresh load counts.
inline void check_document(const meeting_document& doc, const char* where) {
    const nlohmann::json j = doc.to_json();
    if (doc.json_text() != j.dump()) fail(std::string(where) + ": json_text differs from to_json().dump()");
    meeting_document again = [&] {
        try {
            return meeting_document::from_json(doc.tmpl_ptr(), doc.organisations(), j);
        } catch (const domain_error& e) {
            fail(std::string(where) + ": a document's own JSON does not load: " + e.what());
        }
    }();
    if (!(again == doc)) fail(std::string(where) + ": to_json → from_json changed the document");
    if (again.to_json() != j) fail(std::string(where) + ": to_json differs after a round trip");
    if (again.total_text() != doc.total_text())
        fail(std::string(where) + ": total_text " + std::to_string(doc.total_text()) + " but a fresh load counts " +
             std::to_string(again.total_text()));
    if (again.encoded_bytes() != doc.encoded_bytes())
        fail(std::string(where) + ": encoded_bytes " + std::to_string(doc.encoded_bytes()) + " but a fresh load counts " +
             std::to_string(again.encoded_bytes()));
}

// A state must survive snapshot → from_snapshot: same revision, document and sequence records.
inline void check_state(const meeting_state& s, const char* where) {
    const nlohmann::json snap = s.snapshot();
    try {
        const auto back = meeting_state::from_snapshot(s.document().tmpl_ptr(), s.document().organisations(), snap, s.bounds());
        if (back.rev() != s.rev() || !(back.document() == s.document()) || back.snapshot() != snap)
            fail(std::string(where) + ": snapshot → from_snapshot changed the state");
        if (back.encoded_bytes() != s.encoded_bytes())
            fail(std::string(where) + ": encoded_bytes " + std::to_string(s.encoded_bytes()) + " but a fresh load counts " +
                 std::to_string(back.encoded_bytes()));
    } catch (const domain_error& e) {
        fail(std::string(where) + ": a state's own snapshot does not load: " + e.what());
    }
    check_document(s.document(), where);
}

// Submits a generated change as the next change of one of three clients; an applied one must raise the
// revision by one and, when `check_refusal` (a copy of the document each time), a refused one must change
// nothing.
template <class R>
void submit_generated(meeting_state& s, R& r, bool check_refusal = true) {
    generated g = make_change(r, s.document());
    const std::string client = "fuzz-client-" + std::to_string(r.pick(3));
    const std::uint64_t seq = s.last_seq(client) + 1;
    const std::uint64_t rev = s.rev();
    const std::uint64_t base = r.pick(8) == 0 ? rev - std::min<std::uint64_t>(rev, r.pick(4)) : rev;
    std::optional<meeting_document> before;
    if (check_refusal) before.emplace(s.document());
    try {
        const auto applied = s.submit(client, seq, base, std::move(g.c), g.who);
        if (!applied) fail("a fresh seq was taken for a resend");
        if (s.rev() != rev + 1 || s.rev() <= rev) fail("an applied change did not raise the revision by one");
        if (s.last_seq(client) != seq) fail("an applied change did not record its seq");
    } catch (const domain_error&) {
        if (s.rev() != rev || (before && !(s.document() == *before))) fail("a refused change changed the state");
    }
}

// A directory under $TMPDIR that goes with the process.
class temp_dir {
public:
    explicit temp_dir(const std::string& name)
        : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace est::fuzz
