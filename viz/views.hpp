// The parts of a frame, each drawn into its Layout region. Internal to viz/:
// render.cpp calls them in order; each draws only inside its own region.
#pragma once

#include "sim/snapshot.hpp"
#include "viz/canvas.hpp"
#include "viz/fonts.hpp"
#include "viz/layout.hpp"
#include "viz/render.hpp"

#include <string_view>

namespace clawnet::viz {

// Prizes are drawn as circles of this radius (a typical plush is ~60 mm wide).
inline constexpr double prize_radius_mm = 28;

void draw_top_view(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot);
void draw_side_view(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot);
void draw_panel(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot,
                const RunStatus& run);
void draw_log(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot);

// A card: the region's background, edge and title. Returns the y below the title.
int draw_card(Canvas& canvas, const Fonts& fonts, const Layout& layout, const SDL_Rect& area,
              std::string_view title);
// A round indicator lamp centred at `centre`.
void draw_lamp(Canvas& canvas, const Layout& layout, SDL_Point centre, SDL_Color color);

}  // namespace clawnet::viz
