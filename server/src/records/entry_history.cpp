#include "est/server/records/entry_history.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/utf.hpp"

namespace est::server::records {

using json = nlohmann::json;

namespace {

template <class T>
T& field_of(std::vector<std::pair<std::string, T>>& fields, const std::string& id) {
    for (auto& [k, v] : fields)
        if (k == id) return v;
    return fields.emplace_back(id, T{}).second;
}

}  // namespace

entry_history::entry& entry_history::at(const std::string& topic, const std::string& org, const std::string& id) {
    const std::string key = topic + "/" + org + "/" + id;
    if (auto it = index_.find(key); it != index_.end()) return entries_[it->second];
    index_.emplace(key, entries_.size());
    entry& e = entries_.emplace_back();
    e.topic = topic;
    e.org = org;
    e.id = id;
    return e;
}

void entry_history::add(const logged_op& op) {
    const json change = json::parse(op.change, nullptr, false);
    if (!change.is_object()) return;
    const std::string kind = change.value("kind", "");
    const json* where = &change;
    if (kind == "text" || kind == "set") {
        if (!change.contains("target") || !change.at("target").is_object()) return;
        where = &change.at("target");
    } else if (kind != "add_entry" && kind != "remove_entry" && kind != "secrecy") {
        return;
    }
    // Topic fields and decision items are not entries.
    if (!where->contains("org") || !where->contains("entry") || where->contains("item")) return;
    const json who = json::parse(op.author, nullptr, false);
    event ev{op.rev, op.at, who.is_object() ? who.value("name", "") : std::string(), kind,
             kind == "text" || kind == "set" ? where->value("field", "") : std::string()};
    entry& e = at(where->value("topic", ""), where->value("org", ""), where->value("entry", ""));
    if (kind == "add_entry") {
        e.added = ev;
        e.whole = true;
    } else if (kind == "remove_entry") {
        e.removed = ev;
    } else if (kind == "text") {
        try {
            const est::change c = change_from_json(change, "change");
            if (const auto* t = std::get_if<text_change>(&c)) {
                auto& text = field_of(e.texts, ev.field);
                text = t->op.apply(text);
            }
        } catch (const std::exception&) {
            // A text the log cannot replay (its start was compacted away): its content is not known.
            e.whole = false;
        }
    } else if (kind == "set") {
        field_of(e.values, ev.field) = change.value("value", "");
    } else if (kind == "secrecy") {
        e.secrecy = change.value("osl", "");
    }
    if (kind != "remove_entry") {
        e.changed = ev;
        if (!ev.by.empty() && e.authors.size() < max_authors &&
            std::find(e.authors.begin(), e.authors.end(), ev.by) == e.authors.end())
            e.authors.push_back(ev.by);
    }
    // Keystrokes of one person in one field run together: one event per run.
    if (!e.events.empty() && kind == "text" && e.events.back().what == "text" && e.events.back().by == ev.by &&
        e.events.back().field == ev.field) {
        e.events.back() = std::move(ev);
        return;
    }
    e.events.push_back(std::move(ev));
    if (e.events.size() > max_events) e.events.erase(e.events.begin());
}

json entry_history::to_json() const {
    const auto ev_json = [](const event& ev) {
        json j = {{"rev", ev.rev}, {"at", ev.at}, {"by", ev.by}, {"what", ev.what}};
        if (!ev.field.empty()) j["field"] = ev.field;
        return j;
    };
    json entries = json::array();
    for (const auto& e : entries_) {
        json j = {{"topic", e.topic}, {"org", e.org}, {"entry", e.id}, {"authors", e.authors}};
        j["added"] = e.added ? ev_json(*e.added) : json();
        if (e.changed) j["changed"] = ev_json(*e.changed);
        json events = json::array();
        for (const auto& ev : e.events) events.push_back(ev_json(ev));
        j["events"] = std::move(events);
        if (e.removed) {
            j["removed"] = ev_json(*e.removed);
            if (e.whole) {
                json fields = json::object();
                for (const auto& [k, v] : e.texts) fields[k] = utf16_to_utf8(v);
                for (const auto& [k, v] : e.values) fields[k] = v;
                j["content"] = {{"fields", std::move(fields)}, {"secrecy", e.secrecy}};
            }
        }
        entries.push_back(std::move(j));
    }
    return {{"complete", complete_}, {"entries", std::move(entries)}};
}

}  // namespace est::server::records
