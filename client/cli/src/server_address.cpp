#include "est/client/server_address.hpp"

namespace est::client {

server_address server_address::parse(const std::string& url) {
    std::string rest = url;
    if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
    if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
    server_address a;
    if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        a.host = rest.substr(0, colon);
        a.port = rest.substr(colon + 1);
    } else if (!rest.empty()) {
        a.host = rest;
    }
    return a;
}

}  // namespace est::client
