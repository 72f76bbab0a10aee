#pragma once
// OpenSSH signatures (SSHSIG, PROTOCOL.sshsig) made with Ed25519: what `ssh-keygen -Y sign` writes and
// `ssh-keygen -Y verify` checks. The server signs its statements with these, and anyone verifies them offline.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace est::sshsig {

using public_key = std::array<unsigned char, 32>;
using secret_key = std::array<unsigned char, 64>;  // libsodium's Ed25519 secret key (seed followed by public key)

// The armored signature ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----\n", 70-column base64)
// of `message` under `ns`, hash sha512.
std::string sign(const secret_key& key, std::string_view ns, std::string_view message);
// The binary SSHSIG blob of the same signature (what the armor base64-encodes).
std::string sign_blob(const secret_key& key, std::string_view ns, std::string_view message);

// What a check of a signature found: `ok`, the key that made it, or what failed (English, one sentence).
struct verdict {
    bool ok = false;
    public_key key{};
    std::string error;
};
// Checks an armored signature (or, with `armored` false, a binary blob) of `message` under `ns`. Only
// ssh-ed25519 keys and sha256/sha512 are accepted.
verdict verify(std::string_view signature, std::string_view ns, std::string_view message, bool armored = true);

// "ssh-ed25519 AAAA… comment": a line of authorized_keys / allowed_signers (after the principal).
std::string public_key_line(const public_key& key, std::string_view comment = "est-live");
// Parses "ssh-ed25519 AAAA… [comment]"; nullopt when it is not an Ed25519 public key.
std::optional<public_key> parse_public_key_line(std::string_view line);
// "SHA256:<base64 without padding>" of the key's SSH wire blob: what `ssh-keygen -l` prints.
std::string key_id(const public_key& key);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// The Ed25519 key pair of a 32-byte seed (deterministic: a test key is its seed), and a secret key's public half.
using seed = std::array<unsigned char, 32>;
secret_key secret_key_from_seed(const seed& s);
public_key public_key_of(const secret_key& key);
// A new random key pair.
secret_key generate_secret_key();

// Standard base64 with padding (the seal line's `sig=`), and back: whitespace is skipped; nullopt when not base64.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace est::sshsig
