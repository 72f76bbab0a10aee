#pragma once
// Exponential back-off of sign-in attempts, per client address and per account (keyed by the normalised e-mail
// as typed, so an unknown address is throttled exactly like a known one and the answer tells nothing).
//
// Every attempt that is let through counts as a failure at once (so a burst of parallel attempts cannot all slip
// through one opening); a success takes it back. After n counted failures the next attempt waits
//     delay(n) = 0                                   for n <= free
//              = min(base * 2^(n - free - 1), cap)   after that
// since the last counted one. Defaults:
//   per address: free 10, base 1 s, cap 15 min  (11th failure: 1 s, 12th: 2 s, ... 20th: 512 s, then 15 min)
//   per account: free 5,  base 1 s, cap 30 s    (6th: 1 s, 7th: 2 s, ... 10th: 16 s, then 30 s)
// Counters are forgotten `forget_after` (1 h) after their last counted failure; a success clears its account's
// counter (never the address's, or an attacker could clear it with an account of their own).
//
// Why the owner still gets in: an attacker's one address is held to one guess per 15 minutes after 20 or so, and
// the account's delay is capped at 30 s, so after any number of failures the owner waits at most 30 s. Addresses
// from which the account signed in successfully before (the last 8, in memory) skip the account's delay
// altogether (not their own address's): from their usual place the owner is never held up by failures elsewhere.
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "est/server/auth/auth_clock.hpp"

namespace est::server::auth {

struct throttle_options {
    unsigned address_free = 10;
    std::chrono::milliseconds address_base{1000};
    std::chrono::milliseconds address_cap{std::chrono::minutes(15)};
    unsigned account_free = 5;
    std::chrono::milliseconds account_base{1000};
    std::chrono::milliseconds account_cap{std::chrono::seconds(30)};
    std::chrono::seconds forget_after{std::chrono::hours(1)};
    std::size_t known_addresses_per_account = 8;
    std::size_t max_entries = 65536;  // per table; the oldest are dropped past it
};

class sign_in_throttle {
public:
    enum class holder : std::uint8_t { none, address, account };
    struct verdict {
        bool allowed = true;
        std::chrono::milliseconds retry_after{0};
        holder held_by = holder::none;
    };

    explicit sign_in_throttle(clock_fn now, throttle_options o = {});

    // Whether an attempt for `account_key` from `address` may be checked now; when allowed it is counted as a
    // failure until succeeded() says otherwise.
    verdict attempt(std::string_view account_key, std::string_view address);
    void succeeded(std::string_view account_key, std::string_view address);

    static std::chrono::milliseconds delay(unsigned failures, unsigned free, std::chrono::milliseconds base,
                                           std::chrono::milliseconds cap) noexcept;
    const throttle_options& options() const noexcept { return o_; }

private:
    struct counter {
        unsigned failures = 0;
        time_point last{};
    };
    using table = std::map<std::string, counter, std::less<>>;
    std::chrono::milliseconds wait(const table& t, std::string_view key, unsigned free, std::chrono::milliseconds base,
                                   std::chrono::milliseconds cap, time_point now) const;
    void count(table& t, std::string_view key, time_point now);
    void prune(table& t, time_point now);

    clock_fn now_;
    throttle_options o_;
    std::mutex mutex_;
    table addresses_;
    table accounts_;
    std::map<std::string, std::deque<std::string>, std::less<>> known_;  // account key -> addresses that got in
};

}  // namespace est::server::auth
