#pragma once
// The one error type of the domain: a stable machine-readable code (documented in docs/protocol.md)
// and an English message that names what was wrong. Clients map codes to Swedish text.
#include <stdexcept>
#include <string>

namespace est {

class domain_error : public std::runtime_error {
public:
    domain_error(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

}  // namespace est
