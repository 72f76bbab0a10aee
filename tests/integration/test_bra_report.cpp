// The monthly report to BRÅ and Länsstyrelsen through the real server (issue 14, GET /api/bra/report): two groups,
// a meeting closed in each this month with decision items sent to BRÅ; the report of every group the caller may
// read holds both meetings, their items and their status in the queue, and an SVG chart per topic with one point
// per meeting; HTML, Markdown and JSON; the wrong people and bad months are refused; the seal holds under stock
// ssh-keygen and under `est-cli verify`, breaks when one byte changes, and is never taken for an export's.
#include <ctime>
#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/count_of.hpp"
#include "../support/resealed.hpp"
#include "../support/scratch.hpp"
#include "accounts_fixture.hpp"
#include "child_process.hpp"
#include "live_member.hpp"
#include "est/sshsig.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

std::string answer_of(const client::http_result& r) {
    if (r.status == 200) return "200";
    return std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

std::string move(test::person& chair, const std::string& meeting, const json& body) {
    return answer_of(chair.http.post("/api/meetings/" + meeting + "/lifecycle", body));
}

void sign(test::person& who, const std::string& meeting) {
    const auto now = who.http.get("/api/meetings/" + meeting + "/export?format=json");
    REQUIRE(now.status == 200);
    const json j = json::parse(now.body);
    REQUIRE(answer_of(who.http.post("/api/meetings/" + meeting + "/lifecycle",
                                    {{"action", "sign"}, {"rev", j.at("rev")}, {"digest", j.at("digest")},
                                     {"password", test::accounts_fixture::password_of(who.key)}})) == "200");
}

// In `meeting`: `proposer` proposes item `item` in "andt" titled `title`; the chair sends it to BRÅ and sets every
// topic's level to `level`; then the chair locks, both sign and the chair closes.
void close_with_item(test::accounts_fixture& f, const std::string& meeting, test::person& proposer,
                     test::person& chair, test::person& cosigner, const std::string& item, const std::u16string& title,
                     const std::string& level) {
    {
        boost::asio::io_context ioc;
        test::live_member p(ioc, f.live_options(proposer, meeting));
        REQUIRE(p.join() == "allowed");
        REQUIRE(p.apply(add_item_change{"andt", item}) == "allowed");
        REQUIRE(p.append(field_ref{"andt", "", "", "rubrik", item}, title) == "allowed");
    }
    {
        boost::asio::io_context ioc;
        test::live_member c(ioc, f.live_options(chair, meeting));
        REQUIRE(c.join() == "allowed");
        REQUIRE(c.apply(set_change{field_ref{"andt", "", "", "till_bra", item}, "ja"}) == "allowed");
        for (const auto& t : c.welcome().at("meeting").at("template").at("topics"))
            REQUIRE(c.apply(set_change{field_ref{t.at("id").get<std::string>(), "", "", "niva"}, level}) == "allowed");
        REQUIRE(c.append(field_ref{"andt", "", "", "bedomning"}, u"Oro kring resecentrum") == "allowed");
    }
    REQUIRE(move(chair, meeting, {{"action", "lock_picture"}}) == "200");
    sign(chair, meeting);
    sign(cosigner, meeting);
    REQUIRE(move(chair, meeting, {{"action", "close"}}) == "200");
}

// This month, server local time: the server runs in the test's time zone.
std::string this_month() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char m[16];
    std::strftime(m, sizeof m, "%Y-%m", &tm);
    return m;
}

}  // namespace

TEST_CASE("the monthly report of a month with two closed meetings in two groups holds both, their items, and a "
          "chart whose SVG has a point per meeting per topic",
          "[bra][report][integration]") {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "chair", "cosigner", "bra_member", "non_member", "anonymous"};
    test::accounts_fixture f(o);
    auto& admin = f.at("server_admin");
    auto& bra = f.at("bra_member");
    // The other group gets its own chair and co-signer; the BRÅ member sits in both groups (one municipality,
    // one queue).
    auto& other_chair = f.invite("other_chair", role::chair, "polis", f.other_group());
    auto& other_cosigner = f.invite("other_cosigner", role::cosigner, "polis", f.other_group());
    REQUIRE(admin.http.put("/api/groups/" + f.other_group() + "/members/" + bra.id, {{"role", "bra_member"}}).status == 200);

    close_with_item(f, f.meeting(), f.at("participant_a"), f.at("chair"), f.at("cosigner"), "d1",
                    u"Fördjupad kartläggning vid resecentrum", "hög");
    const auto made = other_chair.http.post("/api/groups/" + f.other_group() + "/meetings",
                                            {{"title", "EST-möte Annan vecka 49"}});
    REQUIRE(made.status == 201);
    const std::string other_meeting = json::parse(made.body).at("id").get<std::string>();
    REQUIRE(move(other_chair, other_meeting, {{"action", "open"}}) == "200");
    close_with_item(f, other_meeting, other_chair, other_chair, other_cosigner, "e1", u"Medborgarlöfte om trygghet",
                    "förhöjd");
    // BRÅ approves the first group's item: the report shows its status in the queue.
    const std::string d1 = "/api/bra/items/" + f.meeting() + ".andt.d1";
    REQUIRE(bra.http.get("/api/bra/items").status == 200);
    REQUIRE(answer_of(bra.http.post(d1 + "/events", {{"kind", "decide"}, {"version", 1}, {"verdict", "approve"},
                                                      {"owner_org", "polis"}, {"contact", "Anna Berg"},
                                                      {"due", "2099-03-01"}})) == "200");

    const std::string month = this_month();
    const std::string report = "/api/bra/report?month=" + month;

    SECTION("JSON: both groups, each month's meeting with its levels, the items with their status, the series") {
        const auto r = bra.http.get(report + "&format=json");
        REQUIRE(r.status == 200);
        CHECK(r.content_disposition == "attachment; filename=\"manadsrapport-" + month + ".json\"");
        const json j = json::parse(r.body);
        CHECK(j.at("type") == "est-live/monthly-report");
        CHECK(j.at("month") == month);
        REQUIRE(j.at("groups").size() == 2);
        const json& other = j.at("groups").at(0);  // by id: "est-other" before "est-test"
        const json& test_group = j.at("groups").at(1);
        CHECK(other.at("id") == f.other_group());
        CHECK(test_group.at("id") == f.group());
        for (const auto& [g, meeting, level, item, status] :
             {std::tuple{&test_group, f.meeting(), "hög", f.meeting() + ".andt.d1", "approved"},
              std::tuple{&other, other_meeting, "förhöjd", other_meeting + ".andt.e1", "awaiting"}}) {
            REQUIRE(g->at("meetings").size() == 1);
            const json& m = g->at("meetings").at(0);
            CHECK(m.at("id") == meeting);
            CHECK(m.at("sequence") == 1);
            CHECK(m.at("closing").at("statement").get<std::string>().find(m.at("digest").get<std::string>()) !=
                  std::string::npos);
            for (const auto& t : m.at("topics")) CHECK(t.at("level") == level);
            REQUIRE(g->at("items").size() == 1);
            CHECK(g->at("items").at(0).at("id") == item);
            CHECK(g->at("items").at(0).at("status") == status);
            CHECK(g->at("items").at(0).at("in_month") == true);
            CHECK(g->at("charts").size() == m.at("topics").size());
            for (const auto& c : g->at("charts")) {
                REQUIRE(c.at("points").size() == 1);
                CHECK(c.at("points").at(0).at("meeting") == meeting);
                CHECK(c.at("points").at(0).at("level") == level);
            }
        }
        // One group only.
        const auto one = bra.http.get(report + "&format=json&group=" + f.group());
        REQUIRE(one.status == 200);
        CHECK(json::parse(one.body).at("groups").size() == 1);
        CHECK(one.content_disposition == "attachment; filename=\"manadsrapport-" + month + "-" + f.group() + ".json\"");
        // A month without closings has the groups and their running items, no meetings, empty charts.
        const json empty = json::parse(bra.http.get("/api/bra/report?month=2001-01&format=json").body);
        CHECK(empty.at("groups").at(0).at("meetings").empty());
        CHECK(empty.at("groups").at(0).at("charts").empty());
    }

    SECTION("HTML: both meetings, their items and statuses, one SVG per topic with one point per meeting, sealed") {
        const auto r = bra.http.get(report);
        REQUIRE(r.status == 200);
        CHECK(r.content_type == "text/html; charset=utf-8");
        CHECK(r.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'");
        CHECK(r.header("Cache-Control") == "no-store");
        const std::string& html = r.body;
        for (const std::string text : {std::string("EST-möte vecka 47"), std::string("EST-möte Annan vecka 49"),
                                       std::string("Fördjupad kartläggning vid resecentrum"),
                                       std::string("Medborgarlöfte om trygghet"), std::string("bifall"),
                                       std::string("inkommen"), std::string("Oro kring resecentrum")})
            CHECK(html.find(text) != std::string::npos);
        const json tmpl = json::parse(bra.http.get("/api/template").body);
        const std::size_t topics = tmpl.at("topics").size();
        // Two groups, one closed meeting each: per topic a chart, per meeting and topic one point.
        CHECK(test::count_of(html, "<svg ") == 2 * topics);
        CHECK(test::count_of(html, "<circle") == 2 * topics);
        CHECK(test::count_of(html, "role=\"img\"") == 2 * topics);
        CHECK(html.find("<script type=\"application/json\" id=\"est-record\">") != std::string::npos);
        // The same report again is the same bytes (kept while nothing it shows has changed).
        CHECK(bra.http.get(report).body == html);

        // The seal, checked with stock OpenSSH as docs/records.md says, against the key the server publishes.
        test::temp_dir dir;
        const json keys = json::parse(f.at("anonymous").http.get("/api/keys").body);
        const std::string key = keys.at("keys").at(0).at("public_key").get<std::string>();
        test::write_file(dir.path() + "/allowed_signers", "est-live " + key.substr(0, key.rfind(' ')) + "\n");
        test::write_file(dir.path() + "/report.html", html);
        const std::string verify =
            "cd '" + dir.path() + "' && head -n -1 report.html > sealed.bin && "
            "{ echo '-----BEGIN SSH SIGNATURE-----'; tail -n 1 report.html | sed 's/.* sig=\\([^ ]*\\) -->$/\\1/' | fold -w 70; "
            "echo '-----END SSH SIGNATURE-----'; } > seal.sig && "
            "ssh-keygen -Y verify -f allowed_signers -I est-live -n est-live-report -s seal.sig < sealed.bin";
        const auto good = test::run_program({"/bin/sh", "-c", verify});
        INFO(good.output);
        CHECK(good.exit_code == 0);
        // Not an export's seal: the namespace differs.
        const auto as_export = test::run_program(
            {"/bin/sh", "-c", "cd '" + dir.path() + "' && ssh-keygen -Y verify -f allowed_signers -I est-live -n est-live-export -s seal.sig < sealed.bin"});
        CHECK(as_export.exit_code != 0);
        // One changed byte anywhere before the seal line breaks it.
        std::string altered = html;
        const auto at = altered.find("Medborgarlöfte om trygghet");
        altered[at] = 'm';
        test::write_file(dir.path() + "/report.html", altered);
        const auto bad = test::run_program({"/bin/sh", "-c", verify});
        CHECK(bad.exit_code != 0);
    }

    SECTION("Markdown: the same content, each chart as a table, the record last, sealed") {
        const auto r = bra.http.get(report + "&format=md");
        REQUIRE(r.status == 200);
        CHECK(r.content_type == "text/markdown; charset=utf-8");
        CHECK(r.content_disposition == "attachment; filename=\"manadsrapport-" + month + ".md\"");
        for (const std::string text : {std::string("## EST-gruppen Test"), std::string("## EST-gruppen Annan"),
                                       std::string("#### EST-möte vecka 47"), std::string("#### EST-möte Annan vecka 49"),
                                       std::string("Fördjupad kartläggning vid resecentrum"),
                                       std::string("Medborgarlöfte om trygghet"), std::string("| hög |"),
                                       std::string("| förhöjd |"), std::string("```json est-record\n")})
            CHECK(r.body.find(text) != std::string::npos);
        CHECK(r.body.rfind("<!-- est-seal key=SHA256:") != std::string::npos);
        CHECK(r.body.ends_with(" -->\n"));
        CHECK(bra.http.get(report + "&format=markdown").body == r.body);  // "markdown" as the exports say it
    }

    SECTION("est-cli verify: the report intact as HTML and Markdown, altered by one byte, never taken for an export") {
        test::temp_dir dir;
        const std::string url = "http://" + f.server().host() + ":" + f.server().port();
        const auto verify = [&](const std::string& name, const std::string& bytes) {
            test::write_file(dir.path() + "/" + name, bytes);
            return test::run_program({EST_CLI_BIN, "verify", dir.path() + "/" + name, "--server", url});
        };
        for (const std::string format : {"html", "md"}) {
            INFO(format);
            const auto r = bra.http.get(report + "&format=" + format);
            REQUIRE(r.status == 200);
            const auto good = verify("report." + format, r.body);
            INFO(good.output);
            CHECK(good.exit_code == 0);
            CHECK(good.output.rfind("INTAKT / INTACT: månadsrapport " + month, 0) == 0);
            CHECK(good.output.find("2 groups, 2 meetings with their closings: " + f.other_group() + " 1 meeting, " +
                                   f.group() + " 1 meeting") != std::string::npos);
            CHECK(good.output.find("keys from " + url + "/api/keys") != std::string::npos);

            std::string altered = r.body;
            const auto at = altered.find("Medborgarlöfte om trygghet");
            REQUIRE(at != std::string::npos);
            altered[at] = 'm';
            const auto bad = verify("altered." + format, altered);
            INFO(bad.output);
            CHECK(bad.exit_code == 1);
            CHECK(bad.output.rfind("ÄNDRAD / ALTERED: sigillet stämmer inte med filens innehåll", 0) == 0);

            // The report's very bytes under an export's seal by the server's key: refused by the namespace.
            const auto as_export = verify("as-export." + format, test::resealed(f.data_dir(), r.body, "est-live-export"));
            INFO(as_export.output);
            CHECK(as_export.exit_code == 1);
            CHECK(as_export.output.find("the signature is for namespace \"est-live-export\", not \"est-live-report\"") !=
                  std::string::npos);
        }
        // The JSON report: its closings checked, and said to have no seal.
        const auto as_json = verify("report.json", bra.http.get(report + "&format=json").body);
        INFO(as_json.output);
        CHECK(as_json.exit_code == 0);
        CHECK(as_json.output.find("the JSON form has no seal") != std::string::npos);
        // And the other way: an export of a meeting of the month under a report's seal by the server's key.
        const auto exported = f.at("chair").http.get("/api/meetings/" + f.meeting() + "/export?format=markdown");
        REQUIRE(exported.status == 200);
        CHECK(verify("export.md", exported.body).exit_code == 0);
        const auto as_report = verify("as-report.md", test::resealed(f.data_dir(), exported.body, "est-live-report"));
        INFO(as_report.output);
        CHECK(as_report.exit_code == 1);
        CHECK(as_report.output.find("the signature is for namespace \"est-live-report\", not \"est-live-export\"") !=
              std::string::npos);
    }

    SECTION("who may read it, and what is refused") {
        // Anonymous: sign in first. A group one is not in: as if it did not exist.
        CHECK(answer_of(f.at("anonymous").http.get(report)) == "401 sign_in_required");
        CHECK(answer_of(f.at("non_member").http.get(report + "&group=" + f.group())) == "404 not_found");
        CHECK(answer_of(f.at("non_member").http.get(report + "&group=no-such-group")) == "404 not_found");
        // Without a group: only one's own groups.
        const auto own = f.at("non_member").http.get(report + "&format=json");
        REQUIRE(own.status == 200);
        const json j = json::parse(own.body);
        REQUIRE(j.at("groups").size() == 1);
        CHECK(j.at("groups").at(0).at("id") == f.other_group());
        // Every member of a group reads its report, not only BRÅ.
        CHECK(f.at("participant_a").http.get(report + "&group=" + f.group()).status == 200);
        for (const char* bad : {"/api/bra/report", "/api/bra/report?month=2026-13", "/api/bra/report?month=2026-1",
                                "/api/bra/report?month=december"})
            CHECK(answer_of(bra.http.get(bad)) == "400 bad_message");
        CHECK(answer_of(bra.http.get(report + "&format=pdf")) == "400 bad_format");
        CHECK(answer_of(bra.http.post(report, json::object())) == "405 method_not_allowed");
    }
}
