#include "est/server/tls_context.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/system_error.hpp>

namespace est::server {

namespace ssl = boost::asio::ssl;

namespace {
void must_read(const std::filesystem::path& file, const char* option) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(std::string(option) + " " + file.string() + ": cannot read it: " + std::strerror(errno));
}

template <class Load>
void load(const std::filesystem::path& file, const char* option, const char* what, Load&& f) {
    must_read(file, option);
    try {
        f();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string(option) + " " + file.string() + ": not " + what + " (" + e.code().message() + ")");
    }
}
}  // namespace

std::unique_ptr<ssl::context> make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    // An encrypted key would make OpenSSL prompt on the terminal of a service: refuse it instead.
    ctx->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
    load(cert, "--tls-cert", "a PEM certificate chain", [&] { ctx->use_certificate_chain_file(cert.string()); });
    load(key, "--tls-key", "an unencrypted PEM private key of --tls-cert's certificate",
         [&] { ctx->use_private_key_file(key.string(), ssl::context::pem); });
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("--tls-key " + key.string() + " is not the key of --tls-cert " + cert.string());
    return ctx;
}

}  // namespace est::server
