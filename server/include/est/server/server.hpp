#pragma once
// est-server assembled: store, catalog, rooms, router, listener and I/O threads. No Beast here.
#include <memory>
#include <string>

#include "est/server/server_options.hpp"

namespace est::server {

class server {
public:
    // Loads the template, opens the database and the catalog. Throws (domain_error for a bad
    // template, std::runtime_error otherwise) with a message for the operator.
    explicit server(server_options opts);
    ~server();

    // Binds the port; returns the address actually used, e.g. "http://127.0.0.1:41234" ("https://" with TLS).
    std::string start();
    // Serves until stop() or SIGTERM/SIGINT, then shuts down in order: stop accepting, close every
    // WebSocket with a close frame, let the store commit what is queued.
    void run();
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace est::server
