#include "est/server/picture_report.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/lifecycle.hpp"
#include "est/redaction.hpp"
#include "est/server/records/markdown_report.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/sshsig.hpp"
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

// A folder of its own under the system's temporary one, removed with it.
struct temp_dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("est-export-keys-" + std::to_string(std::random_device{}()));
    temp_dir() { std::filesystem::create_directories(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

// The server's keys, made once for these tests.
const server::records::signing_keys& test_keys() {
    static temp_dir dir;
    static const auto keys = server::records::signing_keys::open(dir.path);
    return *keys;
}

est::signer person(std::string name, std::string org, role r) { return {"", {std::move(name), std::move(org), r}}; }

// A statement as the lifecycle JSON holds it: its text and the server's signature of it.
nlohmann::json signed_by_server(std::string_view ns, std::string statement) {
    const auto sig = test_keys().sign(ns, statement);
    return {{"statement", std::move(statement)}, {"sshsig", sig.sshsig}, {"key_id", sig.key_id}};
}

nlohmann::json signature(const picture_fixture& f, const est::signer& by, std::string_view signed_at) {
    return signed_by_server(signature_namespace, signature_statement(f.info.id, f.grp.id, f.rev,
                                                                     server::picture_report::digest(f.doc), signed_at, by));
}

nlohmann::json closing(const picture_fixture& f, const nlohmann::json& signatures, std::string_view previous) {
    std::vector<std::string> digests;
    for (const auto& s : signatures) digests.push_back(server::picture_report::sha256_hex(s.at("statement").get<std::string>()));
    return signed_by_server(closing_namespace,
                            closing_statement(f.info.id, f.grp.id, f.rev, server::picture_report::digest(f.doc),
                                              "2026-12-04T10:30:00Z", person("Eva Ek", "kommun", role::chair), digests,
                                              previous, 3));
}

std::shared_ptr<const nlohmann::json> lifecycle(std::string_view phase, nlohmann::json signatures = nlohmann::json::array(),
                                                nlohmann::json closed = nullptr, nlohmann::json locked = nlohmann::json::array()) {
    return std::make_shared<const nlohmann::json>(nlohmann::json{{"phase", phase},
                                                                 {"locked_topics", std::move(locked)},
                                                                 {"required", nlohmann::json::array({"chair", "cosigner"})},
                                                                 {"signatures", std::move(signatures)},
                                                                 {"closing", std::move(closed)}});
}

std::string base64_decode(std::string_view in) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : in) {
        if (c == '=') break;
        const auto v = alphabet.find(c);
        if (v == std::string::npos) throw std::invalid_argument("not base64");
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

// What a verifier reads from a sealed document: the bytes before the last line, and that line's key and signature.
struct sealed {
    std::string body;
    std::string key;
    std::string blob;
};
sealed read_seal(const std::string& doc) {
    REQUIRE(doc.size() > 1);
    REQUIRE(doc.back() == '\n');
    const auto start = doc.rfind('\n', doc.size() - 2) + 1;
    const std::string line = doc.substr(start);
    std::smatch m;
    REQUIRE(std::regex_match(line, m, std::regex("<!-- est-seal key=(SHA256:[A-Za-z0-9+/]+) sig=([A-Za-z0-9+/=]+) -->\n")));
    return {doc.substr(0, start), m[1], base64_decode(m[2].str())};
}

// The text of the last fenced "json est-record" block of a Markdown export.
std::string markdown_record(const std::string& md) {
    const std::string open = "\n```json est-record\n";
    const auto at = md.rfind(open);
    REQUIRE(at != std::string::npos);
    const auto from = at + open.size();
    const auto end = md.find("\n```\n", from);
    REQUIRE(end != std::string::npos);
    return md.substr(from, end + 1 - from);
}

std::string html_record(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"est-record\">";
    const auto at = html.rfind(open);
    REQUIRE(at != std::string::npos);
    const auto end = html.find("</script>", at);
    REQUIRE(end != std::string::npos);
    return html.substr(at + open.size(), end - at - open.size());
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

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
    CHECK(html.find("<dd>Ökar</dd>") != std::string::npos);

    // Every topic, in the template's order, and every organisation under each.
    std::size_t at = 0;
    int number = 0;
    for (const auto& t : f.doc.tmpl().topics) {
        const std::string n = std::to_string(++number);
        const auto pos = html.find("<h3 id=\"omrade-" + n + "\">" + n + ". " + t.title);
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
    CHECK(html.find("<td>Hög</td>\n        <td>1</td>") != std::string::npos);
    CHECK(count_of(html, "Ej angiven") == 5);
    // The assessment repeats the level the chair chose beside its heading; an unset one is not repeated there.
    CHECK(count_of(html, "<span class=\"chosen\">Nivå: <strong>Hög</strong></span>") == 1);
    CHECK(count_of(html, "<span class=\"chosen\">") == 1);
    // The app's words, not the old ones: "ämne", "händelser", "Inte ifylld".
    CHECK(html.find("<th scope=\"col\">Ämne</th>") != std::string::npos);
    CHECK(html.find("<th scope=\"col\">Händelser</th>") != std::string::npos);
    CHECK(html.find("Ej ifyllt") == std::string::npos);
    CHECK(html.find("Poster") == std::string::npos);
    // What identifies this version.
    CHECK(html.find("<dd>" + std::to_string(f.rev) + "</dd>") != std::string::npos);
    CHECK(html.find(server::picture_report::digest(f.doc)) != std::string::npos);
    CHECK(html.find("2026-11-24 15:02 (+01:00)") != std::string::npos);
    CHECK(html.find("lang=\"sv\"") != std::string::npos);
}

TEST_CASE("the HTML export is a record: overview and assessments first, attendance and chair, reports as an appendix",
          "[export][record]") {
    picture_fixture f;
    f.apply(add_entry_change{"andt", "polis", "e1"});
    f.apply(text_change{{"andt", "polis", "e1", "handelse"}, insert(0, U("Langning vid skolan"))});
    f.apply(text_change{{"andt", "", "", "bedomning"}, insert(0, U("Bevakas"))});
    auto v = f.view();
    v.attendance = {{"m1", "Eva Ek", "", "chair", "2026-11-24T08:31:00Z"},
                    {"m1", "Anna Berg", "polis", "participant", "2026-11-24T08:32:00Z"},
                    {"m1", "Per Holm", "polis", "participant", "2026-11-24T08:40:00Z"}};
    const std::string html = report_from_file().html(v);

    CHECK(html.find("<dt>Mötesdatum</dt><dd>tisdag 24 november 2026</dd>") != std::string::npos);
    CHECK(html.find("<dd class=\"chair-name\">Eva Ek</dd>") != std::string::npos);
    CHECK(html.find("3 personer från 1 organisation</a>") != std::string::npos);
    // Attendance: a row per person with their organisation's label and role, and who nobody came from.
    CHECK(html.find("<tr><td>Anna Berg</td><td>Polisen</td><td>deltagare</td>") != std::string::npos);
    CHECK(html.find("<tr><td>Eva Ek</td><td>–</td><td>ordförande</td>") != std::string::npos);
    CHECK(html.find("Ingen deltog från: Kommunen.") != std::string::npos);
    // The order of a record: overview, assessments, attendance, signatures, about, then the appendix.
    const std::vector<std::string> order = {"id=\"oversikt\"", "id=\"bedomningar\"", "id=\"narvaro\"",
                                            "id=\"underskrifter\"", "id=\"om-dokumentet\"", "id=\"bilaga\""};
    std::size_t at = 0;
    for (const auto& mark : order) {
        INFO(mark);
        const auto pos = html.find(mark);
        REQUIRE(pos != std::string::npos);
        CHECK(pos > at);
        at = pos;
    }
    // The chair's text is in the assessments, the organisation's entry only in the appendix.
    CHECK(html.find("Bevakas") < html.find("id=\"narvaro\""));
    // An assessment holds only what the chair wrote: ANDT its text, the five others one line each; no empty field
    // is printed, in the assessments or in the appendix's entry.
    CHECK(html.find("<p><span class=\"label\">Samlad bedömning:</span> <span class=\"text\">Bevakas</span></p>") !=
          std::string::npos);
    CHECK(count_of(html, "Ordföranden har inte skrivit någon bedömning.") == 5);
    CHECK(html.find("Inte ifylld") == std::string::npos);
    CHECK(html.find("<dt>Händelse</dt>\n            <dd>Langning vid skolan</dd>") != std::string::npos);
    CHECK(html.find("Langning vid skolan") > html.find("id=\"bilaga\""));
    CHECK(html.find("(1 händelse)") != std::string::npos);
    // The footer names the checksum in words, with its first 16 digits.
    const std::string d = server::picture_report::digest(f.doc);
    CHECK(html.find("@bottom-left { content: \"Kontrollsumma " + d.substr(0, 4) + " " + d.substr(4, 4)) != std::string::npos);
    CHECK(html.find("Samma kontrollsumma betyder samma innehåll") != std::string::npos);
    // The JSON record carries the attendance as stored.
    const auto j = report_from_file().json(v);
    REQUIRE(j.at("attendance").size() == 3);
    CHECK(j.at("attendance")[1] == nlohmann::json{{"name", "Anna Berg"}, {"org", "polis"}, {"role", "participant"},
                                                  {"first_at", "2026-11-24T08:32:00Z"}});
}

TEST_CASE("the record's words: long dates, entry counts, summaries and the chair without attendance", "[export][record]") {
    using server::picture_report;
    CHECK(picture_report::long_date("2026-12-01") == "tisdag 1 december 2026");
    CHECK(picture_report::long_date("2027-01-03") == "söndag 3 januari 2027");
    CHECK(picture_report::long_date("i morgon") == "i morgon");
    CHECK(picture_report::long_date("2026-13-45") == "2026-13-45");
    CHECK(picture_report::entries_text(0) == "inga händelser");
    CHECK(picture_report::entries_text(1) == "1 händelse");
    CHECK(picture_report::entries_text(12) == "12 händelser");
    CHECK(picture_report::digest_footer("0123456789abcdef0123") == "Kontrollsumma 0123 4567 89ab cdef … (se Om dokumentet)");
    picture_fixture f;
    auto v = f.view();
    CHECK(picture_report::attendance_summary(v) == "Ingen registrerad");
    CHECK(picture_report::chair_names(v).empty());
    v.attendance = {{"m1", "Eva Ek", "", "chair", "2026-11-24T08:31:00Z"}};
    CHECK(picture_report::attendance_summary(v) == "1 person");
    v.attendance.push_back({"m1", "Eva Ek", "", "chair", "2026-11-24T09:00:00Z"});
    v.attendance.push_back({"m1", "Lars Lund", "", "chair", "2026-11-24T09:01:00Z"});
    CHECK(picture_report::chair_names(v) == "Eva Ek, Lars Lund");
    const std::string html = report_from_file().html(f.view());
    CHECK(html.find("Ingen närvaro är registrerad för mötet.") != std::string::npos);
    CHECK(html.find("<span class=\"empty\">Inte känd</span>") != std::string::npos);
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

TEST_CASE("an export names the meeting's state in Swedish and marks locked topics", "[export][lifecycle]") {
    CHECK(server::picture_report::state_label("draft") == "Utkast");
    CHECK(server::picture_report::state_label("open") == "Öppen – lägesbilden kan fortfarande ändras");
    CHECK(server::picture_report::state_label("locked") == "Låst – väntar på underskrifter");
    CHECK(server::picture_report::state_label("signed") == "Signerad");
    CHECK(server::picture_report::state_label("closed") == "Stängd och signerad");
    CHECK(server::picture_report::role_label("chair") == "ordförande");
    CHECK(server::picture_report::role_label("cosigner") == "medundertecknare");

    picture_fixture f;
    const auto report = report_from_file();
    SECTION("without a lifecycle the meeting is open, nothing locked, nobody has signed") {
        const std::string html = report.html(f.view());
        CHECK(html.find("<dd class=\"state\">Öppen – lägesbilden kan fortfarande ändras</dd>") != std::string::npos);
        CHECK(count_of(html, "<span class=\"locked\">Låst</span>") == 0);
        CHECK(html.find("Ingen har skrivit under.") != std::string::npos);
        CHECK(html.find("Underskrift saknas från: ordförande, medundertecknare.") != std::string::npos);
        const auto md = report.markdown(f.view());
        CHECK(md.find("- **Status:** Öppen – lägesbilden kan fortfarande ändras\n") != std::string::npos);
        CHECK(md.find("**Underskrift saknas från:** ordförande, medundertecknare\n") != std::string::npos);
        CHECK(md.find("| Ämne |") != std::string::npos);
        CHECK(md.find(" Händelser |") != std::string::npos);
        CHECK(md.find("Ej ifyllt") == std::string::npos);
    }
    SECTION("a locked topic is marked in the overview, its assessment, its reports, and in the Markdown") {
        auto v = f.view();
        v.lifecycle = lifecycle("open", nlohmann::json::array(), nullptr, {"andt"});
        const std::string html = report.html(v);
        CHECK(count_of(html, "<span class=\"locked\">Låst</span>") == 3);
        CHECK(html.find("5. ANDT") != std::string::npos);
        CHECK(html.find("<span class=\"locked\">Låst</span></h3>", html.find("<h3 id=\"bedomning-5\">")) <
              html.find("<h3 id=\"bedomning-6\">"));
        CHECK(html.find("<span class=\"locked\">Låst</span></h3>", html.find("<h3 id=\"omrade-5\">")) <
              html.find("<h3 id=\"omrade-6\">"));
        const auto md = report.markdown(v);
        CHECK(count_of(md, " (Låst)") == 2);
        CHECK(md.find("\n## 5. ANDT") != std::string::npos);
    }
    SECTION("the page header of a printed page names meeting, group, date and state; the footer counts pages") {
        auto v = f.view();
        v.lifecycle = lifecycle("locked");
        const std::string html = report.html(v);
        // The title's "<" and ">" are CSS escapes: no text can end the string or the style element.
        CHECK(html.find("@top-center { content: \"EST-möte \\3c v47\\3e  – Gruppen \\26  co – 2026-11-24 – "
                        "Låst – väntar på underskrifter\";") != std::string::npos);
        CHECK(html.find("content: \"Sida \" counter(page) \" av \" counter(pages);") != std::string::npos);
        CHECK(html.find("size: A4;") != std::string::npos);
    }
}

TEST_CASE("the signature block shows each signer, the closing, and who has yet to sign", "[export][lifecycle]") {
    // Times are shown in the server's local time, like the export time: Swedish time here (a POSIX rule, so no
    // time zone database is needed), whatever the machine's.
    const char* const tz = std::getenv("TZ");
    const std::string saved_tz = tz ? tz : "";
    ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    ::tzset();
    struct restore_tz {
        std::string tz;
        bool had;
        ~restore_tz() {
            if (had) ::setenv("TZ", tz.c_str(), 1);
            else ::unsetenv("TZ");
            ::tzset();
        }
    } restore{saved_tz, tz != nullptr};
    picture_fixture f;
    f.apply(add_entry_change{"andt", "polis", "e1"});
    const auto report = report_from_file();
    const auto chair = signature(f, person("Eva Ek", "kommun", role::chair), "2026-12-04T10:15:00Z");
    const auto cosigner = signature(f, person("Per Polis", "polis", role::cosigner), "2026-12-04T10:20:00Z");
    const std::string digest = server::picture_report::digest(f.doc);
    const std::string key = test_keys().current_key_id();
    auto v = f.view();

    SECTION("locked, signed by the chair: the co-signer is missing") {
        v.lifecycle = lifecycle("locked", {chair});
        const std::string html = report.html(v);
        CHECK(html.find("<dd class=\"state\">Låst – väntar på underskrifter</dd>") != std::string::npos);
        CHECK(html.find("<dt>Namn</dt><dd>Eva Ek</dd>") != std::string::npos);
        CHECK(html.find("<dt>Roll</dt><dd>ordförande</dd>") != std::string::npos);
        CHECK(html.find("<dt>Organisation</dt><dd>Kommunen</dd>") != std::string::npos);
        CHECK(html.find("<dt>Tid</dt><dd>2026-12-04 11:15 (+01:00)</dd>") != std::string::npos);
        CHECK(html.find("<dt>Revision</dt><dd>1</dd>") != std::string::npos);
        CHECK(html.find("<span class=\"digest\">" + digest + "</span>\n          (samma som lägesbilden ovan)") != std::string::npos);
        CHECK(html.find("<dt>Nyckel</dt><dd class=\"digest\">" + key + "</dd>") != std::string::npos);
        CHECK(html.find("Underskrift saknas från: medundertecknare.") != std::string::npos);

        const auto md = report.markdown(v);
        CHECK(md.find("### Underskrift 1\n\n- **Namn:** Eva Ek\n- **Roll:** ordförande\n- **Organisation:** Kommunen\n"
                      "- **Tid:** 2026-12-04 11:15 (+01:00)\n- **Revision:** 1\n- **Kontrollsumma (SHA-256):** `" + digest +
                      "` (samma som lägesbilden ovan)\n- **Nyckel:** `" + key + "`\n") != std::string::npos);
        CHECK(md.find("**Underskrift saknas från:** medundertecknare\n") != std::string::npos);
    }
    SECTION("signed by both, not closed") {
        v.lifecycle = lifecycle("signed", {chair, cosigner});
        const std::string html = report.html(v);
        CHECK(html.find("<dd class=\"state\">Signerad</dd>") != std::string::npos);
        CHECK(html.find("<dt>Roll</dt><dd>medundertecknare</dd>") != std::string::npos);
        CHECK(html.find("<dt>Organisation</dt><dd>Polisen</dd>") != std::string::npos);
        CHECK(html.find("Underskrift saknas") == std::string::npos);
        CHECK(html.find("Alla underskrifter finns. Mötet är inte stängt.") != std::string::npos);
        CHECK(report.markdown(v).find("Alla underskrifter finns. Mötet är inte stängt.") != std::string::npos);
    }
    SECTION("closed: who closed it, when, its place in the group's chain and the previous closing's digest") {
        const std::string previous(64, 'a');
        v.lifecycle = lifecycle("closed", {chair, cosigner}, closing(f, {chair, cosigner}, previous));
        const std::string html = report.html(v);
        CHECK(html.find("<dd class=\"state\">Stängd och signerad</dd>") != std::string::npos);
        CHECK(html.find("<dt>Stängd av</dt><dd>Eva Ek, ordförande, Kommunen</dd>") != std::string::npos);
        CHECK(html.find("<dt>Tid</dt><dd>2026-12-04 11:30 (+01:00)</dd>") != std::string::npos);
        CHECK(html.find("<dt>Löpnummer i gruppens kedja</dt><dd>3</dd>") != std::string::npos);
        CHECK(html.find("<span class=\"digest\">" + previous + "</span>") != std::string::npos);
        CHECK(html.find("Underskrift saknas") == std::string::npos);
        const auto md = report.markdown(v);
        CHECK(md.find("- **Stängd av:** Eva Ek, ordförande, Kommunen\n- **Tid:** 2026-12-04 11:30 (+01:00)\n"
                      "- **Löpnummer i gruppens kedja:** 3\n- **Föregående kontrollsumma:** `" + previous + "`\n") != std::string::npos);
    }
    SECTION("a signature of an earlier version says so") {
        f.apply(set_change{{"andt", "", "", "niva"}, "hög"});
        auto later = f.view();
        later.lifecycle = lifecycle("locked", {chair});
        CHECK(report.html(later).find("(en annan version än lägesbilden ovan)") != std::string::npos);
        CHECK(report.markdown(later).find("(en annan version än lägesbilden ovan)") != std::string::npos);
    }
}

TEST_CASE("the JSON export carries the state, the lifecycle and the public keys its signatures use", "[export][lifecycle]") {
    picture_fixture f;
    const auto report = report_from_file();
    auto v = f.view();
    SECTION("an open meeting without keys") {
        const auto j = report.json(v);
        CHECK(j.at("state") == "open");
        CHECK(j.at("lifecycle").at("phase") == "open");
        CHECK(j.at("lifecycle").at("signatures").empty());
        CHECK(j.at("lifecycle").at("closing").is_null());
        CHECK(j.at("keys") == nlohmann::json::array());
    }
    SECTION("an open meeting names the key that seals its HTML and Markdown") {
        v.keys = &test_keys();
        const auto j = report.json(v);
        REQUIRE(j.at("keys").size() == 1);
        CHECK(j.at("keys")[0].at("key_id") == test_keys().current_key_id());
        CHECK(j.at("keys")[0] == test_keys().to_json().at("keys")[0]);
    }
    SECTION("a signed meeting lists its key once, as GET /api/keys does") {
        const auto chair = signature(f, person("Eva Ek", "kommun", role::chair), "2026-12-04T10:15:00Z");
        const auto cosigner = signature(f, person("Per Polis", "polis", role::cosigner), "2026-12-04T10:20:00Z");
        v.lifecycle = lifecycle("signed", {chair, cosigner});
        v.keys = &test_keys();
        const auto j = report.json(v);
        CHECK(j.at("state") == "signed");
        CHECK(j.at("lifecycle") == *v.lifecycle);
        REQUIRE(j.at("keys").size() == 1);
        CHECK(j.at("keys")[0] == test_keys().to_json().at("keys")[0]);
        // What was there before stays as it was.
        CHECK(j.at("digest") == server::picture_report::digest(f.doc));
        CHECK(j.at("picture") == f.doc.to_json());
    }
}

TEST_CASE("HTML and Markdown embed the JSON export as their record and end with a seal over every byte before it",
          "[export][lifecycle][seal]") {
    picture_fixture f;
    f.apply(add_entry_change{"ovrigt", "polis", "e1"});
    f.apply(text_change{{"ovrigt", "polis", "e1", "handelse"}, insert(0, U("Klotter </script><SCRIPT> <!-- x --> vid torget"))});
    const auto report = report_from_file();
    auto v = f.view();
    v.lifecycle = lifecycle("locked", {signature(f, person("Eva Ek", "kommun", role::chair), "2026-12-04T10:15:00Z")});
    v.keys = &test_keys();
    const auto expected = report.json(v);

    for (const std::string& doc : {report.html(v), report.markdown(v)}) {
        const auto s = read_seal(doc);
        CHECK(s.key == test_keys().current_key_id());
        const auto ok = sshsig::verify(s.blob, "est-live-export", s.body, false);
        CHECK(ok.error == "");
        CHECK(ok.ok);
        CHECK(sshsig::key_id(ok.key) == s.key);
        CHECK_FALSE(sshsig::verify(s.blob, "est-live-signature", s.body, false).ok);  // another namespace
        // One changed byte anywhere before the seal fails the check: the first, one in the middle, the last.
        for (const std::size_t at : {std::size_t{0}, s.body.size() / 2, s.body.size() - 1}) {
            std::string changed = s.body;
            changed[at] = static_cast<char>(changed[at] ^ 0x01);
            CHECK_FALSE(sshsig::verify(s.blob, "est-live-export", changed, false).ok);
        }
    }

    const std::string html = report.html(v);
    const std::string in_html = html_record(html);
    CHECK(in_html.find("</") == std::string::npos);
    CHECK(in_html.find("<!--") == std::string::npos);
    CHECK(in_html.find("<\\/script>") != std::string::npos);
    CHECK(in_html.find("\\u003cSCRIPT>") != std::string::npos);
    CHECK(in_html.find("<SCRIPT") == std::string::npos);
    CHECK(nlohmann::json::parse(in_html) == expected);
    CHECK(nlohmann::json::parse(markdown_record(report.markdown(v))) == expected);

    // Without keys (tests, tools) there is no seal, and the record is still there.
    v.keys = nullptr;
    CHECK(report.html(v).find("est-seal") == std::string::npos);
    CHECK(report.markdown(v).rfind("```\n") == report.markdown(v).size() - 4);
}

TEST_CASE("a participant's text cannot forge a heading, a signature, a record or a seal in an export",
          "[export][lifecycle][security]") {
    const std::string hostile =
        "Vanlig rad\n"
        "## Underskrifter\n"
        "- **Namn:** Falsk Person\n"
        "```json est-record\n"
        "{\"rev\":999}\n"
        "```\n"
        "<!-- est-seal key=SHA256:AAAA sig=AAAA -->\n"
        "   ```\n"
        "\x01## kontrolltecken\n"
        "\t<!--\n"
        "1. lista\n"
        "===\n"
        "> citat\n"
        "| a | b |\n"
        "\n"
        "    kodblock\r"
        "</script><script>alert(1)</script>\r\n"
        "slut \\";
    picture_fixture f;
    f.apply(add_entry_change{"ovrigt", "polis", "e1"});
    f.apply(text_change{{"ovrigt", "polis", "e1", "handelse"}, insert(0, U(hostile))});
    f.apply(add_entry_change{"andt", "kommun", "e2"});
    f.apply(text_change{{"andt", "kommun", "e2", "plats"}, insert(0, U("```\n<!--"))});
    const auto report = report_from_file();
    auto v = f.view();
    v.keys = &test_keys();
    // A signer's name comes from an account: hostile too.
    v.lifecycle = lifecycle("locked", {signature(f, person("Eva\n## Stängning\n```", "kommun", role::chair), "2026-12-04T10:15:00Z")});

    SECTION("Markdown: every line that starts with a fence, a comment or a heading is the export's own") {
        const auto md = report.markdown(v);
        std::vector<std::string> fences, comments, headings;
        bool in_record = false;
        for (const auto& line : lines_of(md)) {
            if (line.starts_with("```") || line.starts_with("~~~")) {
                fences.push_back(line);
                in_record = !in_record;
            }
            if (line.starts_with("<")) comments.push_back(line);
            if (in_record) continue;  // the JSON: its lines start with blanks, braces and quotes
            if (line.starts_with("#")) headings.push_back(line);
            // No line of text opens a block: no indented code, quote, numbered list or setext underline.
            CHECK_FALSE(line.starts_with(" "));
            CHECK_FALSE(line.starts_with("\t"));
            CHECK_FALSE(line.starts_with(">"));
            CHECK_FALSE(std::regex_search(line, std::regex("^[0-9]+[.)]")));
            CHECK_FALSE(line.starts_with("="));
            CHECK_FALSE(line.starts_with("-") != line.starts_with("- **"));  // a list item is one of ours
        }
        CHECK(fences == std::vector<std::string>{"```json est-record", "```"});
        REQUIRE(comments.size() == 1);
        CHECK(comments[0].starts_with("<!-- est-seal key=" + test_keys().current_key_id()));
        CHECK(count_of(md, "\n## Underskrifter\n") == 1);
        CHECK(std::none_of(headings.begin(), headings.end(), [](const std::string& h) { return h.find("Stängning") != std::string::npos; }));
        CHECK(std::none_of(headings.begin(), headings.end(), [](const std::string& h) { return h.find("kontroll") != std::string::npos; }));
        // The text is still all there, escaped: a reader sees what was written.
        CHECK(md.find("\\#\\# Underskrifter\\\n") != std::string::npos);
        CHECK(md.find("\\`\\`\\`json est-record\\\n") != std::string::npos);
        CHECK(md.find("\\<!-- est-seal key=SHA256:AAAA sig=AAAA --\\>\\\n") != std::string::npos);
        CHECK(md.find("\\- \\*\\*Namn:\\*\\* Falsk Person") != std::string::npos);
        CHECK(md.find("1\\. lista") != std::string::npos);
        CHECK(md.find("slut \\\\\n") != std::string::npos);
        CHECK(md.find("- **Namn:** Eva \\#\\# Stängning \\`\\`\\`\n") != std::string::npos);
        // The verifier's record and seal are the real ones.
        CHECK(nlohmann::json::parse(markdown_record(md)) == report.json(v));
        const auto s = read_seal(md);
        CHECK(sshsig::verify(s.blob, "est-live-export", s.body, false).ok);
    }
    SECTION("HTML: the text is data; only the record is a script element and only the seal a comment") {
        const auto html = report.html(v);
        CHECK(count_of(html, "<script") == 1);
        CHECK(count_of(html, "</script>") == 1);
        CHECK(count_of(html, "<!--") == 1);
        CHECK(html.find("&lt;!-- est-seal key=SHA256:AAAA sig=AAAA --&gt;") != std::string::npos);
        CHECK(html.find("## Underskrifter") != std::string::npos);  // shown as written, a line of text
        CHECK(count_of(html, "<h2 id=\"underskrifter\">") == 1);
        CHECK(nlohmann::json::parse(html_record(html)) == report.json(v));
    }
}

TEST_CASE("Markdown escaping shows text literally and never lets a line open a block", "[export][security]") {
    using server::records::markdown_report;
    CHECK(markdown_report::inline_text("a*b_c`d<e>&|~#[x](y)\\") == "a\\*b\\_c\\`d\\<e\\>\\&\\|\\~\\#\\[x\\](y)\\\\");
    CHECK(markdown_report::inline_text("två\nrader\r\ntre\rfyra") == "två rader tre fyra");
    CHECK(markdown_report::block_text("rad ett\n- punkt\n+ plus\n\n  indrag\n2) två\n---") ==
          "rad ett\\\n\\- punkt\\\n\\+ plus\\\n\u00a0\\\n\u00a0\u00a0indrag\\\n2\\) två\\\n\\---");
    CHECK(markdown_report::block_text("\x0b\x0c- dolt") == "\\- dolt");
    CHECK(markdown_report::block_text(std::string("a\0b", 3)) == "a\uFFFDb");
}

TEST_CASE("a correction and the meeting it corrects name each other in every export", "[export][correction]") {
    const auto report = report_from_file();
    const std::string digest(64, 'd');
    SECTION("the corrected meeting: 'Rättad – se …' with a link, read from the catalog, not signed") {
        picture_fixture f;
        f.info.corrected_by = server::meeting_ref{"m2", "Rättelse: EST-möte <v47>", "2026-11-24", "open"};
        const std::string html = report.html(f.view());
        CHECK(html.find("<a href=\"/#/m/m2\">Rättad – se Rättelse: EST-möte &lt;v47&gt; (rättelsen är inte stängd än)</a>") !=
              std::string::npos);
        f.info.corrected_by->state = "closed";
        const std::string md = report.markdown(f.view());
        CHECK(md.find("- **Rättad:** [Rättad – se Rättelse: EST-möte \\<v47\\>](/#/m/m2) (möte `m2`)\n") != std::string::npos);
        CHECK(report.json(f.view()).at("meeting").at("corrected_by").at("id") == "m2");
    }
    SECTION("the correction: what it corrects, its date and the corrected picture's digest") {
        picture_fixture f;
        f.info.id = "m2";
        f.info.title = "Rättelse: EST-möte";
        f.info.corrects = correction_link{"m1", digest, std::string(64, 'c')};
        f.info.corrected_meeting = server::meeting_ref{"m1", "EST-möte", "2026-11-24", "closed"};
        const std::string html = report.html(f.view());
        CHECK(html.find("<a href=\"/#/m/m1\">Rättelse av EST-möte, 2026-11-24 (lägesbild dddddddddddd…)</a> (möte m1, "
                        "kontrollsumma " + digest + ")") != std::string::npos);
        CHECK(report.markdown(f.view()).find("- **Rättelse:** [Rättelse av EST-möte, 2026-11-24 (lägesbild dddddddddddd…)]") !=
              std::string::npos);
        const auto j = report.json(f.view());
        CHECK(j.at("meeting").at("corrects").at("meeting") == "m1");
        CHECK(j.at("meeting").at("corrects").at("digest") == digest);
        CHECK(j.at("meeting").at("corrects").at("title") == "EST-möte");
    }
    SECTION("a meeting that is neither says neither") {
        picture_fixture f;
        const std::string html = report.html(f.view());
        CHECK(html.find("Rättad") == std::string::npos);
        CHECK(html.find("Rättelse av") == std::string::npos);
        CHECK_FALSE(report.json(f.view()).at("meeting").contains("corrects"));
    }
}

TEST_CASE("decision items are printed under their topic and listed together when they go to BRÅ, in both forms",
          "[export][decision_items]") {
    picture_fixture f;
    auto item_field = [](std::string item, std::string field) { return field_ref{"andt", "", "", field, item}; };
    f.apply(add_item_change{"andt", "d1"});
    f.apply(text_change{item_field("d1", "rubrik"), insert(0, U("Orsaksanalys: oro <kring> Risbroskolan"))});
    f.apply(set_change{item_field("d1", "typ"), "orsaksanalys"});
    f.apply(set_change{item_field("d1", "agare"), "kommun"});
    f.apply(set_change{item_field("d1", "klart_senast"), "2027-03-01"});
    f.apply(set_change{item_field("d1", std::string(to_bra_field)), "ja"});
    f.apply(add_item_change{"andt", "d2"});
    f.apply(text_change{item_field("d2", "beskrivning"), insert(0, U("Bara för kännedom"))});
    f.apply(set_change{item_field("d2", std::string(to_bra_field)), "nej"});

    const auto items = server::picture_report::decision_items(f.view());
    REQUIRE(items.size() == 2);
    CHECK(items[0].title == "Orsaksanalys: oro <kring> Risbroskolan");
    CHECK(items[0].to_bra);
    CHECK(items[0].number == 1);
    CHECK(items[1].number == 2);
    CHECK_FALSE(items[1].to_bra);
    CHECK(items[1].title.empty());
    // The owner is shown by its name, not its id, and unwritten fields are left out.
    const auto has = [](const server::export_item& i, std::string label, std::string value) {
        return std::find(i.fields.begin(), i.fields.end(), std::pair{label, value}) != i.fields.end();
    };
    CHECK(has(items[0], "Föreslagen ansvarig organisation", "Kommunen"));
    CHECK(has(items[0], "Tidsatt: klart senast", "2027-03-01"));
    CHECK(items[0].fields.size() == 3);

    const auto report = report_from_file();
    const std::string html = report.html(f.view());
    const auto topic_number = std::to_string(items[0].topic_number);
    CHECK(count_of(html, "<h4>Beslutspunkter</h4>") == 1);
    CHECK(count_of(html, "<li class=\"item\">") == 2);
    CHECK(html.find("Orsaksanalys: oro &lt;kring&gt; Risbroskolan<span class=\"to-bra\">Till BRÅ</span>") !=
          std::string::npos);
    CHECK(html.find("<dd>Kommunen</dd>") != std::string::npos);
    CHECK(html.find("<span class=\"empty\">Utan rubrik</span></p>") != std::string::npos);
    // Only the marked item is in the list for BRÅ, with a link to its topic.
    const auto list = html.find("<h2 id=\"till-bra\">Beslutspunkter till BRÅ</h2>");
    REQUIRE(list != std::string::npos);
    CHECK(html.find("<a href=\"#bedomning-" + topic_number + "\">", list) != std::string::npos);
    CHECK(html.find("Risbroskolan", list) < html.find("<h2 id=\"narvaro\">"));
    // The unmarked (untitled) item is under its topic's assessment, before the list, and not in it.
    CHECK(html.find("Utan rubrik") < list);
    CHECK(html.find("Utan rubrik", list) == std::string::npos);

    const std::string md = report.markdown(f.view());
    CHECK(count_of(md, "### Beslutspunkter\n") == 1);
    CHECK(md.find("#### Beslutspunkt 1: Orsaksanalys: oro \\<kring\\> Risbroskolan (Till BRÅ)\n") != std::string::npos);
    CHECK(md.find("#### Beslutspunkt 2: *Utan rubrik*\n") != std::string::npos);
    CHECK(md.find("**Föreslagen ansvarig organisation:** Kommunen\n") != std::string::npos);
    const auto md_list = md.find("## Beslutspunkter till BRÅ\n");
    REQUIRE(md_list != std::string::npos);
    CHECK(md.find(": Orsaksanalys: oro \\<kring\\> Risbroskolan\n", md_list) < md.find("## Underskrifter"));
}

TEST_CASE("an export of a picture without decision items has no decision item sections", "[export][decision_items]") {
    picture_fixture f;
    const auto report = report_from_file();
    CHECK(report.html(f.view()).find("Beslutspunkter") == std::string::npos);
    CHECK(report.markdown(f.view()).find("Beslutspunkter") == std::string::npos);
}

TEST_CASE("the public version of a closed picture withholds the secret entry in every form, names the picture its "
          "signatures sign, and is sealed as a redaction",
          "[export][privacy][seal]") {
    picture_fixture f;
    f.apply(add_entry_change{"andt", "polis", "e1"});
    f.apply(text_change{{"andt", "polis", "e1", "handelse"}, insert(0, U("Hot mot \"Kalle\" <på> Hemlighetsgatan 7"))});
    f.apply(secrecy_change{"andt", "polis", "e1", "35 kap. 1 § OSL"});
    f.apply(add_entry_change{"andt", "polis", "e2"});
    f.apply(text_change{{"andt", "polis", "e2", "handelse"}, insert(0, U("Klotter vid torget"))});
    const auto chair = signature(f, person("Eva Ek", "kommun", role::chair), "2026-12-04T10:15:00Z");
    const auto cosigner = signature(f, person("Per Polis", "polis", role::cosigner), "2026-12-04T10:20:00Z");
    const nlohmann::json signatures = {chair, cosigner};
    const auto report = report_from_file();
    const std::string full_digest = server::picture_report::digest(f.doc);

    auto full = f.view();
    full.lifecycle = lifecycle("closed", signatures, closing(f, signatures, ""));
    full.keys = &test_keys();
    const meeting_document withheld = redacted_copy(f.doc);
    server::picture_export pub{f.info, f.grp, withheld, f.rev, full.exported_at, full.lifecycle, &test_keys(), full_digest};

    const std::string full_html = report.html(full), full_md = report.markdown(full);
    CHECK(full_html.find("Sekretess enligt 35 kap. 1 § OSL") != std::string::npos);
    CHECK(full_md.find("Sekretess enligt 35 kap. 1 § OSL") != std::string::npos);
    CHECK(full_html.find("Hemlighetsgatan") != std::string::npos);

    const std::string html = report.html(pub), md = report.markdown(pub), json = report.json(pub).dump();
    for (const std::string& doc : {html, md, json}) {
        for (const char* secret : {"Hemlighetsgatan", "Kalle", "&lt;på&gt;"}) CHECK(doc.find(secret) == std::string::npos);
        CHECK(doc.find("Klotter vid torget") != std::string::npos);
        CHECK(doc.find(full_digest) != std::string::npos);
    }
    for (const std::string& doc : {html, md}) {
        CHECK(count_of(doc, "Uppgiften omfattas av sekretess enligt 35 kap. 1 § OSL") == 1);
        CHECK(count_of(doc, "Offentlig version: 1 uppgift som omfattas av sekretess är maskad") == 1);
        // The signatures sign the full picture: the page says so rather than "another version".
        CHECK(count_of(doc, "(den fullständiga lägesbild som den här versionen maskar)") == 2);
        CHECK(doc.find("en annan version än lägesbilden ovan") == std::string::npos);
        const auto s = read_seal(doc);
        CHECK(sshsig::verify(s.blob, server::picture_report::redaction_namespace, s.body, false).ok);
        CHECK_FALSE(sshsig::verify(s.blob, server::picture_report::seal_namespace, s.body, false).ok);
    }
    // The full version's seal never holds as a redaction's.
    const auto s = read_seal(full_html);
    CHECK_FALSE(sshsig::verify(s.blob, server::picture_report::redaction_namespace, s.body, false).ok);

    // The statement binds the two digests and lists the entry; the record carries it signed.
    const auto j = report.json(pub);
    CHECK(j.at("digest") == server::picture_report::digest(withheld));
    CHECK(j.at("redaction_of") == full_digest);
    const auto statement = nlohmann::json::parse(j.at("redaction").at("statement").get<std::string>());
    CHECK(statement == nlohmann::json::parse(
                           R"({"type":"est-live/redaction","version":1,"meeting":"m1","group":"g","rev":)" + std::to_string(f.rev) +
                           R"(,"digest":")" + server::picture_report::digest(withheld) + R"(","redaction_of":")" + full_digest +
                           R"(","redacted":[{"topic":"andt","org":"polis","entry":"e1","osl":"35 kap. 1 § OSL"}]})"));
    CHECK(sshsig::verify(j.at("redaction").at("sshsig").get<std::string>(), server::picture_report::redaction_namespace,
                         j.at("redaction").at("statement").get<std::string>())
              .ok);
}
