#include "est/server/records/signing_keys.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <ctime>
#include <regex>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace est::server::records {

namespace {

namespace fs = std::filesystem;

// ed25519-20261204T101500Z.key; a second key made in the same second gets _01, _02 … so that names sort by age.
const std::regex key_file_name(R"(ed25519-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(_\d{2})?\.key)");

std::runtime_error key_error(const fs::path& file, const std::string& what) {
    return std::runtime_error("signing key " + file.string() + ": " + what);
}

std::string hex_of(const sshsig::secret_key& key) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : key) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xf]);
    }
    return out;
}

// The 64-byte libsodium secret key, raw or as hex (whitespace around it allowed).
std::optional<sshsig::secret_key> parse_secret(const std::string& bytes) {
    sshsig::secret_key key{};
    if (bytes.size() == key.size()) {
        std::memcpy(key.data(), bytes.data(), key.size());
        return key;
    }
    const auto first = bytes.find_first_not_of(" \t\r\n");
    const auto last = bytes.find_last_not_of(" \t\r\n");
    if (first == std::string::npos || last - first + 1 != 2 * key.size()) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < key.size(); ++i) {
        const int hi = nibble(bytes[first + 2 * i]), lo = nibble(bytes[first + 2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return key;
}

// Reads a key file, refusing one that others could have read (or replaced): it must be a regular file of ours,
// no group or other permissions.
sshsig::secret_key load_key(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw key_error(file, std::string("cannot open: ") + std::strerror(errno));
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } close_it{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw key_error(file, std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw key_error(file, "not a regular file");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw key_error(file, std::string("is open to group or others (mode ") + mode +
                                  "); a secret key must be readable by the server's user only: run chmod 600 " +
                                  file.string());
    }
    if (st.st_size > 4096) throw key_error(file, "too large to be an Ed25519 key");
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < bytes.size()) {
        const auto n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw key_error(file, "cannot read");
        got += static_cast<std::size_t>(n);
    }
    const auto key = parse_secret(bytes);
    if (!key) throw key_error(file, "damaged: not 64 bytes of an Ed25519 secret key (raw or hex)");
    // The second half is the public key: it must be the one the seed makes, or the file is damaged.
    std::array<unsigned char, 32> seed{};
    std::copy_n(key->begin(), seed.size(), seed.begin());
    if (sshsig::secret_key_from_seed(seed) != *key) throw key_error(file, "damaged: its public half does not match its seed");
    return *key;
}

void sync_folder(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Writes `bytes` to a new file `file` that is never readable by anyone but us, not even while it is written:
// created 0600 with O_EXCL under a temporary name, synced, then linked to its name (which must not exist yet).
void write_new_private_file(const fs::path& file, const std::string& bytes) {
    const fs::path tmp = file.string() + ".tmp";
    ::unlink(tmp.c_str());  // a left-over of a crash: never a key, as it had no name yet
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw key_error(tmp, std::string("cannot create: ") + std::strerror(errno));
    std::size_t put = 0;
    bool ok = true;
    while (ok && put < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + put, bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) put += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::link(tmp.c_str(), file.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw key_error(file, std::string("cannot write: ") + std::strerror(err));
    }
    ::unlink(tmp.c_str());
    sync_folder(file.parent_path());
}

// A key as GET /api/keys shows it; created_at comes from the file's name (a copied file keeps its age).
signing_keys::key_info describe(const sshsig::secret_key& secret, const std::string& file_name, bool current) {
    std::smatch m;
    std::regex_match(file_name, m, key_file_name);
    const auto pub = sshsig::public_key_of(secret);
    return {sshsig::key_id(pub), sshsig::public_key_line(pub),
            m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" + m[5].str() + ":" + m[6].str() + "Z",
            current};
}

std::string stamp_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
    return buf;
}

}  // namespace

signing_keys::signing_keys(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::unique_ptr<signing_keys> signing_keys::open(const std::filesystem::path& data_dir) {
    const fs::path dir = data_dir / "keys";
    fs::create_directories(data_dir);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    std::unique_ptr<signing_keys> keys(new signing_keys(dir));

    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (std::regex_match(name, key_file_name)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());  // by name: oldest first
    for (const auto& file : files) {
        const auto secret = load_key(file);
        keys->keys_.push_back({describe(secret, file.filename().string(), false), secret});
    }
    if (keys->keys_.empty()) {
        keys->rotate();
    } else {
        keys->keys_.back().info.current = true;
    }
    return keys;
}

signing_keys::key_info signing_keys::rotate() {
    std::lock_guard lock(mutex_);
    const auto secret = sshsig::generate_secret_key();
    // The name must sort after every existing one even when the clock has not moved on (or went back).
    const std::string stamp = stamp_now();
    std::string last;
    for (const auto& e : fs::directory_iterator(dir_)) {
        const std::string name = e.path().filename().string();
        if (std::regex_match(name, key_file_name)) last = std::max(last, name);
    }
    std::string name = "ed25519-" + stamp + ".key";
    if (!last.empty() && name <= last) {
        // ed25519-<stamp>Z[_NN].key: the next number after the newest name's stamp.
        const std::string last_stamp = last.substr(8, 16);
        const int next = last.size() > 28 ? std::stoi(last.substr(25, 2)) + 1 : 1;
        if (next > 99) throw std::runtime_error("too many signing keys made within one second");
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "_%02d", next);
        name = "ed25519-" + last_stamp + suffix + ".key";
    }
    write_new_private_file(dir_ / name, hex_of(secret) + "\n");

    for (auto& e : keys_) e.info.current = false;
    keys_.push_back({describe(secret, name, true), secret});
    return keys_.back().info;
}

signing_keys::signature signing_keys::sign(std::string_view ns, std::string_view message) const {
    std::lock_guard lock(mutex_);
    const auto& current = keys_.back();
    return {sshsig::sign(current.secret, ns, message), current.info.key_id};
}

signing_keys::signature signing_keys::sign_blob(std::string_view ns, std::string_view message) const {
    std::lock_guard lock(mutex_);
    const auto& current = keys_.back();
    return {sshsig::sign_blob(current.secret, ns, message), current.info.key_id};
}

std::vector<signing_keys::key_info> signing_keys::keys() const {
    std::lock_guard lock(mutex_);
    std::vector<key_info> out;
    for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) out.push_back(it->info);
    return out;
}

std::optional<signing_keys::key_info> signing_keys::find(std::string_view key_id) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : keys_)
        if (e.info.key_id == key_id) return e.info;
    return std::nullopt;
}

std::string signing_keys::current_key_id() const {
    std::lock_guard lock(mutex_);
    return keys_.back().info.key_id;
}

nlohmann::json signing_keys::to_json() const {
    auto list = nlohmann::json::array();
    for (const auto& k : keys())
        list.push_back({{"key_id", k.key_id}, {"public_key", k.public_key}, {"created_at", k.created_at}, {"current", k.current}});
    return {{"keys", std::move(list)}};
}

}  // namespace est::server::records
