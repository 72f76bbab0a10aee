// est-cli against a real server with accounts (issue 13): it signs in with --email (the password from EST_PASSWORD
// or standard input), locks, signs and closes a meeting, exports it, and `est-cli verify` tells an intact record
// from one altered, cut, spliced together or checked against a key that is not the server's; and a group's chain
// of closings, fetched and saved.
#include <fstream>
#include <map>
#include <iterator>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "child_process.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// est-cli run by the test: the accounts of `f` sign in with --email and their password in the child's
// EST_PASSWORD (never in argv).
class cli {
public:
    explicit cli(test::accounts_fixture& f) : f_(f), url_("http://" + f.server().host() + ":" + f.server().port()) {}

    const std::string& url() const { return url_; }

    // est-cli ARGS --server URL, no account, EST_PASSWORD not inherited.
    test::program_result anonymous(std::vector<std::string> args) const {
        args.insert(args.begin(), EST_CLI_BIN);
        args.insert(args.end(), {"--server", url_});
        return test::run_program(args, {}, {}, {"EST_PASSWORD"});
    }
    // est-cli ARGS --server URL --email <who's e-mail>, the password in EST_PASSWORD.
    test::program_result as(const std::string& who, std::vector<std::string> args) const {
        return as_with_password(who, std::move(args), test::accounts_fixture::password_of(who));
    }
    test::program_result as_with_password(const std::string& who, std::vector<std::string> args,
                                          const std::string& password) const {
        args.insert(args.begin(), EST_CLI_BIN);
        args.insert(args.end(), {"--server", url_, "--email", f_.at(who).email});
        return test::run_program(args, {}, {"EST_PASSWORD=" + password});
    }
    // The same, the password as one line on standard input.
    test::program_result as_typing(const std::string& who, std::vector<std::string> args) const {
        args.insert(args.begin(), EST_CLI_BIN);
        args.insert(args.end(), {"--server", url_, "--email", f_.at(who).email});
        return test::run_program(args, test::accounts_fixture::password_of(who) + "\n", {}, {"EST_PASSWORD"});
    }

private:
    test::accounts_fixture& f_;
    std::string url_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.flush());
}

// Locks, signs as the chair (password typed on standard input) and as the co-signer, and closes `meeting`, all
// with est-cli; each step must answer 0 and the phase it leads to.
void close_with_cli(const cli& c, const std::string& meeting) {
    struct step {
        const char* who;
        const char* command;
        bool typing;
        const char* then;
    };
    for (const auto& s : {step{"chair", "lock", false, "phase: locked"}, step{"chair", "sign", true, "phase: locked"},
                          step{"cosigner", "sign", false, "phase: signed"}, step{"chair", "close", false, "phase: closed"}}) {
        const std::vector<std::string> args = {s.command, "--meeting", meeting};
        const auto r = s.typing ? c.as_typing(s.who, args) : c.as(s.who, args);
        INFO(s.who << " " << s.command << ": " << r.output);
        REQUIRE(r.exit_code == 0);
        CHECK(r.output.find(s.then) != std::string::npos);
    }
}

// The participant writes `text` into a new entry of theirs, live, so that the picture is this meeting's own.
void write_entry(test::accounts_fixture& f, const std::string& meeting, const std::string& text) {
    boost::asio::io_context ioc;
    test::live_member m(ioc, f.live_options(f.at("participant_a"), meeting));
    REQUIRE(m.join() == "allowed");
    const std::string org = f.at("participant_a").org;
    REQUIRE(m.apply(add_entry_change{"ovrigt", org, "e1"}) == "allowed");
    std::u16string t(text.begin(), text.end());  // ASCII
    REQUIRE(m.append({"ovrigt", org, "e1", "handelse"}, t) == "allowed");
}

bool says(const test::program_result& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("est-cli signs in, closes a meeting, and verify tells an intact record from a tampered one",
          "[records][cli][integration]") {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "chair", "cosigner"};
    test::accounts_fixture f(o);
    const cli c(f);
    const std::string dir = f.data_dir();
    const std::string m1 = f.meeting();
    write_entry(f, m1, "Klotter vid torget");

    // Without an account the server with accounts refuses; a wrong password does not sign in.
    const auto anonymous = c.anonymous({"lock", "--meeting", m1});
    CHECK(anonymous.exit_code == 1);
    CHECK(says(anonymous, "401 sign_in_required"));
    const auto wrong = c.as_with_password("chair", {"lock", "--meeting", m1}, "not the password");
    CHECK(wrong.exit_code == 1);
    CHECK(says(wrong, "401 invalid_credentials"));
    // The role still counts: a participant locks nothing.
    const auto participant = c.as("participant_a", {"lock", "--meeting", m1});
    CHECK(participant.exit_code == 1);
    CHECK(says(participant, "403 forbidden"));
    // A topic lock and its undoing; closing before signing is the wrong phase.
    const auto topic = c.as("chair", {"lock", "--meeting", m1, "--topic", "andt"});
    INFO(topic.output);
    CHECK(topic.exit_code == 0);
    CHECK(says(topic, "phase: open"));
    CHECK(says(topic, "locked topics: andt"));
    CHECK(c.as("chair", {"unlock", "--meeting", m1, "--topic", "andt"}).exit_code == 0);
    const auto early = c.as("chair", {"close", "--meeting", m1});
    CHECK(early.exit_code == 1);
    CHECK(says(early, "409 wrong_phase"));

    // show joins the live meeting as the signed-in person (the session cookie on the WebSocket upgrade).
    const auto shown = c.as("participant_a", {"show", "--meeting", m1});
    INFO(shown.output);
    CHECK(shown.exit_code == 0);
    CHECK(says(shown, "Klotter vid torget"));

    close_with_cli(c, m1);

    // The exports, through est-cli signed in.
    std::map<std::string, std::string> files;
    for (const auto& [format, ext] : {std::pair{"html", "html"}, {"markdown", "md"}, {"json", "json"}}) {
        files[format] = dir + "/m1." + ext;
        const auto r = c.as("chair", {"export", "--meeting", m1, "--format", format, "-o", files[format]});
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
    }
    const json record = json::parse(read_file(files["json"]));
    REQUIRE(record.at("state") == "closed");
    // The JSON names the key that seals the HTML and Markdown.
    const auto keys = json::parse(test::api_client(f.server()).get("/api/keys").body).at("keys");
    REQUIRE(keys.size() == 1);
    REQUIRE(record.at("keys").size() == 1);
    CHECK(record.at("keys").at(0).at("key_id") == keys.at(0).at("key_id"));

    const auto verify = [&](const std::string& file, std::vector<std::string> more = {}) {
        std::vector<std::string> args = {EST_CLI_BIN, "verify", file};
        args.insert(args.end(), more.begin(), more.end());
        return test::run_program(args);
    };
    for (const auto& [format, file] : files) {
        INFO(format);
        const auto r = verify(file, {"--server", c.url()});
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK(says(r, "INTAKT / INTACT"));
        CHECK(says(r, f.at("chair").name));
        CHECK(says(r, f.at("cosigner").name));
    }
    // Offline, the file's own keys: intact, and the key the seal names is told, to compare with the server's.
    const auto offline = verify(files["html"]);
    INFO(offline.output);
    CHECK(offline.exit_code == 0);
    CHECK(says(offline, keys.at(0).at("key_id").get<std::string>()));

    {
        // One changed byte in a signed field fails.
        // The picture's text, in the HTML page: the seal no longer holds.
        std::string html = read_file(files["html"]);
        const auto at = html.find("Klotter vid torget");
        REQUIRE(at != std::string::npos);
        html[at] = 'J';
        write_file(dir + "/changed.html", html);
        CHECK(verify(dir + "/changed.html", {"--server", c.url()}).exit_code == 1);
        // The picture's text in the JSON record: its digest is no longer the signed one.
        std::string raw = read_file(files["json"]);
        const auto in_json = raw.find("Klotter vid torget");
        REQUIRE(in_json != std::string::npos);
        raw[in_json] = 'J';
        write_file(dir + "/changed.json", raw);
        const auto picture = verify(dir + "/changed.json", {"--server", c.url()});
        CHECK(picture.exit_code == 1);
        CHECK(says(picture, "ALTERED"));
        // A statement: one character of the chair's signed_at.
        json statement = record;
        std::string text = statement["lifecycle"]["signatures"][0]["statement"];
        const auto signed_at = text.find("\"signed_at\":\"") + 13;
        text[signed_at] = text[signed_at] == '1' ? '2' : '1';
        statement["lifecycle"]["signatures"][0]["statement"] = text;
        write_file(dir + "/statement.json", statement.dump());
        CHECK(verify(dir + "/statement.json", {"--server", c.url()}).exit_code == 1);
        // The seal line of the Markdown export.
        std::string md = read_file(files["markdown"]);
        const auto sig = md.rfind(" sig=") + 10;
        md[sig] = md[sig] == 'A' ? 'B' : 'A';
        write_file(dir + "/seal.md", md);
        CHECK(verify(dir + "/seal.md", {"--server", c.url()}).exit_code == 1);
    }
    {
        // A record without one of its signatures fails.
        json cut = record;
        cut["lifecycle"]["signatures"].erase(1);
        write_file(dir + "/cut.json", cut.dump());
        const auto r = verify(dir + "/cut.json", {"--server", c.url()});
        INFO(r.output);
        CHECK(r.exit_code == 1);
    }
    {
        // Another closed meeting's picture spliced into this record fails, and the group's chain holds both.
        const auto made = c.as("chair", {"create-meeting", "--group", f.group(), "--title", "EST-möte vecka 48"});
        INFO(made.output);
        REQUIRE(made.exit_code == 0);
        const std::string m2 = json::parse(made.output).at("id");
        // A new meeting is a draft: `est-cli open` opens it.
        const auto opened = c.as("chair", {"open", "--meeting", m2});
        INFO(opened.output);
        REQUIRE(opened.exit_code == 0);
        CHECK(opened.output.find("phase: open") != std::string::npos);
        close_with_cli(c, m2);
        const std::string other_file = dir + "/m2.json";
        REQUIRE(c.as("chair", {"export", "--meeting", m2, "--format", "json", "-o", other_file}).exit_code == 0);
        const json other = json::parse(read_file(other_file));
        REQUIRE(other.at("digest") != record.at("digest"));
        CHECK(verify(other_file, {"--server", c.url()}).exit_code == 0);
        json spliced = record;
        spliced["picture"] = other.at("picture");
        spliced["digest"] = other.at("digest");
        write_file(dir + "/spliced.json", spliced.dump());
        const auto r = verify(dir + "/spliced.json", {"--server", c.url()});
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK(says(r, "ALTERED"));

        // The chain: signed in, both closings in order; anonymous, the server does not show it.
        const std::vector<std::string> chain_args = {"verify", "--chain", f.group()};
        const auto chain = c.as("participant_a", chain_args);
        INFO(chain.output);
        CHECK(chain.exit_code == 0);
        CHECK(says(chain, "INTAKT / INTACT"));
        CHECK(says(chain, "2 closed meetings"));
        CHECK(c.anonymous(chain_args).exit_code == 1);

        // A saved chain answer checked offline against the server's key: whole, it holds; with its first closing
        // dropped (the database refuses to drop one, so the answer is cut), it does not.
        write_file(dir + "/allowed_signers", "est-live " + keys.at(0).at("public_key").get<std::string>() + "\n");
        json saved = json::parse(f.at("chair").http.get("/api/groups/" + f.group() + "/chain").body);
        REQUIRE(saved.at("closings").size() == 2);
        write_file(dir + "/chain.json", saved.dump());
        const std::vector<std::string> offline_chain = {EST_CLI_BIN, "verify", "--chain", f.group(), "--chain-file",
                                                        dir + "/chain.json", "--key", dir + "/allowed_signers"};
        CHECK(test::run_program(offline_chain).exit_code == 0);
        saved["closings"].erase(0);
        write_file(dir + "/chain.json", saved.dump());
        const auto dropped = test::run_program(offline_chain);
        INFO(dropped.output);
        CHECK(dropped.exit_code == 1);
        CHECK(says(dropped, "ALTERED"));
    }
    {
        // --key with a key that is not the server's fails, the server's own holds.
        const auto made = test::run_program({"/usr/bin/env", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/intruder"});
        INFO(made.output);
        REQUIRE(made.exit_code == 0);
        const auto r = verify(files["json"], {"--key", dir + "/intruder.pub"});
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK(says(r, "UNKNOWN KEY"));
        CHECK(verify(files["markdown"], {"--key", dir + "/intruder.pub"}).exit_code == 1);
        const std::string server_key = keys.at(0).at("public_key");
        CHECK(verify(files["markdown"], {"--key", server_key}).exit_code == 0);
    }
}

TEST_CASE("est-cli lifecycle commands under --open-access name who acts", "[records][cli][integration]") {
    test::temp_dir dir;
    test::server_process s(dir.path());
    const std::string meeting = test::create_meeting(s, {"polis", "kommun"});
    const std::string url = "http://" + s.host() + ":" + s.port();
    const auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), EST_CLI_BIN);
        args.insert(args.end(), {"--server", url});
        return test::run_program(args, {}, {}, {"EST_PASSWORD"});
    };
    const std::vector<std::string> chair = {"--as-name", "Eva Ek", "--as-role", "chair", "--as-org", "kommun"};
    const std::vector<std::string> cosigner = {"--as-name", "Per Polis", "--as-role", "cosigner", "--as-org", "polis"};
    const auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    // Without --email or --as-name, sign does not know who signs.
    CHECK(run({"sign", "--meeting", meeting}).exit_code == 2);
    CHECK(run(with({"lock", "--meeting", meeting}, cosigner)).exit_code == 1);
    CHECK(run(with({"lock", "--meeting", meeting}, chair)).exit_code == 0);
    CHECK(run(with({"sign", "--meeting", meeting}, chair)).exit_code == 0);
    CHECK(run(with({"sign", "--meeting", meeting}, cosigner)).exit_code == 0);
    const auto closed = run(with({"close", "--meeting", meeting}, chair));
    INFO(closed.output);
    CHECK(closed.exit_code == 0);
    CHECK(says(closed, "phase: closed"));
    const std::string file = dir.path() + "/m.md";
    REQUIRE(run({"export", "--meeting", meeting, "--format", "markdown", "-o", file}).exit_code == 0);
    const auto v = run({"verify", file});
    INFO(v.output);
    CHECK(v.exit_code == 0);
    CHECK(says(v, "Eva Ek"));
    CHECK(says(v, "Per Polis"));
}
