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

    std::vector<field_def> fields(const json& root, const char* key, bool topic_level) const {
        const std::string path = std::string("/") + key;
        const json& arr = member(root, "", key);
        if (!arr.is_array() || arr.empty()) fail(path, "must be a non-empty array");
        std::vector<field_def> out;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string p = path + "/" + std::to_string(i);
            const json& f = arr[i];
            if (!f.is_object()) fail(p, "must be an object");
            only_known(f, p, {"id", "label", "kind", "choices", "max_length", "editor"});
            field_def d;
            d.id = id_member(f, p);
            if (!seen.insert(d.id).second) fail(p + "/id", "duplicate id '" + d.id + "'");
            d.label = string_member(f, p, "label");
            const auto kind = string_member(f, p, "kind");
            if (kind == "text") d.kind = field_kind::text;
            else if (kind == "choice") d.kind = field_kind::choice;
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
                if (!m->is_number_unsigned() || m->get<std::uint64_t>() == 0 || m->get<std::uint64_t>() > 100000)
                    fail(p + "/max_length", "must be a whole number from 1 to 100000");
                d.max_length = m->get<std::size_t>();
            }
            if (auto e = f.find("editor"); e != f.end()) {
                if (!topic_level) fail(p + "/editor", "entry fields are always written by the cell's organisation");
                if (*e != "chair") fail(p + "/editor", "must be \"chair\"");
                d.chair_only = true;
            }
            out.push_back(std::move(d));
        }
        return out;
    }

private:
    std::string source_;
};

json field_to_json(const field_def& f) {
    json j = {{"id", f.id}, {"label", f.label}, {"kind", f.kind == field_kind::text ? "text" : "choice"}};
    if (!f.choices.empty()) j["choices"] = f.choices;
    if (f.max_length) j["max_length"] = f.max_length;
    if (f.chair_only) j["editor"] = "chair";
    return j;
}

}  // namespace

meeting_template meeting_template::from_json(const json& root, const std::string& source) {
    validator v(source);
    if (!root.is_object()) v.fail("", "a template must be a JSON object");
    v.only_known(root, "", {"id", "name", "version", "topics", "entry_fields", "topic_fields"});
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
    t.entry_fields = v.fields(root, "entry_fields", false);
    t.topic_fields = v.fields(root, "topic_fields", true);
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
    return {{"id", id}, {"name", name}, {"version", version}, {"topics", topics_j}, {"entry_fields", ef}, {"topic_fields", tf}};
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
const field_def* meeting_template::find_topic_field(std::string_view fid) const noexcept {
    for (const auto& f : topic_fields)
        if (f.id == fid) return &f;
    return nullptr;
}

}  // namespace est
