// `est-server --demo server/demo/fagersta.json` (scripts/run.sh --demo) in accounts mode: the demo group's
// accounts, each with the role README.md's demo table gives it, signed in with the one password the server
// printed before its ready line; a new password at every start; no accounts without --demo or under
// --open-access.
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_client.hpp"
#include "server_process.hpp"

namespace {

using nlohmann::json;

const std::string demo_file = std::string(EST_SOURCE_DIR) + "/server/demo/fagersta.json";

// The demo accounts as README.md documents them.
struct documented {
    std::string email;
    std::string role;
    std::string org;
    bool server_admin = false;
};
const std::vector<documented> demo_people = {
    {"kommun@demo.fagersta.invalid", "participant", "kommun"},
    {"polisen@demo.fagersta.invalid", "participant", "polis"},
    {"nvk@demo.fagersta.invalid", "participant", "nvk"},
    {"nvu@demo.fagersta.invalid", "participant", "nvu"},
    {"ordforande@demo.fagersta.invalid", "chair", ""},
    {"medundertecknare@demo.fagersta.invalid", "cosigner", "polis"},
    {"bra@demo.fagersta.invalid", "bra_member", ""},
    {"admin@demo.fagersta.invalid", "admin", "", true},
};

std::string slurp(const std::string& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A server in `dir`/data whose standard error goes to `dir`/<log>; the demo block is in it once this returns,
// since the server prints it before its ready line.
struct demo_server {
    std::string log_file;
    std::unique_ptr<est::test::server_process> process;

    demo_server(const est::test::temp_dir& dir, const std::string& log, std::vector<std::string> args, bool accounts = true)
        : log_file(dir.path() + "/" + log),
          process(std::make_unique<est::test::server_process>(dir.path() + "/data", std::move(args),
                                                               est::test::process_setup{0, accounts, log_file})) {}

    std::string log() const { return slurp(log_file); }

    // What follows "demo password: " on its line; nullopt when the server printed none.
    std::optional<std::string> password() const {
        const std::string text = log(), key = "demo password: ";
        const auto at = text.find(key);
        if (at == std::string::npos) return std::nullopt;
        const auto from = at + key.size();
        return text.substr(from, text.find('\n', from) - from);
    }
};

json body_of(const est::client::http_result& r) { return json::parse(r.body); }

std::size_t count_rows(const std::string& dir, const std::string& table) {
    SQLite::Database db(dir + "/data/est.sqlite3", SQLite::OPEN_READONLY);
    return static_cast<std::size_t>(db.execAndGet("SELECT count(*) FROM " + table).getInt64());
}

}  // namespace

TEST_CASE("est-server --demo makes the documented demo accounts, each in its role, with the password it prints",
          "[demo][accounts]") {
    est::test::temp_dir dir;
    demo_server s(dir, "first.log", {"--demo", demo_file});
    const std::string log = s.log();
    INFO(log);
    CHECK(log.find("DEMO ONLY — never use on a real network") != std::string::npos);
    CHECK(log.find("made now:") != std::string::npos);
    const auto password = s.password();
    REQUIRE(password);
    CHECK(password->size() >= 12);
    // Printed once, in the block: not repeated anywhere else in the log.
    CHECK(log.find(*password) == log.rfind(*password));

    for (const auto& p : demo_people) {
        INFO(p.email);
        CHECK(log.find(p.email) != std::string::npos);
        est::test::api_client c(*s.process);
        REQUIRE(c.sign_in(p.email, *password).status == 200);
        const auto me = c.get("/api/me");
        REQUIRE(me.status == 200);
        const json j = body_of(me);
        CHECK(j.at("is_admin") == p.server_admin);
        REQUIRE(j.at("memberships").size() == 1);
        const json& m = j.at("memberships").at(0);
        CHECK(m.at("group_id") == "fagersta");
        CHECK(m.at("role") == p.role);
        CHECK(m.at("org") == p.org);
    }

    // Made as `admin create-user` makes an account: an account.create row each, by the command line.
    est::test::api_client admin(*s.process);
    REQUIRE(admin.sign_in("admin@demo.fagersta.invalid", *password).status == 200);
    const auto audit = admin.get("/api/audit?limit=500");
    REQUIRE(audit.status == 200);
    std::vector<std::string> created;
    for (const auto& row : body_of(audit))
        if (row.at("action") == "account.create") {
            CHECK(row.at("address") == "local");
            CHECK(row.at("actor") == "");
            created.push_back(row.at("detail").at("email").get<std::string>());
        }
    CHECK(created.size() == demo_people.size());
    const auto verify = admin.get("/api/audit/verify");
    REQUIRE(verify.status == 200);
    CHECK(body_of(verify).at("ok") == true);
}

TEST_CASE("a second start with --demo gives the demo accounts a new password and signs them out", "[demo][accounts]") {
    est::test::temp_dir dir;
    std::string first_password, cookie;
    {
        demo_server s(dir, "first.log", {"--demo", demo_file});
        REQUIRE(s.password());
        first_password = *s.password();
        est::test::api_client c(*s.process);
        REQUIRE(c.sign_in("kommun@demo.fagersta.invalid", first_password).status == 200);
        cookie = c.cookie();
    }
    demo_server s(dir, "second.log", {"--demo", demo_file});
    const std::string log = s.log();
    INFO(log);
    CHECK(log.find("there from before, with a new password:") != std::string::npos);
    REQUIRE(s.password());
    const std::string second_password = *s.password();
    CHECK(second_password != first_password);

    est::test::api_client old_session(*s.process);
    old_session.set_cookie(cookie);
    CHECK(old_session.get("/api/me").status == 401);
    est::test::api_client c(*s.process);
    CHECK(c.sign_in("kommun@demo.fagersta.invalid", first_password).status == 401);
    CHECK(c.sign_in("kommun@demo.fagersta.invalid", second_password).status == 200);

    // The same accounts and the one group, not a second set.
    est::test::api_client admin(*s.process);
    REQUIRE(admin.sign_in("admin@demo.fagersta.invalid", second_password).status == 200);
    const auto accounts = admin.get("/api/accounts");
    REQUIRE(accounts.status == 200);
    CHECK(body_of(accounts).size() == demo_people.size());
    const auto groups = admin.get("/api/groups");
    REQUIRE(groups.status == 200);
    CHECK(body_of(groups).size() == 1);
}

TEST_CASE("without --demo the server starts with no accounts and no demo group", "[demo][accounts]") {
    est::test::temp_dir dir;
    {
        demo_server s(dir, "plain.log", {});
        const std::string log = s.log();
        INFO(log);
        CHECK(log.find("DEMO ONLY") == std::string::npos);
        CHECK_FALSE(s.password());
        est::test::api_client c(*s.process);
        CHECK(c.sign_in("admin@demo.fagersta.invalid", "kxq7-9mte-4hpa-wn3c").status == 401);
    }
    CHECK(count_rows(dir.path(), "accounts") == 0);
    CHECK(count_rows(dir.path(), "groups") == 0);
}

TEST_CASE("est-server --demo under --open-access loads the demo group but makes no accounts", "[demo][accounts]") {
    est::test::temp_dir dir;
    {
        demo_server s(dir, "open.log", {"--demo", demo_file}, false);
        const std::string log = s.log();
        INFO(log);
        CHECK(log.find("the demo has no accounts") != std::string::npos);
        CHECK_FALSE(s.password());
        const auto groups = est::test::api_client(*s.process).get("/api/groups");
        REQUIRE(groups.status == 200);
        CHECK(body_of(groups).size() == 1);
    }
    CHECK(count_rows(dir.path(), "accounts") == 0);
    CHECK(count_rows(dir.path(), "groups") == 1);
}
