#include "est/server/auth/audit_log.hpp"

#include <future>

#include "est/error.hpp"
#include "est/server/error_log.hpp"
#include "est/server/auth/secret_token.hpp"

namespace est::server::auth {

namespace {
void field(std::string& out, std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
    out += '\n';
}

// Each row's place in the chain also goes to the server's log (stderr: journald, syslog), a copy outside the
// database: whoever can rewrite the database file can recompute the chain, but not the lines already shipped.
void copy_to_log(const audit_row& r) {
    log_event("audit", {{"seq", std::to_string(r.seq)}, {"action", r.action}, {"hash", r.hash}});
}
}  // namespace

audit_log::audit_log(store& db, clock_fn now) : db_(db), now_(std::move(now)) {}

std::string audit_log::canonical(const audit_row& r) {
    std::string out = "est-audit-v1\n";
    field(out, std::to_string(r.seq));
    field(out, r.at);
    field(out, r.actor);
    field(out, r.address);
    field(out, r.action);
    field(out, r.subject);
    field(out, r.detail);
    field(out, r.prev_hash);
    return out;
}

std::string audit_log::hash_of(const audit_row& r) { return secret_token::sha256_hex(canonical(r)); }

audit_row audit_log::make_row(std::string actor, std::string address, std::string action, std::string subject,
                              const nlohmann::json& detail) const {
    audit_row r;
    r.at = iso_utc(now_());
    r.actor = std::move(actor);
    r.address = std::move(address);
    r.action = std::move(action);
    r.subject = std::move(subject);
    // nlohmann's objects keep their keys sorted: the same detail always gives the same text. Bytes that are not
    // UTF-8 (an e-mail as typed) are replaced, never a reason to lose the row.
    r.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

void audit_log::record(std::string actor, std::string address, std::string action, std::string subject,
                       nlohmann::json detail, std::function<void(const std::string&)> done) {
    db_.append_audit(make_row(std::move(actor), std::move(address), std::move(action), std::move(subject), detail),
                     [](audit_row& r) { r.hash = hash_of(r); },
                     [done = std::move(done)](const audit_row& r, const std::string& err) {
                         if (err.empty()) copy_to_log(r);
                         if (done) done(err);
                     });
}

audit_row audit_log::record_durable(std::string actor, std::string address, std::string action, std::string subject,
                                    nlohmann::json detail) {
    std::promise<std::pair<audit_row, std::string>> p;
    auto f = p.get_future();
    db_.append_audit(make_row(std::move(actor), std::move(address), std::move(action), std::move(subject), detail),
                     [](audit_row& r) { r.hash = hash_of(r); },
                     [&p](const audit_row& r, const std::string& err) { p.set_value({r, err}); });
    auto [row, err] = f.get();
    if (!err.empty()) throw domain_error("storage_failed", err);
    copy_to_log(row);
    return row;
}

audit_log::verification audit_log::verify() {
    verification v;
    std::string prev(64, '0');
    std::uint64_t expect = 1;
    const auto head = db_.read_audit([&](const audit_row& r) {
        if (!v.ok) return;
        ++v.rows;
        auto bad = [&](std::string problem, std::uint64_t seq) {
            v.ok = false;
            v.first_bad = seq;
            v.problem = std::move(problem);
        };
        if (r.seq != expect)
            bad(expect + 1 == r.seq ? "row " + std::to_string(expect) + " is missing"
                                    : "rows " + std::to_string(expect) + " to " + std::to_string(r.seq - 1) + " are missing",
                expect);
        else if (r.prev_hash != prev)
            bad("its previous-row hash does not match row " + std::to_string(r.seq - 1) + ": a row was removed or changed", r.seq);
        else if (r.hash != hash_of(r))
            bad("its hash does not match its content: the row was changed", r.seq);
        prev = r.hash;
        expect = r.seq + 1;
    });
    if (!v.ok) return v;
    const std::uint64_t last = expect - 1;
    if (head && (head->first != last || head->second != prev)) {
        v.ok = false;
        v.first_bad = head->first > last ? last + 1 : head->first;
        v.problem = head->first > last ? "rows " + std::to_string(last + 1) + " to " + std::to_string(head->first) +
                                             " are missing at the end"
                                       : "the last row does not match the recorded head of the log";
    } else if (!head && last != 0) {
        v.ok = false;
        v.first_bad = 1;
        v.problem = "the recorded head of the log is missing";
    }
    if (v.ok) v.last_hash = last ? prev : std::string();
    return v;
}

}  // namespace est::server::auth
