// est-cli verify's checks (client/cli/src/record_check.cpp) on exports built here with the golden test key of
// tests/vectors/signature.json, and on monthly reports made by the server's own code: intact ones pass, one changed
// byte in anything signed fails, and a report never passes for an export nor an export for a report.
#include "est/client/record_check.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../../support/scratch.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/records/monthly_report.hpp"
#include "est/server/records/signing_keys.hpp"
#include "report_fixtures.hpp"

using est::client::check_chain;
using est::client::check_export;
using est::client::check_file;
using est::client::check_report;
using est::client::trusted_keys;
using json = nlohmann::json;
namespace sshsig = est::sshsig;

namespace {

const json& vectors() {
    static const json v = json::parse(est::test::read_file(std::string(EST_SOURCE_DIR) + "/tests/vectors/signature.json"));
    return v;
}

sshsig::secret_key golden_key() {
    sshsig::seed s{};
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<unsigned char>(i);
    return sshsig::secret_key_from_seed(s);
}

json signed_record(const sshsig::secret_key& key, std::string_view ns, const std::string& statement) {
    return {{"statement", statement},
            {"sshsig", sshsig::sign(key, ns, statement)},
            {"key_id", sshsig::key_id(sshsig::public_key_of(key))}};
}

json key_item(const sshsig::secret_key& key) {
    const auto pub = sshsig::public_key_of(key);
    return {{"key_id", sshsig::key_id(pub)}, {"public_key", sshsig::public_key_line(pub)},
            {"created_at", "2026-01-01T00:00:00Z"}, {"current", true}};
}

// A closed meeting's JSON export as the spec describes it, with the golden vectors' statements.
json closed_export() {
    const auto& v = vectors();
    json sigs = json::array();
    for (const auto& s : v.at("signatures"))
        sigs.push_back({{"statement", s.at("statement")}, {"sshsig", s.at("sshsig")}, {"key_id", v.at("key_id")}});
    const auto& c = v.at("closing");
    return {{"meeting", {{"id", "m1"}, {"title", "Lägesbild vecka 49"}}},
            {"group", {{"id", "fagersta"}, {"name", "Fagersta"}, {"organisations", json::array()}}},
            {"rev", 58},
            {"digest", v.at("picture_digest")},
            {"exported_at", "2026-12-04T11:00:00Z"},
            {"picture", v.at("picture")},
            {"state", "closed"},
            {"lifecycle",
             {{"phase", "closed"},
              {"locked_topics", json::array()},
              {"required", {"chair", "cosigner"}},
              {"signatures", sigs},
              {"closing", {{"statement", c.at("statement")}, {"sshsig", c.at("sshsig")}, {"key_id", v.at("key_id")}}}}},
            {"keys", {key_item(golden_key())}}};
}

std::string seal_line(const std::string& sealed, const sshsig::secret_key& key = golden_key(),
                      std::string_view ns = "est-live-export") {
    return "<!-- est-seal key=" + sshsig::key_id(sshsig::public_key_of(key)) +
           " sig=" + sshsig::base64_encode(sshsig::sign_blob(key, ns, sealed)) + " -->\n";
}

std::string markdown_export(const json& record) {
    std::string md = "# Lägesbild: Fagersta, möte m1\n\nLäget är lugnt – inga större händelser.\n\n```json est-record\n" +
                     record.dump(2) + "\n```\n";
    return md + seal_line(md);
}

std::string html_export(const json& record) {
    std::string text = record.dump();
    for (std::size_t p = 0; (p = text.find("</", p)) != std::string::npos; p += 3) text.replace(p, 2, "<\\/");
    std::string html = "<!doctype html>\n<html lang=\"sv\"><body><h1>Lägesbild</h1><p>Läget är lugnt</p>\n"
                       "<script type=\"application/json\" id=\"est-record\">" +
                       text + "</script>\n</body></html>\n";
    return html + seal_line(html);
}

bool has(const est::client::record_verdict& v, const std::string& part) { return v.text().find(part) != std::string::npos; }

// One byte flipped at a time, every `step`th before the seal line: `check` fails each copy, its verdict beginning
// with `headline`.
template <class Check>
void each_changed_byte_fails(const std::string& file, std::size_t step, Check check, const std::string& headline) {
    const auto seal_at = file.rfind("<!-- est-seal ");
    for (std::size_t i = 0; i < seal_at; i += step) {
        std::string changed = file;
        changed[i] = static_cast<char>(changed[i] ^ 0x20);
        const auto v = check(changed);
        INFO("byte " << i);
        CHECK_FALSE(v.intact);
        CHECK(v.text().rfind(headline, 0) == 0);
    }
}

trusted_keys pinned_golden() {
    return {{sshsig::public_key_of(golden_key())}, "--key"};
}

}  // namespace

TEST_CASE("verify: an intact closed export passes as JSON, Markdown and HTML", "[records][verify]") {
    const auto record = closed_export();
    for (const auto& file : {record.dump(2), markdown_export(record), html_export(record)}) {
        const auto v = check_export(file);
        INFO(v.text());
        CHECK(v.intact);
        CHECK(v.text().rfind("INTAKT / INTACT: lägesbild för möte m1, rev 58, digest " +
                                 vectors().at("picture_digest").get<std::string>(),
                             0) == 0);
        CHECK(has(v, "signerad av Eva Ek (chair, kommun) 2026-12-04T10:15:00Z rev 57; Åsa Öberg (cosigner, polisen)"));
        CHECK(has(v, "stängd av Eva Ek (chair, kommun) 2026-12-04T10:20:00Z"));
        // Not pinned: it says so and names the key to compare.
        CHECK(has(v, "The key is not pinned"));
        CHECK(has(v, vectors().at("key_id").get<std::string>()));

        const auto pinned = check_export(file, pinned_golden());
        INFO(pinned.text());
        CHECK(pinned.intact);
        CHECK_FALSE(has(pinned, "not pinned"));
    }
    // "</script>" in a text of the record is written "<\/script>" in HTML, and reads back the same.
    auto titled = record;
    titled["meeting"]["title"] = "Vecka 49 </script><script>alert(1)</script>";
    const auto html = html_export(titled);
    CHECK(html.find("<\\/script><script>") != std::string::npos);
    const auto v = check_export(html, pinned_golden());
    INFO(v.text());
    CHECK(v.intact);
}

TEST_CASE("verify: a pinned key refuses every other key, even one the export names", "[records][verify]") {
    auto record = closed_export();
    const auto other = sshsig::generate_secret_key();
    trusted_keys pinned{{sshsig::public_key_of(other)}, "--key k.pub"};
    const auto v = check_export(record.dump(), pinned);
    CHECK_FALSE(v.intact);
    CHECK(v.text().rfind("OKÄND NYCKEL / UNKNOWN KEY: ", 0) == 0);
    CHECK(has(v, "not with --key k.pub"));
}

TEST_CASE("verify: one changed byte in any signed statement fails", "[records][verify]") {
    const auto record = closed_export();
    for (const std::string which : {"signature", "closing"}) {
        const std::string text = which == "closing" ? record["lifecycle"]["closing"]["statement"].get<std::string>()
                                                    : record["lifecycle"]["signatures"][0]["statement"].get<std::string>();
        for (std::size_t i = 0; i < text.size(); ++i) {
            auto changed = record;
            std::string t = text;
            t[i] = static_cast<char>(t[i] == 'x' ? 'y' : 'x');
            if (which == "closing") changed["lifecycle"]["closing"]["statement"] = t;
            else changed["lifecycle"]["signatures"][0]["statement"] = t;
            const auto v = check_export(changed.dump());
            INFO(which << " byte " << i);
            CHECK_FALSE(v.intact);
            CHECK(v.text().rfind("ÄNDRAD / ALTERED: ", 0) == 0);
        }
    }
}

TEST_CASE("verify: a changed picture, digest, signature or meeting fails naming it", "[records][verify]") {
    auto picture = closed_export();
    picture["picture"]["topics"][0]["text"] = "Läget är lugnt – inga större händelser!";
    auto v = check_export(picture.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "the picture does not match the export's digest"));

    // Digest changed to fit the changed picture: now the signatures are of another picture.
    picture["digest"] = sshsig::sha256_hex(picture["picture"].dump());
    v = check_export(picture.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "signature 1 is of another picture"));
    CHECK(has(v, "the closing is of another picture"));

    auto sig = closed_export();
    std::string armored = sig["lifecycle"]["signatures"][1]["sshsig"];
    armored[40] = armored[40] == 'A' ? 'B' : 'A';
    sig["lifecycle"]["signatures"][1]["sshsig"] = armored;
    v = check_export(sig.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "signature 2: the signature does not hold"));

    // A genuine signature of the same picture, but for another meeting, pasted in.
    auto other = closed_export();
    auto facts = json::parse(other["lifecycle"]["signatures"][1]["statement"].get<std::string>());
    facts["meeting"] = "m2";
    other["lifecycle"]["signatures"][1] = signed_record(golden_key(), "est-live-signature", facts.dump());
    v = check_export(other.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "signature 2 is for meeting m2, not m1"));
    CHECK(has(v, "the closing lists other signatures"));  // its digest is not the one the closing lists

    auto group = closed_export();
    group["group"]["id"] = "sala";
    v = check_export(group.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "is for group fagersta, not sala"));
}

TEST_CASE("verify: a removed signature, a missing closing or no signature at all fails", "[records][verify]") {
    auto removed = closed_export();
    removed["lifecycle"]["signatures"].erase(1);
    auto v = check_export(removed.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "the closing lists other signatures than the export holds (2 against 1)"));
    CHECK(has(v, "the signature of the cosigner is missing"));

    auto no_closing = closed_export();
    no_closing["lifecycle"]["closing"] = nullptr;
    v = check_export(no_closing.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "the meeting is closed but the export holds no closing"));

    // Signed, not closed: intact without a closing.
    auto signed_only = closed_export();
    signed_only["lifecycle"]["closing"] = nullptr;
    signed_only["lifecycle"]["phase"] = "signed";
    signed_only["state"] = "signed";
    v = check_export(signed_only.dump());
    INFO(v.text());
    CHECK(v.intact);

    // An open meeting's JSON export proves nothing about where it came from.
    auto open = closed_export();
    open["lifecycle"] = {{"phase", "open"}, {"signatures", json::array()}, {"closing", nullptr}};
    open["state"] = "open";
    v = check_export(open.dump());
    CHECK_FALSE(v.intact);
    CHECK(v.text().rfind("OSIGNERAD / UNSIGNED: ", 0) == 0);
    // Sealed, it is the server's: intact, and said to be unsigned.
    v = check_export(markdown_export(open));
    INFO(v.text());
    CHECK(v.intact);
    CHECK(has(v, "not signed"));
}

TEST_CASE("verify: a signature by a key the export does not name fails", "[records][verify]") {
    const auto intruder = sshsig::generate_secret_key();
    auto record = closed_export();
    record["lifecycle"]["signatures"][0] =
        signed_record(intruder, "est-live-signature", record["lifecycle"]["signatures"][0]["statement"].get<std::string>());
    auto v = check_export(record.dump());
    CHECK_FALSE(v.intact);
    CHECK(has(v, "OKÄND NYCKEL / UNKNOWN KEY: "));
    CHECK(has(v, "which is not among the export's keys"));

    // Naming the intruder's key in the export fools a check without a pinned key (it says so)...
    record["keys"].push_back(key_item(intruder));
    v = check_export(record.dump());
    CHECK(v.intact);
    CHECK(has(v, sshsig::key_id(sshsig::public_key_of(intruder))));
    CHECK(has(v, "The key is not pinned"));
    // ...never one with the server's key pinned.
    CHECK_FALSE(check_export(record.dump(), pinned_golden()).intact);
}

TEST_CASE("verify: one changed byte anywhere in a Markdown or HTML export breaks its seal", "[records][verify]") {
    const auto record = closed_export();
    for (const auto& file : {markdown_export(record), html_export(record)}) {
        const auto seal_at = file.rfind("<!-- est-seal ");
        // Every byte before the seal line (the record's JSON included: a changed byte there may leave the JSON
        // well-formed and its signatures intact, yet the seal catches it).
        each_changed_byte_fails(file, 7, [](std::string_view f) { return check_export(f); }, "ÄNDRAD / ALTERED: ");
        std::string sig = file;
        sig[sig.size() - 10] = sig[sig.size() - 10] == 'A' ? 'B' : 'A';
        CHECK_FALSE(check_export(sig).intact);
        CHECK(has(check_export(file.substr(0, seal_at)), "the file does not end with a seal line"));
        CHECK_FALSE(check_export(file + "\n").intact);  // nothing may follow the seal

        // Resealed by another key: the seal holds, but the key is not the server's. Without a pinned key nothing
        // tells (an export's keys are the file's word too): the verdict names the seal's key to compare.
        const auto intruder = sshsig::generate_secret_key();
        const auto intruder_id = sshsig::key_id(sshsig::public_key_of(intruder));
        const auto resealed = file.substr(0, seal_at) + seal_line(file.substr(0, seal_at), intruder);
        const auto v = check_export(resealed, pinned_golden());
        CHECK_FALSE(v.intact);
        CHECK(has(v, "the seal was made with key " + intruder_id + ", not with --key"));
        const auto unpinned = check_export(resealed);
        CHECK(unpinned.intact);
        CHECK(has(unpinned, "The key is not pinned"));
        CHECK(has(unpinned, intruder_id));
    }
}

TEST_CASE("verify --chain: sequence 1..n, each previous the hash of the closing before, each signature", "[records][verify]") {
    const auto key = golden_key();
    auto closing = [&](int seq, const std::string& previous, const std::string& meeting) {
        json facts = {{"closed_at", "2026-12-0" + std::to_string(seq) + "T10:20:00Z"},
                      {"closed_by", {{"account", ""}, {"name", "Eva Ek"}, {"org", "kommun"}, {"role", "chair"}}},
                      {"digest", sshsig::sha256_hex(meeting)},
                      {"group", "fagersta"},
                      {"meeting", meeting},
                      {"previous", previous},
                      {"rev", 10},
                      {"sequence", seq},
                      {"signatures", json::array()},
                      {"type", "est-live/closing"},
                      {"version", 1}};
        auto rec = signed_record(key, "est-live-closing", facts.dump());
        rec["meeting"] = meeting;
        rec["sequence"] = seq;
        rec["digest"] = facts["digest"];
        rec["previous"] = previous;
        return rec;
    };
    json chain = {{"group", "fagersta"}, {"closings", json::array()}};
    std::string previous;
    for (int i = 1; i <= 3; ++i) {
        chain["closings"].push_back(closing(i, previous, "m" + std::to_string(i)));
        previous = sshsig::sha256_hex(chain["closings"].back()["statement"].get<std::string>());
    }
    const json server_keys = {{"keys", {key_item(key)}}};
    auto v = check_chain(chain, "fagersta", {}, server_keys);
    INFO(v.text());
    CHECK(v.intact);
    CHECK(v.text().rfind("INTAKT / INTACT: kedjan för grupp fagersta: 3 stängda möten", 0) == 0);
    CHECK(has(v, "the keys the server answered"));
    CHECK(check_chain(chain, "fagersta", pinned_golden(), json::object()).intact);
    CHECK(check_chain({{"group", "fagersta"}, {"closings", json::array()}}, "fagersta", {}, server_keys).intact);

    auto gap = chain;
    gap["closings"].erase(1);
    v = check_chain(gap, "fagersta", {}, server_keys);
    CHECK_FALSE(v.intact);
    CHECK(has(v, "closing 2 has sequence 3, expected 2"));
    CHECK(has(v, "does not point at the closing before it"));

    auto relinked = chain;
    relinked["closings"][2] = closing(3, std::string(64, '0'), "m3");
    CHECK(has(check_chain(relinked, "fagersta", {}, server_keys), "closing 3 does not point at the closing before it"));

    auto edited = chain;
    std::string text = edited["closings"][0]["statement"];
    text[text.find("m1")] = 'n';
    edited["closings"][0]["statement"] = text;
    v = check_chain(edited, "fagersta", {}, server_keys);
    CHECK_FALSE(v.intact);
    CHECK(has(v, "closing 1: the signature does not hold"));
    CHECK(has(v, "closing 2 does not point at the closing before it"));

    auto listing = chain;
    listing["closings"][1]["meeting"] = "m9";
    CHECK(has(check_chain(listing, "fagersta", {}, server_keys), "the listing's fields differ from the signed statement"));

    CHECK_FALSE(check_chain(chain, "sala", {}, server_keys).intact);
    CHECK(has(check_chain(chain, "fagersta", {}, json::object()), "which is not among the server's keys"));
}

TEST_CASE("verify --key reads key lines, allowed_signers and est-server keys output", "[records][verify]") {
    const auto& v = vectors();
    const std::string listing = "# " + v.at("key_id").get<std::string>() + " created 2026-12-04T10:15:00Z (current)\n" +
                                v.at("allowed_signers").get<std::string>() + "\n\n# old\nnot a key\n" +
                                v.at("public_key").get<std::string>() + "\r\n";
    const auto keys = est::client::parse_key_lines(listing);
    REQUIRE(keys.size() == 2);
    CHECK(keys[0] == sshsig::public_key_of(golden_key()));
    CHECK(keys[1] == keys[0]);
    CHECK(est::client::parse_key_lines(v.at("public_key").get<std::string>()).size() == 1);
    CHECK(est::client::parse_key_lines("# ssh-ed25519 AAAA\n").empty());
}

namespace {

using namespace est::server::records;

// A monthly report as the server makes it (monthly_report.cpp), sealed by a server key in a scratch folder: group
// sala with meetings s1 and s2 closed in December 2026, group heby with h1; each closing signed by the same key,
// naming its meeting's picture digest as the server computes it.
struct report_files {
    est::test::scratch_dir dir;
    std::unique_ptr<signing_keys> keys = signing_keys::open(dir.path());
    json record;
    std::string html, markdown;

    report_files() {
        report_input in{*report_month::parse("2026-12"), {}, "2026-12-31 16:00 (+01:00)",
                        *est::calendar_date::parse("2026-12-31"), 6};
        report_group sala{est::test::make_group("sala", "EST Sala"), {}, {}, {}};
        sala.in_month = {closed("s1", "sala", "2026-12-01", 1, "låg"), closed("s2", "sala", "2026-12-15", 2, "hög")};
        sala.chart = sala.in_month;
        report_group heby{est::test::make_group("heby", "EST Heby"), {}, {}, {}};
        heby.in_month = {closed("h1", "heby", "2026-12-08", 1, "förhöjd")};
        heby.chart = heby.in_month;
        in.groups = {sala, heby};
        record = monthly_report::record(in, keys.get());
        html = monthly_report(monthly_report::built_in_template(), "built-in").html(record, keys.get());
        markdown = monthly_report::markdown(record, keys.get());
    }
    report_meeting closed(const std::string& id, const std::string& group, const std::string& date, std::uint64_t seq,
                          const std::string& level) const {
        auto m = est::test::closed_meeting(id, group, date, seq, level);
        const json facts = {{"closed_at", date + "T10:20:00Z"},
                            {"closed_by", {{"account", ""}, {"name", "Eva Ek"}, {"org", "kommun"}, {"role", "chair"}}},
                            {"digest", est::server::picture_report::digest(*m.document)},
                            {"group", group},
                            {"meeting", id},
                            {"previous", ""},
                            {"rev", m.rev},
                            {"sequence", seq},
                            {"signatures", json::array()},
                            {"type", "est-live/closing"},
                            {"version", 1}};
        const auto sig = keys->sign("est-live-closing", facts.dump());
        m.closing = {{"statement", facts.dump()}, {"sshsig", sig.sshsig}, {"key_id", sig.key_id}};
        return m;
    }
    trusted_keys pinned() const { return {{*sshsig::parse_public_key_line(keys->keys().at(0).public_key)}, "--key"}; }
    // The page's bytes before its seal, sealed again by the server's key in namespace `ns`.
    std::string resealed(const std::string& file, std::string_view ns) const {
        const std::string body = file.substr(0, file.rfind("<!-- est-seal "));
        const auto sig = keys->sign_blob(ns, body);
        return body + "<!-- est-seal key=" + sig.key_id + " sig=" + sshsig::base64_encode(sig.sshsig) + " -->\n";
    }
};

}  // namespace

TEST_CASE("verify: an intact monthly report passes as HTML and Markdown, naming its month, groups and meetings",
          "[records][verify][report]") {
    const report_files r;
    for (const auto& file : {r.html, r.markdown}) {
        for (const auto& v : {check_file(file), check_report(file), check_file(file, r.pinned())}) {
            INFO(v.text());
            CHECK(v.intact);
            CHECK(v.text().rfind("INTAKT / INTACT: månadsrapport 2026-12 (december 2026), 2 grupper, 3 möten med avslut: "
                                 "EST Sala (sala) 2 möten, EST Heby (heby) 1 möte / monthly report 2026-12, 2 groups, "
                                 "3 meetings with their closings: sala 2 meetings, heby 1 meeting",
                                 0) == 0);
            CHECK(has(v, "the seal covers every byte before the seal line"));
        }
        // Not pinned: it says so and names the key to compare; pinned, it does not.
        CHECK(has(check_file(file), "The key is not pinned"));
        CHECK(has(check_file(file), r.keys->current_key_id()));
        CHECK_FALSE(has(check_file(file, r.pinned()), "not pinned"));
    }
}

TEST_CASE("verify: a JSON monthly report has its closings checked and says that it has no seal",
          "[records][verify][report]") {
    const report_files r;
    const auto v = check_file(r.record.dump(2));
    INFO(v.text());
    CHECK(v.intact);
    CHECK(v.text().rfind("INTAKT / INTACT: månadsrapport 2026-12", 0) == 0);
    CHECK(has(v, "the JSON form has no seal: only the meetings' closings are checked"));

    // A closing edited in the JSON fails; a JSON report without meetings shows nothing of where it came from.
    auto edited = r.record;
    std::string text = edited["groups"][0]["meetings"][1]["closing"]["statement"];
    text[text.find("\"rev\":") + 6] ^= 1;
    edited["groups"][0]["meetings"][1]["closing"]["statement"] = text;
    const auto bad = check_file(edited.dump());
    CHECK_FALSE(bad.intact);
    CHECK(bad.text().rfind("ÄNDRAD / ALTERED: avslutet för möte s2 i grupp sala: signaturen stämmer inte", 0) == 0);
    auto empty = r.record;
    for (auto& g : empty["groups"]) g["meetings"] = json::array();
    const auto none = check_file(empty.dump());
    CHECK_FALSE(none.intact);
    CHECK(none.text().rfind("OSIGNERAD / UNSIGNED: ", 0) == 0);
    CHECK(has(none, "no closings and no seal"));
}

TEST_CASE("verify: one changed byte anywhere in a monthly report's page breaks its seal", "[records][verify][report]") {
    const report_files r;
    for (const auto& file : {r.html, r.markdown}) {
        each_changed_byte_fails(file, 61, [](std::string_view f) { return check_file(f); },
                                "ÄNDRAD / ALTERED: sigillet stämmer inte med filens innehåll");
        CHECK(has(check_file(file.substr(0, file.rfind("<!-- est-seal "))), "the file does not end with a seal line"));
    }
}

TEST_CASE("verify: a report's closing from another meeting, or a closing or seal by an unknown key, fails naming it",
          "[records][verify][report]") {
    const report_files r;
    // s2's closing (genuine, by the server's key) shown for s1: even under a seal that holds.
    auto swapped = r.record;
    swapped["groups"][0]["meetings"][0]["closing"] = swapped["groups"][0]["meetings"][1]["closing"];
    for (const auto& file : {swapped.dump(), monthly_report::markdown(swapped, r.keys.get())}) {
        const auto v = check_file(file, r.pinned());
        INFO(v.text());
        CHECK_FALSE(v.intact);
        CHECK(has(v, "ÄNDRAD / ALTERED: avslutet för möte s1 i grupp sala gäller möte s2, inte s1"));
        CHECK(has(v, "the closing of meeting s1 of group sala is of another picture"));
        CHECK(has(v, "the closing of meeting s1 of group sala has sequence 2, the report says 1"));
    }
    // The report's own digest changed to fit: the closing is still of another meeting.
    swapped["groups"][0]["meetings"][0]["digest"] = swapped["groups"][0]["meetings"][1]["digest"];
    CHECK(has(check_file(swapped.dump()), "is for meeting s2, not s1"));
    // Another group's closing of the same sequence.
    auto other_group = r.record;
    other_group["groups"][0]["meetings"][0]["closing"] = other_group["groups"][1]["meetings"][0]["closing"];
    CHECK(has(check_file(other_group.dump()), "the closing of meeting s1 of group sala is for group heby, not sala"));

    // A key that is not the server's: pinned, it refuses the seal and every closing.
    const auto intruder = sshsig::generate_secret_key();
    const trusted_keys other{{sshsig::public_key_of(intruder)}, "--key k.pub"};
    const auto v = check_file(r.html, other);
    INFO(v.text());
    CHECK_FALSE(v.intact);
    CHECK(v.text().rfind("OKÄND NYCKEL / UNKNOWN KEY: sigillet gjordes med nyckeln " + r.keys->current_key_id(), 0) == 0);
    CHECK(has(v, "the closing of meeting h1 of group heby was made with key " + r.keys->current_key_id() +
                     ", not with --key k.pub"));
    // Unpinned, a closing by a key the report does not name.
    auto forged = r.record;
    const std::string statement = forged["groups"][1]["meetings"][0]["closing"]["statement"];
    forged["groups"][1]["meetings"][0]["closing"] = signed_record(intruder, "est-live-closing", statement);
    const auto f = check_file(forged.dump());
    CHECK_FALSE(f.intact);
    CHECK(has(f, "OKÄND NYCKEL / UNKNOWN KEY: avslutet för möte h1 i grupp heby gjordes med nyckeln " +
                     sshsig::key_id(sshsig::public_key_of(intruder)) + " som inte finns bland rapportens nycklar"));
}

TEST_CASE("verify: a report never passes for an export nor an export for a report", "[records][verify][report]") {
    const report_files r;
    const std::string export_md = markdown_export(closed_export());
    for (const auto& report : {r.html, r.markdown}) {
        // Checked as an export: its seal is in the report's namespace, and its record holds no picture.
        const auto as_export = check_export(report);
        INFO(as_export.text());
        CHECK_FALSE(as_export.intact);
        CHECK(has(as_export, "the signature is for namespace \"est-live-report\", not \"est-live-export\""));
        CHECK(has(as_export, "the file is a monthly report, not an export of a picture"));
        // The report's very bytes sealed by the server's key as an export would be: refused by the namespace.
        const auto export_sealed = check_file(r.resealed(report, "est-live-export"), r.pinned());
        INFO(export_sealed.text());
        CHECK_FALSE(export_sealed.intact);
        CHECK(export_sealed.text().rfind("ÄNDRAD / ALTERED: sigillet stämmer inte med filens innehåll (the signature is "
                                         "for namespace \"est-live-export\", not \"est-live-report\")",
                                         0) == 0);
    }
    // And the other way: an export checked as a report, and an export sealed in the report's namespace.
    const auto as_report = check_report(export_md);
    INFO(as_report.text());
    CHECK_FALSE(as_report.intact);
    CHECK(has(as_report, "the signature is for namespace \"est-live-export\", not \"est-live-report\""));
    CHECK(has(as_report, "the file is not a monthly report"));
    const auto body = export_md.substr(0, export_md.rfind("<!-- est-seal "));
    const auto report_sealed = check_file(body + seal_line(body, golden_key(), "est-live-report"));
    INFO(report_sealed.text());
    CHECK_FALSE(report_sealed.intact);
    CHECK(has(report_sealed, "the signature is for namespace \"est-live-report\", not \"est-live-export\""));
    CHECK(check_file(export_md).intact);  // as itself, it holds
}
