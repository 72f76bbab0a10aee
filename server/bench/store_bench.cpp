// est-store-bench: drives est::server::store the way the meeting rooms do (one op INSERT per change, a
// snapshot every --snapshot-every revisions of a meeting, completion after the commit) and prints what the
// store costs per op: CPU (process and store thread), bytes and write calls per op, ops per commit.
//
//   est-store-bench [--meetings 300] [--rate 4000] [--ops 20000] [--prefill 300] [--sync full|normal]
//                   [--dir /tmp] [--change-bytes 110] [--snapshot-every 500] [--snapshot-bytes 8000]
//                   [--commit-interval-us 0] [--batch 0]
//
// --batch K: instead of pacing, K ops from K different meetings at a time, the next K once those are
// durable: commits of (nearly always) exactly K ops, for comparing CPU per op on a busy machine.
//
// The prefill (ops per meeting, written first and not measured) gives each meeting a history, as in a
// running server, so each meeting's newest rows are on a leaf page of their own. Paced at --rate ops/s
// from one producer thread over --meetings meetings chosen at random; CPU time, not wall time, is the
// figure to compare (the machine may be shared). Not built by default: `--target est-store-bench`.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "est/server/store.hpp"

namespace {

// A VFS over the default one that counts what SQLite writes, by kind of file: registered as the default
// before the store opens its database, so every write the store makes passes through it.
namespace counting_vfs {
enum kind { db, wal, sub_journal, other, kinds };
const char* const kind_names[] = {"db", "wal", "sub-journal/temp", "other"};
struct counters {
    std::atomic<std::uint64_t> writes[kinds]{}, bytes[kinds]{}, syncs[kinds]{}, opens[kinds]{};
};
counters count;
sqlite3_vfs* base = nullptr;
sqlite3_vfs vfs{};

struct file {
    sqlite3_file base;  // must be first: its pMethods is ours
    kind k;
    sqlite3_file* real;  // allocated right after this struct
};

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<file*>(f)->real; }
int x_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int x_read(sqlite3_file* f, void* p, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), p, n, o); }
int x_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 o) {
    const auto k = reinterpret_cast<file*>(f)->k;
    ++count.writes[k];
    count.bytes[k] += static_cast<std::uint64_t>(n);
    return real(f)->pMethods->xWrite(real(f), p, n, o);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); }
int x_sync(sqlite3_file* f, int flags) {
    ++count.syncs[reinterpret_cast<file*>(f)->k];
    return real(f)->pMethods->xSync(real(f), flags);
}
int x_size(sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); }
int x_lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
int x_check(sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); }
int x_control(sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); }
int x_sector(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_caps(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int i, int sz, int ext, void volatile** p) {
    return real(f)->pMethods->xShmMap(real(f), i, sz, ext, p);
}
int x_shm_lock(sqlite3_file* f, int o, int n, int flags) { return real(f)->pMethods->xShmLock(real(f), o, n, flags); }
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real(f)->pMethods->xFetch(real(f), o, n, p); }
int x_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); }
const sqlite3_io_methods methods{3,          x_close,   x_read,        x_write,     x_truncate, x_sync,
                                 x_size,     x_lock,    x_unlock,      x_check,     x_control,  x_sector,
                                 x_caps,     x_shm_map, x_shm_lock,    x_shm_barrier, x_shm_unmap, x_fetch,
                                 x_unfetch};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* mine = reinterpret_cast<file*>(f);
    mine->real = reinterpret_cast<sqlite3_file*>(mine + 1);
    mine->k = (flags & SQLITE_OPEN_MAIN_DB) ? db
              : (flags & SQLITE_OPEN_WAL) ? wal
              : (flags & (SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TEMP_DB)) ? sub_journal
                                                                                                     : other;
    ++count.opens[mine->k];
    const int rc = base->xOpen(base, name, mine->real, flags, out_flags);
    // The base's methods must all be there for ours to forward to (version 3: WAL and mmap).
    f->pMethods = (rc == SQLITE_OK && mine->real->pMethods) ? &methods : nullptr;
    return rc;
}

void install() {
    base = sqlite3_vfs_find(nullptr);
    vfs = *base;
    vfs.zName = "counting";
    vfs.szOsFile = static_cast<int>(sizeof(file)) + base->szOsFile;
    vfs.xOpen = x_open;
    sqlite3_vfs_register(&vfs, 1);
}

struct snapshot {
    std::uint64_t writes[kinds], bytes[kinds], syncs[kinds], opens[kinds];
};
snapshot take() {
    snapshot s{};
    for (int k = 0; k < kinds; ++k) {
        s.writes[k] = count.writes[k];
        s.bytes[k] = count.bytes[k];
        s.syncs[k] = count.syncs[k];
        s.opens[k] = count.opens[k];
    }
    return s;
}
}  // namespace counting_vfs

using clock_type = std::chrono::steady_clock;

struct cpu_time {
    double user = 0, sys = 0;
};
cpu_time cpu_seconds(int who) {
    rusage ru{};
    getrusage(who, &ru);
    return {static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
            static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6};
}

// /proc/self/io: bytes handed to write calls (wchar) and the number of those calls (syscw).
std::map<std::string, std::uint64_t> io_counters() {
    std::map<std::string, std::uint64_t> out;
    std::ifstream in("/proc/self/io");
    std::string key;
    std::uint64_t v = 0;
    while (in >> key >> v) out[key.substr(0, key.size() - 1)] = v;
    return out;
}

std::set<long> thread_ids() {
    std::set<long> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) out.insert(std::stol(e.path().filename()));
    return out;
}

// The time a thread has run, in ns (scheduler accounting, exact; not sampled like getrusage's user/system split).
std::uint64_t thread_runtime_ns(long tid) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/schedstat");
    std::uint64_t ns = 0;
    in >> ns;
    return ns;
}

std::string hex_id(std::mt19937_64& rng, const char* prefix, int digits) {
    static const char* hex = "0123456789abcdef";
    std::string id(prefix);
    auto v = rng();
    for (int i = 0; i < digits; ++i, v >>= 4) id.push_back(hex[v & 0xF]);
    return id;
}

struct meeting {
    std::string id;
    std::string client;
    std::string author;
    std::uint64_t rev = 0;
    std::uint64_t last_snapshot = 0;
};

struct tracker {
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t done = 0;
    std::uint64_t errors = 0;
    std::uint64_t wake_at = 0;  // the producer waits for this many completions: wake it only then
};

struct options {
    int meetings = 300;
    double rate = 4000;
    std::uint64_t ops = 20000;
    std::uint64_t prefill = 300;
    bool full_sync = true;
    std::string dir = "/tmp";
    std::size_t change_bytes = 110;
    std::uint64_t snapshot_every = 500;
    std::size_t snapshot_bytes = 8000;
    std::chrono::microseconds commit_interval{0};
    int batch = 0;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--meetings") o.meetings = std::stoi(v);
        else if (k == "--rate") o.rate = std::stod(v);
        else if (k == "--ops") o.ops = std::stoull(v);
        else if (k == "--prefill") o.prefill = std::stoull(v);
        else if (k == "--sync") o.full_sync = v == "full";
        else if (k == "--dir") o.dir = v;
        else if (k == "--change-bytes") o.change_bytes = std::stoull(v);
        else if (k == "--snapshot-every") o.snapshot_every = std::stoull(v);
        else if (k == "--snapshot-bytes") o.snapshot_bytes = std::stoull(v);
        else if (k == "--batch") o.batch = std::stoi(v);
        else if (k == "--commit-interval-us") o.commit_interval = std::chrono::microseconds(std::stoll(v));
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    return o;
}

std::string change_json(std::size_t bytes, std::uint64_t rev) {
    std::string c = R"({"kind":"text","target":{"topic":"hot-och-vald","org":"polis","entry":"e2","field":"handelse"},"ops":[)";
    c += std::to_string(rev % 1000);
    c += R"(,")";
    while (c.size() + 3 < bytes) c.push_back('x');
    c += R"("]})";
    return c;
}

// One op for meeting `m`, as meeting_room::do_submit hands it over.
void submit(est::server::store& s, meeting& m, const options& o, const std::shared_ptr<tracker>& t) {
    ++m.rev;
    s.append_op({m.id, m.rev, m.client, m.rev, m.author, change_json(o.change_bytes, m.rev)},
                [t, rev = m.rev](const std::string& error) {
                    std::lock_guard lock(t->m);
                    ++t->done;
                    if (!error.empty()) ++t->errors;
                    (void)rev;
                    if (t->done == t->wake_at) t->cv.notify_all();
                });
    if (m.rev - m.last_snapshot >= o.snapshot_every) {
        s.save_snapshot(m.id, m.rev, std::string(o.snapshot_bytes, 's'));
        m.last_snapshot = m.rev;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    counting_vfs::install();
    // A fresh database in a new directory under --dir (on tmpfs, /dev/shm, the disk's cost drops out).
    std::string tmpl = o.dir + "/est-store-bench-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
        std::perror(tmpl.c_str());
        return 1;
    }
    const std::filesystem::path dir = tmpl, file = dir / "est.sqlite3";

    std::mt19937_64 rng(42);
    std::vector<meeting> meetings(static_cast<std::size_t>(o.meetings));
    for (auto& m : meetings) {
        m.id = hex_id(rng, "m-", 12);
        m.client = hex_id(rng, "c-", 16);
        m.author = R"({"name":"Deltagare kommun","org":"kommun","session":")" + hex_id(rng, "s-", 12) + R"("})";
    }

    // Prefill: every meeting row, then `prefill` ops each, unpaced.
    {
        est::server::store s(file, false);
        auto wait = [&](auto write) {
            std::promise<std::string> p;
            write([&](const std::string& e) { p.set_value(e); });
            const auto e = p.get_future().get();
            if (!e.empty()) {
                std::fprintf(stderr, "prefill: %s\n", e.c_str());
                std::exit(1);
            }
        };
        wait([&](auto done) { s.put_group({"g-bench", "{}"}, done); });
        for (auto& m : meetings) wait([&](auto done) { s.put_meeting({m.id, "g-bench", "{}", "{}"}, done); });
        auto t = std::make_shared<tracker>();
        for (std::uint64_t i = 0; i < o.prefill; ++i) {
            for (auto& m : meetings) submit(s, m, o, t);
            if (i % 10 == 9) s.flush();  // commits of a few thousand ops, not one huge one
        }
        s.flush();
    }

    auto t = std::make_shared<tracker>();
    cpu_time cpu0, producer0, cpu1, producer1;
    std::map<std::string, std::uint64_t> io0, io1;
    counting_vfs::snapshot vfs0{}, vfs1{};
    est::server::store::stats st{};
    std::uint64_t store_runtime_ns = 0;
    const auto wall0 = clock_type::now();
    {
        const auto threads_before = thread_ids();
        est::server::store s(file, o.full_sync, o.commit_interval);
        long store_tid = 0;
        for (long tid : thread_ids())
            if (!threads_before.count(tid)) store_tid = tid;
        const auto before = s.counters();
        const std::uint64_t run0 = thread_runtime_ns(store_tid);
        cpu0 = cpu_seconds(RUSAGE_SELF);
        producer0 = cpu_seconds(RUSAGE_THREAD);
        io0 = io_counters();
        vfs0 = counting_vfs::take();
        const auto start = clock_type::now();
        std::uniform_int_distribution<std::size_t> pick(0, meetings.size() - 1);
        for (std::uint64_t i = 0; o.batch > 0 && i < o.ops;) {
            std::set<std::size_t> chosen;
            while (chosen.size() < static_cast<std::size_t>(o.batch) && chosen.size() < meetings.size()) chosen.insert(pick(rng));
            for (std::size_t m : chosen)
                if (i < o.ops) submit(s, meetings[m], o, t), ++i;
            std::unique_lock lock(t->m);
            t->wake_at = i;
            t->cv.wait(lock, [&] { return t->done == i; });
        }
        for (std::uint64_t i = 0; o.batch == 0 && i < o.ops; ++i) {
            std::this_thread::sleep_until(start + std::chrono::duration_cast<clock_type::duration>(
                                                      std::chrono::duration<double>(static_cast<double>(i) / o.rate)));
            submit(s, meetings[pick(rng)], o, t);
        }
        {
            std::unique_lock lock(t->m);
            t->wake_at = o.ops;
            t->cv.wait(lock, [&] { return t->done == o.ops; });
        }
        cpu1 = cpu_seconds(RUSAGE_SELF);
        producer1 = cpu_seconds(RUSAGE_THREAD);
        io1 = io_counters();
        vfs1 = counting_vfs::take();
        const auto after = s.counters();
        store_runtime_ns = thread_runtime_ns(store_tid) - run0;
        st.transactions = after.transactions - before.transactions;
        st.writes = after.writes - before.writes;
    }
    const double wall = std::chrono::duration<double>(clock_type::now() - wall0).count();
    const double n = static_cast<double>(o.ops);
    const double user = cpu1.user - cpu0.user, sys = cpu1.sys - cpu0.sys;
    const double store_user = user - (producer1.user - producer0.user), store_sys = sys - (producer1.sys - producer0.sys);
    const double wbytes = static_cast<double>(io1["wchar"] - io0["wchar"]);
    const double wcalls = static_cast<double>(io1["syscw"] - io0["syscw"]);
    std::printf("ops %llu  meetings %d  rate %.0f/s  sync %s  commit interval %lld us  errors %llu  wall %.2f s\n",
                static_cast<unsigned long long>(o.ops), o.meetings, o.rate, o.full_sync ? "full" : "normal",
                static_cast<long long>(o.commit_interval.count()), static_cast<unsigned long long>(t->errors), wall);
    std::printf("commits %llu  ops/commit %.1f\n", static_cast<unsigned long long>(st.transactions),
                st.transactions ? n / static_cast<double>(st.transactions) : 0.0);
    std::printf("cpu/op %.2f us (process)  %.2f us (store thread: user %.2f + system %.2f)\n", (user + sys) / n * 1e6,
                (store_user + store_sys) / n * 1e6, store_user / n * 1e6, store_sys / n * 1e6);
    std::printf("store thread: %.2f us on CPU per op (schedstat)\n", static_cast<double>(store_runtime_ns) / n / 1e3);
    std::printf("written/op %.0f bytes = %.2f pages of 4 KiB  write calls/op %.2f  write calls/commit %.1f\n",
                wbytes / n, wbytes / n / 4096.0, wcalls / n,
                st.transactions ? wcalls / static_cast<double>(st.transactions) : 0.0);
    std::printf("SQLite writes per op, by file (until the last completion; the closing checkpoint not counted):\n");
    for (int k = 0; k < counting_vfs::kinds; ++k) {
        const double w = static_cast<double>(vfs1.writes[k] - vfs0.writes[k]);
        const double b = static_cast<double>(vfs1.bytes[k] - vfs0.bytes[k]);
        if (w == 0 && vfs1.opens[k] == vfs0.opens[k]) continue;
        std::printf("  %-17s writes/op %.3f  KiB/op %.3f  syncs %llu  files opened %llu\n", counting_vfs::kind_names[k],
                    w / n, b / n / 1024.0, static_cast<unsigned long long>(vfs1.syncs[k] - vfs0.syncs[k]),
                    static_cast<unsigned long long>(vfs1.opens[k] - vfs0.opens[k]));
    }
    std::filesystem::remove_all(dir);
    return t->errors ? 1 : 0;
}
