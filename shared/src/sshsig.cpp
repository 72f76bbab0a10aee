#include "est/sshsig.hpp"

#include <cstring>
#include <stdexcept>

#include <sodium.h>

namespace est::sshsig {

namespace {

constexpr std::string_view magic = "SSHSIG";
constexpr std::uint32_t sig_version = 1;
constexpr std::string_view key_type = "ssh-ed25519";
constexpr std::string_view begin_line = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view end_line = "-----END SSH SIGNATURE-----";
constexpr std::size_t armor_columns = 70;  // what ssh-keygen writes
// An armored or binary signature larger than this is not one of ours, nor any Ed25519 SSHSIG.
constexpr std::size_t max_signature_bytes = 16 * 1024;

void ensure_sodium() {
    // sodium_init() is thread-safe and idempotent; it picks the fastest implementations and seeds the RNG.
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
}

// RFC 4251 wire format: uint32 big-endian, and string = uint32 length followed by the bytes.
void put_u32(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>((v >> 24) & 0xff));
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}
void put_string(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}
template <std::size_t N>
std::string_view bytes_of(const std::array<unsigned char, N>& a) {
    return {reinterpret_cast<const char*>(a.data()), N};
}

// Bounds-checked reader over a wire blob: every read fails (returns false) rather than run past the end.
class reader {
public:
    explicit reader(std::string_view data) : data_(data) {}
    bool u32(std::uint32_t& v) {
        if (data_.size() < 4) return false;
        const auto* p = reinterpret_cast<const unsigned char*>(data_.data());
        v = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
        data_.remove_prefix(4);
        return true;
    }
    bool raw(std::size_t n, std::string_view& out) {
        if (data_.size() < n) return false;
        out = data_.substr(0, n);
        data_.remove_prefix(n);
        return true;
    }
    bool string(std::string_view& out) {
        std::uint32_t n = 0;
        return u32(n) && raw(n, out);
    }
    bool at_end() const { return data_.empty(); }

private:
    std::string_view data_;
};

std::string public_key_blob(const public_key& key) {
    std::string blob;
    put_string(blob, key_type);
    put_string(blob, bytes_of(key));
    return blob;
}

std::optional<public_key> parse_public_key_blob(std::string_view blob) {
    reader r(blob);
    std::string_view type, raw;
    if (!r.string(type) || type != key_type || !r.string(raw) || raw.size() != 32 || !r.at_end()) return std::nullopt;
    public_key key{};
    std::memcpy(key.data(), raw.data(), key.size());
    return key;
}

std::string base64(std::string_view bytes, int variant) {
    ensure_sodium();
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      variant);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// Standard base64 with padding; whitespace (line breaks of the armor) is skipped. nullopt when not base64.
std::optional<std::string> unbase64(std::string_view text) {
    ensure_sodium();
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          " \t\r\n", &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    return out;
}

std::string hash_of(std::string_view alg, std::string_view message) {
    if (alg == "sha512") {
        std::string h(crypto_hash_sha512_BYTES, '\0');
        crypto_hash_sha512(reinterpret_cast<unsigned char*>(h.data()),
                           reinterpret_cast<const unsigned char*>(message.data()), message.size());
        return h;
    }
    std::string h(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(h.data()),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
    return h;
}

// What is signed (PROTOCOL.sshsig): MAGIC_PREAMBLE, then namespace, reserved, hash algorithm and H(message) as
// strings.
std::string signed_data(std::string_view ns, std::string_view alg, std::string_view message) {
    std::string data(magic);
    put_string(data, ns);
    put_string(data, "");
    put_string(data, alg);
    put_string(data, hash_of(alg, message));
    return data;
}

std::optional<std::string> dearmor(std::string_view text, std::string& error) {
    const auto begin = text.find(begin_line);
    if (begin == std::string_view::npos) {
        error = "no -----BEGIN SSH SIGNATURE----- line";
        return std::nullopt;
    }
    const auto body_start = begin + begin_line.size();
    const auto end = text.find(end_line, body_start);
    if (end == std::string_view::npos) {
        error = "no -----END SSH SIGNATURE----- line";
        return std::nullopt;
    }
    auto blob = unbase64(text.substr(body_start, end - body_start));
    if (!blob) error = "the signature's base64 is damaged";
    return blob;
}

verdict fail(std::string why) {
    verdict v;
    v.error = std::move(why);
    return v;
}

}  // namespace

std::string sign_blob(const secret_key& key, std::string_view ns, std::string_view message) {
    ensure_sodium();
    if (ns.empty()) throw std::invalid_argument("an SSHSIG namespace must not be empty");
    constexpr std::string_view alg = "sha512";
    const std::string data = signed_data(ns, alg, message);
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                         key.data());
    public_key pub{};
    crypto_sign_ed25519_sk_to_pk(pub.data(), key.data());

    std::string sig_blob;
    put_string(sig_blob, key_type);
    put_string(sig_blob, bytes_of(sig));

    std::string blob(magic);
    put_u32(blob, sig_version);
    put_string(blob, public_key_blob(pub));
    put_string(blob, ns);
    put_string(blob, "");
    put_string(blob, alg);
    put_string(blob, sig_blob);
    return blob;
}

std::string sign(const secret_key& key, std::string_view ns, std::string_view message) {
    const std::string b64 = base64(sign_blob(key, ns, message), sodium_base64_VARIANT_ORIGINAL);
    std::string out(begin_line);
    out.push_back('\n');
    for (std::size_t i = 0; i < b64.size(); i += armor_columns) {
        out.append(b64, i, armor_columns);
        out.push_back('\n');
    }
    out.append(end_line);
    out.push_back('\n');
    return out;
}

verdict verify(std::string_view signature, std::string_view ns, std::string_view message, bool armored) {
    try {
        ensure_sodium();
        if (signature.size() > max_signature_bytes) return fail("the signature is too large to be an Ed25519 SSHSIG");
        std::string blob;
        if (armored) {
            std::string error;
            auto b = dearmor(signature, error);
            if (!b) return fail(std::move(error));
            blob = std::move(*b);
        } else {
            blob.assign(signature);
        }

        reader r(blob);
        std::string_view preamble, pub_blob, sig_ns, reserved, alg, sig_blob;
        std::uint32_t version = 0;
        if (!r.raw(magic.size(), preamble) || preamble != magic) return fail("not an SSH signature (no SSHSIG preamble)");
        if (!r.u32(version)) return fail("the signature is cut short");
        if (version != sig_version) return fail("unsupported SSHSIG version " + std::to_string(version));
        if (!r.string(pub_blob) || !r.string(sig_ns) || !r.string(reserved) || !r.string(alg) || !r.string(sig_blob))
            return fail("the signature is cut short");
        if (!r.at_end()) return fail("the signature has trailing bytes");

        const auto key = parse_public_key_blob(pub_blob);
        if (!key) return fail("the signing key is not an ssh-ed25519 key");
        if (sig_ns != ns)
            return fail("the signature is for namespace \"" + std::string(sig_ns) + "\", not \"" + std::string(ns) + "\"");
        if (alg != "sha512" && alg != "sha256") return fail("unsupported hash algorithm \"" + std::string(alg) + "\"");

        reader s(sig_blob);
        std::string_view sig_type, sig_raw;
        if (!s.string(sig_type) || !s.string(sig_raw) || !s.at_end()) return fail("the signature blob is damaged");
        if (sig_type != key_type) return fail("the signature is not an ssh-ed25519 signature");
        if (sig_raw.size() != crypto_sign_BYTES) return fail("the Ed25519 signature has the wrong length");

        const std::string data = signed_data(ns, alg, message);
        if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig_raw.data()),
                                        reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                                        key->data()) != 0)
            return fail("the signature does not match the message");
        verdict v;
        v.ok = true;
        v.key = *key;
        return v;
    } catch (const std::exception& e) {  // allocation; nothing else throws here
        return fail(e.what());
    }
}

std::string public_key_line(const public_key& key, std::string_view comment) {
    std::string line(key_type);
    line.push_back(' ');
    line += base64(public_key_blob(key), sodium_base64_VARIANT_ORIGINAL);
    if (!comment.empty()) {
        line.push_back(' ');
        line.append(comment);
    }
    return line;
}

std::optional<public_key> parse_public_key_line(std::string_view line) {
    // Tolerates what may stand before the key type (an allowed_signers principal and options) and after the
    // base64 (a comment): the token after the first "ssh-ed25519" is the key.
    auto next_token = [&line]() -> std::string_view {
        const auto start = line.find_first_not_of(" \t\r\n");
        if (start == std::string_view::npos) {
            line = {};
            return {};
        }
        line.remove_prefix(start);
        const auto stop = std::min(line.find_first_of(" \t\r\n"), line.size());
        const auto token = line.substr(0, stop);
        line.remove_prefix(stop);
        return token;
    };
    for (auto token = next_token(); !token.empty(); token = next_token()) {
        if (token != key_type) continue;
        const auto b64 = next_token();
        if (b64.empty() || b64.size() > 1024) return std::nullopt;
        const auto blob = unbase64(b64);
        if (!blob) return std::nullopt;
        return parse_public_key_blob(*blob);
    }
    return std::nullopt;
}

std::string key_id(const public_key& key) {
    const std::string blob = public_key_blob(key);
    return "SHA256:" + base64(hash_of("sha256", blob), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::string sha256_hex(std::string_view data) {
    ensure_sodium();
    const std::string h = hash_of("sha256", data);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * h.size());
    for (const char c : h) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xf]);
    }
    return out;
}

secret_key secret_key_from_seed(const seed& s) {
    ensure_sodium();
    public_key pub{};
    secret_key key{};
    crypto_sign_seed_keypair(pub.data(), key.data(), s.data());
    return key;
}

public_key public_key_of(const secret_key& key) {
    public_key pub{};
    crypto_sign_ed25519_sk_to_pk(pub.data(), key.data());
    return pub;
}

secret_key generate_secret_key() {
    ensure_sodium();
    public_key pub{};
    secret_key key{};
    crypto_sign_keypair(pub.data(), key.data());
    return key;
}

std::string base64_encode(std::string_view bytes) { return base64(bytes, sodium_base64_VARIANT_ORIGINAL); }

std::optional<std::string> base64_decode(std::string_view text) { return unbase64(text); }

}  // namespace est::sshsig
