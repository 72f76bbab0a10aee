#pragma once
// Accounts and their memberships: held in memory behind a mutex (every request reads them), written through to
// the store, in memory only once durable. Mutations are serialised among themselves; reads never wait for a
// commit. Every mutating call blocks until durable: call it from the blocking pool, never an I/O thread.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/group.hpp"
#include "est/identity.hpp"
#include "est/permission_table.hpp"
#include "est/server/auth/auth_clock.hpp"

namespace est::server {
class store;
}

namespace est::server::auth {

struct membership {
    std::string group_id;
    est::role role = est::role::participant;
    std::string org;  // participant and cosigner: an organisation of the group; empty for the others
};

// Single sign-on (later): who vouches for the person and their id there.
struct external_identity {
    std::string issuer;
    std::string subject;
};

struct account {
    std::string id;  // "a-" + 16 hex digits
    std::string email;
    std::string display_name;
    std::string password_hash;  // Argon2id string; empty while none is set
    bool disabled = false;
    bool is_admin = false;  // administrator of the whole server (every group)
    std::string created_at;
    std::optional<external_identity> external;
    std::vector<membership> memberships;  // by group id

    const membership* membership_of(std::string_view group_id) const noexcept;
    // How the permission table sees this account in `group_id` (empty: a server action).
    est::standing standing_in(std::string_view group_id) const noexcept;
    // What an administrator's page may show: everything but the password hash.
    nlohmann::json to_json() const;
};

class account_directory {
public:
    using changed_listener = std::function<void(const account&)>;

    account_directory(store& db, clock_fn now);

    void load();  // every account and membership from the store; throws on damaged rows

    // Trimmed and lower-cased (ASCII); throws domain_error("bad_message") unless it looks like an address
    // (one '@', something either side, a dot in the domain, no spaces or controls, at most 254 bytes).
    static std::string normalise_email(std::string_view email);
    // Trimmed; throws domain_error("bad_message") unless 1 to 200 bytes of UTF-8 without control characters (C0,
    // DEL, C1) or bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069): est::is_forbidden_in_text.
    static std::string normalise_name(std::string_view display_name);
    // Throws domain_error("bad_message") unless `org` suits `r` in `g`: participant and cosigner need one of the
    // group's organisations, the other roles none.
    static void check_membership(const est::group& g, est::role r, std::string_view org);

    std::optional<account> find(std::string_view id) const;
    std::optional<account> find_by_email(std::string_view email) const;  // normalises first; nullopt if malformed
    std::optional<account> find_by_external(std::string_view issuer, std::string_view subject) const;
    std::vector<account> all() const;  // by e-mail
    std::vector<account> members_of(std::string_view group_id) const;
    std::size_t size() const;

    // Throws domain_error: bad_message (e-mail, name), conflict (the e-mail is taken), storage_failed.
    account create(std::string_view email, std::string_view display_name, bool is_admin, std::string password_hash);
    // Throw domain_error not_found for an unknown account, storage_failed.
    account set_password_hash(std::string_view id, std::string password_hash);
    account set_disabled(std::string_view id, bool disabled);
    account set_admin(std::string_view id, bool is_admin);
    account set_display_name(std::string_view id, std::string_view display_name);
    account set_external_identity(std::string_view id, std::optional<external_identity> external);  // conflict if taken
    // One role per group: replaces any earlier one. Checks with check_membership.
    account put_membership(std::string_view id, const est::group& g, est::role r, std::string_view org);
    account remove_membership(std::string_view id, std::string_view group_id);

    // Called (outside the lock, on the mutating thread) after an account changed durably: disabled, roles,
    // anything. The network layer re-checks that account's open connections.
    std::size_t subscribe(changed_listener l);
    void unsubscribe(std::size_t token);

private:
    account update(std::string_view id, const std::function<void(account&)>& change);
    void persist(const account& a);
    void notify(const account& a);

    store& db_;
    clock_fn now_;
    mutable std::mutex mutex_;  // guards accounts_ and listeners_
    std::mutex writes_;         // one mutation at a time (read, persist, publish)
    std::map<std::string, account, std::less<>> accounts_;  // by id
    std::map<std::string, std::string, std::less<>> by_email_;
    std::map<std::size_t, changed_listener> listeners_;
    std::size_t next_listener_ = 1;
};

}  // namespace est::server::auth
