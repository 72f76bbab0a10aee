#pragma once
// Shared by the integration tests of sealed files (reports, exports, public versions): a page's bytes sealed again
// by the server's own key, in another namespace, as only the server's machine could.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "est/sshsig.hpp"
#include "scratch.hpp"

namespace est::test {

// The bytes before `page`'s seal line, sealed in the namespace `ns` by the key in `data_dir`/keys: the same bytes
// under the seal of another kind of record.
inline std::string resealed(const std::string& data_dir, const std::string& page, std::string_view ns) {
    std::string hex;
    for (const auto& e : std::filesystem::directory_iterator(data_dir + "/keys"))
        if (e.path().extension() == ".key") hex = read_file(e.path());
    if (hex.size() < 128) throw std::runtime_error("no server key in " + data_dir);
    sshsig::secret_key key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    const std::string body = page.substr(0, page.rfind("<!-- est-seal "));
    return body + "<!-- est-seal key=" + sshsig::key_id(sshsig::public_key_of(key)) +
           " sig=" + sshsig::base64_encode(sshsig::sign_blob(key, ns, body)) + " -->\n";
}

}  // namespace est::test
