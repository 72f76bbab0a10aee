#include "est/server/auth/demo_accounts.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/password_policy.hpp"
#include "est/server/auth/secret_token.hpp"

namespace est::server::auth {

namespace {
using json = nlohmann::json;

[[noreturn]] void bad(const std::string& what) { throw domain_error("bad_message", "demo file: " + what); }

std::string org_name(const est::group& g, const std::string& org) {
    for (const auto& o : g.organisations)
        if (o.id == org) return o.name;
    return org;
}

// What the printed list says about one person's place in the group.
std::string standing(const est::group& g, const demo_accounts::person& p) {
    std::string s(est::to_string(p.role));
    if (!p.org.empty()) s += ", " + org_name(g, p.org);
    if (p.server_admin) s += "; server administrator";
    return s;
}
}  // namespace

demo_accounts demo_accounts::from_json(const json& seed) {
    demo_accounts d;
    const auto list = seed.find("accounts");
    if (list == seed.end()) return d;
    if (!list->is_array()) bad("\"accounts\" must be a list");
    const auto group = seed.find("group");
    if (group == seed.end() || !group->is_object() || !group->contains("id") || !group->at("id").is_string())
        bad("accounts need the group's \"id\"");
    d.group_id_ = group->at("id").get<std::string>();
    for (const auto& a : *list) {
        if (!a.is_object()) bad("each account must be an object");
        for (const char* key : {"email", "name", "role"})
            if (!a.contains(key) || !a.at(key).is_string()) bad(std::string("each account needs \"") + key + "\"");
        person p;
        p.email = a.at("email").get<std::string>();
        p.name = a.at("name").get<std::string>();
        const auto r = est::role_from_string(a.at("role").get<std::string>());
        if (!r) bad("unknown role \"" + a.at("role").get<std::string>() + "\" for " + p.email);
        p.role = *r;
        if (a.contains("org")) {
            if (!a.at("org").is_string()) bad("\"org\" of " + p.email + " must be text");
            p.org = a.at("org").get<std::string>();
        }
        if (a.contains("server_admin")) {
            if (!a.at("server_admin").is_boolean()) bad("\"server_admin\" of " + p.email + " must be true or false");
            p.server_admin = a.at("server_admin").get<bool>();
        }
        d.people_.push_back(std::move(p));
    }
    return d;
}

demo_accounts demo_accounts::read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the demo file " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return from_json(parse_json_bounded(ss.str(), 32));
}

std::string demo_accounts::new_password() {
    ensure_sodium();
    // No i, l, o, 0 or 1: read off a terminal and typed by hand.
    static constexpr std::string_view alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    for (;;) {
        std::string p;
        for (int group = 0; group < 4; ++group) {
            if (group > 0) p += '-';
            for (int i = 0; i < 4; ++i) p += alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
        }
        // Practically always at once; the loop only makes the policy a guarantee (four distinct characters).
        if (!password_policy::problem(p)) return p;
    }
}

void demo_accounts::set_up(auth_service* auth, const std::optional<est::group>& group, std::ostream& out) const {
    if (people_.empty()) return;
    if (!auth) {
        out << "est-server: open access: the demo has no accounts (run without --open-access for them)\n";
        return;
    }
    if (!group) {
        out << "est-server: the demo group '" << group_id_ << "' is not in the database (the demo is loaded only into "
               "a database without groups): no demo accounts\n";
        return;
    }
    const std::string password = new_password();
    const actor local{"", "local"};
    std::size_t made = 0;
    std::vector<std::string> notes(people_.size());
    for (std::size_t i = 0; i < people_.size(); ++i) {
        const person& p = people_[i];
        auto a = auth->accounts().find_by_email(p.email);
        if (!a) {
            a = auth->create_account(local, p.email, p.name, password, p.server_admin);
            ++made;
        } else {
            // A reset, not a quiet overwrite: audited, and the sessions begun with the old password end.
            const auto issued = auth->issue_password_reset(local, a->id);
            auth->reset_password(issued.token, password, local.address);
            if (a->disabled) notes[i] = "  (disabled: enable it on the administration page)";
        }
        const auto* m = a->membership_of(group->id);
        if (!m || m->role != p.role || m->org != p.org) auth->set_membership(local, a->id, group->id, p.role, p.org);
    }

    std::size_t width = 0;
    for (const auto& p : people_) width = std::max(width, p.email.size());
    const std::string rule(78, '=');
    out << '\n' << rule << "\n  DEMO ONLY — never use on a real network\n" << rule << '\n';
    out << "  Demo accounts of " << group->name << " (group " << group->id << "), ";
    if (made == people_.size()) out << "made now:\n";
    else if (made == 0) out << "there from before, with a new password:\n";
    else out << made << " made now, the others given a new password:\n";
    for (std::size_t i = 0; i < people_.size(); ++i)
        out << "    " << std::left << std::setw(static_cast<int>(width)) << people_[i].email << "  " << people_[i].name
            << " — " << standing(*group, people_[i]) << notes[i] << '\n';
    out << "\n  demo password: " << password << "\n\n"
        << "  The same for every demo account, and shown only here. Each start with --demo sets a new one\n"
        << "  (and signs the demo accounts out); the old one stops working.\n"
        << rule << "\n\n"
        << std::flush;
}

}  // namespace est::server::auth
