#include "est/server/records/keys_command.hpp"

#include <ostream>
#include <stdexcept>

#include "est/server/records/signing_keys.hpp"

namespace est::server::records {

int run_keys_command(const std::filesystem::path& data_dir, bool rotate, std::ostream& out, std::ostream& err) {
    try {
        auto keys = signing_keys::open(data_dir);
        if (rotate) {
            const auto made = keys->rotate();
            // On stderr: stdout stays a file ssh-keygen reads as it is.
            err << "est-server: new signing key " << made.key_id
                << "; a running est-server signs with it after its next restart\n";
        }
        for (const auto& k : keys->keys()) {
            out << "# " << k.key_id << " created " << k.created_at << (k.current ? " (current)" : "") << '\n';
            // allowed_signers: principal, then the key without its comment.
            const auto comment = k.public_key.rfind(' ');
            out << "est-live " << k.public_key.substr(0, comment) << '\n';
        }
        return 0;
    } catch (const std::exception& e) {
        err << "est-server: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace est::server::records
