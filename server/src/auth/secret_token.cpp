#include "est/server/auth/secret_token.hpp"

#include <stdexcept>
#include <vector>

#include <sodium.h>

namespace est::server::auth {

void ensure_sodium() {
    static const int ready = sodium_init();  // 0 first time, 1 when already done; thread-safe in libsodium
    if (ready < 0) throw std::runtime_error("libsodium cannot start");
}

std::string secret_token::generate(std::size_t bytes) {
    ensure_sodium();
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw.data(), raw.size());
    out.resize(out.find('\0'));
    return out;
}

bool secret_token::well_formed(std::string_view token, std::size_t bytes) noexcept {
    const std::size_t want = (bytes * 4 + 2) / 3;  // base64 without padding
    if (token.size() != want) return false;
    for (char c : token)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string secret_token::sha256_hex(std::string_view data) {
    ensure_sodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

std::string secret_token::hash(std::string_view token) { return sha256_hex(token); }

std::string secret_token::random_id(std::string_view prefix) {
    ensure_sodium();
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    char hex[sizeof raw * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    return std::string(prefix) + hex;
}

}  // namespace est::server::auth
