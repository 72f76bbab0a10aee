#include "est/client_key.hpp"

#include "est/sshsig.hpp"

namespace est {

std::string public_client_id(std::string_view meeting_id, std::string_view secret) {
    std::string input = "est-client-v1";
    input += '\0';
    input += meeting_id;
    input += '\0';
    input += secret;
    // libsodium's SHA-256 (est_core's, as the closings' digests), not OpenSSL's EVP: OpenSSL 3 loads its
    // configuration and providers on the first digest, which cost the first join after every start 3-4 ms.
    return "k-" + sshsig::sha256_hex(input).substr(0, 20);
}

}  // namespace est
