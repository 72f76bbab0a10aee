// Tokens: 256 random bits, URL-safe, and only their hash is kept.
#include "est/server/auth/secret_token.hpp"

#include <map>
#include <set>

#include <catch2/catch.hpp>

using est::server::auth::secret_token;

TEST_CASE("secret_token gives 256 random bits as 43 base64url characters, never twice the same") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto t = secret_token::generate(secret_token::session_bytes);
        CHECK(t.size() == 43);
        CHECK(secret_token::well_formed(t, secret_token::session_bytes));
        CHECK(seen.insert(t).second);
    }
    // Every character of the alphabet turns up, at roughly its share: the bits are spread, not constant.
    std::map<char, int> counts;
    for (const auto& t : seen)
        for (std::size_t i = 0; i + 1 < t.size(); ++i) ++counts[t[i]];  // the last holds only 4 bits
    CHECK(counts.size() == 64);
    for (const auto& [c, n] : counts) CHECK(n > 42000 / 64 / 2);
}

TEST_CASE("secret_token hashes with SHA-256: the stored value is not the token") {
    const auto t = secret_token::generate(32);
    const auto h = secret_token::hash(t);
    CHECK(h.size() == 64);
    CHECK(h != t);
    CHECK(h.find(t) == std::string::npos);
    CHECK(secret_token::hash(t) == h);
    CHECK(secret_token::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("secret_token refuses malformed tokens by shape") {
    const auto t = secret_token::generate(32);
    CHECK_FALSE(secret_token::well_formed(t.substr(1), 32));
    CHECK_FALSE(secret_token::well_formed(t + "A", 32));
    CHECK_FALSE(secret_token::well_formed(std::string(42, 'A') + "=", 32));
    CHECK_FALSE(secret_token::well_formed(std::string(42, 'A') + "'", 32));
    CHECK_FALSE(secret_token::well_formed("", 32));
}
