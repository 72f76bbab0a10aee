#pragma once
// A small blocking HTTP/1.1 client for the REST API (est-cli, tests).
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace est::client {

struct http_result {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string content_disposition;
    std::vector<std::pair<std::string, std::string>> headers;  // every header of the answer, in order

    // The first header named `name` (case-insensitive), or "" when there is none.
    std::string header(std::string_view name) const;
};

struct http_options {
    // The whole call (connect, send, answer) must end within this, or it throws: a hung server fails a test
    // instead of hanging it.
    std::chrono::milliseconds timeout{30000};
    // Connect from this local address (e.g. 127.0.0.2, to be another client address on loopback); "" for any.
    std::string local_address;
    // HTTPS: TLS 1.2 or later, the server's certificate checked against `ca_file` (PEM; "" for the system's trust
    // store) and against `host`, a name or an IP address.
    bool tls = false;
    std::string ca_file;
};

// Request headers set after the defaults (Host, User-Agent, Content-Type): one of the same name replaces the
// default, and one with an empty value removes it (a write without a Content-Type, say). A name given twice is
// sent as two header lines.
using http_headers = std::vector<std::pair<std::string, std::string>>;

// Throws std::runtime_error when the server cannot be reached or does not answer in time.
http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body = {});
http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body, const http_options& options);
http_result http_call(const std::string& host, const std::string& port, const std::string& method,
                      const std::string& target, const std::string& body, const http_options& options,
                      const http_headers& headers);

}  // namespace est::client
