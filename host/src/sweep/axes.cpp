#include "sweep/axes.hpp"

#include <algorithm>

namespace idlab::host {

namespace {

std::string key_of(const std::string& assignment) { return assignment.substr(0, assignment.find('=')); }

bool is_seed_key(const std::string& key) { return key == "run.seed"; }

}  // namespace

std::optional<std::vector<std::string>> split_axis_values(const std::string& text, std::string& error) {
    std::vector<std::string> values;
    std::string current;
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            current += c;
            if (c == '\\' && quote == '"' && i + 1 < text.size()) current += text[++i];
            else if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        else if (c == '[' || c == '{') ++depth;
        else if ((c == ']' || c == '}') && depth > 0) --depth;
        if (c == ',' && depth == 0) {
            values.push_back(current);
            current.clear();
            continue;
        }
        current += c;
    }
    values.push_back(current);
    for (size_t i = 0; i < values.size(); ++i) {
        const std::string& v = values[i];
        if (v.find_first_not_of(" \t") == std::string::npos) {
            error = "value " + std::to_string(i + 1) + " of '" + text + "' is empty";
            return std::nullopt;
        }
    }
    return values;
}

std::optional<CommandLineAxes> parse_command_line_axes(const std::vector<std::string>& arguments,
                                                       std::string& error) {
    CommandLineAxes out;
    for (const std::string& a : arguments) {
        const size_t eq = a.find('=');
        if (eq == std::string::npos || eq == 0) {
            error = "expected key=value or key=v1,v2,... , got '" + a + "'";
            return std::nullopt;
        }
        const std::string key = a.substr(0, eq);
        std::string inner;
        auto values = split_axis_values(a.substr(eq + 1), inner);
        if (!values) {
            error = "in '" + a + "': " + inner;
            return std::nullopt;
        }
        if (values->size() == 1) {
            out.fixed.push_back(a);
            continue;
        }
        auto same_key = [&](const Axis& axis) { return axis.key == key; };
        if (std::any_of(out.axes.begin(), out.axes.end(), same_key)) {
            error = "axis '" + key + "' is given twice; list every value once: " + key + "=v1,v2,...";
            return std::nullopt;
        }
        out.axes.push_back(Axis{key, std::move(*values), true});
    }
    return out;
}

std::optional<std::vector<Axis>> combine_axes(const std::vector<SweepAxis>& recipe_axes,
                                              const CommandLineAxes& command_line, std::string& error) {
    std::vector<Axis> axes;
    for (const SweepAxis& r : recipe_axes) {
        Axis axis{r.key, {}, false};
        for (const ParamValue& v : r.values) axis.values.push_back(toml_value_text(v));
        axes.push_back(std::move(axis));
    }
    for (const std::string& f : command_line.fixed) {
        const std::string key = key_of(f);
        axes.erase(std::remove_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.key == key; }),
                   axes.end());
    }
    for (const Axis& c : command_line.axes) {
        auto same = std::find_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.key == c.key; });
        if (same != axes.end()) *same = c;
        else axes.push_back(c);
    }
    for (const Axis& a : axes) {
        if (is_seed_key(a.key)) {
            error = "run.seed cannot be an axis: use --seeds N (seeds run.seed, run.seed+1, ...)";
            return std::nullopt;
        }
        for (size_t i = 0; i < a.values.size(); ++i)
            for (size_t j = 0; j < i; ++j)
                if (a.values[i] == a.values[j]) {
                    error = "axis '" + a.key + "' lists the value " + a.values[i] + " twice";
                    return std::nullopt;
                }
    }
    return axes;
}

}  // namespace idlab::host
