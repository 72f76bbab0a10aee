#include "est/bra_import.hpp"

#include <algorithm>
#include <set>

#include "est/calendar_date.hpp"
#include "est/error.hpp"
#include "est/limits.hpp"
#include "est/meeting_template.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw domain_error("bad_message", where + ": " + what); }

// A value echoed in a message: only a short, clean one (a message is JSON, and read by a person).
std::string shown(const std::string& v) {
    const auto wide = utf8_to_utf16(v);
    if (v.size() > 60 || !wide || !is_well_formed(*wide) ||
        std::any_of(wide->begin(), wide->end(), [](char16_t c) { return is_forbidden_in_text(c); }))
        return "the value";
    return "'" + v + "'";
}

// Text as a picture holds it: CRLF (a spreadsheet's line break in a cell) becomes LF.
std::string as_text(std::string v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!(v[i] == '\r' && i + 1 < v.size() && v[i + 1] == '\n')) out.push_back(v[i]);
    return out;
}

}  // namespace

json bra_import_item::to_json() const {
    json j = {{"topic", {{"id", topic_id}}}, {"fields", fields}};
    if (state.status) j["status"] = to_string(*state.status);
    if (state.verdict) j["verdict"] = to_string(*state.verdict);
    if (state.progress) j["progress"] = to_string(*state.progress);
    for (auto [key, value] : {std::pair{"owner_org", &state.owner_org}, {"contact", &state.contact}, {"due", &state.due},
                              {"reason", &state.reason}, {"deferred_to", &state.deferred_to}})
        if (!value->empty()) j[key] = *value;
    return j;
}

bra_import_item read_bra_import_item(const std::function<std::string(std::string_view)>& value,
                                     const std::function<std::string(std::string_view)>& where,
                                     const meeting_template& tmpl, const std::vector<std::string>& organisations) {
    bra_import_item item;
    item.topic_id = value("topic");
    if (item.topic_id.empty()) fail(where("topic"), "every item needs the id of one of the template's topics");
    if (!tmpl.find_topic(item.topic_id)) fail(where("topic"), shown(item.topic_id) + " is not a topic of the template");
    item.fields = json::object();
    for (const auto& def : tmpl.decision_item_fields) {
        std::string v = value(def.id);
        const std::string at = where(def.id);
        if (!v.empty()) switch (def.kind) {
                case field_kind::text: {
                    v = as_text(std::move(v));
                    const auto wide = utf8_to_utf16(v);
                    if (!wide || !is_well_formed(*wide)) fail(at, "the text is not valid UTF-8");
                    if (std::any_of(wide->begin(), wide->end(), [](char16_t c) { return is_forbidden_in_text(c); }))
                        fail(at, "the text holds control or bidirectional-override characters");
                    const std::size_t max = def.max_length ? def.max_length : limits{}.max_field_length;
                    if (wide->size() > max)
                        fail(at, "the text is " + std::to_string(wide->size()) + " characters; the limit is " +
                                     std::to_string(max));
                    break;
                }
                case field_kind::choice:
                    if (std::find(def.choices.begin(), def.choices.end(), v) == def.choices.end()) {
                        std::string allowed;
                        for (const auto& c : def.choices) allowed += (allowed.empty() ? "" : ", ") + c;
                        fail(at, shown(v) + " is not one of the choices: " + allowed);
                    }
                    break;
                case field_kind::date:
                    if (!calendar_date::parse(v))
                        fail(at, shown(v) + " is not a day: write a real calendar day as YYYY-MM-DD, e.g. 2027-03-01");
                    break;
                case field_kind::organisation:
                    if (std::find(organisations.begin(), organisations.end(), v) == organisations.end())
                        fail(at, shown(v) + " is not one of the group's organisations");
                    break;
            }
        item.fields[def.id] = std::move(v);
    }
    item.state = bra_request::imported(value, where, &organisations);
    return item;
}

std::vector<bra_import_item> read_bra_import_json(const json& body, const meeting_template& tmpl,
                                                  const std::vector<std::string>& organisations, std::size_t max_items) {
    if (!body.is_object()) fail("body", "must be an object {\"items\":[…]}, as GET /api/bra/items answers");
    const auto items = body.find("items");
    if (items == body.end() || !items->is_array()) fail("items", "must be an array of items");
    if (items->empty()) fail("items", "there are no items to import");
    if (items->size() > max_items)
        fail("items", std::to_string(items->size()) + " items; one import holds at most " + std::to_string(max_items));
    static const std::set<std::string, std::less<>> read = {"topic", "fields", "status", "verdict", "owner_org",
                                                            "contact", "due", "reason", "deferred_to", "progress"};
    static const std::set<std::string, std::less<>> ignored = {"id", "group", "meeting", "version", "flags",
                                                               "last_report_at", "history", "history_length"};
    std::vector<bra_import_item> out;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const json& j = (*items)[i];
        const std::string at = "items[" + std::to_string(i) + "]";
        if (!j.is_object()) fail(at, "must be an object");
        for (const auto& [key, v] : j.items())
            if (!read.count(key) && !ignored.count(key)) fail(at + "." + key, "is not a member of a queue item");
        const json* fields = nullptr;
        if (const auto f = j.find("fields"); f != j.end()) {
            if (!f->is_object()) fail(at + ".fields", "must be an object");
            for (const auto& [key, v] : f->items()) {
                if (!tmpl.find_decision_item_field(key)) fail(at + ".fields." + key, "is not a decision item field of the template");
                if (!v.is_string()) fail(at + ".fields." + key, "must be a string");
            }
            fields = &*f;
        }
        std::string topic;
        if (const auto t = j.find("topic"); t != j.end()) {
            if (t->is_string()) topic = t->get<std::string>();
            else if (t->is_object() && t->contains("id") && (*t)["id"].is_string()) topic = (*t)["id"].get<std::string>();
            else fail(at + ".topic", "must be {\"id\": …} or the topic's id");
        }
        auto value = [&](std::string_view key) -> std::string {
            if (key == "topic") return topic;
            if (read.count(key)) {
                const auto it = j.find(std::string(key));
                if (it == j.end() || it->is_null()) return {};
                if (!it->is_string()) fail(at + "." + std::string(key), "must be a string");
                return it->get<std::string>();
            }
            if (!fields) return {};
            const auto it = fields->find(std::string(key));
            return it == fields->end() ? std::string() : it->get<std::string>();
        };
        auto where = [&](std::string_view key) {
            return at + (read.count(key) ? "." : ".fields.") + std::string(key);
        };
        out.push_back(read_bra_import_item(value, where, tmpl, organisations));
    }
    return out;
}

}  // namespace est
