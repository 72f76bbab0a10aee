// est-server: the whole deployment of EST Live for a municipality: one process, one SQLite file.
#include <iostream>

#include "est/error.hpp"
#include "est/server/server.hpp"

int main(int argc, char** argv) {
    auto parsed = est::server::parse_server_options(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    if (auto* admin = std::get_if<est::server::auth::admin_command>(&parsed))
        return est::server::auth::run_admin_command(*admin, std::cout, std::cerr);
    try {
        est::server::server srv(std::get<est::server::server_options>(std::move(parsed)));
        const std::string address = srv.start();
        // Exactly one line on stdout: tests and scripts wait for it.
        std::cout << "listening on " << address << std::endl;
        srv.run();
        return 0;
    } catch (const est::domain_error& e) {
        std::cerr << "est-server: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "est-server: " << e.what() << '\n';
        return 1;
    }
}
