#include "est/meeting_template.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/ids.hpp"

namespace est {
namespace {

using json = nlohmann::json;

class validator {
public:
    explicit validator(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
        throw domain_error("bad_template", source_ + ": " + (path.empty() ? "/" : path) + ": " + problem);
    }

    const json& member(const json& obj, const std::string& path, const char* key) const {
        auto it = obj.find(key);
        if (it == obj.end()) fail(path, std::string("missing required field '") + key + "'");
        return *it;
    }

    std::string string_member(const json& obj, const std::string& path, const char* key, bool required = true) const {
        auto it = obj.find(key);
        if (it == obj.end()) {
            if (required) fail(path, std::string("missing required field '") + key + "'");
            return {};
        }
        if (!it->is_string() || it->get_ref<const std::string&>().empty())
            fail(path + "/" + key, "must be a non-empty string");
        return it->get<std::string>();
    }

    std::string id_member(const json& obj, const std::string& path) const {
        auto id = string_member(obj, path, "id");
        if (!is_valid_id(id)) fail(path + "/id", "'" + id + "' is not a valid id (a-z, 0-9, '-', '_', at most 64)");
        return id;
    }

    void only_known(const json& obj, const std::string& path, std::initializer_list<const char*> keys) const {
        for (const auto& [k, v] : obj.items()) {
            bool known = false;
            for (const char* key : keys) known = known || k == key;
            if (!known) fail(path + "/" + k, "unknown field");
        }
    }

    // Which list a field belongs to: what it may declare follows from that.
    enum class level { entry, topic, decision_item };

    std::vector<field_def> fields(const json& root, const char* key, level at) const {
        const std::string path = std::string("/") + key;
        const json& arr = member(root, "", key);
        if (!arr.is_array() || arr.empty()) fail(path, "must be a non-empty array");
        std::vector<field_def> out;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string p = path + "/" + std::to_string(i);
            const json& f = arr[i];
            if (!f.is_object()) fail(p, "must be an object");
            only_known(f, p, {"id", "label", "kind", "choices", "max_length", "editor", "group"});
            field_def d;
            d.id = id_member(f, p);
            if (!seen.insert(d.id).second) fail(p + "/id", "duplicate id '" + d.id + "'");
            d.label = string_member(f, p, "label");
            const auto kind = string_member(f, p, "kind");
            if (kind == "text") d.kind = field_kind::text;
            else if (kind == "choice") d.kind = field_kind::choice;
            else if (at == level::decision_item && kind == "date") d.kind = field_kind::date;
            else if (at == level::decision_item && kind == "organisation") d.kind = field_kind::organisation;
            else if (at == level::decision_item)
                fail(p + "/kind", "must be \"text\", \"choice\", \"date\" or \"organisation\", not \"" + kind + "\"");
            else fail(p + "/kind", "must be \"text\" or \"choice\", not \"" + kind + "\"");
            if (auto c = f.find("choices"); c != f.end()) {
                if (d.kind != field_kind::choice) fail(p + "/choices", "only choice fields have choices");
                if (!c->is_array() || c->empty()) fail(p + "/choices", "must be a non-empty array of strings");
                for (std::size_t k = 0; k < c->size(); ++k) {
                    if (!(*c)[k].is_string() || (*c)[k].get_ref<const std::string&>().empty())
                        fail(p + "/choices/" + std::to_string(k), "must be a non-empty string");
                    d.choices.push_back((*c)[k].get<std::string>());
                }
            } else if (d.kind == field_kind::choice) {
                fail(p, "a choice field needs 'choices'");
            }
            if (auto m = f.find("max_length"); m != f.end()) {
                if (at == level::decision_item && d.kind != field_kind::text)
                    fail(p + "/max_length", "only text fields have a maximum length");
                if (!m->is_number_unsigned() || m->get<std::uint64_t>() == 0 || m->get<std::uint64_t>() > 100000)
                    fail(p + "/max_length", "must be a whole number from 1 to 100000");
                d.max_length = m->get<std::size_t>();
            }
            if (auto e = f.find("editor"); e != f.end()) {
                if (at == level::entry) fail(p + "/editor", "entry fields are always written by the cell's organisation");
                if (at == level::decision_item && d.id != to_bra_field)
                    fail(p + "/editor", "decision item fields are written by everyone taking part; only 'till_bra' is the chair's");
                if (*e != "chair") fail(p + "/editor", "must be \"chair\"");
                d.chair_only = true;
            }
            if (f.contains("group")) {
                if (at != level::decision_item) fail(p + "/group", "only decision item fields are grouped");
                d.group = string_member(f, p, "group");
                if (d.group.size() > 100) fail(p + "/group", "must be at most 100 bytes");
            }
            out.push_back(std::move(d));
        }
        if (at == level::decision_item) check_to_bra_mark(out, path);
        return out;
    }

    // The BRÅ mark is what the BRÅ queue, the exports and the chair's toggle read: its shape is fixed.
    void check_to_bra_mark(const std::vector<field_def>& defs, const std::string& path) const {
        for (std::size_t i = 0; i < defs.size(); ++i) {
            const field_def& d = defs[i];
            if (d.id != to_bra_field) continue;
            const std::string p = path + "/" + std::to_string(i);
            if (d.kind != field_kind::choice ||
                d.choices != std::vector<std::string>{std::string(to_bra_yes), std::string(to_bra_no)})
                fail(p, "'till_bra' must be a choice field with the choices [\"ja\", \"nej\"]");
            if (!d.chair_only) fail(p, "'till_bra' must have \"editor\": \"chair\": the chair decides what goes to BRÅ");
            return;
        }
        fail(path, "must hold the field 'till_bra' (the chair's mark for what goes to BRÅ)");
    }

private:
    std::string source_;
};

std::string_view kind_name(field_kind k) noexcept {
    switch (k) {
        case field_kind::text: return "text";
        case field_kind::choice: return "choice";
        case field_kind::date: return "date";
        case field_kind::organisation: return "organisation";
    }
    return "text";
}

json field_to_json(const field_def& f) {
    json j = {{"id", f.id}, {"label", f.label}, {"kind", kind_name(f.kind)}};
    if (!f.choices.empty()) j["choices"] = f.choices;
    if (f.max_length) j["max_length"] = f.max_length;
    if (f.chair_only) j["editor"] = "chair";
    if (!f.group.empty()) j["group"] = f.group;
    return j;
}

}  // namespace

meeting_template meeting_template::from_json(const json& root, const std::string& source) {
    validator v(source);
    if (!root.is_object()) v.fail("", "a template must be a JSON object");
    v.only_known(root, "", {"id", "name", "version", "topics", "entry_fields", "topic_fields", "decision_item_fields"});
    meeting_template t;
    t.id = v.id_member(root, "");
    t.name = v.string_member(root, "", "name");
    const json& ver = v.member(root, "", "version");
    if (!ver.is_number_integer() || ver.get<std::int64_t>() <= 0 || ver.get<std::int64_t>() > 1000000)
        v.fail("/version", "must be a positive whole number");
    t.version = ver.get<int>();

    const json& topics = v.member(root, "", "topics");
    if (!topics.is_array() || topics.empty()) v.fail("/topics", "must be a non-empty array");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < topics.size(); ++i) {
        const std::string p = "/topics/" + std::to_string(i);
        if (!topics[i].is_object()) v.fail(p, "must be an object");
        v.only_known(topics[i], p, {"id", "title", "description"});
        topic_def d{v.id_member(topics[i], p), v.string_member(topics[i], p, "title"),
                    v.string_member(topics[i], p, "description", false)};
        if (!seen.insert(d.id).second) v.fail(p + "/id", "duplicate id '" + d.id + "'");
        t.topics.push_back(std::move(d));
    }
    t.entry_fields = v.fields(root, "entry_fields", validator::level::entry);
    t.topic_fields = v.fields(root, "topic_fields", validator::level::topic);
    if (root.contains("decision_item_fields"))
        t.decision_item_fields = v.fields(root, "decision_item_fields", validator::level::decision_item);
    return t;
}

meeting_template meeting_template::load_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw domain_error("bad_template", file.string() + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    json j;
    try {
        j = json::parse(ss.str());
    } catch (const json::parse_error& e) {
        throw domain_error("bad_template", file.string() + ": not valid JSON (" + e.what() + ")");
    }
    return from_json(j, file.string());
}

json meeting_template::to_json() const {
    json topics_j = json::array();
    for (const auto& t : topics) {
        json tj = {{"id", t.id}, {"title", t.title}};
        if (!t.description.empty()) tj["description"] = t.description;
        topics_j.push_back(std::move(tj));
    }
    json ef = json::array(), tf = json::array();
    for (const auto& f : entry_fields) ef.push_back(field_to_json(f));
    for (const auto& f : topic_fields) tf.push_back(field_to_json(f));
    json out = {{"id", id}, {"name", name}, {"version", version}, {"topics", topics_j}, {"entry_fields", ef}, {"topic_fields", tf}};
    if (has_decision_items()) {
        json df = json::array();
        for (const auto& f : decision_item_fields) df.push_back(field_to_json(f));
        out["decision_item_fields"] = std::move(df);
    }
    return out;
}

const topic_def* meeting_template::find_topic(std::string_view tid) const noexcept {
    for (const auto& t : topics)
        if (t.id == tid) return &t;
    return nullptr;
}
const field_def* meeting_template::find_entry_field(std::string_view fid) const noexcept {
    for (const auto& f : entry_fields)
        if (f.id == fid) return &f;
    return nullptr;
}
const field_def* meeting_template::find_decision_item_field(std::string_view fid) const noexcept {
    for (const auto& f : decision_item_fields)
        if (f.id == fid) return &f;
    return nullptr;
}
const field_def* meeting_template::find_topic_field(std::string_view fid) const noexcept {
    for (const auto& f : topic_fields)
        if (f.id == fid) return &f;
    return nullptr;
}

}  // namespace est
