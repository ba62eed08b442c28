// Writing values as TOML text: used by the resolved recipe and by diagnostics, so what an
// error message shows is what the user would write.
#pragma once

#include <string>
#include <string_view>

namespace idlab::host::recipe_detail {

// The shortest decimal text that parses back to exactly `v`, always a TOML float:
// 10.0 (never "10"), 0.001, 1e-10, inf, -inf, nan.
std::string format_float(double v);

// A range bound as a person writes it: 0, 2, 0.5, 1e-08.
std::string format_bound(double v);

// A TOML basic string with quotes and escapes: "a\"b".
std::string quote_string(std::string_view s);

}  // namespace idlab::host::recipe_detail
