// Argon2id through libsodium: the parameters stored, right and wrong passwords, rehash.
#include "est/server/auth/password_hasher.hpp"

#include <regex>
#include <string>

#include <catch2/catch.hpp>

using est::server::auth::password_hasher;

TEST_CASE("password_hasher stores Argon2id with at least libsodium's interactive limits") {
    const password_hasher h;
    const std::string stored = h.hash("korrekt häst batteri häftstift");
    REQUIRE(stored.rfind("$argon2id$", 0) == 0);
    std::smatch m;
    REQUIRE(std::regex_search(stored, m, std::regex(R"(\$m=(\d+),t=(\d+),p=(\d+)\$)")));
    CHECK(std::stoul(m[1]) >= 65536);  // KiB: 64 MiB, crypto_pwhash_MEMLIMIT_INTERACTIVE
    CHECK(std::stoul(m[2]) >= 2);      // crypto_pwhash_OPSLIMIT_INTERACTIVE
    CHECK(stored.find("korrekt") == std::string::npos);
}

TEST_CASE("password_hasher verifies the right password and refuses a wrong one") {
    const password_hasher h;
    const std::string stored = h.hash("korrekt häst batteri häftstift");
    CHECK(h.verify(stored, "korrekt häst batteri häftstift"));
    CHECK_FALSE(h.verify(stored, "korrekt häst batteri häftstifT"));
    CHECK_FALSE(h.verify(stored, ""));
    CHECK_FALSE(h.verify("", "korrekt häst batteri häftstift"));
    CHECK_FALSE(h.verify("$argon2id$garbage", "korrekt häst batteri häftstift"));
    CHECK_FALSE(h.needs_rehash(stored));
}

TEST_CASE("password_hasher salts: the same password hashes differently each time") {
    const password_hasher h;
    CHECK(h.hash("samma lösenord igen") != h.hash("samma lösenord igen"));
}

TEST_CASE("password_hasher refuses limits below interactive and asks to rehash weaker hashes") {
    CHECK_THROWS_AS(password_hasher(password_hasher::options{1, std::size_t{64} << 20}), std::invalid_argument);
    CHECK_THROWS_AS(password_hasher(password_hasher::options{2, std::size_t{8} << 20}), std::invalid_argument);
    const password_hasher normal;
    const password_hasher stronger(password_hasher::options{3, std::size_t{64} << 20});
    const std::string old = normal.hash("ett längre lösenord");
    CHECK(stronger.needs_rehash(old));
    CHECK(stronger.verify(old, "ett längre lösenord"));
}
