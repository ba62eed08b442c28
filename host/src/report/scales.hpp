// Axis scales for the plots: "nice" tick values (1, 2 or 5 times a power of ten) and the
// colours (a categorical palette for curves, a perceptual ramp for heatmaps).
#pragma once

#include <string>
#include <vector>

namespace idlab::host {

struct Ticks {
    double low = 0, high = 1;       // the axis range, widened to whole ticks
    std::vector<double> values;
};

// About `count` ticks covering [low, high]; a degenerate range is widened around its value.
Ticks nice_ticks(double low, double high, int count = 5);

// A tick label: "0.5", "1000", "2e+04", without float noise.
std::string tick_label(double v);

// The i-th colour of a ten-colour categorical palette (cycles).
std::string category_color(size_t i);

// A colour on a dark-blue -> green -> yellow ramp for t in [0, 1], and whether text on it
// should be white.
std::string ramp_color(double t);
bool ramp_is_dark(double t);

}  // namespace idlab::host
