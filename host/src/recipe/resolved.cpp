// Recipe::to_toml and StageConfig::find: the resolved recipe, every default written out.
#include "recipe/recipe.hpp"

#include "recipe/toml_text.hpp"

#include <algorithm>

namespace idlab::host {

using recipe_detail::format_float;
using recipe_detail::quote_string;

namespace {

// A key as TOML needs it: bare when it can be, quoted otherwise.
std::string toml_key(const std::string& key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
    return bare ? key : quote_string(key);
}

template <typename T, typename Format>
std::string toml_list(const std::vector<T>& items, Format format) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + format(items[i]);
    return out + "]";
}

}  // namespace

std::string toml_value_text(const ParamValue& p) {
    switch (p.type) {
    case IDLAB_PARAM_BOOL: return p.bool_value ? "true" : "false";
    case IDLAB_PARAM_INT: return std::to_string(p.int_value);
    case IDLAB_PARAM_FLOAT: return format_float(p.float_value);
    case IDLAB_PARAM_STRING: return quote_string(p.string_value);
    case IDLAB_PARAM_INT_LIST:
        return toml_list(p.int_list, [](int64_t v) { return std::to_string(v); });
    case IDLAB_PARAM_FLOAT_LIST:
        return toml_list(p.float_list, [](double v) { return format_float(v); });
    }
    return "\"\"";
}

namespace {

void write_stage(std::string& out, const StageConfig& stage, const std::string& header) {
    out += "\n" + header + "\n";
    if (!stage.kind.empty()) out += "kind = " + quote_string(stage.kind) + "\n";
    for (const ParamValue& p : stage.params) {
        out += toml_key(p.key) + " = " + toml_value_text(p);
        if (p.from_default) out += "  # default";
        out += "\n";
    }
}

}  // namespace

const ParamValue* StageConfig::find(std::string_view key) const {
    for (const ParamValue& p : params)
        if (p.key == key) return &p;
    return nullptr;
}

std::string Recipe::to_toml() const {
    std::string out = "# Resolved by idlab from " + path +
                      ": includes and overrides applied, every default filled in.\n";
    write_stage(out, run, "[run]");
    write_stage(out, train, "[train]");
    write_stage(out, data, "[data]");
    write_stage(out, encoder, "[encoder]");
    write_stage(out, loss, "[loss]");
    write_stage(out, optimizer, "[optimizer]");
    for (const StageConfig& metric : metrics) write_stage(out, metric, "[[metrics]]");
    if (!sweep.empty()) {
        out += "\n[sweep]\n";
        for (const SweepAxis& axis : sweep) {
            std::vector<std::string> values;
            for (const ParamValue& v : axis.values) values.push_back(toml_value_text(v));
            out += axis.key + " = " + toml_list(values, [](const std::string& v) { return v; }) + "\n";
        }
    }
    return out;
}

}  // namespace idlab::host
