#pragma once
// A small blocking HTTP/1.1 client for the REST API (est-cli, tests).
#include <string>

namespace est::client {

struct http_result {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string content_disposition;
};

// Throws std::runtime_error when the server cannot be reached.
http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body = {});

}  // namespace est::client
