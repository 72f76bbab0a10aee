#include "est/server/records/bra_queue.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <memory>

#include "est/error.hpp"
#include "est/meeting_document.hpp"
#include "est/meeting_template.hpp"
#include "est/server/catalog.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/store.hpp"

namespace est::server::records {

using json = nlohmann::json;

json bra_item::to_json(calendar_date today, unsigned stale_weeks, bool with_history) const {
    json j = record.to_json();
    if (!with_history) j.erase("history");
    const bra_flags f = record.flags(today, stale_weeks);
    j["id"] = id;
    j["group"] = group_id;
    j["meeting"] = {{"id", meeting_id}, {"title", meeting_title}, {"date", meeting_date}};
    j["topic"] = {{"id", topic_id}, {"title", topic_title}};
    j["fields"] = fields;
    j["flags"] = {{"overdue", f.overdue}, {"stale", f.stale}, {"back_on_agenda", f.back_on_agenda}};
    return j;
}

calendar_date bra_queue::today() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char day[16];
    std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
    return *calendar_date::parse(day);
}

std::string bra_queue::item_message(const bra_item& item, unsigned stale_weeks) {
    json j = item.to_json(today(), stale_weeks, false);
    j["history_length"] = item.record.history().size();
    return json{{"type", "queue_item"}, {"item", std::move(j)}}.dump();
}

bra_queue::bra_queue(catalog& cat, store& db, picture_source pictures)
    : catalog_(cat), db_(db), pictures_(std::move(pictures)) {}

void bra_queue::load() {
    std::lock_guard lock(mutex_);
    for (auto& row : db_.bra_events()) {
        // A damaged row is reported and left out; the item's later events then do not follow and stop its replay
        // (index_meeting): the others are served as they are.
        try {
            stored_[row.item].push_back(bra_event::from_json(json::parse(row.event)));
        } catch (const std::exception& e) {
            log_error("bra_queue", "bad_snapshot", "event " + std::to_string(row.version) + " of " + row.item + ": " + e.what());
        }
    }
    for (auto& row : db_.purges()) {
        try {
            index_meeting(row.meeting_id, json::parse(row.kept).at("bra_items"));
        } catch (const std::exception& e) {
            log_error("bra_queue", "bad_snapshot", "purged meeting " + row.meeting_id + ": " + e.what());
        }
    }
    for (auto& row : db_.bra_imports()) {
        try {
            add_import(row.batch, row.group_id, row.at, json::parse(row.data));
        } catch (const std::exception& e) {
            log_error("bra_queue", "bad_snapshot", "import " + row.batch + ": " + e.what());
        }
    }
}

std::vector<bra_item> bra_queue::add_import(const std::string& batch, const std::string& group_id, const std::string& at,
                                            const json& data) {
    imports_[batch] = group_id;
    const auto tmpl = catalog_.default_template();
    std::vector<bra_item> added;
    for (const auto& ij : data.at("items")) {
        bra_item item;
        item.id = ij.at("id").get<std::string>();
        item.group_id = group_id;
        item.meeting_id = batch;
        item.meeting_title = "Importerade åtgärder";
        item.meeting_date = at.substr(0, 10);
        item.topic_id = ij.at("topic").get<std::string>();
        const topic_def* td = tmpl ? tmpl->find_topic(item.topic_id) : nullptr;
        item.topic_title = td ? td->title : item.topic_id;
        item.fields = ij.at("fields");
        item.record.apply(bra_event::from_json(ij.at("event")));
        replay_stored(item);
        ++imported_[group_id];
        added.push_back(item);
        items_.insert_or_assign(item.id, std::move(item));
    }
    return added;
}

std::optional<std::string> bra_queue::group_of_import(std::string_view batch) const {
    std::lock_guard lock(mutex_);
    if (auto it = imports_.find(batch); it != imports_.end()) return it->second;
    return std::nullopt;
}

void bra_queue::import(const std::string& group_id, std::vector<bra_import_item> items, bra_author by, std::string at,
                       std::function<void(import_result)> done) {
    const std::string batch = auth::secret_token::random_id(std::string(bra_import_batch_prefix));
    // The items as stored: each with its first event, the state it came with.
    json stored_items = json::array();
    std::size_t n = 0;
    for (auto& it : items) {
        const bra_event e{it.state, by, at, 2};
        stored_items.push_back({{"id", batch + "." + it.topic_id + ".i" + std::to_string(++n)},
                                {"topic", it.topic_id},
                                {"fields", std::move(it.fields)},
                                {"event", e.to_json()}});
    }
    json data = {{"items", std::move(stored_items)}};
    {
        std::lock_guard lock(mutex_);
        auto& count = imported_[group_id];
        if (count + n > max_imported_per_group)
            return done({"limit_reached",
                         "the group's BRÅ queue holds " + std::to_string(count) + " imported items; one import more of " +
                             std::to_string(n) + " would pass the limit of " + std::to_string(max_imported_per_group),
                         {}, {}});
        count += n;  // held while the import is written
    }
    bra_import_row row{batch, group_id, at, data.dump()};
    db_.put_bra_import(std::move(row), [this, batch, group_id, at, n, data = std::move(data),
                                        done = std::move(done)](const std::string& error) {
        std::vector<bra_item> added;
        std::vector<watcher> notify;
        {
            std::lock_guard lock(mutex_);
            imported_[group_id] -= n;  // counted again by add_import
            if (error.empty()) {
                added = add_import(batch, group_id, at, data);
                for (const auto& [handle, entry] : watchers_)
                    if (entry.groups.count(group_id)) notify.push_back(entry.w);
            }
        }
        if (!error.empty()) return done({"storage_failed", "the import could not be saved; nothing changed", {}, {}});
        for (const auto& w : notify)
            for (const auto& item : added) w(item);
        done({"", "", batch, std::move(added)});
    });
}

void bra_queue::index(const std::vector<std::string>& group_ids, std::function<void()> done) {
    std::vector<std::string> to_read;
    {
        std::lock_guard lock(mutex_);
        for (const auto& g : group_ids)
            for (const auto& m : catalog_.meetings_of(g))
                if (m.state == "closed" && m.purged_at.empty() && !indexed_.count(m.id) && reading_.insert(m.id).second)
                    to_read.push_back(m.id);
    }
    if (to_read.empty()) return done();
    // Each read answers once; the last one answers the caller.
    auto left = std::make_shared<std::atomic<std::size_t>>(to_read.size());
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    for (const auto& id : to_read)
        pictures_(id, [this, id, left, finish](picture_result r) {
            {
                std::lock_guard lock(mutex_);
                reading_.erase(id);
                if (r.error.empty() && r.document && !indexed_.count(id)) index_meeting(id, sent_to_bra(*r.document));
            }
            if (left->fetch_sub(1) == 1) (*finish)();
        });
}

// With the lock held.
void bra_queue::replay_stored(bra_item& item) {
    const auto stored = stored_.find(item.id);
    if (stored == stored_.end()) return;
    try {
        for (const auto& e : stored->second) item.record.apply(e);
    } catch (const domain_error& e) {
        // Shown as far as its history holds; a new event on it cannot be stored (its version is taken).
        log_error("bra_queue", "bad_snapshot", item.id + ": " + e.what());
    }
    stored_.erase(stored);
}

json bra_queue::sent_to_bra(const meeting_document& doc) {
    json sent = json::array();
    const json picture = doc.to_json();
    for (const auto& tj : picture.at("topics")) {
        const auto items = tj.find("items");
        if (items == tj.end()) continue;
        for (const auto& ij : *items) {
            // Each field's value as people read it: a register's value without its revision.
            json fields = json::object();
            for (const auto& [key, value] : ij.at("fields").items())
                fields[key] = value.is_object() ? json(value.value("value", "")) : value;
            if (fields.value(std::string(to_bra_field), "") != to_bra_yes) continue;
            sent.push_back({{"topic", tj.at("id")}, {"item", ij.at("id")}, {"fields", std::move(fields)}});
        }
    }
    return sent;
}

void bra_queue::keep_purged(const std::string& meeting_id, const json& sent) {
    std::lock_guard lock(mutex_);
    if (!indexed_.count(meeting_id)) index_meeting(meeting_id, sent);
}

// With the lock held.
void bra_queue::index_meeting(const std::string& meeting_id, const json& sent) {
    const auto info = catalog_.find_meeting(meeting_id);
    if (!info) return;
    for (const auto& s : sent) {
        const std::string topic_id = s.at("topic").get<std::string>();
        const topic_def* td = info->tmpl ? info->tmpl->find_topic(topic_id) : nullptr;
        bra_item item;
        item.id = meeting_id + "." + topic_id + "." + s.at("item").get<std::string>();
        item.group_id = info->group_id;
        item.meeting_id = meeting_id;
        item.meeting_title = info->title;
        item.meeting_date = info->date;
        item.topic_id = topic_id;
        item.topic_title = td ? td->title : topic_id;
        item.fields = s.at("fields");
        replay_stored(item);
        items_.insert_or_assign(item.id, std::move(item));
    }
    indexed_.insert(meeting_id);
}

std::vector<bra_item> bra_queue::items(const std::set<std::string, std::less<>>& group_ids) const {
    std::vector<bra_item> out;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, item] : items_)
            if (group_ids.count(item.group_id)) out.push_back(item);
    }
    // Newest meeting first; within a meeting, in the order of the ids (the picture's topic order is the
    // template's, which the client knows; ids keep the answer stable).
    std::stable_sort(out.begin(), out.end(), [](const bra_item& a, const bra_item& b) {
        if (a.meeting_date != b.meeting_date) return a.meeting_date > b.meeting_date;
        return a.id < b.id;
    });
    return out;
}

std::optional<bra_item> bra_queue::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    if (auto it = items_.find(id); it != items_.end()) return it->second;
    return std::nullopt;
}

void bra_queue::act(const std::string& id, const bra_request& r, const standing& who, const std::string& who_org,
                    bra_author by, std::string at, calendar_date today, std::function<void(act_result)> done) {
    bra_event event;
    std::string meeting_id;
    // Checked under the lock; answered after it (the answer runs the caller's code).
    auto refusal = [&]() -> std::optional<act_result> {
        std::lock_guard lock(mutex_);
        const auto it = items_.find(id);
        if (it == items_.end()) return act_result{"not_found", "there is no item '" + id + "' in the BRÅ queue", {}};
        try {
            const auto organisations = catalog_.find_group(it->second.group_id);
            const std::vector<std::string> orgs = organisations ? organisations->organisation_ids() : std::vector<std::string>{};
            it->second.record.check(r, who, who_org, today, orgs);
        } catch (const domain_error& e) {
            std::optional<bra_item> now;
            if (e.code() == "conflict") now = it->second;
            return act_result{e.code(), e.what(), std::move(now)};
        }
        // One event per item at a time: the next is checked against what this one makes of the item.
        if (!in_flight_.insert(id).second)
            return act_result{"conflict", "another change to this item is being saved: read it again before you act",
                              it->second};
        event = {r, std::move(by), std::move(at), r.version + 1};
        meeting_id = it->second.meeting_id;
        return std::nullopt;
    }();
    if (refusal) return done(std::move(*refusal));
    bra_event_row row{id, event.version, meeting_id, event.to_json().dump()};
    db_.append_bra_event(std::move(row), [this, id, event = std::move(event), done = std::move(done)](const std::string& error) {
        std::optional<bra_item> now;
        std::vector<watcher> notify;
        {
            std::lock_guard lock(mutex_);
            in_flight_.erase(id);
            const auto it = items_.find(id);  // items never leave the queue
            if (error.empty()) {
                it->second.record.apply(event);
                for (const auto& [handle, entry] : watchers_)
                    if (entry.groups.count(it->second.group_id)) notify.push_back(entry.w);
            }
            now = it->second;
        }
        if (!error.empty()) return done({"storage_failed", "the change could not be saved; nothing changed", std::move(now)});
        for (const auto& w : notify) w(*now);
        done({"", "", std::move(now)});
    });
}

std::uint64_t bra_queue::watch(std::set<std::string, std::less<>> group_ids, watcher w) {
    std::lock_guard lock(mutex_);
    const std::uint64_t handle = next_watch_++;
    watchers_.emplace(handle, watch_entry{std::move(group_ids), std::move(w)});
    return handle;
}

void bra_queue::unwatch(std::uint64_t handle) {
    std::lock_guard lock(mutex_);
    watchers_.erase(handle);
}

}  // namespace est::server::records
