#include "est/server/auth/invitation_book.hpp"

#include <algorithm>
#include <future>

#include "durable.hpp"
#include "est/error.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/store.hpp"

namespace est::server::auth {

namespace {
std::optional<std::string> text_or_null(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

invitation_row to_row(const std::string& hash, const invitation& i) {
    invitation_row r;
    r.token_hash = hash;
    r.kind = i.kind == invitation_kind::invite ? "invite" : "reset";
    r.email = i.email;
    if (i.kind == invitation_kind::invite) {
        r.group_id = i.group_id;
        r.role = std::string(est::to_string(i.role));
        r.org = text_or_null(i.org);
    } else {
        r.account_id = i.account_id;
    }
    r.created_by = i.created_by;
    r.created_at = to_millis(i.created_at);
    r.expires_at = to_millis(i.expires_at);
    return r;
}

// Not the token nor its stored hash: a handle that finds neither.
std::string public_id(const std::string& hash) { return "i-" + secret_token::sha256_hex("est-invitation-id\n" + hash).substr(0, 16); }

domain_error invalid_token() {
    return domain_error("invalid_token", "this link is not valid: it may have been used already or have expired");
}
}  // namespace

invitation_book::invitation_book(store& db, clock_fn now, invitation_options o) : db_(db), now_(std::move(now)), o_(o) {}

void invitation_book::load() {
    std::map<std::string, invitation, std::less<>> loaded;
    for (auto& r : db_.invitations(to_millis(now_()))) {
        invitation i;
        i.kind = r.kind == "reset" ? invitation_kind::reset : invitation_kind::invite;
        i.email = r.email;
        i.group_id = r.group_id.value_or("");
        if (i.kind == invitation_kind::invite) {
            const auto role = est::role_from_string(r.role.value_or(""));
            if (!role) throw std::runtime_error("damaged invitation for " + r.email);
            i.role = *role;
        }
        i.org = r.org.value_or("");
        i.account_id = r.account_id.value_or("");
        i.created_by = r.created_by;
        i.created_at = from_millis(r.created_at);
        i.expires_at = from_millis(r.expires_at);
        i.id = public_id(r.token_hash);
        loaded.emplace(r.token_hash, std::move(i));
    }
    std::lock_guard lock(mutex_);
    by_hash_ = std::move(loaded);
}

issued_invitation invitation_book::issue(invitation inv) {
    issued_invitation out;
    out.token = secret_token::generate(secret_token::invitation_bytes);
    out.info = std::move(inv);
    const std::string hash = secret_token::hash(out.token);
    out.info.id = public_id(hash);
    detail::wait_durable([&](store::completion done) { db_.put_invitation(to_row(hash, out.info), std::move(done)); });
    std::lock_guard lock(mutex_);
    by_hash_[hash] = out.info;
    return out;
}

issued_invitation invitation_book::invite(std::string email, std::string group_id, est::role r, std::string org,
                                          std::string created_by) {
    invitation i;
    i.kind = invitation_kind::invite;
    i.email = std::move(email);
    i.group_id = std::move(group_id);
    i.role = r;
    i.org = std::move(org);
    i.created_by = std::move(created_by);
    i.created_at = now_();
    i.expires_at = i.created_at + o_.invitation_lifetime;
    return issue(std::move(i));
}

issued_invitation invitation_book::reset(std::string account_id, std::string email, std::string created_by) {
    invitation i;
    i.kind = invitation_kind::reset;
    i.email = std::move(email);
    i.account_id = std::move(account_id);
    i.created_by = std::move(created_by);
    i.created_at = now_();
    i.expires_at = i.created_at + o_.reset_lifetime;
    return issue(std::move(i));
}

std::optional<invitation> invitation_book::find(std::string_view token) const {
    if (!secret_token::well_formed(token, secret_token::invitation_bytes)) return std::nullopt;
    const std::string hash = secret_token::hash(token);
    const auto now = now_();
    std::lock_guard lock(mutex_);
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end() || now >= it->second.expires_at) return std::nullopt;
    return it->second;
}

invitation invitation_book::redeem(std::string_view token) {
    if (!secret_token::well_formed(token, secret_token::invitation_bytes)) throw invalid_token();
    const std::string hash = secret_token::hash(token);
    const auto now = now_();
    invitation inv;
    {
        // Taken out before the write: a second redeem of the same token, however close, finds nothing.
        std::lock_guard lock(mutex_);
        auto it = by_hash_.find(hash);
        if (it == by_hash_.end()) throw invalid_token();
        if (now >= it->second.expires_at) {
            by_hash_.erase(it);
            throw invalid_token();
        }
        inv = std::move(it->second);
        by_hash_.erase(it);
    }
    std::promise<std::string> p;
    auto f = p.get_future();
    db_.redeem_invitation(hash, to_millis(now), [&p](const std::string& err) { p.set_value(err); });
    const std::string err = f.get();
    if (err.find("already used") != std::string::npos) throw invalid_token();  // by another process
    if (!err.empty()) {
        std::lock_guard lock(mutex_);
        by_hash_.emplace(hash, inv);  // not used after all
        throw domain_error("storage_failed", err);
    }
    return inv;
}

std::vector<invitation> invitation_book::pending_of(std::string_view group_id) const {
    const auto now = now_();
    std::vector<invitation> out;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [hash, i] : by_hash_)
            if (i.kind == invitation_kind::invite && i.group_id == group_id && now < i.expires_at) out.push_back(i);
    }
    std::sort(out.begin(), out.end(), [](const invitation& a, const invitation& b) {
        return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
    });
    return out;
}

std::vector<invitation> invitation_book::revoke_if(const std::function<bool(const invitation&)>& which) {
    const auto now = now_();
    std::vector<std::pair<std::string, invitation>> taken;
    {
        // Taken out first, as redeem does: a revoked one cannot be redeemed meanwhile.
        std::lock_guard lock(mutex_);
        for (auto it = by_hash_.begin(); it != by_hash_.end();) {
            if (which(it->second)) {
                taken.emplace_back(it->first, std::move(it->second));
                it = by_hash_.erase(it);
            } else {
                ++it;
            }
        }
    }
    std::vector<invitation> out;
    for (std::size_t k = 0; k < taken.size(); ++k) {
        std::promise<std::string> p;
        auto f = p.get_future();
        db_.redeem_invitation(taken[k].first, to_millis(now), [&p](const std::string& err) { p.set_value(err); });
        const std::string err = f.get();
        if (!err.empty() && err.find("already used") == std::string::npos) {
            std::lock_guard lock(mutex_);
            for (std::size_t rest = k; rest < taken.size(); ++rest) by_hash_.emplace(taken[rest].first, taken[rest].second);
            throw domain_error("storage_failed", err);
        }
        out.push_back(std::move(taken[k].second));
    }
    return out;
}

std::size_t invitation_book::sweep() {
    const auto now = now_();
    std::lock_guard lock(mutex_);
    return std::erase_if(by_hash_, [&](const auto& kv) { return now >= kv.second.expires_at; });
}

std::size_t invitation_book::size() const {
    std::lock_guard lock(mutex_);
    return by_hash_.size();
}

}  // namespace est::server::auth
