#pragma once
// Random secrets and their hashes (libsodium). A token is handed out once and only its SHA-256 is kept, so a
// copy of the database lets nobody sign in or accept an invitation.
#include <cstddef>
#include <string>
#include <string_view>

namespace est::server::auth {

class secret_token {
public:
    static constexpr std::size_t session_bytes = 32;     // 256 bits
    static constexpr std::size_t invitation_bytes = 32;  // 256 bits (at least 128 asked)

    // `bytes` random bytes from the OS generator (randombytes_buf), base64url without padding.
    static std::string generate(std::size_t bytes);
    // Whether `token` has the shape generate(bytes) gives (length and alphabet): anything else is refused before
    // any lookup.
    static bool well_formed(std::string_view token, std::size_t bytes) noexcept;
    // SHA-256 of `token`, lower-case hex: what is stored and looked up.
    static std::string hash(std::string_view token);
    static std::string sha256_hex(std::string_view data);
    // A short random identifier (not a secret): `prefix` + 16 hex digits.
    static std::string random_id(std::string_view prefix);
};

// Calls sodium_init() once; throws when libsodium cannot start.
void ensure_sodium();

}  // namespace est::server::auth
