#include "est/server/picture_report.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "../support/count_of.hpp"

using namespace est;
using est::test::count_of;
using est::test::U;

namespace {

const std::filesystem::path html_file = EST_SOURCE_DIR "/templates/export/lagesbild.html.mustache";

server::picture_report report_from_file() {
    return server::picture_report(server::picture_report::read_template(html_file), html_file.string());
}

text_operation insert(std::size_t len, const std::u16string& s) {
    text_operation op;
    op.retain(len).insert(s);
    return op;
}

struct picture_fixture {
    group grp{"g", "Gruppen & co", "Fagersta kommun", {{"polis", "Polisen"}, {"kommun", "Kommunen"}}};
    server::meeting_info info{"m1", "g", "EST-möte <v47>", "2026-11-24", "open", "", test::biweekly()};
    meeting_document doc{test::biweekly(), grp.organisation_ids()};
    std::uint64_t rev = 0;

    void apply(const change& c) { doc.apply(c, ++rev, limits{}); }
    server::picture_export view() const { return {info, grp, doc, rev, "2026-11-24 15:02 (+01:00)"}; }
};

}  // namespace

TEST_CASE("the HTML export shows every topic and organisation, escapes what participants wrote, and says what is empty",
          "[export]") {
    picture_fixture f;
    f.apply(add_entry_change{"hot-och-vald", "polis", "e1"});
    f.apply(text_change{{"hot-och-vald", "polis", "e1", "handelse"}, insert(0, U("<script>alert('å')</script>\nrad två"))});
    f.apply(set_change{{"hot-och-vald", "polis", "e1", "trend"}, "ökar"});
    f.apply(set_change{{"hot-och-vald", "", "", "niva"}, "hög"});
    f.apply(text_change{{"hot-och-vald", "", "", "bedomning"}, insert(0, U("Oro kring centrum & stationen"))});

    const auto report = report_from_file();
    const std::string html = report.html(f.view());

    // Participants' text is data, never markup.
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(&apos;å&apos;)&lt;/script&gt;\nrad två") != std::string::npos);
    CHECK(html.find("Gruppen &amp; co, Fagersta kommun") != std::string::npos);
    CHECK(html.find("<h1>Lägesbild – EST-möte &lt;v47&gt;</h1>") != std::string::npos);
    CHECK(html.find("Oro kring centrum &amp; stationen") != std::string::npos);
    CHECK(html.find("<dd>ökar</dd>") != std::string::npos);

    // Every topic, in the template's order, and every organisation under each.
    std::size_t at = 0;
    int number = 0;
    for (const auto& t : f.doc.tmpl().topics) {
        const std::string n = std::to_string(++number);
        const auto pos = html.find("<h2 id=\"omrade-" + n + "\">" + n + ". " + t.title);
        REQUIRE(pos != std::string::npos);
        CHECK(pos > at);
        at = pos;
    }
    CHECK(count_of(html, "<h4>Polisen</h4>") == 6);
    CHECK(count_of(html, "<h4>Kommunen</h4>") == 6);
    // 6 topics × 2 organisations, one cell with an entry.
    CHECK(count_of(html, "Inget rapporterat.") == 11);
    CHECK(count_of(html, "<li class=\"entry\">") == 1);
    // The overview: the level where the chair set one, and the count of entries.
    CHECK(html.find("<td>hög</td>\n        <td>1</td>") != std::string::npos);
    CHECK(count_of(html, "Ej angiven") == 5);
    // What identifies this version.
    CHECK(html.find("<dd>" + std::to_string(f.rev) + "</dd>") != std::string::npos);
    CHECK(html.find(server::picture_report::digest(f.doc)) != std::string::npos);
    CHECK(html.find("2026-11-24 15:02 (+01:00)") != std::string::npos);
    CHECK(html.find("lang=\"sv\"") != std::string::npos);
}

TEST_CASE("the digest covers the picture's canonical JSON: equal pictures match, any change shows", "[export]") {
    picture_fixture f;
    f.apply(add_entry_change{"andt", "kommun", "e1"});
    f.apply(text_change{{"andt", "kommun", "e1", "plats"}, insert(0, U("Torget 😀"))});
    const std::string d = server::picture_report::digest(f.doc);
    CHECK(std::regex_match(d, std::regex("[0-9a-f]{64}")));

    // The same picture read back from JSON (as after a restart) has the same digest.
    const auto again = meeting_document::from_json(f.doc.tmpl_ptr(), f.grp.organisation_ids(), f.doc.to_json());
    CHECK(server::picture_report::digest(again) == d);
    CHECK(server::picture_report::canonical_json(f.doc).find("Torget 😀") != std::string::npos);  // UTF-8 as is

    f.apply(text_change{{"andt", "kommun", "e1", "plats"}, insert(9, U("."))});  // after "Torget 😀" (9 UTF-16 units)
    CHECK(server::picture_report::digest(f.doc) != d);
    // FIPS 180-2's test vector.
    CHECK(server::picture_report::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("the JSON export carries the meeting, the group, the revision, the digest and the picture", "[export]") {
    picture_fixture f;
    f.apply(add_entry_change{"ovrigt", "polis", "e1"});
    const auto report = report_from_file();
    const auto j = report.json(f.view());
    CHECK(j.at("meeting").at("id") == "m1");
    CHECK(j.at("group").at("name") == "Gruppen & co");
    CHECK(j.at("rev") == 1);
    CHECK(j.at("digest") == server::picture_report::digest(f.doc));
    CHECK(j.at("picture") == f.doc.to_json());
    CHECK(j.at("exported_at") == "2026-11-24 15:02 (+01:00)");
}

TEST_CASE("a broken or missing export template is refused with its file name", "[export]") {
    const auto dir = std::filesystem::temp_directory_path() / ("est-export-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "broken.mustache";
    std::ofstream(file) << "<h1>{{#topics}}{{title}}</h1>";  // the section is never closed
    const auto broken = test::fails([&] { server::picture_report r(server::picture_report::read_template(file), file.string()); });
    CHECK(broken.code == "bad_template");
    CHECK_THAT(broken.message, Catch::Contains("broken.mustache") && Catch::Contains("topics"));
    const auto missing = test::fails([&] { server::picture_report::read_template(dir / "none.mustache"); });
    CHECK(missing.code == "bad_template");
    CHECK_THAT(missing.message, Catch::Contains("none.mustache"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("the built-in export template is templates/export/lagesbild.html.mustache as built", "[export]") {
    CHECK(server::picture_report::built_in_template() == server::picture_report::read_template(html_file));
}

TEST_CASE("the canonical JSON and digest of a small picture match an independent computation", "[export]") {
    // tests/vectors/export_digest.json: the picture's JSON re-serialised by Python
    // (json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)) and its hashlib SHA-256.
    std::ifstream in(EST_SOURCE_DIR "/tests/vectors/export_digest.json");
    const auto vector = nlohmann::json::parse(in);
    picture_fixture f;
    f.doc = meeting_document(test::biweekly(), {"polis"});
    f.apply(add_entry_change{"ovrigt", "polis", "e1"});
    f.apply(text_change{{"ovrigt", "polis", "e1", "handelse"}, insert(0, U("Klotter \"vid\" Åsa-torget\n\t😀 \\ <b>"))});
    f.apply(set_change{{"ovrigt", "polis", "e1", "trend"}, "ökar"});
    CHECK(server::picture_report::canonical_json(f.doc) == vector.at("canonical").get<std::string>());
    CHECK(server::picture_report::digest(f.doc) == vector.at("sha256").get<std::string>());
}
