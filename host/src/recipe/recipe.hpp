// Recipes: TOML files (TOML++ lives only in recipe/) resolved against component parameter
// specs into typed stage configurations, with compiler-style diagnostics.
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host {

struct SourceLocation {
    std::string file;   // recipe path, or "<cli:N>" for the N-th command-line override (1-based)
    int line = 0;       // 1-based; 0 when unknown
    int col = 0;        // 1-based code-point column
};

struct Diagnostic {
    SourceLocation where;
    std::string message;             // primary line, lower case, names the key
    std::vector<std::string> notes;  // what was expected, did-you-mean
    std::string hint;                // optional suggestion
};

// "file:line:col: error: message", the source line with a caret under the column,
// then "note: ..." lines and an optional "hint: ..." line. Reads the source line from the
// file (or from the override text for <cli:N>).
std::string format_diagnostic(const Diagnostic& d, const std::vector<std::string>& overrides = {});

// One parameter value after includes, overrides and defaults.
struct ParamValue {
    std::string key;
    int32_t type = IDLAB_PARAM_FLOAT;   // idlab_param_type_t
    bool bool_value = false;
    int64_t int_value = 0;
    double float_value = 0.0;
    std::string string_value;
    std::vector<int64_t> int_list;
    std::vector<double> float_list;
    SourceLocation where;               // where it was set; the table's location for defaults
    bool from_default = false;
};

// The value as TOML text, as an override or a recipe would write it: 50, 10.0, "index", [64, 64].
std::string toml_value_text(const ParamValue& value);

struct StageConfig {
    std::string stage;      // "run", "train", "data", "encoder", "loss", "optimizer", "metrics[0]"
    std::string kind;       // component id; empty for run and train
    const idlab_component_desc_t* desc = nullptr;  // null for run and train
    std::vector<ParamValue> params;                // every declared parameter, in spec order
    SourceLocation where;                          // the table header (or "kind" key)
    const ParamValue* find(std::string_view key) const;
};

// One axis of the recipe's [sweep] table: a parameter and the values a sweep gives it, each
// checked against the parameter's spec. `idlab run` trains the recipe's own values.
struct SweepAxis {
    std::string key;                 // "data.kappa"
    std::vector<ParamValue> values;  // in the order written
    SourceLocation where;            // the key in [sweep]
};

struct Recipe {
    std::string path;
    StageConfig run, train, data, encoder, loss, optimizer;
    std::vector<StageConfig> metrics;
    std::vector<SweepAxis> sweep;
    // The resolved recipe as TOML: every stage, every parameter, defaults filled in.
    // Loading it again gives the same Recipe.
    std::string to_toml() const;
};

// What the recipe layer needs to know about components.
struct ComponentSource {
    struct Found {
        const idlab_component_desc_t* desc = nullptr;  // null: not available, see error
        std::string error;                              // e.g. "provided by both 'a.so' and 'b.so'"
    };
    // Finds a component of the given kind by id for the given device ("cpu", "cuda").
    std::function<Found(idlab_kind_t kind, std::string_view id, std::string_view device)> find;
    // Ids available for a kind, for "note: available ..." and did-you-mean.
    std::function<std::vector<std::string>(idlab_kind_t kind)> ids_of_kind;
    // Why run.device = `device` cannot be used here ("no CUDA device: ..."), or "" when it can.
    // Optional; reported once, at run.device.
    std::function<std::string(std::string_view device)> device_problem;
};

// Parses the recipe, applies its includes, then the overrides ("key=value", value as a TOML
// value, bare words as strings), then checks every stage against its parameter spec.
// Returns nullopt when anything is wrong; `diagnostics` then holds every semantic error
// (or the single syntax error that stopped parsing).
std::optional<Recipe> load_recipe(const std::string& path, const std::vector<std::string>& overrides,
                                  const ComponentSource& components,
                                  std::vector<Diagnostic>& diagnostics);

}  // namespace idlab::host
