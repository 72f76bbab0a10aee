#pragma once
// How a simulated participant types: bursts of keystrokes separated by pauses (see docs/performance.md,
// "Typing model"). Bursts have a geometric length (mean `burst_mean` keystrokes) with about `key_gap`
// between keystrokes (uniform in 0.5–1.5× `key_gap`); pauses are exponential, their mean chosen so that
// the long-run rate is exactly `rate` keystrokes per second. A keystroke inserts the next character of a
// pre-generated Swedish text, or (with probability `backspace`) deletes the last character.
#include <cstdint>
#include <random>
#include <string>

namespace est::bench {

struct typing_model {
    double rate = 1.0;           // keystrokes per second, long-run mean
    double burst_mean = 4.0;     // keystrokes per burst
    double key_gap = 0.150;      // seconds between keystrokes in a burst (≈ 80 words a minute); capped at 0.5/rate
    double backspace = 0.10;     // share of keystrokes that delete
    std::size_t max_length = 1000;  // a field this long is only deleted from

    double gap() const noexcept;    // the key gap in use
    double pause_mean() const noexcept;
};

// The text every simulated participant types, UTF-16, a few kilobytes of plausible EST-meeting prose.
const std::u16string& corpus();

class typist {
public:
    typist(const typing_model& m, std::size_t corpus_offset) : model_(&m), next_char_(corpus_offset) {}

    // Seconds until the next keystroke (the first call: a random phase, so participants do not type in step).
    double next_delay(std::mt19937_64& rng);
    // Whether this keystroke deletes, given the field's length and whether a composed change is waiting.
    bool backspace(std::mt19937_64& rng, std::size_t length, bool composing);
    char16_t next_char() noexcept;

private:
    const typing_model* model_;
    std::size_t next_char_;
    unsigned left_in_burst_ = 0;
    bool started_ = false;
};

}  // namespace est::bench
