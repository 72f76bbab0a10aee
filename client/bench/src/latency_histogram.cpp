#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace est::bench {

namespace {
constexpr std::uint64_t sub_count = 1u << 10;
}

latency_histogram::latency_histogram() : buckets_((max_exp - sub_bits + 2) * sub_count, 0) {}

std::size_t latency_histogram::index_of(std::uint64_t v) noexcept {
    if (v < 2 * sub_count) return static_cast<std::size_t>(v);
    const int msb = static_cast<int>(std::bit_width(v)) - 1;  // v in [2^msb, 2^(msb+1))
    const int shift = std::min(msb, max_exp) - sub_bits;
    if (msb > max_exp) return (static_cast<std::size_t>(max_exp - sub_bits) + 2) * sub_count - 1;
    // Values of [2^msb, 2^(msb+1)) map to sub_count buckets of width 2^shift.
    return static_cast<std::size_t>(shift + 1) * sub_count + static_cast<std::size_t>((v >> shift) - sub_count);
}

std::uint64_t latency_histogram::upper_of(std::size_t i) noexcept {
    if (i < 2 * sub_count) return i;
    const std::size_t shift = i / sub_count - 1;
    const std::uint64_t base = (i % sub_count + sub_count) << shift;
    return base + (std::uint64_t{1} << shift) - 1;
}

void latency_histogram::record(std::int64_t ns) noexcept {
    if (ns < 0) ns = 0;
    ++buckets_[index_of(static_cast<std::uint64_t>(ns))];
    ++count_;
    sum_ += ns;
    max_ = std::max(max_, ns);
}

void latency_histogram::merge(const latency_histogram& other) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
}

std::int64_t latency_histogram::quantile(double q) const noexcept {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min<std::int64_t>(static_cast<std::int64_t>(upper_of(i)), max_);
    }
    return max_;
}

std::uint64_t latency_histogram::count_above(std::int64_t ns) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i)
        if (static_cast<std::int64_t>(upper_of(i)) > ns) n += buckets_[i];
    return n;
}

}  // namespace est::bench
