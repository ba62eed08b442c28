// The tables a recipe is made of: which exist, which are required, which kind of component
// each one selects. Parsing, overrides, validation and the resolved output share this list.
#pragma once

#include <idlab/plugin.h>

#include <string>
#include <vector>

namespace idlab::host::recipe_detail {

struct StageTable {
    const char* name;        // "run", "data", ...
    idlab_kind_t kind;       // the component kind it selects; 0 for the host's own tables
    bool required;
};

// The single-table stages in the order the resolved recipe writes them. [[metrics]] is an
// array of tables and not in this list.
const std::vector<StageTable>& stage_tables();

// The key of the array of metric tables.
inline constexpr const char* kMetricsKey = "metrics";

// The table of parameter grids: [sweep] with keys "stage.param" = [values].
inline constexpr const char* kSweepKey = "sweep";

// The key that lists included fragments; only valid at the top of a file.
inline constexpr const char* kIncludeKey = "include";

// Every top-level name a recipe may use: the stage tables, "metrics" and "sweep".
std::vector<std::string> top_level_names();

// How a component kind is named in messages: "data", "encoder", "loss", "optimizer", "metric".
std::string kind_label(idlab_kind_t kind);

// The same with its article: "a data component", "an encoder", "an optimizer".
std::string kind_with_article(idlab_kind_t kind);

}  // namespace idlab::host::recipe_detail
