#include "est/server/client_key.hpp"

#include <sodium.h>

#include <stdexcept>

namespace est::server {

std::string public_client_id(std::string_view meeting_id, std::string_view secret) {
    std::string input = "est-client-v1";
    input += '\0';
    input += meeting_id;
    input += '\0';
    input += secret;
    // libsodium, not OpenSSL's EVP: OpenSSL 3 loads its configuration and providers on the first digest, which
    // cost the first join after every start 3-4 ms. sodium_init() is idempotent and thread-safe.
    static const int ready = sodium_init();
    if (ready < 0) throw std::runtime_error("libsodium could not start");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "k-";
    for (int i = 0; i < 10; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace est::server
