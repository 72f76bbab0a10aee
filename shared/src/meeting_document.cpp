#include "est/meeting_document.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "est/calendar_date.hpp"
#include "est/error.hpp"
#include "est/json_writer.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

namespace {
field_value empty_value(const field_def&) { return {}; }

// True when one of the operation's boundaries would cut a surrogate pair (an emoji) of `text` in two.
bool cuts_surrogate_pair(const text_operation& op, std::u16string_view text) {
    std::size_t pos = 0;
    for (const auto& c : op.components()) {
        if (splits_surrogate_pair(text, pos)) return true;
        if (c.k != text_operation::kind::insert) pos += c.n;
    }
    return splits_surrogate_pair(text, pos);
}

// A field as to_json() writes it inside its object, with its comma: "id":"text", or
// "id":{"rev":N,"value":"choice"} with room for any revision.
std::size_t bytes_of(const field_def& d, const field_value& v) {
    if (d.kind == field_kind::text) return d.id.size() + 6 + json_bytes_of(v.text);
    return d.id.size() + 40 + v.choice.size();
}

// A removed entry's "topic/org/entry" in the retired list.
std::size_t retired_bytes(std::string_view key) { return key.size() + 3; }

// What a text operation adds to and takes from `text` in encoded bytes.
std::pair<std::size_t, std::size_t> encoded_change(const text_operation& op, std::u16string_view text) {
    std::size_t added = 0, removed = 0, pos = 0;
    for (const auto& c : op.components()) {
        if (c.k == text_operation::kind::insert) {
            added += json_bytes_of(c.text);
            continue;
        }
        if (c.k == text_operation::kind::remove) removed += json_bytes_of(text.substr(pos, c.n));
        pos += c.n;
    }
    return {added, removed};
}

[[noreturn]] void over_budget(std::string_view code, std::size_t would, std::size_t budget) {
    throw domain_error(std::string(code), "the meeting would take " + std::to_string(would) + " bytes encoded; the limit is " +
                                 std::to_string(budget));
}
}  // namespace

meeting_document::meeting_document(std::shared_ptr<const meeting_template> tmpl, std::vector<std::string> organisations)
    : tmpl_(std::move(tmpl)), organisations_(std::move(organisations)) {
    for (const auto& t : tmpl_->topics) {
        topic_state ts;
        for (const auto& f : tmpl_->topic_fields) ts.fields.emplace(f.id, empty_value(f));
        for (const auto& o : organisations_) ts.cells.emplace(o, cell{});
        topics_.emplace(t.id, std::move(ts));
    }
    encoded_bytes_ = count_bytes();
}

namespace {
// Does the entry carry "secrecy":{"osl":"…","rev":N}? Once it was ever marked; or marked with revision 0, as a
// correction's copy of a closed picture starts (its registers' revisions start over).
bool has_secrecy(const entry& e) { return e.secrecy_rev != 0 || !e.secrecy.empty(); }
std::size_t secrecy_bytes(const entry& e) { return has_secrecy(e) ? e.secrecy.size() + 48 : 0; }
}  // namespace

std::size_t meeting_document::bytes_of(const entry& e) const {
    std::size_t n = e.id.size() + 24 + secrecy_bytes(e);  // {"fields":{},"id":""},
    for (const auto& d : tmpl_->entry_fields) n += est::bytes_of(d, e.fields.find(d.id)->second);
    return n;
}

std::size_t meeting_document::item_bytes(const entry& item) const {
    // {"fields":{},"id":""}, and a share of the topic's "items":[], which is there once it has one.
    std::size_t n = item.id.size() + 24 + 11;
    for (const auto& d : tmpl_->decision_item_fields) n += est::bytes_of(d, item.fields.find(d.id)->second);
    return n;
}

std::uint64_t meeting_document::newest_register_rev() const noexcept {
    std::uint64_t newest = 0;
    auto scan = [&](const id_map<field_value>& fields) {
        for (const auto& [id, v] : fields) newest = std::max(newest, v.rev);
    };
    for (const auto& [tid, ts] : topics_) {
        scan(ts.fields);
        for (const auto& [org, c] : ts.cells)
            for (const auto& e : c.entries) {
                scan(e.fields);
                newest = std::max(newest, e.secrecy_rev);
            }
        for (const auto& item : ts.items) scan(item.fields);
    }
    return newest;
}

std::size_t meeting_document::count_bytes() const {
    std::size_t n = 32;  // {"retired":[],"topics":[]}
    for (const auto& td : tmpl_->topics) {
        const auto& ts = topics_.find(td.id)->second;
        n += td.id.size() + 32;  // {"cells":{},"fields":{},"id":""},
        for (const auto& d : tmpl_->topic_fields) n += est::bytes_of(d, ts.fields.find(d.id)->second);
        for (const auto& [org, c] : ts.cells) {
            n += org.size() + 18;  // "org":{"entries":[]},
            for (const auto& e : c.entries) n += bytes_of(e);
        }
        for (const auto& item : ts.items) n += item_bytes(item);
    }
    for (const auto& k : retired_entries_) n += retired_bytes(k);
    for (const auto& k : retired_items_) n += retired_bytes(k) + 19;  // and "retired_items":[],
    return n;
}

const topic_state& meeting_document::topic(std::string_view id) const {
    auto it = topics_.find(id);
    if (it == topics_.end()) throw domain_error("not_found", "there is no topic '" + std::string(id) + "'");
    return it->second;
}

topic_state& meeting_document::topic_mut(std::string_view id) {
    return const_cast<topic_state&>(std::as_const(*this).topic(id));
}

cell& meeting_document::cell_mut(std::string_view topic_id, std::string_view org) {
    auto& t = topic_mut(topic_id);
    auto it = t.cells.find(org);
    if (it == t.cells.end())
        throw domain_error("not_found", "organisation '" + std::string(org) + "' is not part of this meeting's group");
    return it->second;
}

const entry& meeting_document::entry_at(std::string_view topic_id, std::string_view org, std::string_view id) const {
    const auto& t = topic(topic_id);
    auto c = t.cells.find(org);
    if (c == t.cells.end())
        throw domain_error("not_found", "organisation '" + std::string(org) + "' is not part of this meeting's group");
    for (const auto& e : c->second.entries)
        if (e.id == id) return e;
    throw domain_error("not_found", "there is no entry '" + std::string(id) + "' in " + std::string(topic_id) + "/" +
                                        std::string(org));
}

const field_def& meeting_document::definition(const field_ref& ref) const {
    const field_def* d = ref.is_item_field()    ? tmpl_->find_decision_item_field(ref.field)
                         : ref.is_topic_field() ? tmpl_->find_topic_field(ref.field)
                                                : tmpl_->find_entry_field(ref.field);
    const char* kind = ref.is_item_field() ? "decision item" : ref.is_topic_field() ? "topic" : "entry";
    if (!d) throw domain_error("not_found", "the template has no " + std::string(kind) + " field '" + ref.field + "'");
    return *d;
}

const field_value& meeting_document::field(const field_ref& ref) const {
    definition(ref);  // a field the template lacks is reported as such, before where it was looked for
    return value_of(ref);
}

const field_value& meeting_document::value_of(const field_ref& ref) const {
    const auto& t = topic(ref.topic);
    if (ref.is_item_field()) {
        for (const auto& item : t.items)
            if (item.id == ref.item) return item.fields.find(ref.field)->second;
        throw domain_error("not_found", "there is no decision item '" + ref.item + "' in " + ref.topic);
    }
    if (ref.is_topic_field()) return t.fields.find(ref.field)->second;
    auto c = t.cells.find(ref.org);
    if (c == t.cells.end())
        throw domain_error("not_found", "organisation '" + ref.org + "' is not part of this meeting's group");
    for (const auto& e : c->second.entries)
        if (e.id == ref.entry) return e.fields.find(ref.field)->second;
    throw domain_error("not_found", "there is no entry '" + ref.entry + "' in " + ref.topic + "/" + ref.org);
}

field_value& meeting_document::value_mut(const field_ref& ref) {
    return const_cast<field_value&>(std::as_const(*this).value_of(ref));
}

entry meeting_document::make_entry(std::string id) const {
    entry e{std::move(id), {}};
    for (const auto& f : tmpl_->entry_fields) e.fields.emplace(f.id, empty_value(f));
    return e;
}

entry meeting_document::make_item(std::string id) const {
    entry item{std::move(id), {}};
    for (const auto& f : tmpl_->decision_item_fields) item.fields.emplace(f.id, empty_value(f));
    return item;
}

void meeting_document::check_register_value(const field_def& def, const std::string& value) const {
    if (value.empty()) return;  // clears any register
    switch (def.kind) {
        case field_kind::text: break;
        case field_kind::choice:
            if (std::find(def.choices.begin(), def.choices.end(), value) == def.choices.end())
                throw domain_error("bad_value", "'" + value + "' is not one of the choices for '" + def.id + "'");
            break;
        case field_kind::date:
            if (!calendar_date::parse(value))
                throw domain_error("bad_value", "'" + value + "' is not a date for '" + def.id +
                                                    "': write a real calendar day as YYYY-MM-DD, e.g. 2027-03-01");
            break;
        case field_kind::organisation:
            if (std::find(organisations_.begin(), organisations_.end(), value) == organisations_.end())
                throw domain_error("bad_value", "'" + value + "' is not one of the meeting's organisations, for '" +
                                                    def.id + "'");
            break;
    }
}

void meeting_document::apply(const change& c, std::uint64_t rev, const limits& lim, std::size_t byte_budget) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, text_change>) {
                const field_def& def = definition(v.target);
                if (def.kind != field_kind::text)
                    throw domain_error("wrong_kind", "'" + v.target.field + "' is a register (choice, date or organisation); use a set change");
                field_value& fv = value_mut(v.target);
                if (v.op.base_length() != fv.text.size())
                    throw domain_error("out_of_range", "the operation covers " + std::to_string(v.op.base_length()) +
                                                           " characters but " + v.target.key() + " has " +
                                                           std::to_string(fv.text.size()));
                if (cuts_surrogate_pair(v.op, fv.text))
                    throw domain_error("out_of_range", "the operation cuts a character (surrogate pair) of " +
                                                           v.target.key() + " in two");
                const std::size_t max = def.max_length ? std::min(def.max_length, lim.max_field_length) : lim.max_field_length;
                if (v.op.target_length() > max && v.op.target_length() > fv.text.size())
                    throw domain_error("text_too_long", v.target.key() + " would be " + std::to_string(v.op.target_length()) +
                                                            " characters; the limit is " + std::to_string(max));
                const std::size_t new_total = total_text_ - fv.text.size() + v.op.target_length();
                if (new_total > lim.max_meeting_text && new_total > total_text_)
                    throw domain_error("text_too_long", "the meeting would hold " + std::to_string(new_total) +
                                                            " characters; the limit is " + std::to_string(lim.max_meeting_text));
                const auto [added, removed] = encoded_change(v.op, fv.text);
                if (added > removed && encoded_bytes_ + added - removed > byte_budget)
                    over_budget("text_too_long", encoded_bytes_ + added - removed, byte_budget);
                v.op.apply_in_place(fv.text);
                total_text_ = new_total;
                encoded_bytes_ = encoded_bytes_ + added - removed;
            } else if constexpr (std::is_same_v<T, set_change>) {
                const field_def& def = definition(v.target);
                if (def.kind == field_kind::text)
                    throw domain_error("wrong_kind", "'" + v.target.field + "' is a text field; use a text change");
                check_register_value(def, v.value);
                field_value& fv = value_mut(v.target);
                if (v.value.size() > fv.choice.size() && encoded_bytes_ + v.value.size() - fv.choice.size() > byte_budget)
                    over_budget("limit_reached", encoded_bytes_ + v.value.size() - fv.choice.size(), byte_budget);
                encoded_bytes_ = encoded_bytes_ + v.value.size() - fv.choice.size();
                fv.choice = v.value;
                fv.rev = rev;
            } else if constexpr (std::is_same_v<T, add_entry_change>) {
                cell& cl = cell_mut(v.topic, v.org);
                for (const auto& e : cl.entries)
                    if (e.id == v.entry) throw domain_error("duplicate_entry", "entry '" + v.entry + "' already exists");
                if (retired_entries_.count(v.topic + "/" + v.org + "/" + v.entry))
                    throw domain_error("duplicate_entry", "entry id '" + v.entry + "' was used before and removed");
                if (cl.entries.size() >= lim.max_entries_per_cell)
                    throw domain_error("limit_reached", "a cell holds at most " + std::to_string(lim.max_entries_per_cell) + " entries");
                entry e = make_entry(v.entry);
                const std::size_t cost = bytes_of(e);
                if (encoded_bytes_ + cost > byte_budget) over_budget("limit_reached", encoded_bytes_ + cost, byte_budget);
                cl.entries.push_back(std::move(e));
                encoded_bytes_ += cost;
            } else if constexpr (std::is_same_v<T, add_item_change>) {
                if (!tmpl_->has_decision_items())
                    throw domain_error("not_found", "the meeting's template '" + tmpl_->id + "' has no decision items");
                topic_state& ts = topic_mut(v.topic);
                for (const auto& item : ts.items)
                    if (item.id == v.item) throw domain_error("duplicate_entry", "decision item '" + v.item + "' already exists");
                if (retired_items_.count(v.topic + "/" + v.item))
                    throw domain_error("duplicate_entry", "decision item id '" + v.item + "' was used before and removed");
                if (ts.items.size() >= lim.max_items_per_topic)
                    throw domain_error("limit_reached", "a topic holds at most " + std::to_string(lim.max_items_per_topic) +
                                                            " decision items");
                entry item = make_item(v.item);
                const std::size_t cost = item_bytes(item);
                if (encoded_bytes_ + cost > byte_budget) over_budget("limit_reached", encoded_bytes_ + cost, byte_budget);
                ts.items.push_back(std::move(item));
                encoded_bytes_ += cost;
            } else if constexpr (std::is_same_v<T, secrecy_change>) {
                auto& e = const_cast<entry&>(entry_at(v.topic, v.org, v.entry));  // this document's own entry
                auto* it = &e;
                if (v.osl.size() > max_osl_bytes)
                    throw domain_error("bad_value", "an OSL reference is at most " + std::to_string(max_osl_bytes) + " bytes");
                const std::size_t before = secrecy_bytes(*it);
                entry marked = *it;
                marked.secrecy = v.osl;
                marked.secrecy_rev = rev;
                const std::size_t after = secrecy_bytes(marked);
                if (after > before && encoded_bytes_ + after - before > byte_budget)
                    over_budget("limit_reached", encoded_bytes_ + after - before, byte_budget);
                it->secrecy = v.osl;
                it->secrecy_rev = rev;
                encoded_bytes_ = encoded_bytes_ + after - before;
            } else if constexpr (std::is_same_v<T, acknowledge_change> || std::is_same_v<T, current_topic_change>) {
                // Not the picture's (privacy_review and meeting_state hold them): a replica applies them as nothing.
            } else if constexpr (std::is_same_v<T, remove_item_change>) {
                topic_state& ts = topic_mut(v.topic);
                auto it = std::find_if(ts.items.begin(), ts.items.end(), [&](const entry& e) { return e.id == v.item; });
                if (it == ts.items.end())
                    throw domain_error("not_found", "there is no decision item '" + v.item + "' in " + v.topic);
                for (const auto& [k, fv] : it->fields) total_text_ -= fv.text.size();
                // Never refused: an item costs more than its id in the retired list.
                std::string key = v.topic + "/" + v.item;
                encoded_bytes_ = encoded_bytes_ - item_bytes(*it) + retired_bytes(key) + 19;
                ts.items.erase(it);
                retired_items_.insert(std::move(key));
            } else {
                cell& cl = cell_mut(v.topic, v.org);
                auto it = std::find_if(cl.entries.begin(), cl.entries.end(), [&](const entry& e) { return e.id == v.entry; });
                if (it == cl.entries.end())
                    throw domain_error("not_found", "there is no entry '" + v.entry + "' in " + v.topic + "/" + v.org);
                for (const auto& [k, fv] : it->fields) total_text_ -= fv.text.size();
                // Never refused: an entry costs more than its id in the retired list.
                std::string key = v.topic + "/" + v.org + "/" + v.entry;
                encoded_bytes_ = encoded_bytes_ - bytes_of(*it) + retired_bytes(key);
                cl.entries.erase(it);
                retired_entries_.insert(std::move(key));
            }
        },
        c);
}

// A revision or sequence number as a snapshot holds it: a whole number a JavaScript client can hold too
// (at most 2^53 - 1), so a damaged row can neither be read as a fraction nor make the next revision wrap.
std::uint64_t snapshot_count(const json& v, const std::string& what) {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > (std::uint64_t{1} << 53) - 1)
        throw domain_error("bad_snapshot", what + " must be a whole number from 0 to 2^53-1");
    return v.get<std::uint64_t>();
}

namespace {
json fields_to_json(const id_map<field_value>& fields, const std::vector<field_def>& defs) {
    json out = json::object();
    for (const auto& d : defs) {
        const auto& fv = fields.find(d.id)->second;
        if (d.kind == field_kind::text) out[d.id] = utf16_to_utf8(fv.text);
        else out[d.id] = {{"value", fv.choice}, {"rev", fv.rev}};
    }
    return out;
}

void fields_from_json(id_map<field_value>& fields, const std::vector<field_def>& defs,
                      const json& j, std::size_t& total, const std::vector<std::string>& organisations) {
    if (!j.is_object()) throw domain_error("bad_snapshot", "fields must be an object");
    for (const auto& d : defs) {
        auto it = j.find(d.id);
        if (it == j.end()) continue;  // a field added to the template later starts empty
        auto& fv = fields[d.id];
        if (d.kind == field_kind::text) {
            auto u = utf8_to_utf16(it->get<std::string>());
            if (!u) throw domain_error("bad_snapshot", "field '" + d.id + "' is not valid UTF-8");
            fv.text = std::move(*u);
            total += fv.text.size();
        } else {
            fv.choice = it->at("value").get<std::string>();
            const bool fits = fv.choice.empty() ||
                              (d.kind == field_kind::choice && std::find(d.choices.begin(), d.choices.end(), fv.choice) != d.choices.end()) ||
                              (d.kind == field_kind::date && calendar_date::parse(fv.choice)) ||
                              (d.kind == field_kind::organisation &&
                               std::find(organisations.begin(), organisations.end(), fv.choice) != organisations.end());
            if (!fits) throw domain_error("bad_snapshot", "field '" + d.id + "' holds '" + fv.choice + "', which it cannot hold");
            fv.rev = snapshot_count(it->at("rev"), "the revision of field '" + d.id + "'");
        }
    }
}
}  // namespace

json meeting_document::to_json() const {
    json topics = json::array();
    for (const auto& td : tmpl_->topics) {
        const auto& ts = topics_.find(td.id)->second;
        json cells = json::object();
        for (const auto& o : organisations_) {
            json entries = json::array();
            for (const auto& e : ts.cells.find(o)->second.entries) {
                json ej = {{"id", e.id}, {"fields", fields_to_json(e.fields, tmpl_->entry_fields)}};
                // Only a marked entry has the key: a picture without markings keeps its digest from before them.
                if (has_secrecy(e)) ej["secrecy"] = {{"osl", e.secrecy}, {"rev", e.secrecy_rev}};
                entries.push_back(std::move(ej));
            }
            cells[o] = {{"entries", std::move(entries)}};
        }
        json tj = {{"id", td.id}, {"fields", fields_to_json(ts.fields, tmpl_->topic_fields)}, {"cells", std::move(cells)}};
        // Only a topic with decision items has the key: a picture without any keeps its canonical form (and
        // digest) from before decision items existed.
        if (!ts.items.empty()) {
            json items = json::array();
            for (const auto& item : ts.items)
                items.push_back({{"id", item.id}, {"fields", fields_to_json(item.fields, tmpl_->decision_item_fields)}});
            tj["items"] = std::move(items);
        }
        topics.push_back(std::move(tj));
    }
    json out = {{"topics", std::move(topics)}, {"retired", retired_entries_}};
    if (!retired_items_.empty()) out["retired_items"] = retired_items_;
    return out;
}

namespace {
// The definitions in the order of their ids: the order of the keys in a fields object.
std::vector<const field_def*> by_id(const std::vector<field_def>& defs) {
    std::vector<const field_def*> out;
    for (const auto& d : defs) out.push_back(&d);
    std::sort(out.begin(), out.end(), [](const field_def* a, const field_def* b) { return a->id < b->id; });
    return out;
}

void write_fields(json_writer& w, const id_map<field_value>& fields, const std::vector<const field_def*>& defs) {
    w.raw("{");
    bool first = true;
    for (const field_def* d : defs) {
        if (!std::exchange(first, false)) w.raw(",");
        const auto& fv = fields.find(d->id)->second;
        w.key(d->id);
        if (d->kind == field_kind::text) w.str(std::u16string_view(fv.text));
        else w.raw("{").key("rev").num(fv.rev).raw(",").key("value").str(std::string_view(fv.choice)).raw("}");
    }
    w.raw("}");
}

void write_strings(json_writer& w, const std::set<std::string, std::less<>>& strings) {
    w.raw("[");
    bool first = true;
    for (const auto& s : strings) {
        if (!std::exchange(first, false)) w.raw(",");
        w.str(std::string_view(s));
    }
    w.raw("]");
}
}  // namespace

std::string meeting_document::json_text() const {
    const auto entry_defs = by_id(tmpl_->entry_fields);
    const auto topic_defs = by_id(tmpl_->topic_fields);
    const auto item_defs = by_id(tmpl_->decision_item_fields);
    std::vector<const std::string*> orgs;
    for (const auto& o : organisations_) orgs.push_back(&o);
    std::sort(orgs.begin(), orgs.end(), [](const std::string* a, const std::string* b) { return *a < *b; });

    json_writer w(encoded_bytes_ + 64 * tmpl_->topics.size() * (orgs.size() + 1));
    w.raw("{").key("retired");
    write_strings(w, retired_entries_);
    if (!retired_items_.empty()) {
        w.raw(",").key("retired_items");
        write_strings(w, retired_items_);
    }
    w.raw(",").key("topics").raw("[");
    bool first_topic = true;
    for (const auto& td : tmpl_->topics) {
        if (!std::exchange(first_topic, false)) w.raw(",");
        const auto& ts = topics_.find(td.id)->second;
        w.raw("{").key("cells").raw("{");
        bool first_org = true;
        for (const std::string* o : orgs) {
            if (!std::exchange(first_org, false)) w.raw(",");
            w.key(*o).raw("{").key("entries").raw("[");
            bool first_entry = true;
            for (const auto& e : ts.cells.find(*o)->second.entries) {
                if (!std::exchange(first_entry, false)) w.raw(",");
                w.raw("{").key("fields");
                write_fields(w, e.fields, entry_defs);
                w.raw(",").key("id").str(std::string_view(e.id));
                if (has_secrecy(e))
                    w.raw(",").key("secrecy").raw("{").key("osl").str(std::string_view(e.secrecy)).raw(",").key("rev").num(e.secrecy_rev).raw("}");
                w.raw("}");
            }
            w.raw("]}");
        }
        w.raw("},").key("fields");
        write_fields(w, ts.fields, topic_defs);
        w.raw(",").key("id").str(std::string_view(td.id));
        if (!ts.items.empty()) {
            w.raw(",").key("items").raw("[");
            bool first_item = true;
            for (const auto& item : ts.items) {
                if (!std::exchange(first_item, false)) w.raw(",");
                w.raw("{").key("fields");
                write_fields(w, item.fields, item_defs);
                w.raw(",").key("id").str(std::string_view(item.id)).raw("}");
            }
            w.raw("]");
        }
        w.raw("}");
    }
    w.raw("]}");
    return w.take();
}

meeting_document meeting_document::from_json(std::shared_ptr<const meeting_template> tmpl,
                                             std::vector<std::string> organisations, const json& j) {
    meeting_document doc(std::move(tmpl), std::move(organisations));
    try {
        std::set<std::string, std::less<>> seen_topics;
        if (auto r = j.find("retired"); r != j.end())
            for (const auto& k : *r) doc.retired_entries_.insert(k.get<std::string>());
        if (auto r = j.find("retired_items"); r != j.end())
            for (const auto& k : *r) doc.retired_items_.insert(k.get<std::string>());
        for (const auto& tj : j.at("topics")) {
            const std::string topic_id = tj.at("id").get<std::string>();
            auto& ts = doc.topic_mut(topic_id);
            if (!seen_topics.insert(topic_id).second)
                throw domain_error("bad_snapshot", "topic '" + topic_id + "' is listed twice");
            fields_from_json(ts.fields, doc.tmpl_->topic_fields, tj.at("fields"), doc.total_text_, doc.organisations_);
            for (const auto& [org, cj] : tj.at("cells").items()) {
                auto c = ts.cells.find(org);
                if (c == ts.cells.end()) throw domain_error("bad_snapshot", "unknown organisation '" + org + "'");
                for (const auto& ej : cj.at("entries")) {
                    entry e = doc.make_entry(ej.at("id").get<std::string>());
                    for (const auto& other : c->second.entries)
                        if (other.id == e.id) throw domain_error("bad_snapshot", "entry '" + e.id + "' is listed twice in " + topic_id + "/" + org);
                    if (doc.retired_entries_.count(topic_id + "/" + org + "/" + e.id))
                        throw domain_error("bad_snapshot", "entry '" + e.id + "' in " + topic_id + "/" + org + " is both live and removed");
                    fields_from_json(e.fields, doc.tmpl_->entry_fields, ej.at("fields"), doc.total_text_, doc.organisations_);
                    if (auto sj = ej.find("secrecy"); sj != ej.end()) {
                        e.secrecy = sj->at("osl").get<std::string>();
                        e.secrecy_rev = snapshot_count(sj->at("rev"), "the revision of a sekretess marking");
                        // {"osl":"","rev":0}: a cleared marking in a correction's copy, as good as none.
                        if (e.secrecy.size() > max_osl_bytes)
                            throw domain_error("bad_snapshot", "entry '" + e.id + "' has a damaged sekretess marking");
                    }
                    c->second.entries.push_back(std::move(e));
                }
            }
            if (auto items = tj.find("items"); items != tj.end()) {
                if (!doc.tmpl_->has_decision_items() && !items->empty())
                    throw domain_error("bad_snapshot", "topic '" + topic_id + "' has decision items; its template has none");
                for (const auto& ij : *items) {
                    entry item = doc.make_item(ij.at("id").get<std::string>());
                    for (const auto& other : ts.items)
                        if (other.id == item.id) throw domain_error("bad_snapshot", "decision item '" + item.id + "' is listed twice in " + topic_id);
                    if (doc.retired_items_.count(topic_id + "/" + item.id))
                        throw domain_error("bad_snapshot", "decision item '" + item.id + "' in " + topic_id + " is both live and removed");
                    fields_from_json(item.fields, doc.tmpl_->decision_item_fields, ij.at("fields"), doc.total_text_,
                                     doc.organisations_);
                    ts.items.push_back(std::move(item));
                }
            }
        }
        doc.encoded_bytes_ = doc.count_bytes();
    } catch (const nlohmann::json::exception& e) {
        throw domain_error("bad_snapshot", std::string("snapshot does not fit the template: ") + e.what());
    } catch (const domain_error& e) {
        if (e.code() == "bad_snapshot") throw;
        throw domain_error("bad_snapshot", e.what());
    }
    return doc;
}

}  // namespace est
