#pragma once
// Every bound the server enforces, in one place, with its default. The server's command line can change
// them (est-server --help); docs/protocol.md lists them.
#include <cstddef>
#include <cstdint>

namespace est {

struct limits {
    std::size_t max_message_bytes = 64 * 1024;       // one WebSocket message
    std::size_t max_json_depth = 16;                 // nesting of one JSON message
    std::size_t max_field_length = 10000;            // UTF-16 units in one text field (unless the template says less)
    std::size_t max_meeting_text = 2 * 1024 * 1024;  // UTF-16 units in all fields of one meeting
    // What one meeting may cost encoded: its picture as JSON (as in a full welcome or a snapshot) plus the
    // sequence record of every client that changed it. Keeps a welcome far below max_outgoing_bytes.
    std::size_t max_meeting_bytes = 4 * 1024 * 1024;
    // A client's seq may run at most this far past its last applied one (gaps are refused changes).
    std::uint64_t max_seq_ahead = 4096;
    std::size_t max_entries_per_cell = 100;
    std::size_t max_items_per_topic = 30;            // decision items proposed from one topic
    std::size_t max_participants = 250;              // connections in one meeting
    std::size_t history_window = 2000;               // operations kept in memory for transform and catch-up
    std::size_t history_bytes = 128 * 1024;          // ... and at most about this much memory for each of the two
    std::uint64_t snapshot_every = 500;              // operations between snapshots
    std::size_t max_outgoing_messages = 4096;        // queued for one slow connection before it is closed
    std::size_t max_outgoing_bytes = 8 * 1024 * 1024;
};

}  // namespace est
