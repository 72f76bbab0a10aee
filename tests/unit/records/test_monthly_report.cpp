// The monthly report's record and its HTML and Markdown forms (server/src/records/monthly_report.cpp), from
// pictures made here: what each group's month holds, which items it lists, one chart point per meeting per
// topic, the seal in its own namespace, and participants' text kept inert.
#include "est/server/records/monthly_report.hpp"

#include <catch2/catch.hpp>

#include "../../support/count_of.hpp"
#include "../../support/scratch.hpp"
#include "../fixtures.hpp"
#include "report_fixtures.hpp"
#include "est/change.hpp"
#include "est/limits.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/sshsig.hpp"

using namespace est;
using namespace est::server;
using namespace est::server::records;
using est::test::closed_meeting;
using est::test::make_group;
using json = nlohmann::json;

namespace {

bra_item item(const std::string& meeting, const std::string& g, const std::string& id, const std::string& title) {
    bra_item i;
    i.id = meeting + ".andt." + id;
    i.group_id = g;
    i.meeting_id = meeting;
    i.meeting_title = "EST-möte";
    i.meeting_date = "2026-12-01";
    i.topic_id = "andt";
    i.topic_title = "ANDT";
    i.fields = {{"rubrik", title}, {"typ", "orsaksanalys"}, {"till_bra", "ja"}};
    return i;
}

void decide(bra_item& i, bra_verdict v) {
    bra_request r;
    r.kind = bra_event_kind::decide;
    r.version = i.record.version();
    r.verdict = v;
    if (v == bra_verdict::approve) {
        r.owner_org = "polis";
        r.contact = "Anna Berg";
        r.due = "2099-03-01";
    } else {
        r.reason = "Ingår redan i annat arbete";
    }
    i.record.apply(bra_event{r, {"a1", "Bo BRÅ", "", "bra_member"}, "2026-11-20T10:00:00Z", i.record.version() + 1});
}

report_input two_groups() {
    report_input in{*report_month::parse("2026-12"), {}, "2026-12-31 16:00 (+01:00)", *calendar_date::parse("2026-12-31"), 6};
    // Sala: an earlier meeting in November and one in December; Heby: one in December only.
    report_group sala{make_group("sala", "EST Sala"), {}, {}, {}};
    const auto nov = closed_meeting("s-nov", "sala", "2026-11-17", 1, "låg");
    const auto dec = closed_meeting("s-dec", "sala", "2026-12-01", 2, "hög", "<script>alert(1)</script> # rubrik");
    sala.in_month = {dec};
    sala.chart = {nov, dec};
    auto sent = item("s-dec", "sala", "d1", "Fördjupad kartläggning");
    auto approved = item("s-nov", "sala", "d2", "Trygghetsvandring");
    decide(approved, bra_verdict::approve);
    auto rejected = item("s-nov", "sala", "d3", "Avslaget ärende");
    decide(rejected, bra_verdict::reject);
    sala.items = {sent, approved, rejected};
    report_group heby{make_group("heby", "EST Heby"), {}, {}, {}};
    const auto h = closed_meeting("h-dec", "heby", "2026-12-08", 1, "förhöjd");
    heby.in_month = {h};
    heby.chart = {h};
    heby.items = {item("h-dec", "heby", "d1", "Medborgarlöfte")};
    in.groups = {sala, heby};
    return in;
}

}  // namespace

TEST_CASE("a monthly report's record holds each group's month, its items and a level series per topic",
          "[records][report]") {
    const json r = monthly_report::record(two_groups(), nullptr);
    CHECK(r.at("type") == "est-live/monthly-report");
    CHECK(r.at("month") == "2026-12");
    CHECK(r.at("month_label") == "december 2026");
    REQUIRE(r.at("groups").size() == 2);
    const json& sala = r.at("groups").at(0);
    REQUIRE(sala.at("meetings").size() == 1);
    const json& dec = sala.at("meetings").at(0);
    CHECK(dec.at("id") == "s-dec");
    CHECK(dec.at("digest").get<std::string>().size() == 64);
    const auto topics = test::biweekly()->topics.size();
    REQUIRE(dec.at("topics").size() == topics);
    for (const auto& t : dec.at("topics")) CHECK(t.at("level") == "hög");
    // The month's item, then the one still running from November; the rejected one is done with.
    REQUIRE(sala.at("items").size() == 2);
    CHECK(sala.at("items").at(0).at("id") == "s-dec.andt.d1");
    CHECK(sala.at("items").at(0).at("in_month") == true);
    CHECK(sala.at("items").at(0).at("status") == "awaiting");
    CHECK(sala.at("items").at(1).at("id") == "s-nov.andt.d2");
    CHECK(sala.at("items").at(1).at("in_month") == false);
    CHECK(sala.at("items").at(1).at("status") == "approved");
    // One chart per topic, one point per charted meeting.
    REQUIRE(sala.at("charts").size() == topics);
    for (const auto& c : sala.at("charts")) {
        CHECK(c.at("levels") == json({"låg", "förhöjd", "hög"}));
        REQUIRE(c.at("points").size() == 2);
        CHECK(c.at("points").at(0).at("level") == "låg");
        CHECK(c.at("points").at(1).at("level") == "hög");
    }
    CHECK(r.at("groups").at(1).at("charts").at(0).at("points").size() == 1);
}

TEST_CASE("the HTML report shows both groups, their items and an SVG chart per topic, and seals it all",
          "[records][report]") {
    test::scratch_dir dir;
    const auto keys = signing_keys::open(dir.path());
    const monthly_report report(monthly_report::built_in_template(), "built-in");
    const json r = monthly_report::record(two_groups(), keys.get());
    const std::string html = report.html(r, keys.get());
    const auto topics = test::biweekly()->topics.size();
    for (const char* text : {"EST Sala", "EST Heby", "Fördjupad kartläggning", "Trygghetsvandring", "Medborgarlöfte",
                             "inkommen", "bifall", "Polisen", "december 2026"})
        CHECK(html.find(text) != std::string::npos);
    CHECK(html.find("Avslaget ärende") == std::string::npos);
    // Sala charts two meetings, Heby one: a point for each, per topic.
    CHECK(test::count_of(html, "<svg ") == 2 * topics);
    CHECK(test::count_of(html, "<circle") == 3 * topics);
    // What participants wrote is text, in the page and in its record.
    CHECK(html.find("<script>alert") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(test::count_of(html, "<script") == 1);  // the record's data block only
    CHECK(html.find("\\u003cscript>alert(1)\\u003c/script>") != std::string::npos);
    // The seal: every byte before it, in the report's namespace, not an export's.
    const std::string seal_start = "<!-- est-seal key=" + keys->current_key_id() + " sig=";
    const auto at = html.rfind(seal_start);
    REQUIRE(at != std::string::npos);
    const std::string sig = html.substr(at + seal_start.size(), html.size() - 5 - at - seal_start.size());
    const auto blob = sshsig::base64_decode(sig);
    REQUIRE(blob);
    CHECK(sshsig::verify(*blob, "est-live-report", html.substr(0, at), false).ok);
    CHECK_FALSE(sshsig::verify(*blob, "est-live-export", html.substr(0, at), false).ok);
    std::string altered = html.substr(0, at);
    altered[altered.find("EST Heby")] = 'X';
    CHECK_FALSE(sshsig::verify(*blob, "est-live-report", altered, false).ok);
}

TEST_CASE("the Markdown report has the same content, participants' text escaped, and its record last",
          "[records][report]") {
    const json r = monthly_report::record(two_groups(), nullptr);
    const std::string md = monthly_report::markdown(r, nullptr);
    CHECK(md.starts_with("# Månadsrapport december 2026\n"));
    for (const char* text : {"## EST Sala, Sala", "## EST Heby, Sala", "Fördjupad kartläggning", "Trygghetsvandring",
                             "| Möte | Nivå |", "| 2026-11-17 | låg |", "| 2026-12-01 | hög |"})
        CHECK(md.find(text) != std::string::npos);
    CHECK(md.find("\\<script\\>alert(1)\\</script\\> \\# rubrik") != std::string::npos);
    const auto record = md.rfind("```json est-record\n");
    REQUIRE(record != std::string::npos);
    const auto end = md.find("\n```\n", record + 19);
    CHECK(json::parse(md.substr(record + 19, end - record - 19)) == r);
    CHECK(md.find("<!-- est-seal") == std::string::npos);  // no key, no seal
}

TEST_CASE("a report lists the key that seals it and every older key its closings were signed with", "[report]") {
    test::scratch_dir dir;
    const auto keys = signing_keys::open(dir.path());
    const std::string old_id = keys->current_key_id();
    report_input in = two_groups();
    for (auto& g : in.groups)
        for (auto& m : g.in_month) m.closing["key_id"] = old_id;
    keys->rotate();
    REQUIRE(keys->current_key_id() != old_id);
    const json r = monthly_report::record(in, keys.get());
    REQUIRE(r.at("keys").size() == 2);
    CHECK(r["keys"][0]["key_id"] == keys->current_key_id());
    CHECK(r["keys"][0]["current"] == true);
    CHECK(r["keys"][1]["key_id"] == old_id);
    CHECK(r["keys"][1]["current"] == false);
}
