#include "bench_setup.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"

namespace est::bench {

using json = nlohmann::json;

std::string bench_setup::create_group(const std::string& name, unsigned organisations) {
    json body = {{"name", name}, {"municipality", "Benchby"}, {"organisations", json::array()}};
    for (unsigned i = 0; i < organisations; ++i)
        body["organisations"].push_back({{"id", organisation(i)}, {"name", "Organisation " + std::to_string(i + 1)}});
    const auto r = client::http_call(addr_.host, addr_.port, "POST", "/api/groups", body.dump());
    if (r.status != 201) throw std::runtime_error("creating the group failed (" + std::to_string(r.status) + "): " + r.body);
    return json::parse(r.body).at("id").get<std::string>();
}

std::string bench_setup::create_meeting(const std::string& group_id, const std::string& title) {
    const auto r = client::http_call(addr_.host, addr_.port, "POST", "/api/groups/" + group_id + "/meetings",
                                     json{{"title", title}}.dump());
    if (r.status != 201) throw std::runtime_error("creating a meeting failed (" + std::to_string(r.status) + "): " + r.body);
    const auto id = json::parse(r.body).at("id").get<std::string>();
    // A new meeting is a draft: its chair opens it for live editing (--open-access: the body says who acts).
    const auto opened = client::http_call(addr_.host, addr_.port, "POST", "/api/meetings/" + id + "/lifecycle",
                                          json{{"action", "open"}, {"as", {{"name", "Bench"}, {"role", "chair"}}}}.dump());
    if (opened.status != 200)
        throw std::runtime_error("opening a meeting failed (" + std::to_string(opened.status) + "): " + opened.body);
    return id;
}

namespace {
json get_template(const server_address& a) {
    const auto r = client::http_call(a.host, a.port, "GET", "/api/template");
    if (r.status != 200) throw std::runtime_error("reading the template failed (" + std::to_string(r.status) + ")");
    return json::parse(r.body);
}
}  // namespace

std::vector<bench_setup::text_field> bench_setup::entry_text_fields() {
    std::vector<text_field> out;
    const json t = get_template(addr_);  // a named object: a range-for over a temporary's member dangles
    for (const auto& f : t.at("entry_fields"))
        if (f.value("kind", "") == "text") out.push_back({f.at("id").get<std::string>(), f.value("max_length", std::size_t{10000})});
    return out;
}

std::vector<std::string> bench_setup::topics() {
    std::vector<std::string> out;
    const json tmpl = get_template(addr_);
    for (const auto& t : tmpl.at("topics")) out.push_back(t.at("id").get<std::string>());
    return out;
}

}  // namespace est::bench
