// Fuzzes REST bodies into the catalog: the first byte picks POST /api/groups or POST
// /api/groups/ID/meetings (ID: the demo group, the last group created, or one that does not exist); the rest
// is the body, parsed as the router parses it. A body is refused with bad_message, conflict, not_found or
// duplicate_title (a meeting title the group has) and changes nothing, or it creates exactly one group or meeting
// that the catalog then finds as returned, that lists and pages (?limit, ?after) show exactly once, and that a
// reload of the store gives back
// (catalog_world checks that every 64 creations, then starts over so the store stays small).
#include <set>

#include <nlohmann/json.hpp>

#include "est/ids.hpp"
#include "est/json_limits.hpp"
#include "fuzz_catalog_world.hpp"

namespace {

using est::fuzz::fail;

est::fuzz::catalog_world& world() {
    static est::fuzz::catalog_world w("est-fuzz-catalog");
    return w;
}

std::string last_group = "fagersta";

void expect_refusal(const est::domain_error& e, std::initializer_list<std::string_view> codes, const char* what) {
    for (auto c : codes)
        if (e.code() == c) return;
    fail(std::string(what) + " refused with " + e.code() + ": " + e.what());
}

// Walks groups_page and meetings_page with a small limit: together the pages are the whole list, in order.
void check_pages(const est::server::catalog& cat, std::string_view group_id, std::size_t limit) {
    std::vector<std::string> walked;
    std::string after;
    for (;;) {
        const auto p = cat.groups_page(after, limit);
        if (p.items.size() > limit || (p.more && p.items.size() != limit)) fail("groups_page: wrong page size");
        for (const auto& g : p.items) walked.push_back(g.id);
        if (!p.more) break;
        if (p.items.empty()) fail("groups_page: an empty page says more follow");
        after = p.items.back().id;
    }
    std::vector<std::string> all;
    for (const auto& g : cat.groups()) all.push_back(g.id);
    if (walked != all) fail("groups_page: the pages are not the list of groups");

    walked.clear();
    after.clear();
    for (;;) {
        const auto p = cat.meetings_page(group_id, after, limit);
        if (p.items.size() > limit || (p.more && p.items.size() != limit)) fail("meetings_page: wrong page size");
        for (const auto& m : p.items) walked.push_back(m.id);
        if (!p.more) break;
        if (p.items.empty()) fail("meetings_page: an empty page says more follow");
        after = p.items.back().id;
    }
    all.clear();
    for (const auto& m : cat.meetings_of(group_id)) all.push_back(m.id);
    if (walked != all) fail("meetings_page: the pages are not the group's meetings");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto& w = world();
    auto& cat = w.cat();
    const std::uint8_t how = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    nlohmann::json body;
    try {
        body = text.empty() ? nlohmann::json::object() : est::parse_json_bounded(text, 16);  // as http_router
    } catch (const est::domain_error&) {
        return 0;
    }
    const std::size_t groups_before = cat.groups().size();

    if (how % 2 == 0) {
        est::group g;
        try {
            g = cat.create_group(body);
        } catch (const est::domain_error& e) {
            expect_refusal(e, {"bad_message", "conflict"}, "create_group");
            if (cat.groups().size() != groups_before) fail("a refused group was added");
            return 0;
        }
        if (!est::is_valid_id(g.id)) fail("create_group gave the id '" + g.id + "'");
        const auto found = cat.find_group(g.id);
        if (!found || found->to_json() != g.to_json()) fail("create_group: the catalog does not find what it returned");
        if (cat.groups().size() != groups_before + 1) fail("create_group did not add exactly one group");
        // What the API shows must be a valid body again (an export or a client reads it back).
        if (est::group::from_json(g.to_json(), true).to_json() != g.to_json()) fail("a group does not survive its JSON");
        last_group = g.id;
        check_pages(cat, g.id, 1 + how / 2 % 4);
        w.created();  // may make the catalog anew: `cat` is gone after it
        if (!w.cat().find_group(last_group)) last_group = "fagersta";
        return 0;
    }

    const std::string group_id = (how / 2) % 4 == 0 ? "fagersta" : (how / 2) % 4 == 1 ? "ingen-sadan-grupp" : last_group;
    const std::size_t meetings_before = cat.meetings_of(group_id).size();
    est::server::meeting_info m;
    try {
        m = cat.create_meeting(group_id, body);
    } catch (const est::domain_error& e) {
        expect_refusal(e, {"bad_message", "conflict", "not_found", "duplicate_title"}, "create_meeting");
        if (cat.meetings_of(group_id).size() != meetings_before) fail("a refused meeting was added");
        return 0;
    }
    if (!est::is_valid_id(m.id)) fail("create_meeting gave the id '" + m.id + "'");
    const auto found = cat.find_meeting(m.id);
    if (!found || found->to_json() != m.to_json()) fail("create_meeting: the catalog does not find what it returned");
    if (m.group_id != group_id || cat.meetings_of(group_id).size() != meetings_before + 1)
        fail("create_meeting did not add exactly one meeting to its group");
    (void)m.to_json().dump();  // every string in it is UTF-8
    check_pages(cat, group_id, 1 + how / 8 % 4);
    w.created();
    if (!w.cat().find_group(last_group)) last_group = "fagersta";
    return 0;
}
