#include "recipe/toml_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace idlab::host::recipe_detail {

namespace {

// std::to_chars without a format gives the shortest text that round-trips exactly.
std::string shortest(double v) {
    char buf[64];
    auto result = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, result.ptr);
}

}  // namespace

std::string format_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    std::string s = shortest(v);
    // TOML needs a fraction or an exponent to read the text back as a float.
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string format_bound(double v) {
    if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) return shortest(v);
    return format_float(v);
}

std::string quote_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                char esc[8];
                std::snprintf(esc, sizeof(esc), "\\u%04X", static_cast<unsigned>(c));
                out += esc;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

}  // namespace idlab::host::recipe_detail
