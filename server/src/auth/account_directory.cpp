#include "est/server/auth/account_directory.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "durable.hpp"
#include "est/error.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/store.hpp"
#include "est/utf.hpp"

namespace est::server::auth {

namespace {
std::string trimmed_name(std::string_view name) {
    std::size_t b = 0, e = name.size();
    while (b < e && (name[b] == ' ' || name[b] == '\t')) ++b;
    while (e > b && (name[e - 1] == ' ' || name[e - 1] == '\t')) --e;
    name = name.substr(b, e - b);
    if (name.empty() || name.size() > 200) throw domain_error("bad_message", "a name must have 1 to 200 bytes");
    // The text rules of the meeting (est::is_forbidden_in_text: C0, DEL, C1, bidi embeddings and isolates), and
    // no TAB or line break either: a name is shown on one line, in lists and exports alike.
    const auto units = est::utf8_to_utf16(name);
    if (!units) throw domain_error("bad_message", "a name must be UTF-8 text");
    for (char16_t c : *units)
        if (c < 0x20 || est::is_forbidden_in_text(c))
            throw domain_error("bad_message", "a name must not hold control or bidirectional formatting characters");
    return std::string(name);
}

account_row to_row(const account& a) {
    account_row r;
    r.id = a.id;
    r.email = a.email;
    r.display_name = a.display_name;
    if (!a.password_hash.empty()) r.password_hash = a.password_hash;
    r.disabled = a.disabled;
    r.is_admin = a.is_admin;
    r.created_at = a.created_at;
    if (a.external) {
        r.external_issuer = a.external->issuer;
        r.external_subject = a.external->subject;
    }
    return r;
}

std::optional<std::string> org_of(const membership& m) {
    if (m.org.empty()) return std::nullopt;
    return m.org;
}
}  // namespace

const membership* account::membership_of(std::string_view group_id) const noexcept {
    for (const auto& m : memberships)
        if (m.group_id == group_id) return &m;
    return nullptr;
}

est::standing account::standing_in(std::string_view group_id) const noexcept {
    est::standing s;
    s.server_admin = is_admin;
    if (const auto* m = group_id.empty() ? nullptr : membership_of(group_id)) s.member_role = m->role;
    return s;
}

nlohmann::json account::to_json() const {
    auto ms = nlohmann::json::array();
    for (const auto& m : memberships) {
        ms.push_back({{"group_id", m.group_id}, {"role", std::string(est::to_string(m.role))}, {"org", m.org}});
    }
    nlohmann::json j = {{"id", id},
                        {"email", email},
                        {"name", display_name},
                        {"disabled", disabled},
                        {"is_admin", is_admin},
                        {"has_password", !password_hash.empty()},
                        {"created_at", created_at},
                        {"memberships", std::move(ms)}};
    if (external) j["external"] = {{"issuer", external->issuer}, {"subject", external->subject}};
    return j;
}

std::string account_directory::normalise_name(std::string_view display_name) { return trimmed_name(display_name); }

account_directory::account_directory(store& db, clock_fn now) : db_(db), now_(std::move(now)) {}

std::string account_directory::normalise_email(std::string_view email) {
    std::size_t b = 0, e = email.size();
    while (b < e && (email[b] == ' ' || email[b] == '\t')) ++b;
    while (e > b && (email[e - 1] == ' ' || email[e - 1] == '\t')) --e;
    std::string out(email.substr(b, e - b));
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const auto at = out.find('@');
    const bool ok = !out.empty() && out.size() <= 254 && at != std::string::npos && at > 0 &&
                    out.find('@', at + 1) == std::string::npos && at + 1 < out.size() &&
                    out.find('.', at + 1) != std::string::npos && out.back() != '.' && out[at + 1] != '.' &&
                    std::none_of(out.begin(), out.end(), [](char c) {
                        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' ||
                               c == ',' || c == ';';
                    });
    if (!ok) throw domain_error("bad_message", "'email' must be an e-mail address");
    return out;
}

void account_directory::check_membership(const est::group& g, est::role r, std::string_view org) {
    if (est::speaks_for_organisation(r) || (est::may_speak_for_organisation(r) && !org.empty())) {
        if (!g.has_organisation(org))
            throw domain_error("bad_message", "a " + std::string(est::to_string(r)) + " must belong to one of group '" +
                                                  g.id + "''s organisations");
    } else if (!org.empty()) {
        throw domain_error("bad_message", "a " + std::string(est::to_string(r)) + " belongs to no organisation");
    }
}

void account_directory::load() {
    std::map<std::string, account, std::less<>> accounts;
    std::map<std::string, std::string, std::less<>> by_email;
    for (auto& r : db_.accounts()) {
        account a;
        a.id = r.id;
        a.email = r.email;
        a.display_name = r.display_name;
        a.password_hash = r.password_hash.value_or("");
        a.disabled = r.disabled;
        a.is_admin = r.is_admin;
        a.created_at = r.created_at;
        if (r.external_issuer && r.external_subject) a.external = external_identity{*r.external_issuer, *r.external_subject};
        by_email[a.email] = a.id;
        accounts.emplace(a.id, std::move(a));
    }
    for (auto& m : db_.memberships()) {
        auto it = accounts.find(m.account_id);
        const auto r = est::role_from_string(m.role);
        if (it == accounts.end() || !r) throw std::runtime_error("damaged membership of account " + m.account_id);
        it->second.memberships.push_back({m.group_id, *r, m.org.value_or("")});
    }
    std::lock_guard lock(mutex_);
    accounts_ = std::move(accounts);
    by_email_ = std::move(by_email);
}

std::optional<account> account_directory::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(id);
    if (it == accounts_.end()) return std::nullopt;
    return it->second;
}

std::optional<account> account_directory::find_by_email(std::string_view email) const {
    std::string key;
    try {
        key = normalise_email(email);
    } catch (const domain_error&) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    auto e = by_email_.find(key);
    if (e == by_email_.end()) return std::nullopt;
    return accounts_.at(e->second);
}

std::optional<account> account_directory::find_by_external(std::string_view issuer, std::string_view subject) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, a] : accounts_)
        if (a.external && a.external->issuer == issuer && a.external->subject == subject) return a;
    return std::nullopt;
}

std::vector<account> account_directory::all() const {
    std::lock_guard lock(mutex_);
    std::vector<account> out;
    for (const auto& [email, id] : by_email_) out.push_back(accounts_.at(id));
    return out;
}

std::vector<account> account_directory::members_of(std::string_view group_id) const {
    std::lock_guard lock(mutex_);
    std::vector<account> out;
    for (const auto& [email, id] : by_email_) {
        const auto& a = accounts_.at(id);
        if (a.membership_of(group_id)) out.push_back(a);
    }
    return out;
}

std::size_t account_directory::size() const {
    std::lock_guard lock(mutex_);
    return accounts_.size();
}

void account_directory::persist(const account& a) {
    detail::wait_durable([&](store::completion done) { db_.put_account(to_row(a), std::move(done)); });
}

account account_directory::create(std::string_view email, std::string_view display_name, bool is_admin,
                                  std::string password_hash) {
    account a;
    a.email = normalise_email(email);
    a.display_name = normalise_name(display_name);
    a.is_admin = is_admin;
    a.password_hash = std::move(password_hash);
    a.created_at = iso_utc(now_());
    std::lock_guard write(writes_);
    {
        std::lock_guard lock(mutex_);
        if (by_email_.count(a.email)) throw domain_error("conflict", "an account with this e-mail address exists");
        do a.id = secret_token::random_id("a-");
        while (accounts_.count(a.id));
    }
    try {
        persist(a);
    } catch (const domain_error& e) {
        // Another process (the command line) may have taken the address meanwhile: the UNIQUE index says so.
        if (std::string_view(e.what()).find("UNIQUE") != std::string_view::npos)
            throw domain_error("conflict", "an account with this e-mail address exists");
        throw;
    }
    {
        std::lock_guard lock(mutex_);
        by_email_[a.email] = a.id;
        accounts_[a.id] = a;
    }
    notify(a);
    return a;
}

account account_directory::update(std::string_view id, const std::function<void(account&)>& change) {
    std::lock_guard write(writes_);
    account a;
    {
        std::lock_guard lock(mutex_);
        auto it = accounts_.find(id);
        if (it == accounts_.end()) throw domain_error("not_found", "there is no such account");
        a = it->second;
    }
    change(a);
    persist(a);
    {
        std::lock_guard lock(mutex_);
        accounts_[a.id] = a;
    }
    notify(a);
    return a;
}

account account_directory::set_password_hash(std::string_view id, std::string password_hash) {
    return update(id, [&](account& a) { a.password_hash = std::move(password_hash); });
}

account account_directory::set_disabled(std::string_view id, bool disabled) {
    return update(id, [&](account& a) { a.disabled = disabled; });
}

account account_directory::set_admin(std::string_view id, bool is_admin) {
    return update(id, [&](account& a) { a.is_admin = is_admin; });
}

account account_directory::set_display_name(std::string_view id, std::string_view display_name) {
    const std::string name = normalise_name(display_name);
    return update(id, [&](account& a) { a.display_name = name; });
}

account account_directory::set_external_identity(std::string_view id, std::optional<external_identity> external) {
    if (external && (external->issuer.empty() || external->subject.empty()))
        throw domain_error("bad_message", "an external identity needs an issuer and a subject");
    if (external) {
        const auto holder = find_by_external(external->issuer, external->subject);
        if (holder && holder->id != id) throw domain_error("conflict", "another account has this external identity");
    }
    return update(id, [&](account& a) { a.external = std::move(external); });
}

account account_directory::put_membership(std::string_view id, const est::group& g, est::role r, std::string_view org) {
    check_membership(g, r, org);
    std::lock_guard write(writes_);
    account a;
    {
        std::lock_guard lock(mutex_);
        auto it = accounts_.find(id);
        if (it == accounts_.end()) throw domain_error("not_found", "there is no such account");
        a = it->second;
    }
    membership m{g.id, r, std::string(org)};
    detail::wait_durable([&](store::completion done) {
        db_.put_membership({a.id, m.group_id, std::string(est::to_string(r)), org_of(m)}, std::move(done));
    });
    auto pos = std::find_if(a.memberships.begin(), a.memberships.end(), [&](const membership& x) { return x.group_id == g.id; });
    if (pos != a.memberships.end()) *pos = m;
    else
        a.memberships.insert(std::upper_bound(a.memberships.begin(), a.memberships.end(), m,
                                              [](const membership& x, const membership& y) { return x.group_id < y.group_id; }),
                             m);
    {
        std::lock_guard lock(mutex_);
        accounts_[a.id] = a;
    }
    notify(a);
    return a;
}

account account_directory::remove_membership(std::string_view id, std::string_view group_id) {
    std::lock_guard write(writes_);
    account a;
    {
        std::lock_guard lock(mutex_);
        auto it = accounts_.find(id);
        if (it == accounts_.end()) throw domain_error("not_found", "there is no such account");
        a = it->second;
    }
    if (!a.membership_of(group_id)) throw domain_error("not_found", "the account has no role in this group");
    detail::wait_durable([&](store::completion done) {
        db_.delete_membership(a.id, std::string(group_id), std::move(done));
    });
    std::erase_if(a.memberships, [&](const membership& m) { return m.group_id == group_id; });
    {
        std::lock_guard lock(mutex_);
        accounts_[a.id] = a;
    }
    notify(a);
    return a;
}

std::size_t account_directory::subscribe(changed_listener l) {
    std::lock_guard lock(mutex_);
    listeners_.emplace(next_listener_, std::move(l));
    return next_listener_++;
}

void account_directory::unsubscribe(std::size_t token) {
    std::lock_guard lock(mutex_);
    listeners_.erase(token);
}

void account_directory::notify(const account& a) {
    std::vector<changed_listener> ls;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, l] : listeners_) ls.push_back(l);
    }
    for (const auto& l : ls) l(a);
}

}  // namespace est::server::auth
