#include "runtime/host_params.hpp"

namespace idlab::host {
namespace {

idlab_param_spec_t spec(const char* name, idlab_param_type_t type, const char* def,
                        uint32_t range, double min, double max, const char* choices,
                        const char* doc) {
    idlab_param_spec_t s{};
    s.struct_size = sizeof(idlab_param_spec_t);
    s.name = name;
    s.type = type;
    s.default_value = def;
    s.range_flags = range;
    s.min = min;
    s.max = max;
    s.choices = choices;
    s.doc = doc;
    return s;
}

}  // namespace

const std::vector<idlab_param_spec_t>& run_param_specs() {
    static const std::vector<idlab_param_spec_t> specs = {
        spec("name", IDLAB_PARAM_STRING, "\"run\"", 0, 0, 0, nullptr,
             "name of the run; outputs go to runs/<name>/<timestamp>/ unless --out is given"),
        spec("seed", IDLAB_PARAM_INT, "0", IDLAB_RANGE_MIN, 0, 0, nullptr,
             "seed of every random draw (data, initialisation); same seed, same numbers"),
        spec("device", IDLAB_PARAM_STRING, "\"cpu\"", 0, 0, 0, "cpu|cuda",
             "where components run; \"cuda\" picks the CUDA plugin's implementations"),
        spec("threads", IDLAB_PARAM_INT, "0", IDLAB_RANGE_MIN, 0, 0, nullptr,
             "CPU threads for OpenBLAS and for components that split their work; 0 uses every core"),
    };
    return specs;
}

const std::vector<idlab_param_spec_t>& train_param_specs() {
    static const std::vector<idlab_param_spec_t> specs = {
        spec("steps", IDLAB_PARAM_INT, "1000", IDLAB_RANGE_MIN, 1, 0, nullptr,
             "optimizer steps"),
        spec("batch_size", IDLAB_PARAM_INT, "1024", IDLAB_RANGE_MIN, 2, 0, nullptr,
             "samples per step (fresh draws every step)"),
        spec("eval_every", IDLAB_PARAM_INT, "1000", IDLAB_RANGE_MIN, 1, 0, nullptr,
             "evaluate the metrics every this many steps (and after the last step)"),
        spec("eval_samples", IDLAB_PARAM_INT, "8192", IDLAB_RANGE_MIN, 16, 0, nullptr,
             "fresh samples drawn for each evaluation"),
        spec("checkpoint_every", IDLAB_PARAM_INT, "1000", IDLAB_RANGE_MIN, 0, 0, nullptr,
             "save checkpoint.ckpt every this many steps (and at SIGINT/SIGTERM and the end); "
             "0: only then"),
        spec("keep_best", IDLAB_PARAM_STRING, "\"\"", 0, 0, 0, nullptr,
             "a metric value name: save best.ckpt whenever it improves (higher is better); "
             "\"\": off"),
        spec("stop_metric", IDLAB_PARAM_STRING, "\"\"", 0, 0, 0, nullptr,
             "a metric value name: stop after the first evaluation where it exceeds "
             "train.stop_above; \"\": off"),
        spec("stop_above", IDLAB_PARAM_FLOAT, "inf", 0, 0, 0, nullptr,
             "the value train.stop_metric must exceed to stop the run early"),
    };
    return specs;
}

}  // namespace idlab::host
