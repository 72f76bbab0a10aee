// est-decode-bench: the client library's cost per received op message, without a server or sockets.
// Builds a 15-participant meeting, records N op messages as the server encodes them (typing in each
// participant's own entry: Swedish text, emoji, 10 % deletes), then feeds them to a client_replica the
// way meeting_client does (server_message, then client_replica::on_message) and prints ns per message.
// For instruction counts, which a busy machine does not disturb:
//   valgrind --tool=callgrind --toggle-collect='*::feed*' est-decode-bench 20000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/client_replica.hpp"
#include "est/meeting_template.hpp"
#include "est/protocol.hpp"
#include "est/server_message.hpp"
#include "est/utf.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// The measured part: one server message per line, as meeting_client::on_one handles it.
__attribute__((noinline)) void feed(client_replica& r, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        const server_message msg(line);
        if (!r.on_message(msg).empty()) std::abort();  // a replica that only receives sends nothing
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: est-decode-bench N [template.json]\n");
        return 2;
    }
    const int n = std::atoi(argv[1]);
    const std::string template_file = argc > 2 ? argv[2] : EST_SOURCE_DIR "/templates/est-biweekly.json";
    constexpr unsigned people = 15;
    auto tmpl = std::make_shared<const meeting_template>(meeting_template::load_file(template_file));
    std::vector<std::string> orgs;
    json group = {{"id", "g"}, {"name", "Benchmark"}, {"organisations", json::array()}};
    for (unsigned i = 0; i < people; ++i) {
        orgs.push_back("o" + std::to_string(i + 1));
        group["organisations"].push_back({{"id", orgs.back()}, {"name", "Org " + std::to_string(i + 1)}});
    }
    meeting_document doc(tmpl, orgs);
    const limits lim;
    std::uint64_t rev = 0;
    std::vector<field_ref> fields;
    for (unsigned i = 0; i < people; ++i) {
        const auto& topic = tmpl->topics[i % tmpl->topics.size()].id;
        doc.apply(add_entry_change{topic, orgs[i], "e-" + std::to_string(i + 1)}, ++rev, lim);
        fields.push_back({topic, orgs[i], "e-" + std::to_string(i + 1), "handelse"});
    }
    const json meeting = {{"id", "m1"}, {"title", "Benchmöte"}, {"group", group}, {"template", tmpl->to_json()}};
    const std::string state = doc.to_json().dump();
    encode::welcome_parts w;
    w.meeting = &meeting;
    w.you = {"p1", {"Deltagare 1", orgs[0], role::participant}, std::nullopt};
    w.rev = rev;
    w.state = &state;
    const std::string welcome = encode::welcome(w);

    // Participant 0 receives; the others type.
    std::mt19937 rng(42);
    const std::u16string corpus = *utf8_to_utf16("Hot och våld mot tjänstemän ökar; ärendet gäller skolgården 😀 vid torget. ");
    std::vector<std::uint64_t> seq(people, 1);
    std::vector<std::size_t> at(people, 0);
    std::vector<std::string> lines;
    for (int k = 0; k < n; ++k) {
        const unsigned s = 1 + static_cast<unsigned>(rng() % (people - 1));
        const std::u16string& text = doc.field(fields[s]).text;
        text_operation op;
        if (!text.empty() && (rng() % 10 == 0 || text.size() >= 1000)) {
            const std::size_t d = text.size() >= 2 && text.back() >= 0xDC00 && text.back() <= 0xDFFF ? 2 : 1;
            op.retain(text.size() - d).remove(d);
        } else {
            const std::size_t p = at[s] % corpus.size();
            const std::size_t len = corpus[p] >= 0xD800 && corpus[p] <= 0xDBFF ? 2 : 1;
            op.retain(text.size()).insert(corpus.substr(p, len));
            at[s] += len;
        }
        const text_change c{fields[s], op};
        doc.apply(c, ++rev, lim);
        const participant_info by{"p" + std::to_string(s + 1), {"Deltagare " + std::to_string(s + 1), orgs[s], role::participant}, std::nullopt};
        lines.push_back(encode::op(rev, "b123456-" + std::to_string(s), seq[s]++, by, c));
    }

    client_replica r("b123456-0", "m1", {"Deltagare 1", orgs[0], role::participant});
    r.on_message(server_message(welcome));
    const auto t0 = std::chrono::steady_clock::now();
    feed(r, lines);
    const auto t1 = std::chrono::steady_clock::now();
    if (!(r.confirmed() == doc) || r.rev() != rev) {
        std::fprintf(stderr, "est-decode-bench: the replica differs from the document\n");
        return 1;
    }
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    std::printf("%d op messages: %.0f ns per message\n", n, n ? ns / n : 0.0);
    return 0;
}
