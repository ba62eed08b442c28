#include "recipe/layout.hpp"

namespace idlab::host::recipe_detail {

const std::vector<StageTable>& stage_tables() {
    static const std::vector<StageTable> tables = {
        {"run", idlab_kind_t{}, false},
        {"train", idlab_kind_t{}, false},
        {"data", IDLAB_KIND_DATA, true},
        {"encoder", IDLAB_KIND_ENCODER, true},
        {"loss", IDLAB_KIND_LOSS, true},
        {"optimizer", IDLAB_KIND_OPTIMIZER, true},
    };
    return tables;
}

std::vector<std::string> top_level_names() {
    std::vector<std::string> names;
    for (const StageTable& t : stage_tables()) names.emplace_back(t.name);
    names.emplace_back(kMetricsKey);
    names.emplace_back(kSweepKey);
    return names;
}

std::string kind_label(idlab_kind_t kind) {
    switch (kind) {
    case IDLAB_KIND_DATA: return "data";
    case IDLAB_KIND_ENCODER: return "encoder";
    case IDLAB_KIND_LOSS: return "loss";
    case IDLAB_KIND_OPTIMIZER: return "optimizer";
    case IDLAB_KIND_METRIC: return "metric";
    }
    return "component";
}

std::string kind_with_article(idlab_kind_t kind) {
    switch (kind) {
    case IDLAB_KIND_DATA: return "a data component";
    case IDLAB_KIND_ENCODER: return "an encoder";
    case IDLAB_KIND_LOSS: return "a loss";
    case IDLAB_KIND_OPTIMIZER: return "an optimizer";
    case IDLAB_KIND_METRIC: return "a metric";
    }
    return "a component";
}

}  // namespace idlab::host::recipe_detail
