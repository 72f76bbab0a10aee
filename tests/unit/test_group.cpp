#include "est/group.hpp"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

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
// The group's JSON as the server writes it: each organisation with its label (here its name: none has a comma).
json labelled(json j) {
    for (auto& o : j["organisations"]) o["label"] = o["name"];
    return j;
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
    CHECK(g.to_json() == labelled(sample()));
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
        CHECK(g.to_json() == labelled(j));
    }
    json zero = sample();
    zero["retention_months"] = 0;
    CHECK(est::group::from_json(zero, true).retention_months == 0);
    CHECK(est::group::from_json(zero, true).to_json() == labelled(sample()));

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

namespace {
std::vector<est::organisation> orgs(std::initializer_list<std::pair<const char*, const char*>> names) {
    std::vector<est::organisation> out;
    int i = 0;
    for (const auto& [name, short_name] : names) out.push_back({"o" + std::to_string(i++), name, short_name});
    return out;
}
}  // namespace

TEST_CASE("group: organisation labels cut at the first comma unless two would read the same", "[group][short_name]") {
    const auto labels = est::organisation_labels(orgs({{"Polisen, lokalpolisområde Norra Västmanland", ""},
                                                       {"Sala kommun, socialtjänsten", ""},
                                                       {"Sala kommun, förskola och skola", ""},
                                                       {"Salabostäder AB", ""}}));
    CHECK(labels == std::vector<std::string>{"Polisen", "Sala kommun, socialtjänsten", "Sala kommun, förskola och skola",
                                             "Salabostäder AB"});
}

TEST_CASE("group: an organisation's own short name wins and frees the cut name for another", "[group][short_name]") {
    const auto labels = est::organisation_labels(
        orgs({{"Sala kommun, socialtjänsten", "Socialtjänsten"}, {"Sala kommun, skolan", ""}, {"Polisen", "Sala kommun"}}));
    // "Polisen" is called "Sala kommun" by its administrator, so "Sala kommun, skolan" may not shorten to that.
    CHECK(labels == std::vector<std::string>{"Socialtjänsten", "Sala kommun, skolan", "Sala kommun"});
    CHECK(est::organisation_labels(orgs({{"Sala kommun, socialtjänsten", "Socialtjänsten"}, {"Sala kommun, skolan", ""}})) ==
          std::vector<std::string>{"Socialtjänsten", "Sala kommun"});
}

TEST_CASE("group: short names are set, cleared and written back", "[group][short_name]") {
    auto g = est::group::from_json(sample(), true);
    g.set_short_names(json{{"polis", "LPO Malmö"}, {"skola", "Skolan"}}, "short_names");
    CHECK(g.organisations[0].short_name == "LPO Malmö");
    const json j = g.to_json();
    CHECK(j["organisations"][0]["short_name"] == "LPO Malmö");
    CHECK(j["organisations"][0]["label"] == "LPO Malmö");
    CHECK_FALSE(j["organisations"][1].contains("short_name"));
    CHECK(est::group::from_json(j, true).to_json() == j);
    g.set_short_names(json{{"polis", ""}}, "short_names");
    CHECK(g.organisations[0].short_name.empty());
    CHECK(g.organisations[2].short_name == "Skolan");
}

TEST_CASE("group: bad short names are refused and change nothing", "[group][short_name]") {
    auto g = est::group::from_json(sample(), true);
    g.set_short_names(json{{"skola", "Skolan"}}, "short_names");
    const json before = g.to_json();
    const auto refused = [&](const json& body) {
        try {
            g.set_short_names(body, "short_names");
        } catch (const est::domain_error& e) {
            CHECK(e.code() == "bad_message");
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(refused(json{{"brandkaren", "Räddningstjänsten"}}), Catch::Contains("brandkaren"));
    CHECK_THAT(refused(json{{"polis", "Skolan"}}), Catch::Contains("two organisations"));
    CHECK_THAT(refused(json{{"polis", std::string(est::max_short_name_bytes + 1, 'x')}}), Catch::Contains("polis"));
    CHECK_THAT(refused(json{{"polis", "rad\nbrytning"}}), Catch::Contains("polis"));
    CHECK_THAT(refused(json{{"polis", 7}}), Catch::Contains("polis"));
    CHECK_THAT(refused(json::array()), Catch::Contains("short_names"));
    CHECK(g.to_json() == before);
    json dup = sample();
    dup["organisations"][0]["short_name"] = "X";
    dup["organisations"][1]["short_name"] = "X";
    CHECK_THAT(group_error(dup).message, Catch::Contains("two organisations"));
}
