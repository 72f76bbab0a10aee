#pragma once
// Where an est-server is: host and port, from "http://127.0.0.1:8080", "127.0.0.1:8080" or "host".
#include <string>

namespace est::client {

struct server_address {
    std::string host = "127.0.0.1";
    std::string port = "8080";

    static server_address parse(const std::string& url);
};

}  // namespace est::client
