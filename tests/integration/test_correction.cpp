// Corrections through the real server (issue 13: "a signed or closed picture is never unlocked: a correction is a
// new version that links to the old digest"). The chair corrects a closed meeting: a new meeting of the group whose
// picture starts as the closed one's copy and whose signatures and closing name the meeting, digest and closing it
// corrects. The closed meeting never changes; its page, list entry and exports say where it was corrected. kill -9
// keeps all of it; est-cli and stock ssh-keygen check it.
#include <algorithm>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "child_process.hpp"
#include "est/correction.hpp"
#include "est/sshsig.hpp"
#include "est/utf.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

std::string answer_of(const client::http_result& r) {
    if (r.status / 100 == 2) return std::to_string(r.status);
    return std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

// One meeting of the fixture's group, driven by its people over REST and live.
class meeting_steps {
public:
    meeting_steps(test::accounts_fixture& f, std::string id) : f_(f), id_(std::move(id)) {}
    const std::string& id() const { return id_; }

    std::string move(const std::string& who, const json& body) const {
        return answer_of(f_.at(who).http.post("/api/meetings/" + id_ + "/lifecycle", body));
    }
    std::string correct(const std::string& who) const {
        return answer_of(f_.at(who).http.post("/api/meetings/" + id_ + "/correction", json::object()));
    }
    client::http_result correction(const std::string& who) const {
        return f_.at(who).http.post("/api/meetings/" + id_ + "/correction", json::object());
    }
    json exported(const std::string& format = "json") const {
        const auto r = f_.at("chair").http.get("/api/meetings/" + id_ + "/export?format=" + format);
        REQUIRE(r.status == 200);
        return format == "json" ? json::parse(r.body) : json(r.body);
    }
    json meeting() const { return json::parse(f_.at("chair").http.get("/api/meetings/" + id_).body); }
    std::string phase() const { return exported().at("lifecycle").at("phase"); }

    // Appends `text` to `who`'s own entry `entry` in `topic`, adding the entry first when it is not there.
    std::string write(const std::string& who, const std::string& topic, const std::string& entry,
                      const std::u16string& text) const {
        boost::asio::io_context ioc;
        test::live_member m(ioc, f_.live_options(f_.at(who), id_));
        REQUIRE(m.join() == "allowed");
        const std::string org = f_.at(who).org;
        const auto& cell = m.client().replica().confirmed().topic(topic).cells.at(org);
        if (std::none_of(cell.entries.begin(), cell.entries.end(), [&](const auto& e) { return e.id == entry; }))
            if (const auto added = m.apply(add_entry_change{topic, org, entry}); added != "allowed") return added;
        return m.append({topic, org, entry, "handelse"}, text);
    }
    std::u16string text_of(const std::string& topic, const std::string& org, const std::string& entry) const {
        const json picture = exported().at("picture");
        for (const auto& e : picture.at("topics"))
            if (e.at("id") == topic)
                for (const auto& x : e.at("cells").at(org).at("entries"))
                    if (x.at("id") == entry) return *utf8_to_utf16(x.at("fields").at("handelse").get<std::string>());
        return u"(none)";
    }

    // Open (when it is a draft), lock, both sign with their passwords, close: the normal lifecycle.
    void sign_off() const {
        if (phase() == "draft") REQUIRE(move("chair", {{"action", "open"}}) == "200");
        REQUIRE(move("chair", {{"action", "lock_picture"}}) == "200");
        for (const char* who : {"chair", "cosigner"}) {
            const json now = exported();
            REQUIRE(move(who, {{"action", "sign"}, {"rev", now.at("rev")}, {"digest", now.at("digest")},
                               {"password", test::accounts_fixture::password_of(who)}}) == "200");
        }
        REQUIRE(move("chair", {{"action", "close"}}) == "200");
    }

private:
    test::accounts_fixture& f_;
    std::string id_;
};

test::accounts_fixture::options correction_people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner", "bra_member"};
    return o;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.flush());
}

}  // namespace

TEST_CASE("a closed meeting is corrected by a new version that names it, and never changes itself",
          "[lifecycle][correction][integration]") {
    test::accounts_fixture f(correction_people());
    const meeting_steps old(f, f.meeting());
    if (old.phase() == "draft") REQUIRE(old.move("chair", {{"action", "open"}}) == "200");
    REQUIRE(old.write("participant_a", "andt", "e1", u"Langning vid stationen") == "allowed");

    // Only a closed meeting is corrected, and only by the chair.
    CHECK(old.correct("chair") == "409 wrong_phase");
    CHECK(old.correct("participant_a") == "403 forbidden");
    CHECK(answer_of(test::api_client(f.server()).post("/api/meetings/" + old.id() + "/correction", json::object())) ==
          "401 sign_in_required");
    CHECK(answer_of(f.at("chair").http.post("/api/meetings/no-such/correction", json::object())) == "404 not_found");
    old.sign_off();
    const json closed = old.exported();
    REQUIRE(closed.at("lifecycle").at("phase") == "closed");
    CHECK(old.correct("participant_a") == "403 forbidden");
    CHECK(old.correct("cosigner") == "403 forbidden");
    CHECK(old.correct("bra_member") == "403 forbidden");
    // A body is no place to say anything, and a page of another origin cannot start one.
    CHECK(answer_of(f.at("chair").http.post("/api/meetings/" + old.id() + "/correction", json{{"title", "x"}})) ==
          "400 bad_message");
    CHECK(f.at("chair").http.post("/api/meetings/" + old.id() + "/correction", json::object(),
                                  {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(f.at("chair").http.get("/api/meetings/" + old.id() + "/correction").status == 405);

    // The chair starts the correction: a new, open meeting of the group, whose picture is the closed one.
    const auto started = old.correction("chair");
    REQUIRE(started.status == 201);
    const json made = json::parse(started.body);
    const meeting_steps corr(f, made.at("id"));
    const std::string closing_statement = closed.at("lifecycle").at("closing").at("statement");
    const json link = {{"meeting", old.id()}, {"digest", closed.at("digest")},
                       {"closing", sshsig::sha256_hex(closing_statement)}};
    CHECK(made.at("group_id") == f.group());
    CHECK(made.at("state") == "open");
    CHECK(made.at("title") == "Rättelse: " + old.meeting().at("title").get<std::string>());
    CHECK(made.at("date") == old.meeting().at("date"));
    CHECK(made.at("corrects").at("meeting") == link.at("meeting"));
    CHECK(made.at("corrects").at("digest") == link.at("digest"));
    CHECK(made.at("corrects").at("closing") == link.at("closing"));
    CHECK(made.at("corrects").at("title") == old.meeting().at("title"));
    const json copy = corr.exported();
    CHECK(copy.at("picture") == closed.at("picture"));  // nothing set a choice: even the registers match
    CHECK(copy.at("digest") == closed.at("digest"));
    CHECK(copy.at("lifecycle").at("phase") == "open");
    CHECK(copy.at("lifecycle").at("required") == closed.at("lifecycle").at("required"));

    // One correction at a time: a second is refused, naming the first.
    const auto again = old.correction("chair");
    CHECK(again.status == 409);
    CHECK(json::parse(again.body).at("error") == "conflict");
    CHECK(json::parse(again.body).at("message").get<std::string>().find(corr.id()) != std::string::npos);

    // The closed meeting never changes, and readers see where it was corrected: its page, the list, the exports.
    CHECK(old.exported().at("rev") == closed.at("rev"));
    CHECK(old.exported().at("digest") == closed.at("digest"));
    CHECK(old.meeting().at("corrected_by").at("id") == corr.id());
    const auto list = json::parse(f.at("participant_a").http.get("/api/groups/" + f.group() + "/meetings").body);
    for (const auto& m : list)
        if (m.at("id") == old.id()) CHECK(m.at("corrected_by").at("id") == corr.id());
    const std::string html = old.exported("html").get<std::string>();
    CHECK(html.find("Rättad – se " + made.at("title").get<std::string>()) != std::string::npos);
    CHECK(html.find("href=\"/#/m/" + corr.id() + "\"") != std::string::npos);
    CHECK(old.exported("markdown").get<std::string>().find("Rättad – se") != std::string::npos);
    CHECK(old.exported().at("meeting").at("corrected_by").at("id") == corr.id());
    CHECK(corr.exported("html").get<std::string>().find("Rättelse av ") != std::string::npos);

    // kill -9: the correction, its link and its copy come back.
    f.crash_and_restart();
    CHECK(corr.meeting().at("corrects").at("digest") == link.at("digest"));
    CHECK(old.meeting().at("corrected_by").at("id") == corr.id());
    CHECK(corr.exported().at("picture") == closed.at("picture"));
    CHECK(old.correct("chair") == "409 conflict");

    // The copy is edited like any open meeting; the closed one still refuses every change.
    CHECK(corr.write("participant_a", "andt", "e1", u" – rättat: vid busstationen") == "allowed");
    CHECK(corr.write("participant_b", "andt", "e2", u"Ny uppgift") == "allowed");
    CHECK(old.write("participant_a", "andt", "e1", u"!") == "closed");
    CHECK(corr.text_of("andt", "polis", "e1") == u"Langning vid stationen – rättat: vid busstationen");
    CHECK(old.text_of("andt", "polis", "e1") == u"Langning vid stationen");

    f.crash_and_restart();
    CHECK(corr.text_of("andt", "kommun", "e2") == u"Ny uppgift");
    corr.sign_off();
    f.crash_and_restart();

    // Both pictures are closed; the correction's statements name what they correct.
    const json fixed = corr.exported();
    REQUIRE(fixed.at("lifecycle").at("phase") == "closed");
    CHECK(fixed.at("digest") != closed.at("digest"));
    for (const auto& s : fixed.at("lifecycle").at("signatures"))
        CHECK(json::parse(s.at("statement").get<std::string>()).at("corrects") == link);
    const json closing = json::parse(fixed.at("lifecycle").at("closing").at("statement").get<std::string>());
    CHECK(closing.at("corrects") == link);
    // ... and the old meeting's never will: its statements are as they were.
    const json old_export = old.exported();  // held: a range-for over a member of a temporary reads freed memory
    for (const auto& s : old_export.at("lifecycle").at("signatures"))
        CHECK_FALSE(json::parse(s.at("statement").get<std::string>()).contains("corrects"));
    // The correction's closing takes its own place in the group's chain, after the one it corrects.
    CHECK(closing.at("sequence") == 2);
    CHECK(closing.at("previous") == link.at("closing"));
    const auto chain = json::parse(f.at("chair").http.get("/api/groups/" + f.group() + "/chain").body);
    REQUIRE(chain.at("closings").size() == 2);
    CHECK(chain.at("closings").at(1).at("meeting") == corr.id());

    // est-cli checks both exports and the chain, and says plainly what the correction corrects.
    const std::string dir = f.data_dir();
    const auto keys = json::parse(test::api_client(f.server()).get("/api/keys").body).at("keys");
    write_file(dir + "/allowed_signers", "est-live " + keys.at(0).at("public_key").get<std::string>() + "\n");
    write_file(dir + "/old.json", old.exported().dump());
    write_file(dir + "/fixed.json", fixed.dump());
    write_file(dir + "/old.html", old.exported("html").get<std::string>());
    write_file(dir + "/fixed.md", corr.exported("markdown").get<std::string>());
    for (const char* file : {"/old.json", "/fixed.json", "/old.html", "/fixed.md"}) {
        const auto r = test::run_program({EST_CLI_BIN, "verify", dir + file, "--key", dir + "/allowed_signers"});
        INFO(file << ": " << r.output);
        CHECK(r.exit_code == 0);
        CHECK(r.output.starts_with("INTAKT / INTACT"));
    }
    const auto verdict = test::run_program({EST_CLI_BIN, "verify", dir + "/fixed.json", "--key", dir + "/allowed_signers"});
    INFO(verdict.output);
    CHECK(verdict.output.find("rättelse av möte " + old.id() + " med digest " + closed.at("digest").get<std::string>()) !=
          std::string::npos);
    CHECK(verdict.output.find("a correction of meeting " + old.id() + " with digest " +
                              closed.at("digest").get<std::string>()) != std::string::npos);
    const auto old_verdict = test::run_program({EST_CLI_BIN, "verify", dir + "/old.json", "--key", dir + "/allowed_signers"});
    CHECK(old_verdict.output.find("Rättad i möte " + corr.id()) != std::string::npos);
    write_file(dir + "/chain.json", chain.dump());
    const auto chained = test::run_program({EST_CLI_BIN, "verify", "--chain", f.group(), "--chain-file", dir + "/chain.json",
                                            "--key", dir + "/allowed_signers"});
    INFO(chained.output);
    CHECK(chained.exit_code == 0);
    CHECK(chained.output.find("1 of them corrections") != std::string::npos);
    // A correction whose statements were made to name another meeting fails: the export and the statements disagree.
    json forged = fixed;
    forged["meeting"]["corrects"]["digest"] = std::string(64, 'a');
    write_file(dir + "/forged.json", forged.dump());
    CHECK(test::run_program({EST_CLI_BIN, "verify", dir + "/forged.json", "--key", dir + "/allowed_signers"}).exit_code == 1);

    // Stock ssh-keygen: the correction's closing statement, with its "corrects", is the server's word.
    write_file(dir + "/closing", fixed.at("lifecycle").at("closing").at("statement").get<std::string>());
    write_file(dir + "/closing.sig", fixed.at("lifecycle").at("closing").at("sshsig").get<std::string>());
    CHECK(test::run_program({"/bin/sh", "-c", "ssh-keygen -Y verify -f " + dir + "/allowed_signers -I est-live -n "
                                              "est-live-closing -s " + dir + "/closing.sig < " + dir + "/closing"})
              .exit_code == 0);

    // Versions form a chain: the correction is corrected in turn; the first closed meeting only once.
    CHECK(old.correct("chair") == "409 conflict");
    const auto second = corr.correction("chair");
    REQUIRE(second.status == 201);
    const json v3 = json::parse(second.body);
    CHECK(v3.at("corrects").at("meeting") == corr.id());
    CHECK(v3.at("corrects").at("digest") == fixed.at("digest"));
    CHECK(v3.at("title") == "Rättelse: " + made.at("title").get<std::string>());
    CHECK(corr.meeting().at("corrected_by").at("id") == v3.at("id"));

    // Each correction is in the audit log: who, what it corrects.
    std::size_t audited = 0;
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=500").body)) {
        if (row.at("action") != "meeting.correct") continue;
        ++audited;
        CHECK(row.at("actor") == f.at("chair").id);
        CHECK(row.at("detail").contains("corrects"));
    }
    CHECK(audited == 2);
}

TEST_CASE("est-cli correct starts a correction as the chair, and says why not to anyone else",
          "[lifecycle][correction][integration]") {
    test::accounts_fixture f(correction_people());
    const meeting_steps old(f, f.meeting());
    const std::string url = "http://" + f.server().host() + ":" + f.server().port();
    const auto cli = [&](const std::string& who, std::vector<std::string> args) {
        args.insert(args.begin(), EST_CLI_BIN);
        args.insert(args.end(), {"--server", url, "--email", f.at(who).email});
        return test::run_program(args, {}, {"EST_PASSWORD=" + test::accounts_fixture::password_of(who)});
    };
    const auto open = cli("chair", {"correct", old.id()});
    CHECK(open.exit_code == 1);
    CHECK(open.output.find("wrong_phase") != std::string::npos);
    old.sign_off();
    CHECK(cli("participant_a", {"correct", old.id()}).exit_code == 1);
    const auto made = cli("chair", {"correct", old.id()});
    INFO(made.output);
    CHECK(made.exit_code == 0);
    CHECK(made.output.find("rättar / corrects " + old.id()) != std::string::npos);
    CHECK(old.meeting().contains("corrected_by"));
    const auto twice = cli("chair", {"correct", "--meeting", old.id()});
    CHECK(twice.exit_code == 1);
    CHECK(twice.output.find("conflict") != std::string::npos);
}
