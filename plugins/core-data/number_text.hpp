// Numbers in messages, as a person reads them: 6 significant digits (10, 0.001, 1.16063).
#pragma once

#include <cstdio>
#include <string>

namespace idlab::core {

inline std::string format_double(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace idlab::core
