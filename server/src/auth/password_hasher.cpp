#include "est/server/auth/password_hasher.hpp"

#include <stdexcept>

#include <sodium.h>

#include "est/server/auth/password_policy.hpp"
#include "est/server/auth/secret_token.hpp"

namespace est::server::auth {

static_assert(crypto_pwhash_OPSLIMIT_INTERACTIVE == 2, "password_hasher::options' default must be the interactive limit");
static_assert(crypto_pwhash_MEMLIMIT_INTERACTIVE == 64u << 20, "password_hasher::options' default must be the interactive limit");

password_hasher::password_hasher(options o) : o_(o) {
    ensure_sodium();
    if (o_.ops_limit < crypto_pwhash_OPSLIMIT_INTERACTIVE || o_.mem_limit < crypto_pwhash_MEMLIMIT_INTERACTIVE)
        throw std::invalid_argument("Argon2id limits below libsodium's interactive ones");
    if (o_.ops_limit > crypto_pwhash_OPSLIMIT_MAX || o_.mem_limit > crypto_pwhash_MEMLIMIT_MAX)
        throw std::invalid_argument("Argon2id limits above libsodium's maximum");
    dummy_ = hash(secret_token::generate(16));
}

std::string password_hasher::hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), o_.ops_limit, o_.mem_limit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("Argon2id ran out of memory");
    return out;
}

bool password_hasher::verify(std::string_view stored, std::string_view password) const {
    if (password.size() > password_policy::max_bytes || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES)
        return false;
    const std::string s(stored);  // NUL-terminated
    verifications_.fetch_add(1, std::memory_order_relaxed);
    return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

bool password_hasher::needs_rehash(std::string_view stored) const {
    const std::string s(stored);
    return crypto_pwhash_str_needs_rehash(s.c_str(), o_.ops_limit, o_.mem_limit) != 0;
}

void password_hasher::verify_dummy(std::string_view password) const {
    (void)verify(dummy_, password.size() > password_policy::max_bytes ? password.substr(0, 0) : password);
}

}  // namespace est::server::auth
