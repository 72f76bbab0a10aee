#pragma once
// The server's TLS settings from --tls-cert and --tls-key, read once at start. OpenSSL stays out of this header.
#include <filesystem>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace est::server {

// TLS 1.2 and 1.3 only, the certificate chain and its key. Throws std::runtime_error naming the option, the file
// and what is wrong with it (unreadable, not PEM, encrypted, or a key of another certificate).
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const std::filesystem::path& cert,
                                                            const std::filesystem::path& key);

}  // namespace est::server
