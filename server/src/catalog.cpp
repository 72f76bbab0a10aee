#include "est/server/catalog.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <random>

#include "est/bra_import.hpp"
#include "est/calendar_date.hpp"
#include "est/change.hpp"
#include "est/error.hpp"
#include "est/meeting_phase.hpp"
#include "est/meeting_state.hpp"
#include "est/meeting_title.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/store.hpp"

namespace est::server {

using json = nlohmann::json;

namespace {
std::string random_id(std::string_view prefix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string id(prefix);
    auto v = rng();
    for (int i = 0; i < 12; ++i, v >>= 4) id.push_back(hex[v & 0xF]);
    return id;
}

std::string utc_now_iso() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// meetings_of's order: the newest first, by date, then creation time, then id (which no two share).
bool newer(const meeting_info& a, const meeting_info& b) {
    return std::tie(b.date, b.created_at, b.id) < std::tie(a.date, a.created_at, a.id);
}

bool by_id(const group& a, const group& b) { return a.id < b.id; }

void wait_durable(const std::function<void(store::completion)>& write) {
    std::promise<std::string> p;
    write([&](const std::string& err) { p.set_value(err); });
    const std::string err = p.get_future().get();
    if (!err.empty()) throw domain_error("storage_failed", err);
}
}  // namespace

json meeting_ref::to_json() const { return {{"id", id}, {"title", title}, {"date", date}, {"state", state}}; }

json meeting_info::meta_json() const {
    json j = {{"title", title}, {"date", date}, {"state", state}, {"created_at", created_at}};
    if (corrects) j["corrects"] = corrects->to_json();
    return j;
}

json meeting_info::to_json() const {
    json j = {{"id", id}, {"group_id", group_id}, {"title", title}, {"date", date}, {"state", state},
              {"created_at", created_at}, {"template", {{"id", tmpl->id}, {"name", tmpl->name}, {"version", tmpl->version}}}};
    if (corrects) {
        j["corrects"] = corrects->to_json();
        if (corrected_meeting) {
            j["corrects"]["title"] = corrected_meeting->title;
            j["corrects"]["date"] = corrected_meeting->date;
        }
    }
    if (corrected_by) j["corrected_by"] = corrected_by->to_json();
    if (!purged_at.empty()) j["purged_at"] = purged_at;
    if (!archived_at.empty()) j["archived_at"] = archived_at;
    return j;
}

catalog::catalog(store& db, std::shared_ptr<const meeting_template> default_template)
    : db_(db), default_template_(std::move(default_template)) {}

void catalog::load() {
    std::vector<group> gs;
    for (const auto& row : db_.groups()) gs.push_back(group::from_json(json::parse(row.data), true));
    std::vector<meeting_info> ms;
    for (const auto& row : db_.meetings()) {
        const json meta = json::parse(row.meta);
        meeting_info m;
        m.id = row.id;
        m.group_id = row.group_id;
        m.title = meta.at("title").get<std::string>();
        m.date = meta.at("date").get<std::string>();
        m.state = meta.at("state").get<std::string>();
        m.created_at = meta.at("created_at").get<std::string>();
        if (auto c = meta.find("corrects"); c != meta.end())
            m.corrects = correction_link::from_json(*c, "meeting " + row.id + ": corrects", "bad_snapshot");
        m.tmpl = std::make_shared<const meeting_template>(
            meeting_template::from_json(json::parse(row.tmpl), "meeting " + row.id));
        ms.push_back(std::move(m));
    }
    std::map<std::string, std::string, std::less<>> purged;
    for (auto& row : db_.purges()) purged[row.meeting_id] = row.purged_at;
    for (auto& m : ms)
        if (auto p = purged.find(m.id); p != purged.end()) m.purged_at = p->second;
    std::map<std::string, std::string, std::less<>> archived;
    for (auto& [id, at] : db_.archived()) archived[id] = std::move(at);
    for (auto& m : ms)
        if (auto a = archived.find(m.id); a != archived.end()) m.archived_at = a->second;
    std::sort(gs.begin(), gs.end(), by_id);
    std::map<std::string, std::vector<closing_link>, std::less<>> chains;
    for (auto& row : db_.closings()) {
        json record = json::parse(row.record);
        const std::string digest = picture_report::sha256_hex(record.at("statement").get_ref<const std::string&>());
        chains[row.group_id].push_back({row.meeting_id, row.sequence, std::move(record), digest});
    }
    std::map<std::string, std::string, std::less<>> corrected_by;
    for (const auto& m : ms)
        if (m.corrects) corrected_by[m.corrects->meeting] = m.id;
    std::lock_guard lock(mutex_);
    groups_ = std::move(gs);
    meetings_ = std::move(ms);
    chains_ = std::move(chains);
    corrected_by_ = std::move(corrected_by);
}

const meeting_info* catalog::find_locked(std::string_view id) const {
    for (const auto& m : meetings_)
        if (m.id == id) return &m;
    return nullptr;
}

meeting_info catalog::linked(meeting_info m) const {
    const auto ref = [](const meeting_info& x) { return meeting_ref{x.id, x.title, x.date, x.state}; };
    if (m.corrects)
        if (const auto* old = find_locked(m.corrects->meeting)) m.corrected_meeting = ref(*old);
    if (auto it = corrected_by_.find(m.id); it != corrected_by_.end())
        if (const auto* by = find_locked(it->second)) m.corrected_by = ref(*by);
    return m;
}

void catalog::set_state(std::string_view meeting_id, std::string_view state) {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(meetings_.begin(), meetings_.end(), [&](const meeting_info& m) { return m.id == meeting_id; });
    if (it == meetings_.end() || it->state == state) return;
    it->state = std::string(state);
    // Queued under the lock, so the store sees the row's writes (this and edit_meeting's) in memory's order.
    // The room's own commit reports a failure of the store; this write needs no answer of its own.
    db_.put_meeting({it->id, it->group_id, it->meta_json().dump(), it->tmpl->to_json().dump()}, [](const std::string&) {});
}

void catalog::mark_purged(std::string_view meeting_id, std::string purged_at) {
    std::lock_guard lock(mutex_);
    for (auto& m : meetings_)
        if (m.id == meeting_id) m.purged_at = std::move(purged_at);
}

catalog::chain_head catalog::next_closing(std::string_view group_id) const {
    std::lock_guard lock(mutex_);
    auto it = chains_.find(group_id);
    if (it == chains_.end() || it->second.empty()) return {};
    return {it->second.back().sequence + 1, it->second.back().statement_digest};
}

bool catalog::add_closing(std::string_view group_id, const chain_head& head, closing_link link) {
    std::lock_guard lock(mutex_);
    auto& chain = chains_[std::string(group_id)];
    const chain_head now = chain.empty() ? chain_head{} : chain_head{chain.back().sequence + 1, chain.back().statement_digest};
    if (now.sequence != head.sequence || now.previous != head.previous) return false;
    chain.push_back(std::move(link));
    return true;
}

void catalog::forget_closing(std::string_view group_id, std::uint64_t sequence) {
    std::lock_guard lock(mutex_);
    auto it = chains_.find(group_id);
    if (it == chains_.end()) return;
    auto& chain = it->second;
    chain.erase(std::remove_if(chain.begin(), chain.end(), [&](const closing_link& l) { return l.sequence >= sequence; }),
                chain.end());
}

std::vector<catalog::closing_link> catalog::chain_of(std::string_view group_id) const {
    std::lock_guard lock(mutex_);
    auto it = chains_.find(group_id);
    return it == chains_.end() ? std::vector<closing_link>{} : it->second;
}

std::vector<group> catalog::groups() const {
    std::lock_guard lock(mutex_);
    return groups_;
}

catalog::page<group> catalog::groups_page(std::string_view after, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    auto from = after.empty() ? groups_.begin()
                              : std::upper_bound(groups_.begin(), groups_.end(), after,
                                                 [](std::string_view id, const group& g) { return id < g.id; });
    const auto n = std::min<std::size_t>(limit, static_cast<std::size_t>(groups_.end() - from));
    return {std::vector<group>(from, from + static_cast<std::ptrdiff_t>(n)), groups_.end() - from > static_cast<std::ptrdiff_t>(n)};
}

std::optional<group> catalog::find_group(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto it = std::lower_bound(groups_.begin(), groups_.end(), id, [](const group& g, std::string_view i) { return g.id < i; });
    if (it != groups_.end() && it->id == id) return *it;
    return std::nullopt;
}

std::vector<meeting_info> catalog::meetings_of(std::string_view group_id) const {
    std::lock_guard lock(mutex_);
    std::vector<meeting_info> out;
    for (const auto& m : meetings_)
        if (m.group_id == group_id) out.push_back(linked(m));
    std::sort(out.begin(), out.end(), newer);
    return out;
}

catalog::page<meeting_info> catalog::meetings_page(std::string_view group_id, std::string_view after, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    const meeting_info* cursor = nullptr;
    if (!after.empty()) {
        for (const auto& m : meetings_)
            if (m.id == after && m.group_id == group_id) cursor = &m;
        if (!cursor) throw domain_error("bad_query", "after must be the id of a meeting of this group");
    }
    // The next `limit` + 1 in order, without sorting the whole group: a heap of the newest kept so far.
    std::vector<const meeting_info*> next;
    const auto older_first = [](const meeting_info* a, const meeting_info* b) { return newer(*a, *b); };
    for (const auto& m : meetings_) {
        if (m.group_id != group_id || (cursor && !newer(*cursor, m))) continue;
        next.push_back(&m);
        std::push_heap(next.begin(), next.end(), older_first);
        if (next.size() > limit + 1) {
            std::pop_heap(next.begin(), next.end(), older_first);
            next.pop_back();
        }
    }
    std::sort(next.begin(), next.end(), older_first);
    page<meeting_info> out;
    out.more = next.size() > limit;
    for (std::size_t i = 0; i < next.size() && i < limit; ++i) out.items.push_back(linked(*next[i]));
    return out;
}

std::optional<meeting_info> catalog::find_meeting(std::string_view id) const {
    std::lock_guard lock(mutex_);
    if (const auto* m = find_locked(id)) return linked(*m);
    return std::nullopt;
}

void catalog::claim_correction(std::string_view meeting_id) {
    std::lock_guard lock(mutex_);
    if (auto it = corrected_by_.find(meeting_id); it != corrected_by_.end()) {
        const auto* by = find_locked(it->second);
        const bool open = by && by->state != to_string(meeting_phase::closed);
        throw domain_error("conflict", "meeting '" + std::string(meeting_id) + "' is corrected in meeting '" +
                                           it->second + "' already" +
                                           (open ? ": go on with that correction" : ": correct that one instead"));
    }
    if (!correcting_.insert(std::string(meeting_id)).second)
        throw domain_error("conflict", "a correction of meeting '" + std::string(meeting_id) + "' is being made");
}

void catalog::release_correction(std::string_view meeting_id) {
    std::lock_guard lock(mutex_);
    if (auto it = correcting_.find(meeting_id); it != correcting_.end()) correcting_.erase(it);
}

void catalog::create_correction(const meeting_info& of, const correction_link& link, std::string first_snapshot,
                                std::function<void(std::optional<meeting_info>, const std::string& error)> done) {
    meeting_info m;
    m.id = random_id("m-");
    m.group_id = of.group_id;
    m.title = correction_title(of.title);
    m.date = of.date;  // the same meeting's picture, corrected: it sorts next to the one it corrects
    m.state = std::string(to_string(meeting_phase::open));
    m.created_at = utc_now_iso();
    m.tmpl = of.tmpl;
    m.corrects = link;
    meeting_row row{m.id, m.group_id, m.meta_json().dump(), m.tmpl->to_json().dump()};
    db_.create_meeting(std::move(row), std::move(first_snapshot),
                       [this, m = std::move(m), done = std::move(done)](const std::string& error) {
                           {
                               std::lock_guard lock(mutex_);
                               if (auto it = correcting_.find(m.corrects->meeting); it != correcting_.end())
                                   correcting_.erase(it);
                               if (error.empty()) {
                                   meetings_.push_back(m);
                                   corrected_by_[m.corrects->meeting] = m.id;
                               }
                           }
                           if (!error.empty()) return done(std::nullopt, error);
                           done(find_meeting(m.id), {});
                       });
}

group catalog::create_group(const json& body) {
    group g = group::from_json(body, false);
    if (g.id.empty()) g.id = random_id("g-");
    if (find_group(g.id)) throw domain_error("conflict", "a group with id '" + g.id + "' already exists");
    const std::string data = g.to_json().dump();
    wait_durable([&](store::completion done) { db_.put_group({g.id, data}, std::move(done)); });
    std::lock_guard lock(mutex_);
    groups_.insert(std::upper_bound(groups_.begin(), groups_.end(), g, by_id), g);
    return g;
}

std::vector<attendance_row> catalog::attendance(const std::string& meeting_id) { return db_.attendance(meeting_id); }

group catalog::change_settings(std::string_view group_id, const json& body) {
    json_read::object(body, "body");
    json_read::only_fields(body, "", {"signers", "retention_months", "short_names"});
    if (body.empty()) throw domain_error("bad_message", "the body must set 'signers', 'retention_months' or 'short_names'");
    // Each setting the body names is changed; the others stay as they are.
    std::optional<std::vector<role>> signers;
    std::optional<unsigned> retention;
    if (body.contains("signers")) signers = signers_from_json(body.at("signers"), "signers");
    if (body.contains("retention_months")) retention = retention_months_from_json(body.at("retention_months"), "retention_months");
    std::lock_guard one_at_a_time(settings_mutex_);
    auto g = find_group(group_id);
    if (!g) throw domain_error("not_found", "there is no group '" + std::string(group_id) + "'");
    if (signers) g->signers = *signers;
    if (retention) g->retention_months = *retention;
    if (body.contains("short_names")) g->set_short_names(body.at("short_names"), "short_names");
    const std::string data = g->to_json().dump();
    wait_durable([&](store::completion done) { db_.put_group({g->id, data}, std::move(done)); });
    {
        std::lock_guard lock(mutex_);
        auto it = std::lower_bound(groups_.begin(), groups_.end(), group_id,
                                   [](const group& x, std::string_view i) { return x.id < i; });
        if (it != groups_.end() && it->id == group_id) {
            it->signers = g->signers;
            it->retention_months = g->retention_months;
            it->organisations = g->organisations;
        }
    }
    if (group_changed_) group_changed_(*g);
    return *g;
}

bool catalog::title_taken_locked(std::string_view group_id, const std::string& key, std::string_view except) const {
    for (const auto& m : meetings_)
        if (m.group_id == group_id && m.id != except && meeting_title_key(m.title) == key) return true;
    return false;
}

meeting_info catalog::create_meeting(std::string_view group_id, const json& body) {
    const auto grp = find_group(group_id);
    if (!grp) throw domain_error("not_found", "there is no group '" + std::string(group_id) + "'");
    json_read::object(body, "body");
    json_read::only_fields(body, "", {"id", "title", "date"});
    meeting_info m;
    m.id = body.contains("id") ? json_read::id(body, "", "id") : random_id("m-");
    if (m.id.starts_with(bra_import_batch_prefix))
        throw domain_error("bad_message", "a meeting id may not begin with '" + std::string(bra_import_batch_prefix) +
                                              "': such ids name imported measures in the BRÅ queue");
    m.group_id = std::string(group_id);
    m.created_at = utc_now_iso();
    m.date = body.contains("date") ? json_read::string(body, "", "date", 10) : m.created_at.substr(0, 10);
    const auto day = calendar_date::parse(m.date);
    if (!day) throw domain_error("bad_message", "'date' must be a date like 2026-11-17");
    const bool titled = body.contains("title");
    if (titled) m.title = read_meeting_title(body, "", "title");
    m.tmpl = default_template_;
    m.state = std::string(to_string(meeting_phase::draft));
    // One creation or change of a title at a time, so two cannot both take the same title.
    std::lock_guard one_at_a_time(titles_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (find_locked(m.id)) throw domain_error("conflict", "a meeting with id '" + m.id + "' already exists");
        if (titled && title_taken_locked(group_id, meeting_title_key(m.title), {}))
            throw domain_error("duplicate_title", "the group already has a meeting titled '" + m.title + "'");
        if (!titled) {
            const std::string base = default_meeting_title(*day);
            m.title = base;
            for (int n = 2; title_taken_locked(group_id, meeting_title_key(m.title), {}); ++n)
                m.title = base + " (" + std::to_string(n) + ")";
        }
    }
    // A draft the chair prepares, needing the signatures the group's setting asks for now: its first snapshot, so
    // a later change of the setting never changes it (a meeting without one was made before drafts: it is open).
    const meeting_state first(meeting_document(m.tmpl, grp->organisation_ids()), 0, {}, limits{},
                              meeting_lifecycle::draft(grp->signers));
    const meeting_row row{m.id, m.group_id, m.meta_json().dump(), m.tmpl->to_json().dump()};
    wait_durable([&](store::completion done) { db_.create_meeting(row, first.snapshot().dump(), std::move(done)); });
    std::lock_guard lock(mutex_);
    meetings_.push_back(m);
    return m;
}

meeting_info catalog::edit_meeting(std::string_view meeting_id, const json& body,
                                   const std::function<void(const meeting_info&)>& check) {
    json_read::object(body, "body");
    json_read::only_fields(body, "", {"title", "date"});
    std::optional<std::string> title, date;
    if (body.contains("title")) title = read_meeting_title(body, "", "title");
    if (body.contains("date")) {
        date = json_read::string(body, "", "date", 10);
        if (!calendar_date::parse(*date)) throw domain_error("bad_message", "'date' must be a date like 2026-11-17");
    }
    if (!title && !date) throw domain_error("bad_message", "say what changes: 'title', 'date' or both");
    std::lock_guard one_at_a_time(titles_mutex_);
    meeting_info now;
    wait_durable([&](store::completion done) {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(meetings_.begin(), meetings_.end(), [&](const meeting_info& m) { return m.id == meeting_id; });
        if (it == meetings_.end()) throw domain_error("not_found", "there is no meeting '" + std::string(meeting_id) + "'");
        check(*it);
        if (title && title_taken_locked(it->group_id, meeting_title_key(*title), it->id))
            throw domain_error("duplicate_title", "the group already has a meeting titled '" + *title + "'");
        if (title) it->title = *title;
        if (date) it->date = *date;
        now = linked(*it);
        // Queued under the lock: see set_state.
        db_.put_meeting({it->id, it->group_id, it->meta_json().dump(), it->tmpl->to_json().dump()}, std::move(done));
    });
    return now;
}

meeting_info catalog::set_archived(std::string_view meeting_id, bool archived) {
    const std::string at = archived ? utc_now_iso() : std::string();
    meeting_info now;
    wait_durable([&](store::completion done) {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(meetings_.begin(), meetings_.end(), [&](const meeting_info& m) { return m.id == meeting_id; });
        if (it == meetings_.end()) throw domain_error("not_found", "there is no meeting '" + std::string(meeting_id) + "'");
        // Archiving an archived meeting keeps its first date.
        if (!archived || it->archived_at.empty()) it->archived_at = at;
        now = linked(*it);
        db_.set_archived(it->id, it->archived_at, std::move(done));
    });
    return now;
}

}  // namespace est::server
