#pragma once
// `est-server keys [--data DIR] [--rotate]`: the server's signing keys as allowed_signers lines, for checking its
// records with `ssh-keygen -Y verify` (docs/records.md); --rotate makes a new current key first.
#include <filesystem>
#include <iosfwd>

namespace est::server::records {

// Prints, newest key first, a comment line (key id, creation time, whether it is current) and an allowed_signers
// line `est-live ssh-ed25519 AAAA…` for each key under `data_dir`/keys (making the first key when there is none).
// Returns the exit code: 0 done, 1 a key could not be read or made (said on `err`).
int run_keys_command(const std::filesystem::path& data_dir, bool rotate, std::ostream& out, std::ostream& err);

}  // namespace est::server::records
