#pragma once
// What a new password must be: at least 12 characters (code points, not bytes), at most 1024 bytes, valid UTF-8
// without control characters, not the e-mail address, and not on the list of common passwords compiled in from
// server/data/common-passwords.txt (compared case-insensitively, also with trailing digits and punctuation
// taken off, so "Sommar2024!!" counts as "sommar").
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace est::server::auth {

class password_policy {
public:
    static constexpr std::size_t min_characters = 12;
    static constexpr std::size_t max_bytes = 1024;

    // nullopt when acceptable, else the error code: password_too_short, password_too_long, password_invalid,
    // password_common.
    static std::optional<std::string> problem(std::string_view password, std::string_view email = {});
    // Throws domain_error(code, message) for what problem() names.
    static void require(std::string_view password, std::string_view email = {});

    static std::size_t characters(std::string_view utf8) noexcept;
    static bool is_common(std::string_view password);
    static std::size_t common_list_size();
    static std::string_view built_in_list() noexcept;  // server/data/common-passwords.txt as compiled in
};

}  // namespace est::server::auth
