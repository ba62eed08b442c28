#include "report/scales.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace idlab::host {

Ticks nice_ticks(double low, double high, int count) {
    Ticks t;
    if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
    if (high < low) std::swap(low, high);
    if (high - low < 1e-12 * std::max(1.0, std::fabs(high))) {
        const double pad = std::fabs(low) > 0 ? std::fabs(low) * 0.05 : 0.5;
        low -= pad;
        high += pad;
    }
    const double raw = (high - low) / std::max(1, count);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * magnitude;
        if (step >= raw) break;
    }
    t.low = std::floor(low / step) * step;
    t.high = std::ceil(high / step) * step;
    for (double v = t.low; v <= t.high + step * 0.5; v += step) t.values.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return t;
}

std::string tick_label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
}

std::string category_color(size_t i) {
    static const char* palette[] = {"#1f5fa8", "#e07b10", "#2c9c3c", "#c8283c", "#7b52ae",
                                    "#8a5a44", "#d462b0", "#6e6e6e", "#a6a80c", "#12a5b8"};
    return palette[i % 10];
}

namespace {
struct Rgb {
    double r, g, b;
};
// Anchors of the ramp (dark blue, teal, green, yellow), interpolated linearly.
const Rgb kRamp[] = {{0.267, 0.005, 0.329}, {0.230, 0.322, 0.546}, {0.128, 0.567, 0.551},
                     {0.369, 0.789, 0.383}, {0.993, 0.906, 0.144}};
}  // namespace

std::string ramp_color(double t) {
    if (!std::isfinite(t)) t = 0;
    t = std::clamp(t, 0.0, 1.0);
    const double scaled = t * 4.0;
    const int i = std::min(3, static_cast<int>(scaled));
    const double f = scaled - i;
    const Rgb& a = kRamp[i];
    const Rgb& b = kRamp[i + 1];
    auto channel = [&](double x, double y) { return static_cast<int>(std::lround(255.0 * (x + (y - x) * f))); };
    char buf[8];
    std::snprintf(buf, sizeof(buf), "#%02x%02x%02x", channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b));
    return buf;
}

bool ramp_is_dark(double t) { return !(t > 0.55); }

}  // namespace idlab::host
