// Issue 15's public records through the real server: an entry marked sekretess is in the full export and nowhere in
// the public one (searched byte-wise in HTML, Markdown and JSON), and `est-cli verify` takes the public version as
// the genuine redaction of the signed picture — and refuses a tampered copy.
#include <fstream>
#include <map>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "api_client.hpp"
#include "child_process.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// The secret entry's text, and the forms an export could carry it in (HTML- and JSON-escaped).
const std::u16string secret_text = u"Anmälan om \"Kalle\" <Ö> & hot på Hemlighetsgatan 7";
const std::vector<std::string> secret_forms = {"Kalle", "Hemlighetsgatan", "&lt;Ö&gt;", "\\\"Kalle\\\"", "&quot;Kalle&quot;",
                                               "Hemlighetsgatan 7"};

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
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.flush());
    return path;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

test::program_result verify(test::accounts_fixture& f, const std::string& path) {
    return test::run_program({EST_CLI_BIN, "verify", path, "--server", "http://127.0.0.1:" + f.server().port()});
}

}  // namespace

TEST_CASE("the public export holds no text of a secret entry and verifies as the redaction of the signed picture",
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
        REQUIRE(police.append({"andt", "polis", "e1", "plats"}, u"Hemlighetsgatan") == "allowed");
        REQUIRE(police.apply(secrecy_change{"andt", "polis", "e1", "35 kap. 1 § OSL"}) == "allowed");
        REQUIRE(police.apply(add_entry_change{"andt", "polis", "e2"}) == "allowed");
        REQUIRE(police.append({"andt", "polis", "e2", "handelse"}, u"Klotter vid torget") == "allowed");
    }
    CHECK(f.at("chair").http.get("/api/meetings/" + f.meeting() + "/export?format=json&version=redacted").status == 400);
    CHECK(test::api_client(f.server()).get("/api/meetings/" + f.meeting() + "/export?format=json&version=public").status == 401);

    // Signed and closed: the signatures sign the full picture.
    const json full_json = json::parse(exported(f, "json", "full"));
    CHECK(move(f, "chair", {{"action", "lock_picture"}}) == "200");
    for (const char* who : {"chair", "cosigner"})
        CHECK(move(f, who, {{"action", "sign"}, {"rev", full_json.at("rev").get<std::uint64_t>() + 1},
                            {"digest", full_json.at("digest")}, {"password", test::accounts_fixture::password_of(who)}}) == "200");
    CHECK(move(f, "chair", {{"action", "close"}}) == "200");

    std::map<std::string, std::string> files;
    for (const auto& [format, ext] : {std::pair{"html", "html"}, {"markdown", "md"}, {"json", "json"}}) {
        INFO(format);
        const std::string full = exported(f, format, "full"), pub = exported(f, format, "public");
        CHECK(full.find("Hemlighetsgatan") != std::string::npos);
        if (std::string(format) != "json") CHECK(full.find("Sekretess: 35 kap. 1 § OSL") != std::string::npos);
        for (const auto& form : secret_forms) {
            INFO(form);
            CHECK(pub.find(form) == std::string::npos);
        }
        CHECK(pub.find("Klotter vid torget") != std::string::npos);
        CHECK(pub.find("35 kap. 1 § OSL") != std::string::npos);
        if (std::string(format) != "json") CHECK(pub.find("Uppgiften omfattas av sekretess enligt 35 kap. 1 § OSL") != std::string::npos);
        files["full." + std::string(ext)] = save(f, "full." + std::string(ext), full);
        files["public." + std::string(ext)] = save(f, "public." + std::string(ext), pub);
    }
    const json pub_json = json::parse(exported(f, "json", "public"));
    CHECK(pub_json.at("version") == "public");
    CHECK(pub_json.at("redaction_of") == full_json.at("digest"));
    CHECK(pub_json.at("digest") != full_json.at("digest"));
    CHECK(pub_json.at("redacted") == json::parse(R"([{"entry":"e1","org":"polis","osl":"35 kap. 1 § OSL","topic":"andt"}])"));

    for (const auto& [name, path] : files) {
        INFO(name);
        const auto r = verify(f, path);
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK(r.output.find("INTAKT / INTACT") != std::string::npos);
        if (name.starts_with("public")) CHECK(r.output.find("offentlig version, 1 uppgifter maskade") != std::string::npos);
    }

    // Tampered copies are refused: the text changed, the redaction claimed of another picture, the public picture
    // passed off as the full one, a public HTML's seal over changed bytes.
    const auto refused = [&](const std::string& name, const std::string& text) {
        const auto r = verify(f, save(f, name, text));
        INFO(name << ": " << r.output);
        CHECK(r.exit_code == 1);
    };
    json changed = pub_json;
    changed["picture"]["topics"][0]["cells"]["polis"]["entries"][1]["fields"]["handelse"] = "Klotter vid bron";
    refused("changed.json", changed.dump());
    json other = pub_json;
    other["redaction_of"] = std::string(64, 'a');
    refused("other.json", other.dump());
    json posing = pub_json;
    posing.erase("version");
    posing.erase("redaction");
    refused("posing.json", posing.dump());
    std::string html = read_all(files["public.html"]);
    const auto at = html.find("Klotter vid torget");
    REQUIRE(at != std::string::npos);
    html.replace(at, 7, "Graffit");
    refused("changed.html", html);
}
