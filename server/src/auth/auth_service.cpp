#include "est/server/auth/auth_service.hpp"

#include "est/error.hpp"
#include "est/permission_table.hpp"

namespace est::server::auth {

using json = nlohmann::json;

namespace {
// The throttle's key for what was typed: the normalised address, or (malformed) the same folding without the
// checks, so a malformed one is throttled like any other.
std::string throttle_key(std::string_view email) {
    try {
        return account_directory::normalise_email(email);
    } catch (const domain_error&) {
        std::string k(email.substr(0, 254));
        for (auto& c : k)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return k;
    }
}

domain_error invalid_token() {
    return domain_error("invalid_token", "this link is not valid: it may have been used already or have expired");
}

// Refused before any account is looked up, so the answer and the work are the same whether the e-mail exists:
// the hasher would refuse it anyway (password_hasher::verify), but only for a known account.
void refuse_overlong(std::string_view password) {
    if (password.size() > password_policy::max_bytes)
        throw domain_error("password_too_long", "the password must be at most " + std::to_string(password_policy::max_bytes) + " bytes");
}

void count_suppressed(json& detail, std::uint64_t suppressed) {
    if (suppressed > 0) detail["suppressed"] = suppressed;
}
}  // namespace

auth_service::auth_service(store& db, group_lookup groups, clock_fn now, auth_options o)
    : groups_(std::move(groups)),
      now_(now),
      hasher_(o.hashing),
      accounts_(db, now),
      sessions_(db, now, o.sessions),
      invitations_(db, now, o.invitations),
      throttle_(now, o.throttle),
      audit_(db, now),
      quiet_window_(o.quiet_window),
      max_pending_invitations_(o.max_pending_invitations) {}

void auth_service::load() {
    accounts_.load();
    sessions_.load();
    invitations_.load();
}

est::group auth_service::require_group(std::string_view id) const {
    auto g = groups_ ? groups_(id) : std::nullopt;
    if (!g) throw domain_error("not_found", "there is no group '" + std::string(id) + "'");
    return *g;
}

bool auth_service::confirm_password(std::string_view account_id, std::string_view password, std::string_view address) {
    refuse_overlong(password);
    const auto acct = accounts_.find(account_id);
    if (!acct || acct->disabled || acct->password_hash.empty()) return false;
    const std::string key = throttle_key(acct->email);
    const auto verdict = throttle_.attempt(key, address);
    if (!verdict.allowed) throw throttled_error(verdict.retry_after);
    if (!hasher_.verify(acct->password_hash, password)) {
        audit_.record(acct->id, std::string(address), audit_action::signing_password_failed, acct->id, json::object());
        return false;
    }
    throttle_.succeeded(key, address);
    return true;
}

sign_in_result auth_service::sign_in(std::string_view email, std::string_view password, std::string_view address,
                                     std::string_view previous_token) {
    refuse_overlong(password);
    const std::string key = throttle_key(email);
    const auto verdict = throttle_.attempt(key, address);
    if (!verdict.allowed) {
        // One row per back-off window: per address when the address is held (whatever e-mail it names next),
        // else per e-mail and address.
        const bool by_address = verdict.held_by == sign_in_throttle::holder::address;
        const auto quiet = quiet_.event(by_address ? "t\n" + std::string(address) : "t\n" + key + "\n" + std::string(address),
                                        now_(), verdict.retry_after);
        sign_in_result r;
        r.outcome = sign_in_result::status::throttled;
        r.retry_after = verdict.retry_after;
        r.reported = quiet.record;
        if (quiet.record) {
            json detail = {{"held_by", by_address ? "address" : "account"}, {"retry_after_ms", verdict.retry_after.count()}};
            count_suppressed(detail, quiet.suppressed);
            audit_.record("", std::string(address), audit_action::sign_in_throttled, key, std::move(detail));
        }
        return r;
    }
    const auto acct = accounts_.find_by_email(email);
    bool right = false;
    if (acct && !acct->password_hash.empty()) right = hasher_.verify(acct->password_hash, password);
    else hasher_.verify_dummy(password);
    if (!right || acct->disabled) {
        const char* why = !acct ? "unknown_email" : acct->password_hash.empty() ? "no_password" : !right ? "wrong_password" : "disabled";
        sign_in_result r;
        json detail = {{"reason", why}};
        if (!acct) {
            // Anyone may name any e-mail: one row per address per window, counting the rest.
            const auto quiet = quiet_.event("u\n" + std::string(address), now_(), quiet_window_);
            r.reported = quiet.record;
            count_suppressed(detail, quiet.suppressed);
        }
        if (r.reported) audit_.record("", std::string(address), audit_action::sign_in_failed, key, std::move(detail));
        return r;
    }
    throttle_.succeeded(key, address);
    if (hasher_.needs_rehash(acct->password_hash)) accounts_.set_password_hash(acct->id, hasher_.hash(password));
    if (!previous_token.empty()) sessions_.end(previous_token, session_end::rotated);
    sign_in_result r;
    r.outcome = sign_in_result::status::ok;
    r.session = sessions_.create(acct->id);
    audit_.record(acct->id, std::string(address), audit_action::sign_in, acct->id, {{"session", r.session->info.id}});
    return r;
}

std::optional<signed_in> auth_service::authenticate(std::string_view token) {
    auto s = sessions_.validate(token);
    if (!s) return std::nullopt;
    auto a = accounts_.find(s->account_id);
    if (!a || a->disabled) {
        sessions_.end(token, session_end::account_disabled);
        return std::nullopt;
    }
    return signed_in{std::move(*s), std::move(*a)};
}

void auth_service::sign_out(std::string_view token, std::string_view address) {
    auto s = sessions_.validate(token);
    if (!s) return;
    sessions_.end(token, session_end::signed_out);
    audit_.record(s->account_id, std::string(address), audit_action::sign_out, s->account_id, {{"session", s->id}});
}

std::size_t auth_service::sign_out_everywhere(std::string_view token, std::string_view address) {
    auto s = sessions_.validate(token);
    if (!s) return 0;
    const auto n = sessions_.end_all_of(s->account_id, session_end::signed_out_everywhere);
    audit_.record(s->account_id, std::string(address), audit_action::sign_out_everywhere, s->account_id, {{"sessions", n}});
    return n;
}

account auth_service::create_account(const actor& by, std::string_view email, std::string_view display_name,
                                     std::string_view password, bool is_admin) {
    const std::string e = account_directory::normalise_email(email);
    account_directory::normalise_name(display_name);
    password_policy::require(password, e);
    auto a = accounts_.create(e, display_name, is_admin, hasher_.hash(password));
    audit_.record_durable(by.account_id, by.address, audit_action::account_created, a.id,
                          {{"email", a.email}, {"admin", a.is_admin}});
    return a;
}

issued_invitation auth_service::invite(const actor& by, std::string_view email, std::string_view group_id, est::role r,
                                       std::string_view org) {
    const std::string e = account_directory::normalise_email(email);
    const auto g = require_group(group_id);
    account_directory::check_membership(g, r, org);
    if (invitations_.pending_of(g.id).size() >= max_pending_invitations_)
        throw domain_error("too_many_invitations", "the group has " + std::to_string(max_pending_invitations_) +
                                                       " invitations waiting: revoke some or wait until they are accepted");
    auto issued = invitations_.invite(e, g.id, r, std::string(org), by.account_id);
    json detail = {{"group", g.id}, {"role", std::string(est::to_string(r))}, {"expires_at", iso_utc(issued.info.expires_at)}};
    if (!org.empty()) detail["org"] = std::string(org);
    audit_.record_durable(by.account_id, by.address, audit_action::invitation_created, e, detail);
    return issued;
}

bool auth_service::inviter_may_still_invite(const invitation& inv) const {
    if (inv.created_by.empty()) return true;  // the command line, on the server's machine
    const auto by = accounts_.find(inv.created_by);
    return by && !by->disabled && est::decide(by->standing_in(inv.group_id), est::invitation_action(inv.role));
}

new_session auth_service::accept_invitation(std::string_view token, std::string_view password,
                                            std::string_view display_name, std::string_view address,
                                            std::string_view previous_token) {
    refuse_overlong(password);
    const auto inv = invitations_.find(token);
    if (!inv || inv->kind != invitation_kind::invite) throw invalid_token();
    if (!inviter_may_still_invite(*inv)) throw invalid_token();
    // Everything that can refuse is checked before the token is used up.
    const auto existing = accounts_.find_by_email(inv->email);
    std::string new_hash;
    if (existing) {
        if (existing->disabled) throw domain_error("account_disabled", "this account is disabled");
        // An account without a password (one that signs in elsewhere, later) never gets one by invitation: whoever
        // holds the link is not thereby its owner.
        if (existing->password_hash.empty())
            throw domain_error("invalid_credentials",
                               "this account has no password: ask an administrator for a password-reset link");
        const auto verdict = throttle_.attempt(existing->email, address);
        if (!verdict.allowed) {
            const auto quiet = quiet_.event("t\n" + existing->email + "\n" + std::string(address), now_(), verdict.retry_after);
            throw throttled_error(verdict.retry_after, quiet.record);
        }
        if (!hasher_.verify(existing->password_hash, password)) {
            audit_.record("", std::string(address), audit_action::sign_in_failed, existing->email,
                          {{"reason", "wrong_password"}, {"via", "invitation"}});
            throw domain_error("invalid_credentials", "an account with this e-mail address exists: give its password");
        }
        throttle_.succeeded(existing->email, address);
    } else {
        account_directory::normalise_name(display_name);
        password_policy::require(password, inv->email);
        new_hash = hasher_.hash(password);
    }
    const auto g = require_group(inv->group_id);
    account_directory::check_membership(g, inv->role, inv->org);

    const auto used = invitations_.redeem(token);
    account a = existing ? *existing : accounts_.create(used.email, display_name, false, new_hash);
    a = accounts_.put_membership(a.id, g, used.role, used.org);
    if (!previous_token.empty()) sessions_.end(previous_token, session_end::rotated);
    auto s = sessions_.create(a.id);
    json detail = {{"group", g.id}, {"role", std::string(est::to_string(used.role))}, {"new_account", !existing},
                   {"invited_by", used.created_by}};
    if (!used.org.empty()) detail["org"] = used.org;
    audit_.record_durable(a.id, std::string(address), audit_action::invitation_accepted, a.id, detail);
    return s;
}

std::vector<pending_invitation> auth_service::pending_invitations(std::string_view group_id) const {
    std::vector<pending_invitation> out;
    for (auto& i : invitations_.pending_of(group_id)) {
        const auto by = i.created_by.empty() ? std::nullopt : accounts_.find(i.created_by);
        out.push_back({std::move(i), by ? by->display_name : std::string()});
    }
    return out;
}

std::size_t auth_service::revoke(const actor& by, const std::function<bool(const invitation&)>& which,
                                 const std::string& subject, json detail) {
    const auto gone = invitations_.revoke_if(which);
    if (gone.empty()) return 0;
    detail["revoked"] = gone.size();
    audit_.record_durable(by.account_id, by.address, audit_action::invitation_revoked, subject, std::move(detail));
    return gone.size();
}

invitation auth_service::revoke_invitation(const actor& by, std::string_view group_id, std::string_view invitation_id) {
    const auto gone = invitations_.revoke_if([&](const invitation& i) {
        return i.kind == invitation_kind::invite && i.group_id == group_id && i.id == invitation_id;
    });
    if (gone.empty()) throw domain_error("not_found", "there is no pending invitation '" + std::string(invitation_id) + "'");
    const auto& i = gone.front();
    json detail = {{"group", i.group_id}, {"role", std::string(est::to_string(i.role))}, {"invitation", i.id}, {"revoked", 1}};
    audit_.record_durable(by.account_id, by.address, audit_action::invitation_revoked, i.email, std::move(detail));
    return i;
}

issued_invitation auth_service::issue_password_reset(const actor& by, std::string_view account_id) {
    const auto a = accounts_.find(account_id);
    if (!a) throw domain_error("not_found", "there is no such account");
    // One reset link at a time: the newest.
    revoke(by, [&](const invitation& i) { return i.kind == invitation_kind::reset && i.account_id == a->id; }, a->id,
           {{"kind", "reset"}, {"reason", "new_link"}});
    auto issued = invitations_.reset(a->id, a->email, by.account_id);
    audit_.record_durable(by.account_id, by.address, audit_action::reset_created, a->id,
                          {{"expires_at", iso_utc(issued.info.expires_at)}});
    return issued;
}

void auth_service::reset_password(std::string_view token, std::string_view new_password, std::string_view address) {
    refuse_overlong(new_password);
    const auto inv = invitations_.find(token);
    if (!inv || inv->kind != invitation_kind::reset) throw invalid_token();
    const auto a = accounts_.find(inv->account_id);
    if (!a) throw invalid_token();
    if (a->disabled) throw domain_error("account_disabled", "this account is disabled");
    password_policy::require(new_password, a->email);
    std::string hash = hasher_.hash(new_password);
    invitations_.redeem(token);
    revoke({a->id, std::string(address)},
           [&](const invitation& i) { return i.kind == invitation_kind::reset && i.account_id == a->id; }, a->id,
           {{"kind", "reset"}, {"reason", "link_used"}});
    accounts_.set_password_hash(a->id, std::move(hash));
    const auto ended = sessions_.end_all_of(a->id, session_end::password_reset);
    audit_.record_durable(a->id, std::string(address), audit_action::reset_used, a->id, {{"sessions_ended", ended}});
}

account auth_service::set_disabled(const actor& by, std::string_view account_id, bool disabled) {
    auto a = accounts_.set_disabled(account_id, disabled);
    std::size_t ended = 0;
    if (disabled) ended = sessions_.end_all_of(a.id, session_end::account_disabled);
    audit_.record_durable(by.account_id, by.address, disabled ? audit_action::account_disabled : audit_action::account_enabled,
                          a.id, {{"sessions_ended", ended}});
    if (disabled)
        revoke(by, [&](const invitation& i) {
            return (i.kind == invitation_kind::reset && i.account_id == a.id) || (i.kind == invitation_kind::invite && i.created_by == a.id);
        }, a.id, {{"reason", "account_disabled"}});
    return a;
}

account auth_service::set_membership(const actor& by, std::string_view account_id, std::string_view group_id,
                                     est::role r, std::string_view org) {
    const auto g = require_group(group_id);
    auto a = accounts_.put_membership(account_id, g, r, org);
    json detail = {{"group", g.id}, {"role", std::string(est::to_string(r))}};
    if (!org.empty()) detail["org"] = std::string(org);
    audit_.record_durable(by.account_id, by.address, audit_action::membership_set, a.id, detail);
    revoke(by, [&](const invitation& i) { return i.kind == invitation_kind::invite && i.created_by == a.id && i.group_id == g.id; },
           a.id, {{"group", g.id}, {"reason", "role_changed"}});
    return a;
}

account auth_service::remove_membership(const actor& by, std::string_view account_id, std::string_view group_id) {
    auto a = accounts_.remove_membership(account_id, group_id);
    audit_.record_durable(by.account_id, by.address, audit_action::membership_removed, a.id,
                          {{"group", std::string(group_id)}});
    revoke(by, [&](const invitation& i) { return i.kind == invitation_kind::invite && i.created_by == a.id && i.group_id == group_id; },
           a.id, {{"group", std::string(group_id)}, {"reason", "role_removed"}});
    return a;
}

}  // namespace est::server::auth
