// Issue 15's public records through the real server: an entry marked sekretess is in the full export and nowhere in
// the public one (searched byte-wise in HTML, Markdown and JSON, as written and in the escaped and base64 forms an
// export could carry it in), and `est-cli verify` takes the public version as the genuine redaction of the picture —
// open, and signed and closed — and refuses a tampered copy or a seal of the other kind.
#include <map>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/resealed.hpp"
#include "../support/scratch.hpp"
#include "accounts_fixture.hpp"
#include "api_client.hpp"
#include "child_process.hpp"
#include "est/sshsig.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// The secret entry's text.
const std::u16string secret_text = u"Anmälan om \"Kalle\" <Ö> & hot på Hemlighetsgatan 7";
const std::u16string secret_place = u"Hemlighetsgatan 7";
const std::string osl = "35 kap. 1 § OSL";

// Every form an export could carry the secret text in: as written, HTML-escaped, JSON-escaped (also with
// non-ASCII as \u), and base64 at each of the three alignments (without the last, padded group).
std::vector<std::string> secret_forms() {
    std::vector<std::string> forms = {"Kalle",     "Hemlighetsgatan", "Hemlighetsgatan 7", "&lt;Ö&gt;", "\\\"Kalle\\\"",
                                      "&quot;Kalle&quot;", "&#34;Kalle&#34;", "Anm\\u00e4lan", "Anmälan om"};
    const std::string place = "Hemlighetsgatan 7";
    for (std::size_t k = 0; k < 3; ++k) {
        const std::string b64 = sshsig::base64_encode(place.substr(k));
        forms.push_back(b64.substr(0, b64.size() - 4));
    }
    return forms;
}

std::string move(test::accounts_fixture& f, const std::string& who, const json& body) {
    const auto r = f.at(who).http.post("/api/meetings/" + f.meeting() + "/lifecycle", body);
    return r.status == 200 ? "200" : std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

std::string exported(test::accounts_fixture& f, const std::string& format, const std::string& version) {
    const auto r = f.at("chair").http.get("/api/meetings/" + f.meeting() + "/export?format=" + format + "&version=" + version);
    REQUIRE(r.status == 200);
    return r.body;
}

std::string save(const test::accounts_fixture& f, const std::string& name, const std::string& text) {
    const std::string path = f.data_dir() + "/" + name;
    test::write_file(path, text);
    return path;
}

test::program_result verify(test::accounts_fixture& f, const std::string& path) {
    return test::run_program({EST_CLI_BIN, "verify", path, "--server", "http://127.0.0.1:" + f.server().port()});
}

// Both versions in all three formats, as the chair gets them now: the secret text in every full version, in no form
// in any public one; each saved under "<stage>-<version>.<ext>" and checked with est-cli verify. Returns the paths.
std::map<std::string, std::string> export_and_verify(test::accounts_fixture& f, const std::string& stage, bool signed_) {
    const std::string full_digest = json::parse(exported(f, "json", "full")).at("digest");
    std::map<std::string, std::string> files;
    for (const auto& [format, ext] : {std::pair{"html", "html"}, {"markdown", "md"}, {"json", "json"}}) {
        INFO(stage << " " << format);
        const std::string full = exported(f, format, "full"), pub = exported(f, format, "public");
        CHECK(full.find("Hemlighetsgatan 7") != std::string::npos);
        CHECK(full.find("Klotter vid torget") != std::string::npos);
        if (std::string(format) != "json") CHECK(full.find("Sekretess enligt " + osl) != std::string::npos);
        for (const auto& form : secret_forms()) {
            INFO(form);
            CHECK(pub.find(form) == std::string::npos);
        }
        CHECK(pub.find("Klotter vid torget") != std::string::npos);
        CHECK(pub.find(osl) != std::string::npos);
        if (std::string(format) != "json") {
            CHECK(pub.find("Uppgiften omfattas av sekretess enligt " + osl) != std::string::npos);
            CHECK(pub.find(full_digest) != std::string::npos);  // names the picture it redacts
            // Its signatures are the full picture's: never said to be "another version" of it.
            CHECK(pub.find("en annan version än lägesbilden ovan") == std::string::npos);
        }
        for (const auto& [version, text] : {std::pair{"full", full}, {"public", pub}}) {
            const std::string path = save(f, stage + "-" + version + "." + ext, text);
            files[std::string(version) + "." + ext] = path;
            const auto r = verify(f, path);
            INFO(version << ": " << r.output);
            if (std::string(version) == "full" && std::string(format) == "json" && !signed_) {
                CHECK(r.exit_code == 1);  // an open meeting's full JSON: nothing shows where it came from
                CHECK(r.output.find("OSIGNERAD / UNSIGNED") != std::string::npos);
                continue;
            }
            CHECK(r.exit_code == 0);
            if (std::string(version) == "public")
                CHECK(r.output.rfind("INTAKT / INTACT: OFFENTLIG VERSION (maskad) av lägesbilden med kontrollsumma " +
                                         full_digest + ": ",
                                     0) == 0);
            else
                CHECK(r.output.rfind("INTAKT / INTACT: lägesbild för möte", 0) == 0);
            if (std::string(version) == "public") CHECK(r.output.find("1 uppgift maskad") != std::string::npos);
            CHECK(r.output.find(signed_ ? "signerad av" : "inte signerad") != std::string::npos);
        }
    }
    const json pub = json::parse(exported(f, "json", "public"));
    CHECK(pub.at("version") == "public");
    CHECK(pub.at("redaction_of") == full_digest);
    CHECK(pub.at("digest") != full_digest);
    CHECK(pub.at("redacted") == json::parse(R"([{"entry":"e1","org":"polis","osl":"35 kap. 1 § OSL","topic":"andt"}])"));
    return files;
}

}  // namespace

TEST_CASE("the public export holds no text of a secret entry and verifies as the redaction of the picture, open and "
          "closed; tampered copies and seals of the other kind are refused",
          "[privacy][export][integration]") {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner"};
    test::accounts_fixture f(o);
    boost::asio::io_context ioc;
    {
        test::live_member police(ioc, f.live_options(f.at("participant_a")));
        REQUIRE(police.join() == "allowed");
        REQUIRE(police.apply(add_entry_change{"andt", "polis", "e1"}) == "allowed");
        REQUIRE(police.append({"andt", "polis", "e1", "handelse"}, secret_text) == "allowed");
        REQUIRE(police.append({"andt", "polis", "e1", "plats"}, secret_place) == "allowed");
        REQUIRE(police.apply(secrecy_change{"andt", "polis", "e1", osl}) == "allowed");
        REQUIRE(police.apply(add_entry_change{"andt", "polis", "e2"}) == "allowed");
        REQUIRE(police.append({"andt", "polis", "e2", "handelse"}, u"Klotter vid torget") == "allowed");
    }

    // Open: both versions verify, the public one as a redaction of a picture nobody has signed yet.
    export_and_verify(f, "open", false);

    // Signed and closed: the signatures and the closing sign the full picture.
    const json full_json = json::parse(exported(f, "json", "full"));
    CHECK(move(f, "chair", {{"action", "lock_picture"}}) == "200");
    for (const char* who : {"chair", "cosigner"})
        CHECK(move(f, who, {{"action", "sign"}, {"rev", full_json.at("rev").get<std::uint64_t>() + 1},
                            {"digest", full_json.at("digest")}, {"password", test::accounts_fixture::password_of(who)}}) == "200");
    CHECK(move(f, "chair", {{"action", "close"}}) == "200");
    auto files = export_and_verify(f, "closed", true);
    const json pub_json = json::parse(exported(f, "json", "public"));
    REQUIRE(pub_json.at("lifecycle").at("closing").at("statement").get<std::string>().find(
                full_json.at("digest").get<std::string>()) != std::string::npos);

    // The redaction statement checked with stock tools, as docs/records.md says: its signature with ssh-keygen in
    // est-live-redaction (and not in est-live-export), the public picture's digest with sha256sum.
    {
        test::scratch_dir dir;
        const json keys = json::parse(f.at("chair").http.get("/api/keys").body);
        const std::string key = keys.at("keys").at(0).at("public_key").get<std::string>();
        test::write_file(dir / "allowed_signers", "est-live " + key.substr(0, key.rfind(' ')) + "\n");
        test::write_file(dir / "lagesbild-offentlig.json", pub_json.dump());
        const std::string cut =
            "cd '" + dir.path().string() + "' && python3 - lagesbild-offentlig.json <<'EOF'\n"
            "import json, sys\n"
            "d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
            "open(\"redaction.txt\", \"wb\").write(d[\"redaction\"][\"statement\"].encode(\"utf-8\"))\n"
            "open(\"redaction.sig\", \"wb\").write(d[\"redaction\"][\"sshsig\"].encode(\"ascii\"))\n"
            "picture = json.dumps(d[\"picture\"], sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)\n"
            "open(\"picture.json\", \"wb\").write(picture.encode(\"utf-8\"))\n"
            "EOF\n";
        const auto keygen = [&](const std::string& ns) {
            return test::run_command(cut + "ssh-keygen -Y verify -f allowed_signers -I est-live -n " + ns +
                                     " -s redaction.sig < redaction.txt");
        };
        const auto good = keygen("est-live-redaction");
        INFO(good.output);
        CHECK(good.status == 0);
        CHECK(keygen("est-live-export").status != 0);
        const auto sum = test::run_command("cd '" + dir.path().string() + "' && sha256sum picture.json");
        CHECK(sum.output.rfind(pub_json.at("digest").get<std::string>(), 0) == 0);
        CHECK(test::read_file(dir / "redaction.txt").find("\"redaction_of\":\"" + full_json.at("digest").get<std::string>() +
                                                         "\"") != std::string::npos);
    }

    // Tampered copies are refused.
    const auto refused = [&](const std::string& name, const std::string& text, const std::string& says) {
        const auto r = verify(f, save(f, name, text));
        INFO(name << ": " << r.output);
        CHECK(r.exit_code == 1);
        CHECK(r.output.find(says) != std::string::npos);
    };
    // The police's entries in topic andt: e1 (secret), e2.
    const auto polis = [](json& j) -> json& {
        for (auto& t : j.at("picture").at("topics"))
            if (t.at("id") == "andt") return t.at("cells").at("polis").at("entries");
        throw std::runtime_error("no topic andt");
    };
    const auto redigested = [](json j) {
        j["digest"] = sshsig::sha256_hex(j.at("picture").dump());
        return j;
    };
    {
        json copy = pub_json;
        REQUIRE(polis(copy).size() == 2);
        REQUIRE(polis(copy).at(0).at("id") == "e1");
    }
    {
        // Another text in a public entry, the digest left as it was, and recomputed.
        json changed = pub_json;
        polis(changed).at(1).at("fields")["handelse"] = "Klotter vid bron";
        refused("changed.json", changed.dump(), "ÄNDRAD / ALTERED: lägesbilden stämmer inte med exportens digest");
        refused("changed-redigested.json", redigested(changed).dump(), "the redacted picture is not the one the server redacted");
    }
    {
        // A marker removed: the entry no longer says it is secret.
        json unmarked = pub_json;
        polis(unmarked).at(0).erase("secrecy");
        refused("unmarked.json", redigested(unmarked).dump(), "the picture's sekretess markings are not the withheld entries");
    }
    {
        // Text put where the marker is.
        json filled = pub_json;
        polis(filled).at(0).at("fields")["handelse"] = "Något annat";
        refused("filled.json", redigested(filled).dump(), "an entry under sekretess still holds text in the public version");
    }
    {
        // The redaction claimed of another picture; the list of withheld entries shortened.
        json other = pub_json;
        other["redaction_of"] = std::string(64, 'a');
        refused("other.json", other.dump(), "the export's redaction_of");
        json shortened = pub_json;
        shortened["redacted"] = json::array();
        refused("shortened.json", shortened.dump(), "the export's list of withheld entries (redacted) is not the statement's");
    }
    {
        // The public picture passed off as the full one.
        json posing = pub_json;
        posing.erase("version");
        posing.erase("redaction");
        refused("posing.json", posing.dump(), "is of another picture");
    }
    {
        // One changed byte of a public page's visible text.
        std::string html = test::read_file(files["public.html"]);
        const auto at = html.find("Klotter vid torget");
        REQUIRE(at != std::string::npos);
        html.replace(at, 7, "Graffit");
        refused("changed.html", html, "ÄNDRAD / ALTERED: sigillet stämmer inte med filens innehåll");
    }
    // Each kind's seal holds only in its own namespace: a public page under an export's seal by the server's own key,
    // and a full page under a redaction seal, are refused.
    for (const std::string ext : {"html", "md"}) {
        INFO(ext);
        refused("as-export." + ext, test::resealed(f.data_dir(), test::read_file(files["public." + ext]), "est-live-export"),
                "the signature is for namespace \"est-live-export\", not \"est-live-redaction\"");
        refused("as-public." + ext, test::resealed(f.data_dir(), test::read_file(files["full." + ext]), "est-live-redaction"),
                "the signature is for namespace \"est-live-redaction\", not \"est-live-export\"");
    }
}

TEST_CASE("the public version is given to exactly those who may have the full one, and only version=full|public is "
          "understood",
          "[privacy][export][integration]") {
    test::accounts_fixture f;
    const std::string path = "/api/meetings/" + f.meeting() + "/export?format=json";
    for (test::person* p : f.people()) {
        INFO(p->key);
        const auto full = p->http.get(path), pub = p->http.get(path + "&version=public");
        CHECK(pub.status == full.status);
        if (full.status != 200) CHECK(json::parse(pub.body).at("error") == json::parse(full.body).at("error"));
        else CHECK(json::parse(pub.body).at("version") == "public");
        CHECK(p->http.get(path + "&version=full").status == full.status);
    }
    for (const std::string bad : {"redacted", "PUBLIC", "full,public", "1"}) {
        INFO(bad);
        const auto r = f.at("chair").http.get(path + "&version=" + bad);
        CHECK(r.status == 400);
        CHECK(json::parse(r.body).at("error") == "bad_query");
    }
}
