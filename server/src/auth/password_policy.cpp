#include "est/server/auth/password_policy.hpp"

#include <set>
#include <unordered_set>

#include "est/error.hpp"

namespace est::server::auth {

namespace {
// Lower case for ASCII and Latin-1 letters (å, ä, ö, é ...), enough for the list's languages.
std::string fold(std::string_view s) {
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto c = static_cast<unsigned char>(out[i]);
        if (c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c + 32);
        else if (c == 0xC3 && i + 1 < out.size()) {
            auto d = static_cast<unsigned char>(out[i + 1]);
            if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
            ++i;
        }
    }
    return out;
}

const std::unordered_set<std::string>& common_set() {
    static const std::unordered_set<std::string> set = [] {
        std::unordered_set<std::string> s;
        std::string_view all = password_policy::built_in_list();
        while (!all.empty()) {
            const auto nl = all.find('\n');
            std::string_view line = all.substr(0, nl);
            all = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
            if (line.empty() || line.front() == '#') continue;
            s.insert(fold(line));
        }
        return s;
    }();
    return set;
}

bool valid_utf8_without_controls(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F) return false;
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
        else return false;
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        static const std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        if (cp >= 0x80 && cp < 0xA0) return false;  // C1 controls
        i += n + 1;
    }
    return true;
}
}  // namespace

std::size_t password_policy::characters(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool password_policy::is_common(std::string_view password) {
    const std::string folded = fold(password);
    const auto& set = common_set();
    if (set.count(folded)) return true;
    // The same word with digits and punctuation added at the end ("Sommar2024!").
    std::string base = folded;
    while (!base.empty()) {
        const auto c = static_cast<unsigned char>(base.back());
        if (c < 0x80 && !((c >= 'a' && c <= 'z'))) base.pop_back();
        else break;
    }
    if (!base.empty() && base != folded && set.count(base)) return true;
    // The same few characters over and over ("aaaaaaaaaaaa", "abababababab").
    std::set<char> distinct(folded.begin(), folded.end());
    return distinct.size() < 4;
}

std::size_t password_policy::common_list_size() { return common_set().size(); }

std::optional<std::string> password_policy::problem(std::string_view password, std::string_view email) {
    if (password.size() > max_bytes) return "password_too_long";
    if (!valid_utf8_without_controls(password)) return "password_invalid";
    if (characters(password) < min_characters) return "password_too_short";
    if (is_common(password) || (!email.empty() && fold(password) == fold(email))) return "password_common";
    return std::nullopt;
}

void password_policy::require(std::string_view password, std::string_view email) {
    const auto p = problem(password, email);
    if (!p) return;
    if (*p == "password_too_long")
        throw domain_error(*p, "the password is longer than " + std::to_string(max_bytes) + " bytes");
    if (*p == "password_invalid") throw domain_error(*p, "the password must be text without control characters");
    if (*p == "password_too_short")
        throw domain_error(*p, "the password must have at least " + std::to_string(min_characters) + " characters");
    throw domain_error(*p, "the password is too common or too simple");
}

}  // namespace est::server::auth
