#pragma once
// A real est-server in accounts mode with people in it: the first administrator made on the server's machine
// (`est-server admin create-user`, password on stdin), a group with three organisations and one meeting, and one
// signed-in person per role, each come in by invitation as the protocol says (POST /api/groups/{id}/invitations,
// then POST /api/invitations/accept with the link's token).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_client.hpp"
#include "est/client/meeting_client.hpp"
#include "est/identity.hpp"
#include "server_process.hpp"

namespace est::test {

// Someone the fixture made: their account and a REST client that carries their session cookie.
struct person {
    std::string key;  // "participant_a", "chair", ... (accounts_fixture::every_person)
    std::string email;
    std::string password;
    std::string name;
    std::string id;                    // the account id; "" for the anonymous caller
    std::optional<role> member_role;   // their role in the fixture's group, if any
    std::string org;                   // their organisation there; "" for roles without one
    bool server_admin = false;
    api_client http;

    bool anonymous() const { return id.empty(); }
};

class accounts_fixture {
public:
    // server_admin: the first administrator, in no group. participant_a (polis), participant_b (kommun), chair,
    // cosigner (polis), bra_member, group_admin (the group role admin), spare (participant, raddning; the one
    // whose role and account tests change): members of group(). non_member: a participant of other_group() only.
    // anonymous: no account, no cookie.
    static const std::vector<std::string> every_person;

    struct options {
        std::vector<std::string> people = every_person;  // which to make (server_admin always)
        std::vector<std::string> server_args;            // more arguments for est-server
    };

    accounts_fixture();
    explicit accounts_fixture(options o);
    ~accounts_fixture();
    accounts_fixture(const accounts_fixture&) = delete;
    accounts_fixture& operator=(const accounts_fixture&) = delete;

    server_process& server() { return *server_; }
    const std::string& data_dir() const { return dir_.path(); }
    const std::vector<std::string>& orgs() const { return orgs_; }  // of group()
    const std::string& group() const { return group_; }
    const std::string& other_group() const { return other_group_; }
    const std::string& meeting() const { return meeting_; }  // in group()

    person& at(const std::string& key);
    // Everyone made, the server administrator first and the anonymous caller (when asked for) last.
    std::vector<person*> people();

    // A new person: the server administrator invites "<key>@est.test" into `group` (default group()) as `r`,
    // and a fresh client accepts the link with password_of(key). Throws when either step fails.
    person& invite(const std::string& key, role r, const std::string& org = {}, std::string group = {});
    // The token of a new invitation into group() that nobody has accepted.
    std::string invitation_token(const std::string& email, role r, const std::string& org = {});

    // A live client of `meeting` (default meeting()) for `p`: their cookie and the server's own Origin on the
    // upgrade, a join without identity, no reconnecting.
    client::meeting_client::options live_options(const person& p, std::string meeting = {}) const;

    // SIGTERM and start again on the same port and data: what the server keeps in memory is read anew.
    void restart();
    // The same, and from now on with `more_args` besides the fixture's arguments.
    void restart(const std::vector<std::string>& more_args);
    // SIGKILL (a crash: nothing is flushed or closed) and start again on the same port and data.
    void crash_and_restart();

    static std::string password_of(const std::string& key);

private:
    std::vector<std::string> server_args() const;

    temp_dir dir_;
    std::vector<std::string> extra_args_;
    std::unique_ptr<server_process> server_;
    std::vector<std::string> orgs_{"polis", "kommun", "raddning"};
    std::string group_ = "est-test";
    std::string other_group_ = "est-other";
    std::string meeting_;
    std::map<std::string, std::unique_ptr<person>> people_;
    std::vector<std::string> order_;
};

// Runs `est-server admin create-user --email … --name … [--admin] --data DIR` with the password on its standard
// input (a pipe: never in argv). Throws with the command's output when it fails.
void create_account_on_server_machine(const std::string& data_dir, const std::string& email, const std::string& name,
                                      const std::string& password, bool admin);

}  // namespace est::test
