// Palette: every colour the visualizer draws, in one place, so tests can probe
// pixels for a named colour and the look can be tuned without touching layout.
// Dark background, saturated accents, text at high contrast.
#pragma once

#include <SDL.h>

#include <array>
#include <cstddef>

namespace clawnet::viz::palette {

inline constexpr SDL_Color background{16, 18, 24, 255};
inline constexpr SDL_Color region{24, 27, 35, 255};      // Card behind each view.
inline constexpr SDL_Color region_edge{48, 53, 66, 255};
inline constexpr SDL_Color text{226, 229, 236, 255};
inline constexpr SDL_Color text_dim{140, 147, 162, 255};
inline constexpr SDL_Color heading{255, 255, 255, 255};

inline constexpr SDL_Color floor{38, 44, 58, 255};       // Play field floor.
inline constexpr SDL_Color floor_grid{46, 53, 69, 255};
inline constexpr SDL_Color field_edge{96, 106, 128, 255};
inline constexpr SDL_Color chute{8, 8, 11, 255};
inline constexpr SDL_Color chute_edge{220, 130, 60, 255};
inline constexpr SDL_Color rail{112, 120, 142, 255};
inline constexpr SDL_Color bridge{150, 158, 180, 255};
// The carriage is the one thing drawn in this colour: tests look for it.
inline constexpr SDL_Color carriage{255, 160, 40, 255};
inline constexpr SDL_Color carriage_edge{120, 62, 0, 255};
inline constexpr SDL_Color claw{205, 210, 222, 255};
inline constexpr SDL_Color cable{150, 156, 170, 255};

inline constexpr SDL_Color switch_idle{72, 78, 94, 255};
inline constexpr SDL_Color switch_pressed{255, 228, 60, 255};
inline constexpr SDL_Color lamp_off{58, 64, 78, 255};
inline constexpr SDL_Color lamp_on{70, 222, 112, 255};
inline constexpr SDL_Color lamp_down{232, 72, 72, 255};
inline constexpr SDL_Color fault{255, 112, 92, 255};
inline constexpr SDL_Color bar_track{44, 50, 64, 255};
inline constexpr SDL_Color bar_fill{84, 172, 255, 255};
inline constexpr SDL_Color bar_low{255, 112, 92, 255};  // Last seconds of a turn.

inline constexpr std::array<SDL_Color, 5> prizes{{
    {236, 92, 124, 255},
    {92, 184, 240, 255},
    {140, 222, 120, 255},
    {242, 202, 82, 255},
    {182, 132, 242, 255},
}};

// Prize colours cycle by index so a prize keeps its colour from frame to frame.
constexpr SDL_Color prize(std::size_t index) { return prizes[index % prizes.size()]; }

}  // namespace clawnet::viz::palette
