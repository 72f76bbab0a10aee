#include "est/server/client_key.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace est::server {

std::string public_client_id(std::string_view meeting_id, std::string_view secret) {
    std::string input = "est-client-v1";
    input += '\0';
    input += meeting_id;
    input += '\0';
    input += secret;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "k-";
    for (int i = 0; i < 10; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace est::server
