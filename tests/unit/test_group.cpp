#include "est/group.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"

using json = nlohmann::json;

namespace {
struct failure {
    std::string code;
    std::string message;
};
failure group_error(const json& j, bool id_required = true) {
    try {
        est::group::from_json(j, id_required);
    } catch (const est::domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(no error)", ""};
}
json sample() {
    return json::parse(R"({"id": "est-malmo", "name": "EST Malmö", "municipality": "Malmö",
        "organisations": [{"id": "polis", "name": "Polisen"}, {"id": "kommun", "name": "Malmö stad"},
                          {"id": "skola", "name": "Skolförvaltningen"}], "signers": ["chair", "cosigner"]})");
}
}  // namespace

TEST_CASE("group: from_json, queries and round trip", "[group]") {
    const auto g = est::group::from_json(sample(), true);
    CHECK(g.id == "est-malmo");
    CHECK(g.name == "EST Malmö");
    CHECK(g.municipality == "Malmö");
    REQUIRE(g.organisations.size() == 3);
    CHECK(g.organisations[1].name == "Malmö stad");
    CHECK(g.has_organisation("skola"));
    CHECK_FALSE(g.has_organisation("brandkaren"));
    CHECK(g.organisation_ids() == std::vector<std::string>{"polis", "kommun", "skola"});
    CHECK(g.to_json() == sample());
    CHECK(est::group::from_json(g.to_json(), true).to_json() == g.to_json());
}

TEST_CASE("group: id optional when the server assigns it", "[group]") {
    json j = sample();
    j.erase("id");
    CHECK(group_error(j, true).code == "bad_message");
    CHECK_THAT(group_error(j, true).message, Catch::Contains("id"));
    CHECK(est::group::from_json(j, false).id.empty());
}

TEST_CASE("group: validation names the field", "[group]") {
    json j = sample();
    j["organisations"][1]["id"] = "polis";
    auto f = group_error(j);
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("organisations[1].id"));

    j = sample();
    j["organisations"][2]["id"] = "Skola";
    f = group_error(j);
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("organisations[2].id"));

    j = sample();
    j["organisations"][0]["phone"] = "112";
    f = group_error(j);
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("organisations[0].phone"));

    j = sample();
    j["organisations"] = json::array();
    CHECK(group_error(j).code == "bad_message");

    j = sample();
    j["organisations"] = json::array();
    for (int i = 0; i < 51; ++i) j["organisations"].push_back({{"id", "o" + std::to_string(i)}, {"name", "Org"}});
    CHECK(group_error(j).code == "bad_message");

    j = sample();
    j["colour"] = "blue";
    CHECK_THAT(group_error(j).message, Catch::Contains("colour"));

    CHECK(group_error(json::array()).code == "bad_message");
}

TEST_CASE("group: retention_months is a whole number of months, 0 to 240, written only when set", "[group][retention]") {
    // Absent: kept for ever, and absent again from the JSON (groups made before the setting keep their JSON).
    CHECK(est::group::from_json(sample(), true).retention_months == 0);
    CHECK_FALSE(est::group::from_json(sample(), true).to_json().contains("retention_months"));
    for (const unsigned months : {1u, 36u, est::max_retention_months}) {
        json j = sample();
        j["retention_months"] = months;
        const auto g = est::group::from_json(j, true);
        CHECK(g.retention_months == months);
        CHECK(g.to_json() == j);
    }
    json zero = sample();
    zero["retention_months"] = 0;
    CHECK(est::group::from_json(zero, true).retention_months == 0);
    CHECK(est::group::from_json(zero, true).to_json() == sample());

    for (const json& bad : {json(241), json(-1), json(1.5), json("12"), json(true), json(nullptr), json::array({12}),
                            json(std::uint64_t{1} << 63)}) {
        INFO(bad.dump());
        json j = sample();
        j["retention_months"] = bad;
        const auto f = group_error(j);
        CHECK(f.code == "bad_message");
        CHECK_THAT(f.message, Catch::Contains("retention_months") && Catch::Contains("240"));
    }
    CHECK(est::retention_months_from_json(json(12), "x") == 12);
    CHECK_THROWS_WITH(est::retention_months_from_json(json(300), "body.retention_months"),
                      Catch::Contains("'body.retention_months'"));
}
