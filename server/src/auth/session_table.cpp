#include "est/server/auth/session_table.hpp"

#include "durable.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/store.hpp"

namespace est::server::auth {

std::string_view to_string(session_end why) noexcept {
    switch (why) {
    case session_end::signed_out: return "signed_out";
    case session_end::signed_out_everywhere: return "signed_out_everywhere";
    case session_end::expired: return "expired";
    case session_end::rotated: return "rotated";
    case session_end::account_disabled: return "account_disabled";
    case session_end::password_reset: return "password_reset";
    case session_end::revoked: return "revoked";
    }
    return "ended";
}

namespace {
session_row to_row(const std::string& hash, const session_info& s) {
    return {hash, s.id, s.account_id, to_millis(s.created_at), to_millis(s.last_seen), to_millis(s.expires_at)};
}
}  // namespace

session_table::session_table(store& db, clock_fn now, session_options o) : db_(db), now_(std::move(now)), o_(o) {}

bool session_table::expired(const entry& e, time_point now) const {
    return now >= e.info.expires_at || now >= e.info.last_seen + o_.idle;
}

void session_table::load() {
    const auto now = now_();
    std::map<std::string, entry, std::less<>> loaded;
    for (const auto& r : db_.sessions()) {
        entry e{{r.id, r.account_id, from_millis(r.created_at), from_millis(r.last_seen), from_millis(r.expires_at)},
                from_millis(r.last_seen)};
        if (!expired(e, now)) loaded.emplace(r.token_hash, std::move(e));
    }
    // What the store holds as expired is of no use to anyone: forget it (memory is empty, so the store's
    // last_seen is the whole truth here).
    db_.delete_sessions_expired(to_millis(now), std::chrono::duration_cast<std::chrono::milliseconds>(o_.idle).count(), {});
    std::lock_guard lock(mutex_);
    by_hash_ = std::move(loaded);
}

new_session session_table::create(std::string_view account_id) {
    const auto now = now_();
    new_session s;
    s.token = secret_token::generate(secret_token::session_bytes);
    s.info = {secret_token::random_id("s-"), std::string(account_id), now, now, now + o_.absolute};
    const std::string hash = secret_token::hash(s.token);
    detail::wait_durable([&](store::completion done) { db_.put_session(to_row(hash, s.info), std::move(done)); });
    std::lock_guard lock(mutex_);
    by_hash_[hash] = entry{s.info, now};
    return s;
}

std::optional<session_info> session_table::validate(std::string_view token) {
    if (!secret_token::well_formed(token, secret_token::session_bytes)) return std::nullopt;
    const std::string hash = secret_token::hash(token);
    const auto now = now_();
    std::optional<session_info> ended;
    std::optional<std::int64_t> touch;
    session_info live;
    {
        std::lock_guard lock(mutex_);
        auto it = by_hash_.find(hash);
        if (it == by_hash_.end()) return std::nullopt;
        if (expired(it->second, now)) {
            ended = it->second.info;
            by_hash_.erase(it);
            ++generation_;
        } else {
            auto& e = it->second;
            e.info.last_seen = now;
            if (now >= e.persisted_seen + o_.touch_every) {
                e.persisted_seen = now;
                touch = to_millis(now);
            }
            live = e.info;
        }
    }
    if (ended) {
        db_.delete_session(hash, {});
        announce({*ended}, session_end::expired);
        return std::nullopt;
    }
    if (touch) db_.touch_session(hash, *touch, {});
    return live;
}

std::optional<std::string> session_table::account_of(std::string_view token) {
    auto s = validate(token);
    if (!s) return std::nullopt;
    return s->account_id;
}

bool session_table::end(std::string_view token, session_end why) {
    if (!secret_token::well_formed(token, secret_token::session_bytes)) return false;
    const std::string hash = secret_token::hash(token);
    session_info info;
    {
        std::lock_guard lock(mutex_);
        auto it = by_hash_.find(hash);
        if (it == by_hash_.end()) return false;
        info = it->second.info;
        by_hash_.erase(it);
        ++generation_;
    }
    announce({info}, why);
    detail::wait_durable([&](store::completion done) { db_.delete_session(hash, std::move(done)); });
    return true;
}

bool session_table::end_by_id(std::string_view id, session_end why) {
    std::string hash;
    session_info info;
    {
        std::lock_guard lock(mutex_);
        auto it = by_hash_.begin();
        while (it != by_hash_.end() && it->second.info.id != id) ++it;
        if (it == by_hash_.end()) return false;
        hash = it->first;
        info = it->second.info;
        by_hash_.erase(it);
        ++generation_;
    }
    announce({info}, why);
    detail::wait_durable([&](store::completion done) { db_.delete_session(hash, std::move(done)); });
    return true;
}

std::size_t session_table::end_all_of(std::string_view account_id, session_end why) {
    std::vector<session_info> ended;
    {
        std::lock_guard lock(mutex_);
        for (auto it = by_hash_.begin(); it != by_hash_.end();) {
            if (it->second.info.account_id == account_id) {
                ended.push_back(it->second.info);
                it = by_hash_.erase(it);
                ++generation_;
            } else {
                ++it;
            }
        }
    }
    announce(ended, why);
    // Also those another process wrote or this one has forgotten: the store forgets every one of the account.
    detail::wait_durable([&](store::completion done) { db_.delete_sessions_of(std::string(account_id), std::move(done)); });
    return ended.size();
}

std::size_t session_table::sweep() {
    const auto now = now_();
    std::vector<session_info> ended;
    std::vector<std::string> hashes;
    {
        std::lock_guard lock(mutex_);
        for (auto it = by_hash_.begin(); it != by_hash_.end();) {
            if (expired(it->second, now)) {
                ended.push_back(it->second.info);
                hashes.push_back(it->first);
                it = by_hash_.erase(it);
                ++generation_;
            } else {
                ++it;
            }
        }
    }
    // Each by its hash: the store's last_seen may be behind memory's, so "expired by the store's record" could
    // take live sessions too.
    for (auto& h : hashes) db_.delete_session(std::move(h), {});
    announce(ended, session_end::expired);
    return ended.size();
}

std::vector<session_info> session_table::sessions_of(std::string_view account_id) const {
    std::lock_guard lock(mutex_);
    std::vector<session_info> out;
    for (const auto& [h, e] : by_hash_)
        if (e.info.account_id == account_id) out.push_back(e.info);
    return out;
}

std::size_t session_table::size() const {
    std::lock_guard lock(mutex_);
    return by_hash_.size();
}

std::uint64_t session_table::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

std::size_t session_table::subscribe(ended_listener l) {
    std::lock_guard lock(mutex_);
    listeners_.emplace(next_listener_, std::move(l));
    return next_listener_++;
}

void session_table::unsubscribe(std::size_t token) {
    std::lock_guard lock(mutex_);
    listeners_.erase(token);
}

void session_table::announce(const std::vector<session_info>& ended, session_end why) {
    if (ended.empty()) return;
    std::vector<ended_listener> ls;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, l] : listeners_) ls.push_back(l);
    }
    for (const auto& s : ended)
        for (const auto& l : ls) l(s, why);
}

}  // namespace est::server::auth
