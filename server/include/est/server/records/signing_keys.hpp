#pragma once
// The server's Ed25519 signing keys: created on first start under <data>/keys/ with owner-only permissions, the
// newest one signing, the older ones kept so what they signed stays verifiable. Thread-safe.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/sshsig.hpp"

namespace est::server::records {

class signing_keys {
public:
    struct key_info {
        std::string key_id;      // SHA256:…
        std::string public_key;  // "ssh-ed25519 AAAA… est-live"
        std::string created_at;  // ISO 8601 UTC
        bool current = false;
    };
    struct signature {
        std::string sshsig;  // armored
        std::string key_id;
    };

    // Loads every key under `data_dir`/keys, creating the folder (0700) and a first key (0600) when there is none.
    // Throws std::runtime_error saying what is wrong (a key file readable by others, a damaged key).
    static std::unique_ptr<signing_keys> open(const std::filesystem::path& data_dir);
    // A new current key; the old ones stay. Returns the new key.
    key_info rotate();

    signature sign(std::string_view ns, std::string_view message) const;
    // The binary SSHSIG blob (for an export's seal line) and the key that made it.
    signature sign_blob(std::string_view ns, std::string_view message) const;
    std::vector<key_info> keys() const;  // newest first
    std::string current_key_id() const;
    // The key with this id (current or older), for an export's `keys`; nullopt when this server never had it.
    std::optional<key_info> find(std::string_view key_id) const;
    // {"keys":[{"key_id","public_key","created_at","current"}]}: what GET /api/keys answers.
    nlohmann::json to_json() const;

private:
    struct entry {
        key_info info;
        sshsig::secret_key secret;
    };
    explicit signing_keys(std::filesystem::path dir);
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    std::vector<entry> keys_;  // oldest first; the last one signs
};

}  // namespace est::server::records
