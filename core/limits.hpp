// Every bound in clawnet, in one place. A limit has a name, a unit last, and a
// reason. Drivers may lower the configurable ones (see Config structs) but the
// compile-time checks below state how they must relate.
#pragma once

#include <cstddef>
#include <cstdint>

namespace clawnet::limits {

// --- Wire protocol -----------------------------------------------------------
// A control message is a flat JSON object of a few short fields; anything
// bigger is hostile or broken.
inline constexpr std::size_t message_bytes_max = 512;
inline constexpr std::size_t json_depth_max = 2;
inline constexpr std::size_t string_bytes_max = 80;
inline constexpr std::size_t channel_bytes_max = 64;

// --- Turn records ----------------------------------------------------------------
// The claw's record of one turn (a turn_summary) keeps this many entries (commands,
// rejections, motor changes, switch presses) and only counts the rest: a 30 s turn
// of a player holding a direction (a refresh every 200 ms) needs about 200.
inline constexpr std::size_t turn_record_entries_max = 256;
// The longest entry, encoded (a rejection of a command with the largest numbers;
// tests/core/turn_summary_test.cpp checks every kind), and everything around the entries.
inline constexpr std::size_t turn_record_entry_bytes_max = 112;
inline constexpr std::size_t turn_record_header_bytes_max = 512;
// The one message bigger than message_bytes_max, and nested (its entries): it must
// still fit PubNub's 32 KiB publish limit (the simulated network's message_max).
inline constexpr std::size_t turn_summary_bytes_max = 32 * 1024;
inline constexpr std::size_t turn_summary_json_depth_max = 4;
// clawd keeps the records of the last N turns (store.turn_records_kept).
inline constexpr std::size_t turn_records_kept_max = 1'000'000;
// Finished players, ended turns and admin actions the store keeps (the newest).
inline constexpr std::size_t history_kept_max = 1'000'000;

// --- Queue ---------------------------------------------------------------------
// The order-statistics queue is O(log N); the bound keeps memory and restart
// time bounded (one stored row per player).
inline constexpr std::size_t queue_length_max = 1'000'000;
// Players at ranks below this see their exact position after every change.
inline constexpr std::size_t position_exact_ranks = 10;

// --- Server waits -------------------------------------------------------------------
// A day at most: a longer wait is a typo, and would hold a turn or a stored
// place for days (clawd refused more than a day from the start).
inline constexpr std::int64_t turn_slack_ms_max = 24LL * 3'600'000;
inline constexpr std::int64_t grace_ms_max = 24LL * 3'600'000;
inline constexpr std::int64_t resend_ms_max = 24LL * 3'600'000;
// The ready check: a player answers in seconds; ten minutes is a queue standing still.
inline constexpr std::int64_t ready_ms_max = 600'000;

// --- Claw safety ------------------------------------------------------------------
inline constexpr std::int64_t turn_duration_ms_max = 120'000;
inline constexpr std::int64_t deadman_ms_max = 2'000;
inline constexpr std::int64_t motor_on_ms_max = 20'000;
inline constexpr std::int64_t drop_step_ms_max = 15'000;
// A prize passes the chute sensor in well under a second; longer is no debounce.
inline constexpr std::int64_t prize_debounce_ms_max = 1'000;
inline constexpr std::uint32_t commands_per_second_max = 50;

static_assert(position_exact_ranks >= 1);
static_assert(channel_bytes_max < string_bytes_max);
static_assert(string_bytes_max < message_bytes_max);
static_assert(message_bytes_max < turn_summary_bytes_max);
static_assert(json_depth_max < turn_summary_json_depth_max);
// Every entry with its comma, and the rest: a full record always fits.
static_assert(turn_record_entries_max * (turn_record_entry_bytes_max + 1) + turn_record_header_bytes_max <=
              turn_summary_bytes_max);
static_assert(deadman_ms_max < motor_on_ms_max);
static_assert(motor_on_ms_max <= turn_duration_ms_max);

}  // namespace clawnet::limits
