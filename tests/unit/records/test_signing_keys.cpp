// The server's signing keys on disk (server/src/records/signing_keys.cpp) and `est-server keys`.
#include "est/server/records/signing_keys.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../../support/scratch.hpp"
#include "est/server/records/keys_command.hpp"

using est::server::records::signing_keys;
using est::test::read_file;
using est::test::run_command;
using est::test::scratch_dir;
using est::test::shell_quote;
using est::test::write_file;
namespace fs = std::filesystem;
namespace sshsig = est::sshsig;

namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::vector<std::string> key_files(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The golden test key of tests/vectors/signature.json (test-only: its seed is public).
sshsig::secret_key golden_key() {
    sshsig::seed s{};
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<unsigned char>(i);
    return sshsig::secret_key_from_seed(s);
}

}  // namespace

TEST_CASE("signing_keys: the first start makes keys/ 0700 and one key file 0600", "[records][signing_keys]") {
    scratch_dir data;
    const auto keys = signing_keys::open(data.path());
    const auto dir = data / "keys";
    CHECK(mode_of(dir) == 0700);
    const auto files = key_files(dir);
    REQUIRE(files.size() == 1);
    CHECK(files[0].size() == std::string("ed25519-20261204T101500Z.key").size());
    CHECK(files[0].rfind("ed25519-", 0) == 0);
    CHECK(mode_of(dir / files[0]) == 0600);

    const auto list = keys->keys();
    REQUIRE(list.size() == 1);
    CHECK(list[0].current);
    CHECK(list[0].key_id == keys->current_key_id());
    CHECK(list[0].key_id.rfind("SHA256:", 0) == 0);
    CHECK(list[0].public_key.rfind("ssh-ed25519 AAAA", 0) == 0);
    CHECK(list[0].public_key.substr(list[0].public_key.size() - 9) == " est-live");
    CHECK(list[0].created_at.size() == std::string("2026-12-04T10:15:00Z").size());
    CHECK(list[0].created_at.substr(0, 4) == files[0].substr(8, 4));

    // Opened again, the same key signs.
    CHECK(signing_keys::open(data.path())->current_key_id() == list[0].key_id);
}

TEST_CASE("signing_keys: a signature verifies with the current key and names it", "[records][signing_keys]") {
    scratch_dir data;
    const auto keys = signing_keys::open(data.path());
    const auto sig = keys->sign("est-live-signature", "statement");
    CHECK(sig.key_id == keys->current_key_id());
    const auto v = sshsig::verify(sig.sshsig, "est-live-signature", "statement");
    REQUIRE(v.ok);
    CHECK(sshsig::key_id(v.key) == sig.key_id);
    CHECK(sshsig::public_key_line(v.key) == keys->keys()[0].public_key);

    const auto seal = keys->sign_blob("est-live-export", "page");
    CHECK(seal.key_id == sig.key_id);
    CHECK(sshsig::verify(seal.sshsig, "est-live-export", "page", false).ok);

    const auto j = keys->to_json();
    REQUIRE(j.at("keys").size() == 1);
    CHECK(j.at("keys")[0].at("key_id") == sig.key_id);
    CHECK(j.at("keys")[0].at("current") == true);
    CHECK(j.at("keys")[0].at("public_key") == keys->keys()[0].public_key);
    CHECK(j.at("keys")[0].at("created_at") == keys->keys()[0].created_at);
}

TEST_CASE("signing_keys: rotating keeps the old keys, newest first and current, names sorting by age", "[records][signing_keys]") {
    scratch_dir data;
    const auto keys = signing_keys::open(data.path());
    const auto first = keys->current_key_id();
    const auto old_sig = keys->sign("est-live-signature", "old");
    // Two more within the same second, most likely: their names must still sort after the first.
    const auto second = keys->rotate();
    const auto third = keys->rotate();
    CHECK(second.current);
    CHECK(third.current);
    CHECK(keys->current_key_id() == third.key_id);
    CHECK(keys->sign("ns", "m").key_id == third.key_id);

    const auto list = keys->keys();
    REQUIRE(list.size() == 3);
    CHECK(list[0].key_id == third.key_id);
    CHECK(list[1].key_id == second.key_id);
    CHECK(list[2].key_id == first);
    CHECK(list[0].current);
    CHECK_FALSE(list[1].current);
    CHECK_FALSE(list[2].current);
    CHECK(keys->find(first));
    CHECK_FALSE(keys->find("SHA256:nope"));

    const auto files = key_files(data / "keys");
    REQUIRE(files.size() == 3);
    for (const auto& f : files) CHECK(mode_of(data / "keys" / f) == 0600);

    // A restart finds the same order: the newest file signs, and what the first key signed still verifies.
    const auto reopened = signing_keys::open(data.path());
    CHECK(reopened->current_key_id() == third.key_id);
    const auto again = reopened->keys();
    REQUIRE(again.size() == 3);
    CHECK(again[2].key_id == first);
    const auto v = sshsig::verify(old_sig.sshsig, "est-live-signature", "old");
    REQUIRE(v.ok);
    CHECK(sshsig::key_id(v.key) == again[2].key_id);
}

TEST_CASE("signing_keys: a key file readable by group or others is refused, naming the chmod", "[records][signing_keys]") {
    scratch_dir data;
    const auto keys = signing_keys::open(data.path());
    const auto file = data / "keys" / key_files(data / "keys").at(0);
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::replace);
    try {
        signing_keys::open(data.path());
        FAIL("a 0644 key file was loaded");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        CHECK(what.find(file.string()) != std::string::npos);
        CHECK(what.find("0644") != std::string::npos);
        CHECK(what.find("chmod 600 " + file.string()) != std::string::npos);
    }
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    CHECK(signing_keys::open(data.path())->current_key_id() == keys->current_key_id());
}

TEST_CASE("signing_keys: a damaged key file is refused, raw or hex keys are read", "[records][signing_keys]") {
    scratch_dir data;
    fs::create_directory(data / "keys");
    const auto file = data / "keys" / "ed25519-20261204T101500Z.key";
    const auto golden = golden_key();
    write_file(file, std::string(reinterpret_cast<const char*>(golden.data()), golden.size()));
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    const auto keys = signing_keys::open(data.path());
    CHECK(keys->current_key_id() == sshsig::key_id(sshsig::public_key_of(golden)));
    CHECK(keys->keys().at(0).created_at == "2026-12-04T10:15:00Z");
    CHECK(fs::exists(data / "keys" / "README") == false);  // nothing else was made

    auto broken = golden;
    broken[40] ^= 1;  // the public half no longer matches the seed
    write_file(file, std::string(reinterpret_cast<const char*>(broken.data()), broken.size()));
    CHECK_THROWS_WITH(signing_keys::open(data.path()), Catch::Contains("damaged"));
    write_file(file, "not a key\n");
    CHECK_THROWS_WITH(signing_keys::open(data.path()), Catch::Contains("damaged"));
}

TEST_CASE("est-server keys prints allowed_signers lines that ssh-keygen verifies with", "[records][signing_keys][ssh-keygen]") {
    INFO("ssh-keygen (package openssh-client) is needed: scripts/install-deps.sh installs it");
    REQUIRE(run_command("command -v ssh-keygen").status == 0);
    scratch_dir data;
    std::ostringstream out, err;
    REQUIRE(est::server::records::run_keys_command(data.path(), false, out, err) == 0);
    std::ostringstream out2, err2;
    REQUIRE(est::server::records::run_keys_command(data.path(), true, out2, err2) == 0);
    CHECK(err2.str().find("new signing key SHA256:") != std::string::npos);
    const std::string listed = out2.str();
    CHECK(listed.find(" (current)\nest-live ssh-ed25519 AAAA") != std::string::npos);
    CHECK(std::count(listed.begin(), listed.end(), '\n') == 4);  // two keys: a comment and a key line each

    const auto keys = signing_keys::open(data.path());
    const auto old_keys = out.str();
    CHECK(listed.find(old_keys.substr(old_keys.find('\n') + 1)) != std::string::npos);  // the first key is still listed
    const std::string statement = "{\"type\":\"est-live/signature\"}";
    const auto sig = keys->sign("est-live-signature", statement);
    scratch_dir dir;
    write_file(dir / "allowed_signers", listed);
    write_file(dir / "statement", statement);
    write_file(dir / "statement.sig", sig.sshsig);
    const std::string q = shell_quote(dir.path().string());
    const auto r = run_command("ssh-keygen -Y verify -f " + q + "/allowed_signers -I est-live -n est-live-signature -s " + q +
                               "/statement.sig < " + q + "/statement");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(r.output.find(sig.key_id) != std::string::npos);
}
