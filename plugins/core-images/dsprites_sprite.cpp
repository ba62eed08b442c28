#include "dsprites_sprite.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace idlab::images {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Fitted geometry at scale 1 (see the header).
constexpr double kSquareHalfSide = 9.599;
constexpr double kEllipseHalfWidth = 12.76575, kEllipseHalfHeight = 7.21325;
constexpr double kHeartLobeOffset = 4.749, kHeartLobeCentre = -3.902;
constexpr double kHeartLobeHalfWidth = 4.817, kHeartLobeHalfHeight = 5.433;
constexpr double kHeartVTop = -1.348, kHeartVTip = 8.684, kHeartVSlope = 0.944;
// No shape reaches further than this from its centre at scale 1 (the square's corner).
constexpr double kReach = 13.6;

// numpy.linspace(start, stop, num)[i]: start + i * step, the last value exactly stop.
double linspace(double start, double stop, int64_t num, int64_t i) {
    if (i == num - 1) return stop;
    return start + static_cast<double>(i) * ((stop - start) / static_cast<double>(num - 1));
}

}  // namespace

SpriteClasses sprite_classes(int64_t index) {
    if (index < 0 || index >= kSpriteCount) throw std::out_of_range("sprite index outside the grid");
    SpriteClasses c;
    c.pos_y = index % kSpritePositions;
    index /= kSpritePositions;
    c.pos_x = index % kSpritePositions;
    index /= kSpritePositions;
    c.orientation = index % kSpriteOrientations;
    index /= kSpriteOrientations;
    c.scale = index % kSpriteScales;
    c.shape = index / kSpriteScales;
    return c;
}

int64_t sprite_index(const SpriteClasses& c) {
    return (((c.shape * kSpriteScales + c.scale) * kSpriteOrientations + c.orientation) * kSpritePositions + c.pos_x) *
               kSpritePositions +
           c.pos_y;
}

double sprite_scale_value(int64_t scale_class) { return linspace(0.5, 1.0, kSpriteScales, scale_class); }
double sprite_orientation_value(int64_t orientation_class) {
    return linspace(0.0, 2.0 * kPi, kSpriteOrientations, orientation_class);
}
double sprite_position_value(int64_t position_class) { return linspace(0.0, 1.0, kSpritePositions, position_class); }

bool sprite_covers(SpriteShape shape, double scale, double u, double w) {
    switch (shape) {
        case SpriteShape::Square: {
            const double h = kSquareHalfSide * scale;
            return std::fabs(u) <= h && std::fabs(w) <= h;
        }
        case SpriteShape::Ellipse: {
            const double a = u / (kEllipseHalfWidth * scale), b = w / (kEllipseHalfHeight * scale);
            return a * a + b * b <= 1.0;
        }
        case SpriteShape::Heart: {
            const double a = (std::fabs(u) - kHeartLobeOffset * scale) / (kHeartLobeHalfWidth * scale);
            const double b = (w - kHeartLobeCentre * scale) / (kHeartLobeHalfHeight * scale);
            if (a * a + b * b <= 1.0) return true;
            return w >= kHeartVTop * scale && std::fabs(u) <= kHeartVSlope * (kHeartVTip * scale - w);
        }
    }
    return false;
}

void render_sprite(const SpriteClasses& c, uint8_t* canvas) {
    std::memset(canvas, 0, static_cast<size_t>(kSpriteSide * kSpriteSide));
    const auto shape = static_cast<SpriteShape>(c.shape);
    const double scale = sprite_scale_value(c.scale);
    const double angle = sprite_orientation_value(c.orientation);
    const double cx = 16.0 + 32.0 * sprite_position_value(c.pos_x);
    const double cy = 16.0 + 32.0 * sprite_position_value(c.pos_y);
    const double cos_a = std::cos(angle), sin_a = std::sin(angle);
    // Only the pixels near the centre can be on.
    const double reach = kReach * scale + 1.0;
    const auto r0 = static_cast<int64_t>(std::max(0.0, std::floor(cy - reach)));
    const auto r1 = static_cast<int64_t>(std::min(static_cast<double>(kSpriteSide), std::ceil(cy + reach)));
    const auto c0 = static_cast<int64_t>(std::max(0.0, std::floor(cx - reach)));
    const auto c1 = static_cast<int64_t>(std::min(static_cast<double>(kSpriteSide), std::ceil(cx + reach)));
    for (int64_t row = r0; row < r1; ++row)
        for (int64_t col = c0; col < c1; ++col) {
            // Screen offsets with y up, rotated back by the angle into sprite coordinates.
            const double x = static_cast<double>(col) + 0.5 - cx;
            const double y_up = -(static_cast<double>(row) + 0.5 - cy);
            const double u = x * cos_a + y_up * sin_a;
            const double v_up = -x * sin_a + y_up * cos_a;
            if (sprite_covers(shape, scale, u, -v_up)) canvas[row * kSpriteSide + col] = 1;
        }
}

}  // namespace idlab::images
