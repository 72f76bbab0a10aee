#include "est/permissions.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "est/error.hpp"

using est::identity;
using est::role;

namespace {

const est::meeting_template& biweekly() {
    static const auto t = est::meeting_template::load_file(EST_SOURCE_DIR "/templates/est-biweekly.json");
    return t;
}

identity person(role r, const char* org = "polis") { return {"Anna Andersson", org, r}; }

struct failure {
    std::string code;
    std::string message;
};
failure check(const identity& who, const est::change& c) {
    try {
        est::check_may_apply(who, c, biweekly());
    } catch (const est::domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(allowed)", ""};
}

est::change cell_text(const char* org) {
    return est::text_change{{"hot-och-vald", org, "e1", "handelse"}, est::text_operation{}.insert(u"x")};
}
est::change cell_set(const char* org) { return est::set_change{{"hot-och-vald", org, "e1", "trend"}, "ökar"}; }
est::change add(const char* org) { return est::add_entry_change{"hot-och-vald", org, "e1"}; }
est::change remove_entry(const char* org) { return est::remove_entry_change{"hot-och-vald", org, "e1"}; }
est::change topic_text(const char* field = "bedomning") {
    return est::text_change{{"hot-och-vald", "", "", field}, est::text_operation{}.insert(u"x")};
}
est::change topic_set() { return est::set_change{{"hot-och-vald", "", "", "niva"}, "hög"}; }

}  // namespace

TEST_CASE("may_write_cell: own organisation only, roles taking part only", "[permissions]") {
    CHECK(est::may_write_cell(person(role::participant), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::participant), "kommun"));
    CHECK(est::may_write_cell(person(role::chair), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::chair), "kommun"));
    CHECK(est::may_write_cell(person(role::cosigner), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::cosigner), "skola"));
    CHECK_FALSE(est::may_write_cell(person(role::bra_member), "polis"));
    CHECK_FALSE(est::may_write_cell(person(role::admin), "polis"));
}

TEST_CASE("may_write_topic_field: the chair alone", "[permissions]") {
    for (const auto& def : biweekly().topic_fields) {
        INFO(def.id);
        CHECK(est::may_write_topic_field(person(role::chair), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::participant), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::cosigner), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::bra_member), def));
        CHECK_FALSE(est::may_write_topic_field(person(role::admin), def));
    }
    est::field_def unmarked{"note", "Anteckning", est::field_kind::text, {}, 0, false};
    CHECK(est::may_write_topic_field(person(role::chair), unmarked));
    CHECK_FALSE(est::may_write_topic_field(person(role::participant), unmarked));
}

TEST_CASE("check_may_apply: a participant writes their own organisation's cells", "[permissions]") {
    const auto p = person(role::participant, "polis");
    for (const auto& c : {cell_text("polis"), cell_set("polis"), add("polis"), remove_entry("polis")})
        CHECK(check(p, c).code == "(allowed)");
    for (const auto& c : {cell_text("kommun"), cell_set("kommun"), add("kommun"), remove_entry("skola")}) {
        const auto f = check(p, c);
        CHECK(f.code == "forbidden");
        CHECK_THAT(f.message, Catch::Contains("polis"));
    }
    const auto f = check(p, add("kommun"));
    CHECK_THAT(f.message, Catch::Contains("kommun"));
}

TEST_CASE("check_may_apply: topic fields are the chair's", "[permissions]") {
    CHECK(check(person(role::chair), topic_text()).code == "(allowed)");
    CHECK(check(person(role::chair), topic_text("prioriteringar")).code == "(allowed)");
    CHECK(check(person(role::chair), topic_set()).code == "(allowed)");
    // The chair also writes their own organisation's cells, not others'.
    CHECK(check(person(role::chair, "polis"), cell_text("polis")).code == "(allowed)");
    CHECK(check(person(role::chair, "polis"), cell_text("kommun")).code == "forbidden");

    for (role r : {role::participant, role::cosigner, role::bra_member, role::admin}) {
        INFO(est::to_string(r));
        const auto f = check(person(r), topic_text());
        CHECK(f.code == "forbidden");
        CHECK_THAT(f.message, Catch::Contains("Samlad bedömning"));
        CHECK(check(person(r), topic_set()).code == "forbidden");
    }
    // An unknown topic field is left for the document to report as not_found.
    CHECK(check(person(role::participant), topic_text("nope")).code == "(allowed)");
}

TEST_CASE("check_may_apply: bra_member and admin may not edit cells, not even their own", "[permissions]") {
    for (role r : {role::bra_member, role::admin}) {
        INFO(est::to_string(r));
        for (const auto& c : {cell_text("polis"), cell_set("polis"), add("polis"), remove_entry("polis")}) {
            const auto f = check(person(r, "polis"), c);
            CHECK(f.code == "forbidden");
            CHECK_THAT(f.message, Catch::Contains(std::string(est::to_string(r))));
        }
    }
}

TEST_CASE("cosigner writes own cells like a participant", "[permissions]") {
    CHECK(check(person(role::cosigner, "skola"), cell_text("skola")).code == "(allowed)");
    CHECK(check(person(role::cosigner, "skola"), add("polis")).code == "forbidden");
}
