// TurnDriver: clawviz's Driver over one recorded production turn (clawviz --turn
// FILE.json, FILE the answer of clawd's GET /v1/turns/{turn}). It drives a cabinet
// model (cabinet/cabinet_physics.hpp, default geometry, no prizes: the record
// does not say where they lay) with the record's motor changes at their times,
// and puts the commands, rejections, motor changes and switch presses into the
// log panel as the viewer's clock reaches them, the result at the end.
//
// Model: the claw homes before every turn (left and down, claw up), so the
// replay starts with the claw at home; time 0 is the claw's accepting the
// CHANNEL_LISTEN, as in the record. The replay ends at the record's ready_at_ms.
//
// Contract:
//  - load_turn_replay() reads and checks the file: a JSON object with the turn's
//    row and a non-null "record" that decode_turn_record() accepts, of the same
//    turn. Every error names the file and what is wrong with it.
//  - Same file, same calls => the same snapshots.
// Not thread-safe.
#pragma once

#include "core/protocol.hpp"
#include "sim/cabinet_physics.hpp"
#include "viz/window.hpp"

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace clawnet::viz {

// A turn file bigger than this is not clawd's answer (a record is at most 32 KiB).
inline constexpr std::size_t turn_file_bytes_max = 1 << 20;

struct TurnReplay {
  std::string path;                    // The file, for the picture's title.
  std::optional<std::string> outcome;  // The server's, when the turn ended.
  std::optional<std::string> result;
  TurnSummary record;
};

std::variant<TurnReplay, std::string> load_turn_replay(const std::string& path);

// One line of the log panel per entry: "1.250s upOn #3", "1.300s rejected upOn #3: replayed_seq", ...
std::string describe_entry(const TurnEntry& entry);

class TurnDriver : public Driver {
 public:
  explicit TurnDriver(TurnReplay replay);
  ~TurnDriver() override;
  TurnDriver(const TurnDriver&) = delete;
  TurnDriver& operator=(const TurnDriver&) = delete;

  sim::Snapshot snapshot() override;
  // Replays every entry up to the viewer's instant + virtual_ms (never past the end).
  void advance_ms(TimeMs virtual_ms) override;
  // To the next entry's instant, if any.
  void step_one_event() override;
  void restart() override;
  // A recorded turn takes no commands: nothing happens.
  void send_player_command(std::string_view player, std::string_view command) override;

  TimeMs viewer_ms() const { return viewer_ms_; }
  TimeMs end_ms() const { return replay_.record.ready_at_ms; }

 private:
  void replay_to(TimeMs to_ms);
  void log(TimeMs at_ms, std::string text);

  TurnReplay replay_;
  std::unique_ptr<sim::CabinetPhysics> cabinet_;
  std::size_t next_entry_ = 0;
  bool result_told_ = false;
  TimeMs viewer_ms_ = 0;
  std::deque<std::string> log_;
};

}  // namespace clawnet::viz
