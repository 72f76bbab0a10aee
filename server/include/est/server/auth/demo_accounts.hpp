#pragma once
// DEMO ONLY: the demo group's accounts of `est-server --demo FILE` (scripts/run.sh --demo), from the file's
// "accounts" list. Every start in accounts mode gives all of them one new random password, printed once in a
// clearly marked block: an account that is missing is made (audited `account.create`, as `admin create-user`), one
// that exists gets the new password through a password reset (audited; its sessions end), so the password on the
// screen always works and none is stored anywhere. Each gets its role in the group back (audited
// `membership.set`) if it was changed. The audit rows' actor is the command line ("local").
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/group.hpp"
#include "est/identity.hpp"

namespace est::server::auth {

class auth_service;

class demo_accounts {
public:
    struct person {
        std::string email;
        std::string name;
        est::role role = est::role::participant;
        std::string org;            // participant and cosigner: an organisation of the group
        bool server_admin = false;  // administrator of the whole server, besides the role in the group
    };

    // The demo file's group id and "accounts" list (none: no accounts). Throws domain_error("bad_message") naming
    // what is wrong.
    static demo_accounts from_json(const nlohmann::json& seed);
    static demo_accounts read_file(const std::filesystem::path& file);

    // A fresh shared password: 16 characters drawn with libsodium's randombytes_uniform from 31 letters and digits
    // that are hard to confuse on a screen, in four groups ("k7mq-9xte-4hpa-wn3c", ~79 bits); it passes
    // password_policy.
    static std::string new_password();

    const std::string& group_id() const noexcept { return group_id_; }
    const std::vector<person>& people() const noexcept { return people_; }

    // Makes or resets the accounts with one new password and prints the block to `out`. `auth` is null under
    // --open-access and `group` empty when the demo group is not in the database: then only a line says why there
    // are no demo accounts. Blocks while hashing (~0.1 s an account) and until every change is durable.
    void set_up(auth_service* auth, const std::optional<est::group>& group, std::ostream& out) const;

private:
    std::string group_id_;
    std::vector<person> people_;
};

}  // namespace est::server::auth
