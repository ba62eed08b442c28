// The dSprites factor grid and a procedural renderer of its sprites (a stand-in: the official
// file could not be obtained; see ../shared/reference/datasets.md §2). Results made with it are
// "dSprites-like (procedural)", never dSprites.
//
// Grid (official order, posY fastest): shape 3 (square, ellipse, heart) x scale 6
// (linspace(0.5, 1, 6)) x orientation 40 (linspace(0, 2 pi, 40), both ends included) x posX 32
// x posY 32 (linspace(0, 1, 32)) = 737,280 images; color (one value) is left out, as csi does.
//
// Rendering, measured on the 320 real frames (§2.4): a 64x64 binary canvas; the sprite's
// centre is at column 16 + 32 posX, row 16 + 32 posY; it is rotated counter-clockwise on screen
// by the orientation; a pixel is on iff its centre (row + 0.5, col + 0.5) lies inside. Shapes,
// in sprite coordinates (u to the right, w downwards, pixels at scale 1, times the scale):
//  - square: |u|, |w| <= 9.599 (9.6 = 0.15 * 64 would turn on 8 pixel centres 1.5e-4 px inside
//    the edge that the real frames leave off); matches all 64 real square frames exactly;
//  - ellipse: (u / 12.76575)^2 + (w / 7.21325)^2 <= 1, fitted: all 64 real ellipse frames exact;
//  - heart: two elliptic lobes ((|u| - 4.749) / 4.817)^2 + ((w + 3.902) / 5.433)^2 <= 1 and a V,
//    w >= -1.348 and |u| <= 0.944 (8.684 - w); fitted to the 192 real heart frames, which it
//    misses by about 3.6 pixels per frame (of about 222 at scale 1).
#pragma once

#include <cstdint>

namespace idlab::images {

enum class SpriteShape { Square = 0, Ellipse = 1, Heart = 2 };

inline constexpr int64_t kSpriteSide = 64;
inline constexpr int64_t kSpriteShapes = 3, kSpriteScales = 6, kSpriteOrientations = 40, kSpritePositions = 32;
inline constexpr int64_t kSpriteCount =
    kSpriteShapes * kSpriteScales * kSpriteOrientations * kSpritePositions * kSpritePositions;  // 737,280

// The class of each factor of one image of the grid.
struct SpriteClasses {
    int64_t shape = 0, scale = 0, orientation = 0, pos_x = 0, pos_y = 0;
};

// Index <-> classes in the official order.
SpriteClasses sprite_classes(int64_t index);
int64_t sprite_index(const SpriteClasses& c);

// The factor values as the official latents_values hold them (numpy's linspace).
double sprite_scale_value(int64_t scale_class);
double sprite_orientation_value(int64_t orientation_class);
double sprite_position_value(int64_t position_class);

// Whether the point (u, w) of the unrotated sprite of this shape at `scale` is inside it.
bool sprite_covers(SpriteShape shape, double scale, double u, double w);

// Draws one image of the grid into a 64 x 64 canvas of 0/1 bytes (row-major).
void render_sprite(const SpriteClasses& c, uint8_t* canvas);

}  // namespace idlab::images
