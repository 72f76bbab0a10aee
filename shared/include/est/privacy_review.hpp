#pragma once
// The personal identity numbers flagged in a meeting's picture, and the chair's acknowledgements of them
// (DESIGN.md §6). A flag is derived from the text: the numbers find_personal_numbers sees in a field, each named by
// the SHA-256 (hex) of its last ten digits (YYMMDDNNNC, so "19121212-1212" and "121212-1212" are one number). A flag
// is resolved when the number is edited away or the chair has acknowledged that number in that field with a
// reason; the sign-off waits until every flag is resolved. Pure; meeting_state keeps one per meeting.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"
#include "est/personal_number.hpp"

namespace est {

class meeting_document;

struct number_flag {
    std::string number;  // SHA-256 (hex) of the last ten digits
    personal_number_kind kind = personal_number_kind::personnummer;
    bool operator==(const number_flag&) const = default;
};

struct acknowledgement {
    field_ref target;
    std::string number;
    std::string reason;
    std::string by;  // the chair's name as the meeting knew them
    std::string at;  // UTC, ISO 8601
    std::uint64_t rev = 0;
    bool operator==(const acknowledgement&) const = default;
};

// The SHA-256 (hex) naming the number at [m.begin, m.end) of `text`.
std::string personal_number_id(std::u16string_view text, const personal_number_match& m);

// The most different numbers one field may hold: a change that would bring more is refused (limit_reached), so a
// field's flags — sent whole in an op and an ack when they change — stay small (about 2 KB).
inline constexpr std::size_t max_numbers_per_field = 20;

class privacy_review {
public:
    // What the detector sees in one field's text: its distinct numbers (their last ten digits), in the order they
    // first appear, and their kinds.
    struct field_scan {
        std::vector<std::u16string> digits;
        std::vector<personal_number_kind> kinds;
    };
    static field_scan scan(std::u16string_view text);

    // Takes a field's scan after a change: true when the numbers flagged in it changed.
    bool update(const field_ref& ref, field_scan found);
    // update(ref, scan(text)).
    bool rescan(const field_ref& ref, std::u16string_view text);
    // How many different numbers are flagged in the field now.
    std::size_t count_in(const field_ref& ref) const;
    // An entry ("topic/org/entry/") or decision item ("topic/*item/") was removed: its fields' flags go with it.
    // True when any did.
    bool forget(std::string_view key_prefix);
    // Every text field of the picture, from scratch (after loading a meeting).
    void rebuild(const meeting_document& doc);

    // Throws domain_error: not_found when `number` is not flagged in that field now, conflict when it was
    // acknowledged there already.
    void check_acknowledge(const acknowledge_change& a) const;
    void acknowledge(const acknowledge_change& a, std::uint64_t rev);

    // Flags not acknowledged: (field key, number), in key order.
    std::vector<std::pair<std::string, std::string>> unresolved() const;
    // The flags of one field ({"target","numbers":[{"number","kind"}]}); "numbers" is empty when it has none.
    nlohmann::json field_json(const field_ref& ref) const;
    nlohmann::json flags_json() const;         // [field_json…] for every field with a flag
    // [{"target","number","reason","by","at","rev"}…]; `only_flagged`: only those whose number is still in its field
    // (what a closed meeting keeps: an acknowledgement of a number edited away would keep a trace of it).
    nlohmann::json acknowledged_json(bool only_flagged = false) const;
    const std::vector<acknowledgement>& acknowledged() const noexcept { return acknowledged_; }
    // Restores the acknowledgements a snapshot holds; throws domain_error("bad_snapshot").
    void acknowledged_from_json(const nlohmann::json& j);
    // What the flags and acknowledgements cost encoded (in a welcome and a snapshot), roughly.
    std::size_t encoded_bytes() const noexcept { return flag_bytes_ + ack_bytes_; }
    // What acknowledging `a` adds to encoded_bytes().
    static std::size_t cost_of(const acknowledge_change& a);

private:
    struct field_flags {
        field_ref target;
        std::vector<std::u16string> digits;  // the ten digits of each number, to see quickly when nothing changed
        std::vector<number_flag> numbers;
    };
    void erase(std::map<std::string, field_flags, std::less<>>::iterator it);
    bool is_acknowledged(std::string_view key, std::string_view number) const;
    bool is_flagged(std::string_view key, std::string_view number) const;

    std::map<std::string, field_flags, std::less<>> flags_;  // by field key
    std::vector<acknowledgement> acknowledged_;
    std::size_t flag_bytes_ = 0;
    std::size_t ack_bytes_ = 0;
};

}  // namespace est
