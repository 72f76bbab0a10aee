#include "est/permissions.hpp"

#include "est/error.hpp"

namespace est {

namespace {
bool takes_part(role r) noexcept { return r == role::participant || r == role::chair || r == role::cosigner; }
}  // namespace

bool may_write_cell(const identity& who, std::string_view org) noexcept {
    return takes_part(who.role) && who.org == org;
}

bool may_write_topic_field(const identity& who, const field_def& def) noexcept {
    // Topic fields are the group's joint judgement; the chair writes them, whether marked or not.
    (void)def;
    return who.role == role::chair;
}

void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl) {
    auto cell_rule = [&](std::string_view org, const std::string& what) {
        if (!takes_part(who.role))
            throw domain_error("forbidden", "role " + std::string(to_string(who.role)) + " may not edit the picture");
        if (!may_write_cell(who, org))
            throw domain_error("forbidden", "you represent '" + who.org + "' and may not " + what + " in the cell of '" +
                                                std::string(org) + "'");
    };
    auto field_rule = [&](const field_ref& ref) {
        if (ref.is_topic_field()) {
            const field_def* def = tmpl.find_topic_field(ref.field);
            if (!def) return;  // not_found is reported by the document
            if (!may_write_topic_field(who, *def))
                throw domain_error("forbidden", "only the chair may write '" + def->label + "'");
        } else {
            cell_rule(ref.org, "write");
        }
    };
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, text_change> || std::is_same_v<T, set_change>)
                field_rule(v.target);
            else if constexpr (std::is_same_v<T, add_entry_change>)
                cell_rule(v.org, "add entries");
            else
                cell_rule(v.org, "remove entries");
        },
        c);
}

}  // namespace est
