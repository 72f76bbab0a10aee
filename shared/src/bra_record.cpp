#include "est/bra_record.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 5> status_names{"awaiting", "approved", "rejected", "deferred", "done"};
constexpr std::array<std::string_view, 3> verdict_names{"approve", "reject", "defer"};
constexpr std::array<std::string_view, 4> progress_names{"green", "yellow", "red", "done"};
constexpr std::array<std::string_view, 5> kind_names{"decide", "assign", "comment", "follow_up", "import"};

template <class E, std::size_t N>
std::optional<E> from_name(const std::array<std::string_view, N>& names, std::string_view s) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

template <class E, std::size_t N>
E read_name(const std::array<std::string_view, N>& names, const json& obj, const std::string& where, const char* key) {
    const std::string s = json_read::string(obj, where, key, 40);
    if (auto v = from_name<E>(names, s)) return *v;
    std::string allowed;
    for (auto n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
    throw domain_error("bad_message", where + "." + key + ": must be one of " + allowed);
}

[[noreturn]] void fail(const char* code, const std::string& message) { throw domain_error(code, message); }

// Free text a person wrote: clean UTF-8 without the controls a picture's text may not hold either, at most `max`
// bytes. Absent or empty → "".
std::string text_of(const json& obj, const std::string& where, const char* key, std::size_t max) {
    const auto it = obj.find(key);
    if (it == obj.end() || (it->is_string() && it->get_ref<const std::string&>().empty())) return {};
    std::string s = json_read::string(obj, where, key, max);
    const auto wide = utf8_to_utf16(s);
    const std::string at = where + "." + key;
    if (!wide || !is_well_formed(*wide)) fail("bad_message", at + ": must be valid UTF-8");
    if (std::any_of(wide->begin(), wide->end(), [](char16_t c) { return c != u'\n' && is_forbidden_in_text(c); }))
        fail("bad_message", at + ": must not hold control or bidirectional-override characters");
    return s;
}

// Why `s` is not text a person may write here ("" when it is): not UTF-8, controls, too long.
std::string text_problem(std::string_view s, std::size_t max) {
    if (s.size() > max) return "longer than " + std::to_string(max) + " bytes";
    const auto wide = utf8_to_utf16(s);
    if (!wide || !is_well_formed(*wide)) return "not valid UTF-8";
    if (std::any_of(wide->begin(), wide->end(), [](char16_t c) { return c != u'\n' && is_forbidden_in_text(c); }))
        return "holds control or bidirectional-override characters";
    return {};
}

std::string date_of(const json& obj, const std::string& where, const char* key) {
    std::string s = json_read::string(obj, where, key, 10);
    calendar_date::read(s, where + "." + key);
    return s;
}

void require(bool present, const std::string& where, const char* what) {
    if (!present) fail("bad_message", where + ": " + what);
}

// The owner and its due date, as a decision to approve and a re-assignment give them.
void check_assignment(const bra_request& r, calendar_date today, std::span<const std::string> organisations) {
    if (std::find(organisations.begin(), organisations.end(), r.owner_org) == organisations.end())
        fail("bad_message", "owner_org: '" + r.owner_org + "' is not one of the group's organisations");
    if (*calendar_date::parse(r.due) < today)
        fail("bad_message", "due: " + r.due + " has already passed (today is " + today.to_string() + ")");
}

}  // namespace

std::string_view to_string(bra_status s) noexcept { return status_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(bra_verdict v) noexcept { return verdict_names[static_cast<std::size_t>(v)]; }
std::string_view to_string(bra_progress p) noexcept { return progress_names[static_cast<std::size_t>(p)]; }
std::string_view to_string(bra_event_kind k) noexcept { return kind_names[static_cast<std::size_t>(k)]; }
std::optional<bra_status> bra_status_from_string(std::string_view s) noexcept {
    return from_name<bra_status>(status_names, s);
}

action action_of(bra_event_kind k) noexcept {
    switch (k) {
        case bra_event_kind::decide:
        case bra_event_kind::assign: return action::decide_decision_item;
        case bra_event_kind::comment: return action::comment_decision_item;
        case bra_event_kind::follow_up: return action::follow_up_decision_item;
        case bra_event_kind::import_item: return action::import_decision_items;
    }
    return action::decide_decision_item;
}

bra_request bra_request::from_json(const json& j, const std::string& where) {
    json_read::object(j, where);
    bra_request r;
    r.kind = read_name<bra_event_kind>(kind_names, j, where, "kind");
    if (r.kind == bra_event_kind::import_item)
        fail("bad_message", where + ".kind: an item is imported with POST /api/bra/import, not by an event");
    r.version = json_read::uint(j, where, "version");
    r.text = text_of(j, where, "text", max_bra_text_bytes);
    switch (r.kind) {
        case bra_event_kind::decide:
            r.verdict = read_name<bra_verdict>(verdict_names, j, where, "verdict");
            switch (*r.verdict) {
                case bra_verdict::approve:
                    json_read::only_fields(j, where, {"kind", "version", "verdict", "owner_org", "contact", "due", "text"});
                    break;
                case bra_verdict::reject:
                    json_read::only_fields(j, where, {"kind", "version", "verdict", "reason", "text"});
                    r.reason = text_of(j, where, "reason", max_bra_text_bytes);
                    require(!r.reason.empty(), where + ".reason", "avslag needs a reason");
                    return r;
                case bra_verdict::defer:
                    json_read::only_fields(j, where, {"kind", "version", "verdict", "deferred_to", "text"});
                    r.deferred_to = date_of(j, where, "deferred_to");
                    return r;
            }
            [[fallthrough]];
        case bra_event_kind::assign:
            if (r.kind == bra_event_kind::assign)
                json_read::only_fields(j, where, {"kind", "version", "owner_org", "contact", "due", "text"});
            r.owner_org = json_read::id(j, where, "owner_org");
            r.contact = text_of(j, where, "contact", max_bra_contact_bytes);
            require(!r.contact.empty(), where + ".contact", "name a contact person at the owner organisation");
            r.due = date_of(j, where, "due");
            return r;
        case bra_event_kind::comment:
            json_read::only_fields(j, where, {"kind", "version", "text"});
            require(!r.text.empty(), where + ".text", "a comment needs text");
            return r;
        case bra_event_kind::follow_up:
            json_read::only_fields(j, where, {"kind", "version", "progress", "text"});
            r.progress = read_name<bra_progress>(progress_names, j, where, "progress");
            require(r.text.size() > 0 || (*r.progress != bra_progress::yellow && *r.progress != bra_progress::red),
                    where + ".text", "gul and röd need a note saying what is wrong");
            return r;
        case bra_event_kind::import_item: return r;
    }
    return r;
}

bra_request bra_request::imported(const std::function<std::string(std::string_view)>& value,
                                  const std::function<std::string(std::string_view)>& where,
                                  const std::vector<std::string>* organisations) {
    auto bad = [&](std::string_view column, const std::string& what) { fail("bad_message", where(column) + ": " + what); };
    // A value echoed in a message: short, and only when it is clean text (a message is JSON).
    auto shown = [](const std::string& v) {
        return text_problem(v, 60).empty() ? "'" + v + "'" : std::string("the value");
    };
    auto one_of = [&]<class E, std::size_t N>(const std::array<std::string_view, N>& names, std::string_view column,
                                              const char* what) -> std::optional<E> {
        const std::string v = value(column);
        if (v.empty()) return std::nullopt;
        if (auto e = from_name<E>(names, v)) return e;
        std::string allowed;
        for (auto n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
        bad(column, shown(v) + " is not " + what + ": write one of " + allowed);
        return std::nullopt;
    };
    bra_request r;
    r.kind = bra_event_kind::import_item;
    r.version = 1;
    r.status = one_of.template operator()<bra_status>(status_names, "status", "a status");
    if (!r.status) bad("status", "every item needs a status: awaiting, approved, rejected, deferred or done");
    const bra_status st = *r.status;
    const bool approved = st == bra_status::approved || st == bra_status::done;
    r.verdict = one_of.template operator()<bra_verdict>(verdict_names, "verdict", "a verdict");
    r.progress = one_of.template operator()<bra_progress>(progress_names, "progress", "a follow-up");
    // The verdict the status implies; a verdict given must be that one.
    const std::optional<bra_verdict> implied = approved                     ? std::optional(bra_verdict::approve)
                                               : st == bra_status::rejected ? std::optional(bra_verdict::reject)
                                               : st == bra_status::deferred ? std::optional(bra_verdict::defer)
                                                                            : std::nullopt;
    if (r.verdict && r.verdict != implied)
        bad("verdict", "'" + std::string(to_string(*r.verdict)) + "' does not fit the status '" +
                           std::string(to_string(st)) + "'" + (implied ? "" : " (an awaiting item has no verdict)"));
    r.verdict = implied;
    if (st == bra_status::done) {
        if (r.progress && *r.progress != bra_progress::done) bad("progress", "a done item's follow-up is 'done'");
        r.progress = bra_progress::done;
    } else if (r.progress && (st != bra_status::approved || *r.progress == bra_progress::done)) {
        bad("progress", st == bra_status::approved ? "an approved item that is done has the status 'done'"
                                                   : "only an approved item is followed up");
    }
    auto text = [&](std::string_view column, std::size_t max, bool needed, bool allowed) {
        std::string v = value(column);
        if (v.empty()) {
            if (needed) bad(column, "an item that is " + std::string(to_string(st)) + " needs it");
            return v;
        }
        if (!allowed) bad(column, "an item that is " + std::string(to_string(st)) + " has none");
        if (auto problem = text_problem(v, max); !problem.empty()) bad(column, problem);
        return v;
    };
    auto date = [&](std::string_view column, bool needed, bool allowed) {
        std::string v = text(column, 10, needed, allowed);
        if (!v.empty() && !calendar_date::parse(v))
            bad(column, shown(v) + " is not a day: write a real calendar day as YYYY-MM-DD, e.g. 2027-03-01");
        return v;
    };
    r.owner_org = text("owner_org", 64, approved, approved);
    if (approved && organisations &&
        std::find(organisations->begin(), organisations->end(), r.owner_org) == organisations->end())
        bad("owner_org", shown(r.owner_org) + " is not one of the group's organisations");
    r.contact = text("contact", max_bra_contact_bytes, approved, approved);
    r.due = date("due", approved, approved);
    r.reason = text("reason", max_bra_text_bytes, st == bra_status::rejected, st == bra_status::rejected);
    // An item deferred before it was decided keeps the date it was deferred to.
    r.deferred_to = date("deferred_to", st == bra_status::deferred, st != bra_status::awaiting);
    return r;
}

json bra_event::to_json() const {
    json j{{"kind", to_string(what.kind)}};
    if (what.status) j["status"] = to_string(*what.status);
    if (what.verdict) j["verdict"] = to_string(*what.verdict);
    if (what.progress) j["progress"] = to_string(*what.progress);
    for (auto [key, value] : {std::pair{"owner_org", &what.owner_org}, {"contact", &what.contact}, {"due", &what.due},
                              {"reason", &what.reason}, {"deferred_to", &what.deferred_to}, {"text", &what.text}})
        if (!value->empty()) j[key] = *value;
    j["by"] = {{"account", by.account}, {"name", by.name}, {"org", by.org}, {"role", by.role}};
    j["at"] = at;
    j["version"] = version;
    return j;
}

bra_event bra_event::from_json(const json& j) {
    try {
        if (!j.is_object()) fail("bad_snapshot", "a BRÅ event must be an object");
        json request = j;
        request.erase("by");
        request.erase("at");
        bra_event e;
        // The stored request is re-read by the same rules, with the version it was made against.
        e.version = json_read::uint(j, "event", "version");
        if (e.version < 2) fail("bad_snapshot", "event.version must be at least 2");
        request["version"] = e.version - 1;
        if (request.value("kind", "") == "import") {
            json_read::only_fields(request, "event", {"kind", "version", "status", "verdict", "owner_org", "contact",
                                                      "due", "reason", "deferred_to", "progress"});
            auto value = [&](std::string_view key) { return request.value(std::string(key), std::string()); };
            auto where = [](std::string_view key) { return "event." + std::string(key); };
            e.what = bra_request::imported(value, where, nullptr);
            e.what.version = e.version - 1;
        } else {
            e.what = bra_request::from_json(request, "event");
        }
        const json& by = json_read::object(json_read::required(j, "event", "by"), "event.by");
        e.by = {by.value("account", ""), by.value("name", ""), by.value("org", ""), by.value("role", "")};
        e.at = json_read::string(j, "event", "at", 40);
        return e;
    } catch (const domain_error& err) {
        if (err.code() == "bad_snapshot") throw;
        throw domain_error("bad_snapshot", std::string("a stored BRÅ event does not read: ") + err.what());
    }
}

void bra_record::check(const bra_request& r, const standing& who, std::string_view who_org, calendar_date today,
                       std::span<const std::string> organisations) const {
    if (r.kind == bra_event_kind::import_item)
        fail("bad_message", "an item is imported with POST /api/bra/import, not by an event");
    const decision d = decide(who, action_of(r.kind), meeting_phase::closed);
    if (d.why == refusal::sign_in) fail("sign_in_required", std::string(d.reason));
    if (!d) fail("forbidden", std::string(d.reason));
    if (r.kind == bra_event_kind::follow_up && who_org != owner_org_)
        fail("forbidden", owner_org_.empty() ? "only an approved item's owner organisation reports its progress"
                                             : "only '" + owner_org_ + "', the owner organisation, reports this item's progress");
    if (r.version != version_)
        fail("conflict", "the item has changed since version " + std::to_string(r.version) + " (it is at version " +
                             std::to_string(version_) + ", " + std::string(to_string(status_)) +
                             "): read it again before you act");
    if (history_.size() >= max_bra_history) fail("limit_reached", "the item has the most events it may hold");
    switch (r.kind) {
        case bra_event_kind::decide:
            if (status_ != bra_status::awaiting && status_ != bra_status::deferred)
                fail("wrong_state", "the item is already decided (" + std::string(to_string(status_)) + ")");
            if (*r.verdict == bra_verdict::approve) check_assignment(r, today, organisations);
            if (*r.verdict == bra_verdict::defer && *calendar_date::parse(r.deferred_to) < today)
                fail("bad_message", "deferred_to: " + r.deferred_to + " has already passed (today is " +
                                        today.to_string() + ")");
            return;
        case bra_event_kind::assign:
            if (status_ != bra_status::approved)
                fail("wrong_state", "only an approved item that is not done is assigned (it is " +
                                        std::string(to_string(status_)) + ")");
            check_assignment(r, today, organisations);
            return;
        case bra_event_kind::import_item:
        case bra_event_kind::comment: return;
        case bra_event_kind::follow_up:
            if (status_ != bra_status::approved)
                fail("wrong_state", "only an approved item that is not done is followed up (it is " +
                                        std::string(to_string(status_)) + ")");
            return;
    }
}

void bra_record::apply(const bra_event& e) {
    if (e.version != version_ + 1 || e.what.version != version_)
        fail("bad_snapshot", "a BRÅ event out of order: version " + std::to_string(e.version) + " after " +
                                 std::to_string(version_));
    const bra_request& r = e.what;
    if (r.kind == bra_event_kind::import_item && !history_.empty())
        fail("bad_snapshot", "an import is only ever an item's first event");
    switch (r.kind) {
        case bra_event_kind::import_item:
            status_ = r.status.value_or(bra_status::awaiting);
            verdict_ = r.verdict;
            owner_org_ = r.owner_org;
            contact_ = r.contact;
            due_ = r.due;
            reason_ = r.reason;
            deferred_to_ = r.deferred_to;
            progress_ = r.progress;
            // "Stale" counts from the import: when the item was followed up before is not known here.
            if (status_ == bra_status::approved || status_ == bra_status::done) last_report_at_ = e.at;
            break;
        case bra_event_kind::decide:
            verdict_ = r.verdict;
            switch (*r.verdict) {
                case bra_verdict::approve:
                    status_ = bra_status::approved;
                    owner_org_ = r.owner_org;
                    contact_ = r.contact;
                    due_ = r.due;
                    last_report_at_ = e.at;
                    break;
                case bra_verdict::reject:
                    status_ = bra_status::rejected;
                    reason_ = r.reason;
                    break;
                case bra_verdict::defer:
                    status_ = bra_status::deferred;
                    deferred_to_ = r.deferred_to;
                    break;
            }
            break;
        case bra_event_kind::assign:
            owner_org_ = r.owner_org;
            contact_ = r.contact;
            due_ = r.due;
            break;
        case bra_event_kind::comment: break;
        case bra_event_kind::follow_up:
            progress_ = r.progress;
            last_report_at_ = e.at;
            if (*r.progress == bra_progress::done) status_ = bra_status::done;
            break;
    }
    version_ = e.version;
    history_.push_back(e);
}

bra_flags bra_record::flags(calendar_date today, unsigned stale_weeks) const {
    bra_flags f;
    if (status_ == bra_status::approved) {
        if (auto due = calendar_date::parse(due_)) f.overdue = *due < today;
        if (auto last = calendar_date::parse(std::string_view(last_report_at_).substr(0, 10)))
            f.stale = stale_weeks > 0 && last->plus_days(7L * stale_weeks) < today;
    }
    if (status_ == bra_status::deferred)
        if (auto back = calendar_date::parse(deferred_to_)) f.back_on_agenda = *back <= today;
    return f;
}

json bra_record::to_json() const {
    json j{{"status", to_string(status_)}, {"version", version_}};
    if (verdict_) j["verdict"] = to_string(*verdict_);
    if (progress_) j["progress"] = to_string(*progress_);
    for (auto [key, value] : {std::pair{"owner_org", &owner_org_}, {"contact", &contact_}, {"due", &due_},
                              {"reason", &reason_}, {"deferred_to", &deferred_to_}, {"last_report_at", &last_report_at_}})
        if (!value->empty()) j[key] = *value;
    json events = json::array();
    for (const auto& e : history_) events.push_back(e.to_json());
    j["history"] = std::move(events);
    return j;
}

bra_record bra_record::from_json(const json& j) {
    if (!j.is_object() || !j.contains("history") || !j["history"].is_array())
        fail("bad_snapshot", "a BRÅ record must be an object with a history array");
    bra_record r;
    for (const auto& e : j["history"]) r.apply(bra_event::from_json(e));
    return r;
}

}  // namespace est
