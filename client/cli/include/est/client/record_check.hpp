#pragma once
// `est-cli verify`: checks a meeting's export or a monthly report (JSON, Markdown or HTML), or a group's chain of
// closings, against the server's signatures (docs/records.md). Pure: bytes and JSON in, a verdict out; no network,
// no files.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/sshsig.hpp"

namespace est::client {

// Which keys a signature may be made with.
struct trusted_keys {
    // The keys the user gave (--key), or that the server answered in /api/keys: when not empty, every signature
    // must be made by one of them.
    std::vector<sshsig::public_key> pinned;
    // Where `pinned` came from, for the report ("--key", "https://est.sala.se/api/keys").
    std::string source;
};

// What a check found. `problems` are the reasons it fails, each "ÄNDRAD / ALTERED: …" (or UNKNOWN KEY, …) in
// Swedish and English; `notes` tell what was checked and by whom it was signed.
struct record_verdict {
    bool intact = false;
    std::vector<std::string> problems;
    std::vector<std::string> notes;
    // One line a problem or note, the headline first: what est-cli prints.
    std::string text() const;
};

// Checks an export file's bytes: for HTML and Markdown the seal line over every byte before it (namespace
// est-live-export) and then the embedded JSON record; for every format the picture's digest, each signature
// statement and the closing. Without pinned keys the export's own `keys` are used, and the verdict says that
// they are not pinned and names their key ids to compare with the server's /api/keys.
record_verdict check_export(std::string_view file, const trusted_keys& keys = {});

// Checks a monthly report's bytes (GET /api/bra/report): for HTML and Markdown the seal line over every byte before
// it (namespace est-live-report), then for every format each meeting's closing record (namespace est-live-closing,
// by a trusted key) and that it names the meeting, group, sequence and digest the report shows. A JSON report has
// no seal: the verdict says that only the closings are checked. Keys as for check_export.
record_verdict check_report(std::string_view file, const trusted_keys& keys = {});

// What `est-cli verify FILE` does: check_report when the file's record is a monthly report
// ("type":"est-live/monthly-report"), else check_export. The type is sealed with the rest: a file cannot change
// its kind without breaking its seal, and each kind's seal holds only in its own namespace.
record_verdict check_file(std::string_view file, const trusted_keys& keys = {});

// Checks GET /api/groups/{id}/chain's answer: sequence 1..n without a gap, each `previous` the SHA-256 of the
// closing statement before it, each closing statement's SSHSIG (namespace est-live-closing) by a trusted key
// (`server_keys` is /api/keys's answer, used when `keys` pins none).
record_verdict check_chain(const nlohmann::json& chain, std::string_view group, const trusted_keys& keys,
                           const nlohmann::json& server_keys);

// Reads --key: one or more public key lines ("ssh-ed25519 AAAA…", allowed_signers lines, `est-server keys`
// output; # comments skipped). Empty when there is none.
std::vector<sshsig::public_key> parse_key_lines(std::string_view text);

}  // namespace est::client
