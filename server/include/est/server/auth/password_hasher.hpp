#pragma once
#include <atomic>
#include <cstdint>
// Argon2id through libsodium (crypto_pwhash_str): the stored string carries its own salt and parameters
// ("$argon2id$v=19$m=65536,t=2,p=1$..."). Passwords are never logged or kept.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace est::server::auth {

struct argon2_limits {
    // libsodium's INTERACTIVE limits (crypto_pwhash_OPSLIMIT_INTERACTIVE, _MEMLIMIT_INTERACTIVE); lower values are
    // refused by password_hasher's constructor.
    std::uint64_t ops_limit = 2;
    std::size_t mem_limit = std::size_t{64} << 20;
};

class password_hasher {
public:
    using options = argon2_limits;

    explicit password_hasher(options o = {});  // throws std::invalid_argument below the interactive limits

    std::string hash(std::string_view password) const;  // throws std::runtime_error when out of memory
    // Constant-time in the password; false for a malformed `stored`.
    bool verify(std::string_view stored, std::string_view password) const;
    bool needs_rehash(std::string_view stored) const;
    // Spends what verify() spends, against a hash of nothing: used when the e-mail is unknown, so the answer's
    // timing does not tell whether an account exists.
    void verify_dummy(std::string_view password) const;
    const options& limits() const noexcept { return o_; }
    // How many Argon2id verifications ran (verify and verify_dummy alike): lets a test see, without timing
    // anything, that an unknown e-mail costs the same work as a known one.
    std::uint64_t verifications() const noexcept { return verifications_.load(std::memory_order_relaxed); }

private:
    options o_;
    mutable std::atomic<std::uint64_t> verifications_{0};
    std::string dummy_;
};

}  // namespace est::server::auth
