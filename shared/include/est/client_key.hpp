#pragma once
// A client's public id: what others see of it. The `client` a connection joins with is a secret (the
// holder alone may resume its changes and replace its old connection); what is broadcast, logged and
// deduplicated is a one-way function of it, so seeing someone's changes never lets you act as them.
#include <string>
#include <string_view>

namespace est {

// "k-" and the first 20 hex digits (80 bits) of SHA-256("est-client-v1" NUL meeting NUL secret).
std::string public_client_id(std::string_view meeting_id, std::string_view secret);

}  // namespace est
