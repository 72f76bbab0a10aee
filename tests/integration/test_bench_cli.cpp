// est-bench, the load generator behind docs/performance.md, against the real server. Its figures are not checked
// (no timed assertions here); what is checked is that it still speaks the protocol, so that the figures it prints
// mean something: a short run must come out clean, every op it receives attributed to the participant who sent
// it, nothing lost, no error.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "server_process.hpp"

namespace {

using json = nlohmann::json;

}  // namespace

TEST_CASE("est-bench runs a short load clean against the real server", "[bench][cli][integration]") {
    est::test::temp_dir dir;
    // As scripts/bench/lib.sh starts it: one address opens every connection, creates and opens every meeting.
    est::test::server_process server(dir.path(), {"--max-connections-per-address", "0", "--max-creations-per-minute", "0",
                                                  "--max-moves-per-minute", "0"});
    const auto run = est::test::run_program({EST_BENCH_BIN, "--server", "http://" + server.host() + ":" + server.port(),
                                             "--threads", "1", "--json", "--quiet", "--meetings", "2", "--participants",
                                             "3", "--rate", "4", "--duration", "1", "--warmup", "0"});
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    // With --json --quiet the output is one JSON line.
    const json r = json::parse(run.output);
    CHECK(r.at("ok") == true);
    CHECK(r.at("attribution_mismatches") == 0);
    CHECK(r.at("unattributed") == 0);
    CHECK(r.at("lost") == 0);
    CHECK(r.at("errors") == 0);
    CHECK(r.at("meetings_identical") == 2);
    // Each of the three participants' changes reached the other two, and was counted there.
    CHECK(r.at("deliveries_total").get<std::uint64_t>() > 0);
    CHECK(r.at("deliveries_total") == r.at("deliveries_expected"));
}
