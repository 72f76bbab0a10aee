#pragma once
// What a benchmark creates on the server before it connects: one EST group and its meetings, over REST.
#include <string>
#include <vector>

#include "est/client/server_address.hpp"

namespace est::bench {

using client::server_address;

class bench_setup {
public:
    explicit bench_setup(server_address a) : addr_(std::move(a)) {}

    // A group with organisations o1..oN (named "Organisation i"); returns its id. Throws on failure.
    std::string create_group(const std::string& name, unsigned organisations);
    // A meeting of the group; returns its id.
    std::string create_meeting(const std::string& group_id, const std::string& title);
    // The template's topic ids, in order.
    std::vector<std::string> topics();
    // The text fields of an entry, with their length limits.
    struct text_field {
        std::string id;
        std::size_t max_length = 0;
    };
    std::vector<text_field> entry_text_fields();

    static std::string organisation(unsigned i) { return "o" + std::to_string(i + 1); }

private:
    server_address addr_;
};

}  // namespace est::bench
