// The demo accounts of `est-server --demo`: the file's list read strictly, a password that passes the policy,
// accounts made once and given a new password at every later start, audited, and their roles put back.
#include "est/server/auth/demo_accounts.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "auth_fixtures.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/password_policy.hpp"
#include "est/server/store.hpp"

using est::role;
using est::server::store;
using est::server::auth::auth_service;
using est::server::auth::demo_accounts;
using est::server::auth::password_policy;
using est::test::error_code_of;
using nlohmann::json;

namespace {

const json seed = json::parse(R"({
  "group": {"id": "fagersta", "name": "EST-gruppen Fagersta", "organisations": []},
  "accounts": [
    {"email": "polisen@demo.fagersta.invalid", "name": "Johan Berglund", "role": "participant", "org": "polis"},
    {"email": "ordforande@demo.fagersta.invalid", "name": "Maria Ekström", "role": "chair"},
    {"email": "admin@demo.fagersta.invalid", "name": "Per Wallin", "role": "admin", "server_admin": true}
  ]
})");

struct world {
    est::test::temp_folder dir;
    store db{dir.db(), false};
    est::group group = est::test::fagersta(db);
    auth_service auth{db, [this](std::string_view id) -> std::optional<est::group> {
                          if (id == group.id) return group;
                          return std::nullopt;
                      }};

    // Sets the demo up; returns what it printed.
    std::string set_up(const demo_accounts& demo) {
        std::ostringstream out;
        demo.set_up(&auth, group, out);
        return out.str();
    }

    std::vector<std::string> actions() {
        std::vector<std::string> out;
        db.flush();
        db.read_audit([&](const est::server::audit_row& r) { out.push_back(r.action); });
        return out;
    }
};

std::string password_in(const std::string& printed) {
    const std::string key = "demo password: ";
    const auto at = printed.find(key);
    REQUIRE(at != std::string::npos);
    const auto from = at + key.size();
    return printed.substr(from, printed.find('\n', from) - from);
}

bool signs_in(auth_service& auth, const std::string& email, const std::string& password) {
    return auth.sign_in(email, password, "127.0.0.1").outcome == est::server::auth::sign_in_result::status::ok;
}

}  // namespace

TEST_CASE("demo_accounts: the password is four groups of four unambiguous characters and passes the policy") {
    const std::regex shape("[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}");
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto p = demo_accounts::new_password();
        INFO(p);
        CHECK(std::regex_match(p, shape));
        CHECK_FALSE(password_policy::problem(p));
        seen.insert(p);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("demo_accounts: the file's list is read strictly") {
    const auto demo = demo_accounts::from_json(seed);
    CHECK(demo.group_id() == "fagersta");
    REQUIRE(demo.people().size() == 3);
    CHECK(demo.people()[0].role == role::participant);
    CHECK(demo.people()[0].org == "polis");
    CHECK(demo.people()[1].org.empty());
    CHECK_FALSE(demo.people()[1].server_admin);
    CHECK(demo.people()[2].server_admin);

    CHECK(demo_accounts::from_json(json{{"group", seed.at("group")}}).people().empty());
    auto bad = seed;
    bad["accounts"][0]["role"] = "boss";
    CHECK(error_code_of([&] { demo_accounts::from_json(bad); }) == "bad_message");
    bad = seed;
    bad["accounts"][1].erase("email");
    CHECK(error_code_of([&] { demo_accounts::from_json(bad); }) == "bad_message");
    bad = seed;
    bad["group"].erase("id");
    CHECK(error_code_of([&] { demo_accounts::from_json(bad); }) == "bad_message");
    bad = seed;
    bad["accounts"][2]["server_admin"] = "yes";
    CHECK(error_code_of([&] { demo_accounts::from_json(bad); }) == "bad_message");
}

TEST_CASE("demo_accounts: made once, each in its role, then a new password at every start") {
    world w;
    const auto demo = demo_accounts::from_json(seed);
    const std::string first = w.set_up(demo);
    INFO(first);
    CHECK(first.find("DEMO ONLY — never use on a real network") != std::string::npos);
    CHECK(first.find("made now:") != std::string::npos);
    const std::string pw1 = password_in(first);
    for (const auto& p : demo.people()) {
        CHECK(first.find(p.email) != std::string::npos);
        const auto a = w.auth.accounts().find_by_email(p.email);
        REQUIRE(a);
        CHECK(a->display_name == p.name);
        CHECK(a->is_admin == p.server_admin);
        const auto* m = a->membership_of("fagersta");
        REQUIRE(m);
        CHECK(m->role == p.role);
        CHECK(m->org == p.org);
        CHECK(signs_in(w.auth, p.email, pw1));
    }
    const auto made = w.actions();
    CHECK(std::count(made.begin(), made.end(), "account.create") == 3);
    CHECK(std::count(made.begin(), made.end(), "membership.set") == 3);

    // Someone changed the chair's role meanwhile; the next start puts it back and gives everyone a new password.
    const auto chair = *w.auth.accounts().find_by_email("ordforande@demo.fagersta.invalid");
    w.auth.set_membership({"", "local"}, chair.id, "fagersta", role::bra_member, "");
    const std::string second = w.set_up(demo);
    CHECK(second.find("there from before, with a new password:") != std::string::npos);
    const std::string pw2 = password_in(second);
    CHECK(pw2 != pw1);
    CHECK_FALSE(signs_in(w.auth, "polisen@demo.fagersta.invalid", pw1));
    CHECK(signs_in(w.auth, "polisen@demo.fagersta.invalid", pw2));
    CHECK(w.auth.accounts().find(chair.id)->membership_of("fagersta")->role == role::chair);
    CHECK(w.auth.accounts().size() == 3);
    const auto later = w.actions();
    CHECK(std::count(later.begin(), later.end(), "account.create") == 3);
    CHECK(std::count(later.begin(), later.end(), "password_reset.accept") == 3);
}

TEST_CASE("demo_accounts: no accounts under open access or without the demo group, and a line says why") {
    world w;
    const auto demo = demo_accounts::from_json(seed);
    std::ostringstream open, missing;
    demo.set_up(nullptr, w.group, open);
    demo.set_up(&w.auth, std::nullopt, missing);
    CHECK(open.str().find("no accounts") != std::string::npos);
    CHECK(missing.str().find("no demo accounts") != std::string::npos);
    CHECK(w.auth.accounts().size() == 0);
}
