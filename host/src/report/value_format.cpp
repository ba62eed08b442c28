#include "report/value_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace idlab::host {

bool ValueFormat::is_percent(const std::string& name) const {
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('_', start);
        if (end == std::string::npos) end = name.size();
        const std::string part = name.substr(start, end - start);
        for (const std::string& p : percent)
            if (part == p) return true;
        start = end + 1;
    }
    return false;
}

std::string ValueFormat::cell(const std::string& name, const Spread& s) const {
    if (s.n == 0) return "–";
    char buf[64];
    if (is_percent(name)) {
        if (s.n == 1) std::snprintf(buf, sizeof(buf), "%.1f", 100.0 * s.mean);
        else std::snprintf(buf, sizeof(buf), "%.1f±%.2f", 100.0 * s.mean, s.std);
    } else {
        if (s.n == 1) std::snprintf(buf, sizeof(buf), "%.3f", s.mean);
        else std::snprintf(buf, sizeof(buf), "%.3f±%.3f", s.mean, s.std);
    }
    return buf;
}

double ValueFormat::plotted(const std::string& name, double v) const { return is_percent(name) ? 100.0 * v : v; }

std::string ValueFormat::axis_label(const std::string& name) const {
    return is_percent(name) ? name + " (%)" : name;
}

std::string exact_number(double v) {
    if (!std::isfinite(v)) return "";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, res.ptr);
}

}  // namespace idlab::host
