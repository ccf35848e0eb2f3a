// The panel: clock and speed, both machines, the turn, motors, faults, queue.
#include "core/effects.hpp"
#include "viz/palette.hpp"
#include "viz/views.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace clawnet::viz {
namespace {

// Writes rows top to bottom inside the panel; every row knows its own height.
struct Cursor {
  int x = 0;
  int y = 0;
  int width = 0;
  int bottom = 0;
};

std::string clock_text(TimeMs now_ms) {
  // Unsigned magnitude: negating the most negative TimeMs would overflow.
  const std::uint64_t magnitude = now_ms < 0 ? 0U - static_cast<std::uint64_t>(now_ms) : static_cast<std::uint64_t>(now_ms);
  return fmt::format("{}{:02}:{:02}:{:02}.{:03}", now_ms < 0 ? "-" : "", magnitude / 3'600'000,
                     magnitude / 60'000 % 60, magnitude / 1000 % 60, magnitude % 1000);
}

void section(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor, std::string_view title) {
  cursor.y += layout.px(6);
  canvas.fill_rect({cursor.x, cursor.y, cursor.width, 1}, palette::region_edge);
  cursor.y += layout.px(5);
  canvas.text(fonts.heading(), title, cursor.x, cursor.y, palette::heading, cursor.width);
  cursor.y += TTF_FontLineSkip(fonts.heading()) + layout.px(2);
}

// A lamp, a label and a value on one row.
void lamp_row(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor, SDL_Color lamp,
              std::string_view label, std::string_view value) {
  const int line = TTF_FontLineSkip(fonts.body());
  draw_lamp(canvas, layout, {cursor.x + layout.px(7), cursor.y + line / 2}, lamp);
  const int label_x = cursor.x + layout.px(20);
  canvas.text(fonts.body(), label, label_x, cursor.y, palette::text);
  const int value_x = cursor.x + layout.px(130);
  canvas.text(fonts.body(), value, value_x, cursor.y, palette::text_dim, cursor.x + cursor.width - value_x);
  cursor.y += line;
}

void draw_header(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor,
                 const sim::Snapshot& snapshot, const RunStatus& run) {
  const int line = TTF_FontLineSkip(fonts.body());
  const std::string scenario = snapshot.scenario.empty() ? "(no scenario)" : snapshot.scenario;
  canvas.text(fonts.small(), fmt::format("scenario {}   seed {}", scenario, snapshot.seed), cursor.x, cursor.y,
              palette::text_dim, cursor.width);
  cursor.y += TTF_FontLineSkip(fonts.small()) + layout.px(2);
  const int clock_w = canvas.text(fonts.heading(), clock_text(snapshot.now_ms), cursor.x, cursor.y, palette::heading);
  const std::string speed = fmt::format("speed {:g}x", run.speed);
  int x = cursor.x + clock_w + layout.px(16);
  x += canvas.text(fonts.body(), speed, x, cursor.y, palette::text) + layout.px(12);
  if (run.paused) x += canvas.text(fonts.body(), "PAUSED", x, cursor.y, palette::switch_pressed) + layout.px(12);
  if (snapshot.finished) canvas.text(fonts.body(), "finished", x, cursor.y, palette::lamp_on);
  cursor.y += std::max(line, TTF_FontLineSkip(fonts.heading()));
}

void draw_machines(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor,
                   const sim::Snapshot& snapshot) {
  section(canvas, fonts, layout, cursor, "machines");
  lamp_row(canvas, fonts, layout, cursor, snapshot.server_up ? palette::lamp_on : palette::lamp_down,
           snapshot.server_up ? "server up" : "server down", snapshot.server_state);
  lamp_row(canvas, fonts, layout, cursor, snapshot.claw_up ? palette::lamp_on : palette::lamp_down,
           snapshot.claw_up ? "claw up" : "claw down", snapshot.claw_state);
}

void draw_turn(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor, const sim::Snapshot& snapshot) {
  section(canvas, fonts, layout, cursor, "turn");
  const int line = TTF_FontLineSkip(fonts.body());
  if (snapshot.last_result) {
    const sim::ResultView& result = *snapshot.last_result;
    const std::string last = fmt::format("turn {}: {}", result.turn, to_string(result.result));
    const bool won = result.result == TurnResult::win;
    canvas.text(fonts.small(), last, cursor.x, cursor.y, won ? palette::lamp_on : palette::text_dim, cursor.width);
    cursor.y += TTF_FontLineSkip(fonts.small()) + layout.px(2);
  }
  if (!snapshot.controller) {
    canvas.text(fonts.body(), "no player in control", cursor.x, cursor.y, palette::text_dim, cursor.width);
    cursor.y += line + layout.px(14);
    return;
  }
  // Unsigned: a corrupt turn_ends_ms must not overflow the subtraction.
  std::uint64_t left_ms = 0;
  if (snapshot.turn_ends_ms > snapshot.now_ms) {
    left_ms = static_cast<std::uint64_t>(snapshot.turn_ends_ms) - static_cast<std::uint64_t>(snapshot.now_ms);
  }
  const std::string who = fmt::format("{} (turn {})", *snapshot.controller, snapshot.turn);
  const std::string left = fmt::format("{:.1f} s left", static_cast<double>(left_ms) / 1000);
  const int left_w = canvas.text_width(fonts.body(), left);
  canvas.text(fonts.body(), who, cursor.x, cursor.y, palette::text, cursor.width - left_w - layout.px(10));
  canvas.text(fonts.body(), left, cursor.x + cursor.width - left_w, cursor.y, palette::text);
  cursor.y += line + layout.px(2);
  const TimeMs full_ms = snapshot.turn_ms > 0 ? snapshot.turn_ms : turn_bar_full_ms;
  const double fraction = static_cast<double>(left_ms) / static_cast<double>(full_ms);
  canvas.bar({cursor.x, cursor.y, cursor.width, layout.px(10)}, fraction,
             left_ms < 5'000U ? palette::bar_low : palette::bar_fill, palette::bar_track);
  cursor.y += layout.px(14);
}

void draw_motors(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor,
                 const sim::CabinetView& cabinet) {
  section(canvas, fonts, layout, cursor, "motors");
  const int line = TTF_FontLineSkip(fonts.small());
  constexpr int columns = 2;
  const int column_w = cursor.width / columns;
  for (int i = 0; i < motor_count; ++i) {
    const int x = cursor.x + (i % columns) * column_w;
    const int y = cursor.y + (i / columns) * line;
    const bool on = cabinet.motors[static_cast<std::size_t>(i)];
    draw_lamp(canvas, layout, {x + layout.px(7), y + line / 2}, on ? palette::lamp_on : palette::lamp_off);
    canvas.text(fonts.small(), to_string(static_cast<Motor>(i)), x + layout.px(20), y,
                on ? palette::text : palette::text_dim, column_w - layout.px(24));
  }
  cursor.y += (motor_count + columns - 1) / columns * line;
}

void draw_faults(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor,
                 const std::vector<sim::FaultView>& faults) {
  section(canvas, fonts, layout, cursor, fmt::format("faults ({})", faults.size()));
  const int line = TTF_FontLineSkip(fonts.small());
  if (faults.empty()) {
    canvas.text(fonts.small(), "none", cursor.x, cursor.y, palette::text_dim);
    cursor.y += line;
    return;
  }
  constexpr std::size_t shown_max = 4;
  for (std::size_t i = 0; i < faults.size() && i < shown_max; ++i) {
    canvas.text(fonts.small(), faults[i].description, cursor.x, cursor.y, palette::fault, cursor.width);
    cursor.y += line;
  }
  if (faults.size() > shown_max) {
    canvas.text(fonts.small(), fmt::format("... and {} more", faults.size() - shown_max), cursor.x, cursor.y,
                palette::text_dim);
    cursor.y += line;
  }
}

void draw_queue(Canvas& canvas, const Fonts& fonts, const Layout& layout, Cursor& cursor,
                const sim::Snapshot& snapshot) {
  section(canvas, fonts, layout, cursor, fmt::format("queue ({} waiting)", snapshot.queue_length));
  const int line = TTF_FontLineSkip(fonts.small());
  const int position_x = cursor.x + cursor.width - layout.px(150);
  const int presence_x = cursor.x + cursor.width - layout.px(78);
  canvas.text(fonts.small(), "rank  player", cursor.x, cursor.y, palette::text_dim);
  canvas.text(fonts.small(), "shown", position_x, cursor.y, palette::text_dim);
  canvas.text(fonts.small(), "presence", presence_x, cursor.y, palette::text_dim);
  cursor.y += line;
  const auto rows_fit = static_cast<std::size_t>(std::max((cursor.bottom - cursor.y) / line - 1, 0));
  const std::size_t rows = std::min(snapshot.queue.size(), rows_fit);
  for (std::size_t i = 0; i < rows; ++i) {
    const sim::QueueEntryView& entry = snapshot.queue[i];
    const SDL_Color color = entry.present ? palette::text : palette::text_dim;
    canvas.text(fonts.small(), fmt::format("{}", entry.rank), cursor.x, cursor.y, color);
    canvas.text(fonts.small(), entry.player, cursor.x + layout.px(40), cursor.y, color,
                position_x - cursor.x - layout.px(48));
    canvas.text(fonts.small(), fmt::format("{}", entry.shown_position), position_x, cursor.y, color);
    draw_lamp(canvas, layout, {presence_x + layout.px(6), cursor.y + line / 2},
              entry.present ? palette::lamp_on : palette::lamp_off);
    canvas.text(fonts.small(), entry.present ? "present" : "absent", presence_x + layout.px(18), cursor.y, color);
    cursor.y += line;
  }
  if (snapshot.queue_length > rows) {
    canvas.text(fonts.small(), fmt::format("... {} more", snapshot.queue_length - rows), cursor.x, cursor.y,
                palette::text_dim);
  }
}

// Key help, one or two lines: play mode has more keys than fit on one.
std::vector<std::string> key_help(const RunStatus& run) {
  if (run.player.empty()) return {"space pause  +/- speed  . step  r restart  q quit"};
  return {fmt::format("playing {}: arrows move, space drops", run.player),
          "p pause  +/- speed  . step  r restart  q quit"};
}

}  // namespace

void draw_panel(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot,
                const RunStatus& run) {
  const SDL_Rect area = layout.panel_area();
  const int top = draw_card(canvas, fonts, layout, area, "clawnet simulation");
  const int pad = layout.px(12);
  const std::vector<std::string> help = key_help(run);
  const int help_line = TTF_FontLineSkip(fonts.small());
  const int help_h = static_cast<int>(help.size()) * help_line + layout.px(8);
  Cursor cursor{area.x + pad, top, area.w - 2 * pad, area.y + area.h - help_h};
  draw_header(canvas, fonts, layout, cursor, snapshot, run);
  draw_machines(canvas, fonts, layout, cursor, snapshot);
  draw_turn(canvas, fonts, layout, cursor, snapshot);
  draw_motors(canvas, fonts, layout, cursor, snapshot.cabinet);
  draw_faults(canvas, fonts, layout, cursor, snapshot.faults);
  draw_queue(canvas, fonts, layout, cursor, snapshot);
  for (std::size_t i = 0; i < help.size(); ++i) {
    const int y = area.y + area.h - help_h + layout.px(2) + static_cast<int>(i) * help_line;
    canvas.text(fonts.small(), help[i], cursor.x, y, i == 0 && help.size() > 1 ? palette::switch_pressed : palette::text_dim,
                cursor.width);
  }
}

}  // namespace clawnet::viz
