// SSHSIG with Ed25519 (shared/src/sshsig.cpp) against tests/vectors/signature.json and against OpenSSH's own
// ssh-keygen: what we sign it verifies, what it signs we verify, byte for byte the same signatures.
#include "est/sshsig.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/scratch.hpp"

namespace sshsig = est::sshsig;
using est::test::read_file;
using est::test::run_command;
using est::test::scratch_dir;
using est::test::shell_quote;
using est::test::write_file;
using json = nlohmann::json;

namespace {

const json& vectors() {
    static const json v = json::parse(read_file(std::string(EST_SOURCE_DIR) + "/tests/vectors/signature.json"));
    return v;
}

sshsig::secret_key test_key() {
    const std::string hex = vectors().at("test_seed_hex");
    sshsig::seed s{};
    REQUIRE(hex.size() == 2 * s.size());
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return sshsig::secret_key_from_seed(s);
}

// The binary blob inside an armored signature.
std::string blob_of(const std::string& armored) {
    const auto begin = armored.find('\n') + 1;
    const auto end = armored.find("-----END");
    auto blob = sshsig::base64_decode(armored.substr(begin, end - begin));
    REQUIRE(blob);
    return *blob;
}

// The tests run the real ssh-keygen: CI installs it (scripts/install-deps.sh), so its absence is a failure.
void require_ssh_keygen() {
    const auto r = run_command("command -v ssh-keygen");
    INFO("ssh-keygen (package openssh-client) is needed by these tests: scripts/install-deps.sh installs it");
    REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("sshsig: the golden vectors come out byte for byte", "[sshsig]") {
    const auto& v = vectors();
    const auto key = test_key();
    const auto pub = sshsig::public_key_of(key);
    CHECK(sshsig::public_key_line(pub) == v.at("public_key"));
    CHECK("est-live " + sshsig::public_key_line(pub, "") == v.at("allowed_signers"));
    CHECK(sshsig::key_id(pub) == v.at("key_id"));
    CHECK(sshsig::sha256_hex(json::parse(v.at("picture").dump()).dump()) == v.at("picture_digest"));

    json digests = json::array();
    for (const auto& rec : v.at("signatures")) {
        const std::string statement = rec.at("statement");
        CHECK(sshsig::sign(key, rec.at("namespace").get<std::string>(), statement) == rec.at("sshsig"));
        CHECK(sshsig::sha256_hex(statement) == rec.at("sha256"));
        // The statement is the canonical form of itself: nlohmann::json::dump(), keys sorted, no whitespace.
        CHECK(json::parse(statement).dump() == statement);
        CHECK(json::parse(statement).at("digest") == v.at("picture_digest"));
        digests.push_back(rec.at("sha256"));
    }
    const auto& closing = v.at("closing");
    const std::string closing_text = closing.at("statement");
    CHECK(sshsig::sign(key, "est-live-closing", closing_text) == closing.at("sshsig"));
    CHECK(sshsig::sha256_hex(closing_text) == closing.at("sha256"));
    CHECK(json::parse(closing_text).at("signatures") == digests);
    CHECK(json::parse(closing_text).dump() == closing_text);

    // A correction's statements, signed the same way.
    const auto& c = v.at("correction");
    CHECK(sshsig::sha256_hex(json::parse(c.at("picture").dump()).dump()) == c.at("picture_digest"));
    for (const auto* rec : {&c.at("signatures").at(0), &c.at("signatures").at(1), &c.at("closing")}) {
        const std::string statement = rec->at("statement");
        CHECK(sshsig::sign(key, rec->at("namespace").get<std::string>(), statement) == rec->at("sshsig"));
        CHECK(sshsig::sha256_hex(statement) == rec->at("sha256"));
        CHECK(json::parse(statement).dump() == statement);
        CHECK(json::parse(statement).at("corrects") == c.at("corrects"));
    }
}

TEST_CASE("sshsig: a signature verifies, names its key, and is armored in 70 columns", "[sshsig]") {
    const auto key = test_key();
    const std::string message = "{\"text\":\"Läget är lugnt\"}";
    const auto armored = sshsig::sign(key, "est-live-signature", message);
    CHECK(armored.rfind("-----BEGIN SSH SIGNATURE-----\n", 0) == 0);
    CHECK(armored.size() > 28);
    CHECK(armored.substr(armored.size() - 28) == "-----END SSH SIGNATURE-----\n");
    std::size_t start = armored.find('\n') + 1;
    for (std::size_t nl; (nl = armored.find('\n', start)) != std::string::npos && armored.compare(start, 5, "-----") != 0;
         start = nl + 1)
        CHECK(nl - start <= 70);

    const auto v = sshsig::verify(armored, "est-live-signature", message);
    CHECK(v.ok);
    CHECK(v.error.empty());
    CHECK(v.key == sshsig::public_key_of(key));

    const auto blob = sshsig::sign_blob(key, "est-live-export", message);
    CHECK(blob == blob_of(sshsig::sign(key, "est-live-export", message)));
    CHECK(sshsig::verify(blob, "est-live-export", message, false).ok);
    CHECK_FALSE(sshsig::verify(blob, "est-live-export", message, true).ok);  // a blob is not armor
}

TEST_CASE("sshsig: another namespace, another message or a flipped byte fails", "[sshsig]") {
    const auto key = test_key();
    const std::string message = "{\"digest\":\"abc\",\"rev\":57}";
    const auto armored = sshsig::sign(key, "est-live-signature", message);

    const auto wrong_ns = sshsig::verify(armored, "est-live-closing", message);
    CHECK_FALSE(wrong_ns.ok);
    CHECK(wrong_ns.error.find("namespace") != std::string::npos);
    CHECK_FALSE(sshsig::verify(armored, "est-live-signaturE", message).ok);

    for (std::size_t i = 0; i < message.size(); ++i) {
        std::string changed = message;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        const auto v = sshsig::verify(armored, "est-live-signature", changed);
        CHECK_FALSE(v.ok);
        CHECK(v.error == "the signature does not match the message");
    }
    CHECK_FALSE(sshsig::verify(armored, "est-live-signature", message + " ").ok);
    CHECK_FALSE(sshsig::verify(armored, "est-live-signature", "").ok);

    // Every byte of the blob matters (a flipped bit in the hash algorithm's name or a length is a malformed blob,
    // anywhere else a mismatch), and every prefix of it is refused without reading past its end.
    const auto blob = sshsig::sign_blob(key, "est-live-signature", message);
    for (std::size_t i = 0; i < blob.size(); ++i) {
        std::string changed = blob;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        const auto v = sshsig::verify(changed, "est-live-signature", message, false);
        INFO("byte " << i);
        CHECK_FALSE(v.ok);
        CHECK_FALSE(v.error.empty());
    }
    for (std::size_t n = 0; n < blob.size(); ++n) CHECK_FALSE(sshsig::verify(blob.substr(0, n), "est-live-signature", message, false).ok);
    CHECK_FALSE(sshsig::verify(blob + "x", "est-live-signature", message, false).ok);
}

TEST_CASE("sshsig: malformed armor and blobs are refused with a reason", "[sshsig]") {
    const auto key = test_key();
    const std::string message = "m";
    const auto armored = sshsig::sign(key, "ns", message);
    CHECK(sshsig::verify("", "ns", message).error == "no -----BEGIN SSH SIGNATURE----- line");
    CHECK(sshsig::verify("-----BEGIN SSH SIGNATURE-----\nAAAA\n", "ns", message).error ==
          "no -----END SSH SIGNATURE----- line");
    CHECK(sshsig::verify("-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n", "ns", message).error ==
          "the signature's base64 is damaged");
    CHECK_FALSE(sshsig::verify(std::string(100000, 'A'), "ns", message).ok);
    // Armor with CRLF line ends (a file that went through Windows) is the same signature.
    std::string crlf;
    for (const char c : armored) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(sshsig::verify(crlf, "ns", message).ok);

    // A well-formed SSHSIG of another key type (an RSA key blob) is refused before any check of the signature.
    auto put_string = [](std::string& out, const std::string& s) {
        const auto n = static_cast<std::uint32_t>(s.size());
        out += {static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 8) & 0xff),
                static_cast<char>(n & 0xff)};
        out += s;
    };
    std::string rsa_key, rsa_sig, blob = "SSHSIG";
    put_string(rsa_key, "ssh-rsa");
    put_string(rsa_key, std::string(3, '\1'));
    put_string(rsa_key, std::string(256, '\x7f'));
    put_string(rsa_sig, "rsa-sha2-512");
    put_string(rsa_sig, std::string(256, '\x11'));
    blob += std::string("\0\0\0\1", 4);
    put_string(blob, rsa_key);
    put_string(blob, "ns");
    put_string(blob, "");
    put_string(blob, "sha512");
    put_string(blob, rsa_sig);
    const auto v = sshsig::verify(blob, "ns", message, false);
    CHECK_FALSE(v.ok);
    CHECK(v.error == "the signing key is not an ssh-ed25519 key");

    // A length field far past the end is not followed.
    std::string huge = "SSHSIG";
    huge += std::string("\0\0\0\1\xff\xff\xff\xf0", 8);
    CHECK(sshsig::verify(huge, "ns", message, false).error == "the signature is cut short");
    std::string v2 = blob_of(armored);
    v2[9] = '\2';
    CHECK(sshsig::verify(v2, "ns", message, false).error == "unsupported SSHSIG version 2");
}

TEST_CASE("sshsig: public key lines and key ids", "[sshsig]") {
    const auto& v = vectors();
    const auto pub = sshsig::public_key_of(test_key());
    const std::string line = v.at("public_key");
    CHECK(sshsig::parse_public_key_line(line) == pub);
    CHECK(sshsig::parse_public_key_line(line.substr(0, line.rfind(' '))) == pub);          // no comment
    CHECK(sshsig::parse_public_key_line(v.at("allowed_signers").get<std::string>()) == pub);  // a principal first
    CHECK(sshsig::parse_public_key_line("  " + line + "\n") == pub);
    CHECK_FALSE(sshsig::parse_public_key_line(""));
    CHECK_FALSE(sshsig::parse_public_key_line("ssh-ed25519"));
    CHECK_FALSE(sshsig::parse_public_key_line("ssh-ed25519 not-base64!"));
    CHECK_FALSE(sshsig::parse_public_key_line("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ=="));  // an RSA blob
    CHECK_FALSE(sshsig::parse_public_key_line("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ=="));
    CHECK(sshsig::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sshsig::base64_encode("ab") == "YWI=");
    CHECK(sshsig::base64_decode("YWI=") == "ab");
    CHECK_FALSE(sshsig::base64_decode("YWI"));
}

TEST_CASE("sshsig: ssh-keygen -Y verify and check-novalidate accept our signatures", "[sshsig][ssh-keygen]") {
    require_ssh_keygen();
    const auto& v = vectors();
    scratch_dir dir;
    write_file(dir / "allowed_signers", v.at("allowed_signers").get<std::string>() + "\n");
    const auto key = test_key();
    const std::string statement = v.at("signatures").at(1).at("statement");  // non-ASCII names in it
    write_file(dir / "statement", statement);
    write_file(dir / "statement.sig", sshsig::sign(key, "est-live-signature", statement));
    const std::string q = shell_quote(dir.path().string());

    const auto verified = run_command("ssh-keygen -Y verify -f " + q + "/allowed_signers -I est-live -n est-live-signature -s " +
                                      q + "/statement.sig < " + q + "/statement");
    INFO(verified.output);
    CHECK(verified.status == 0);
    CHECK(verified.output.find(v.at("key_id").get<std::string>()) != std::string::npos);

    const auto novalidate =
        run_command("ssh-keygen -Y check-novalidate -n est-live-signature -s " + q + "/statement.sig < " + q + "/statement");
    INFO(novalidate.output);
    CHECK(novalidate.status == 0);

    // And ssh-keygen refuses what it should: another namespace, another principal, a changed statement.
    CHECK(run_command("ssh-keygen -Y verify -f " + q + "/allowed_signers -I est-live -n est-live-closing -s " + q +
                      "/statement.sig < " + q + "/statement")
              .status != 0);
    CHECK(run_command("ssh-keygen -Y verify -f " + q + "/allowed_signers -I someone -n est-live-signature -s " + q +
                      "/statement.sig < " + q + "/statement")
              .status != 0);
    write_file(dir / "changed", statement + "\n");
    CHECK(run_command("ssh-keygen -Y verify -f " + q + "/allowed_signers -I est-live -n est-live-signature -s " + q +
                      "/statement.sig < " + q + "/changed")
              .status != 0);
}

TEST_CASE("sshsig: ssh-keygen -Y sign with the test key writes the golden signatures byte for byte", "[sshsig][ssh-keygen]") {
    require_ssh_keygen();
    const auto& v = vectors();
    scratch_dir dir;
    write_file(dir / "test_key", v.at("openssh_private_key").get<std::string>());
    std::filesystem::permissions(dir / "test_key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    const std::string q = shell_quote(dir.path().string());
    const auto rec = v.at("closing");
    write_file(dir / "closing", rec.at("statement").get<std::string>());
    const auto signed_ = run_command("ssh-keygen -q -Y sign -f " + q + "/test_key -n est-live-closing " + q + "/closing");
    INFO(signed_.output);
    REQUIRE(signed_.status == 0);
    CHECK(read_file(dir / "closing.sig") == rec.at("sshsig"));
}

TEST_CASE("sshsig: a signature by ssh-keygen -Y sign with a new ed25519 key verifies here", "[sshsig][ssh-keygen]") {
    require_ssh_keygen();
    scratch_dir dir;
    const std::string q = shell_quote(dir.path().string());
    const auto made = run_command("ssh-keygen -q -t ed25519 -N '' -C tester -f " + q + "/id_ed25519");
    INFO(made.output);
    REQUIRE(made.status == 0);
    const std::string message = "{\"meeting\":\"m1\",\"text\":\"Åsa – läget\"}\n";
    write_file(dir / "message", message);
    const auto signed_ = run_command("ssh-keygen -q -Y sign -f " + q + "/id_ed25519 -n est-live-signature " + q + "/message");
    INFO(signed_.output);
    REQUIRE(signed_.status == 0);

    const auto pub = sshsig::parse_public_key_line(read_file(dir / "id_ed25519.pub"));
    REQUIRE(pub);
    const auto sig = read_file(dir / "message.sig");
    const auto v = sshsig::verify(sig, "est-live-signature", message);
    INFO(v.error);
    CHECK(v.ok);
    CHECK(v.key == *pub);
    CHECK_FALSE(sshsig::verify(sig, "est-live-closing", message).ok);
    CHECK_FALSE(sshsig::verify(sig, "est-live-signature", message.substr(1)).ok);

    // Our key id is what ssh-keygen -l prints for the key.
    const auto listed = run_command("ssh-keygen -l -f " + q + "/id_ed25519.pub");
    CHECK(listed.output.find(sshsig::key_id(*pub)) != std::string::npos);
}
