// New passwords: length in characters, the compiled-in common list, controls.
#include "est/server/auth/password_policy.hpp"

#include <catch2/catch.hpp>

using est::server::auth::password_policy;

TEST_CASE("password_policy counts characters, not bytes") {
    CHECK(password_policy::characters("åäöåäöåäöåä") == 11);  // 22 bytes
    CHECK(password_policy::problem("åäöåäöåäöåä") == "password_too_short");
    CHECK(password_policy::problem("åäöÅÄÖ-tre-x") == std::nullopt);
    CHECK(password_policy::problem("kort") == "password_too_short");
    CHECK(password_policy::problem("elva tecken") == "password_too_short");
    CHECK(password_policy::problem("tolv tecken!") == std::nullopt);
}

TEST_CASE("password_policy refuses common passwords from the compiled-in list, also with digits added") {
    CHECK(password_policy::common_list_size() >= 300);
    for (const char* p : {"123456789012", "qwertyuiopåä", "Sommar2024!!", "SOMMAR202412", "sommaren2024", "Lösenord1234",
                          "LÖSENORD1234", "Password1234", "Välkommen123!", "fotboll12345", "aaaaaaaaaaaa", "abababababab"})
        CHECK(password_policy::problem(p) == "password_common");
    CHECK(password_policy::problem("sommar i fagersta") == std::nullopt);
    CHECK(password_policy::problem("anna@example.se", "anna@example.se") != std::nullopt);
    CHECK(password_policy::problem("Anna@Example.SE", "anna@example.se") == "password_common");
}

TEST_CASE("password_policy refuses control characters, broken UTF-8 and overlong passwords") {
    CHECK(password_policy::problem(std::string("tolv tecken\n!")) == "password_invalid");
    CHECK(password_policy::problem(std::string("tolv tecken\0!", 13)) == "password_invalid");
    CHECK(password_policy::problem("tolv tecken \xC3") == "password_invalid");
    CHECK(password_policy::problem(std::string(1025, 'x') + "yz!") == "password_too_long");
    CHECK_THROWS(password_policy::require("kort"));
}
