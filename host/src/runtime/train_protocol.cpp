#include "runtime/train_protocol.hpp"

#include "runtime/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace idlab::host {

namespace {

std::string list(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "none: the recipe has no [[metrics]]" : s;
}

void require_value_name(const StageConfig& train, const char* key,
                        const std::vector<std::string>& value_names) {
    const ParamValue* p = train.find(key);
    if (!p || p->string_value.empty()) return;
    if (std::find(value_names.begin(), value_names.end(), p->string_value) != value_names.end()) return;
    throw WiringError(p->where, std::string("'train.") + key + "' names '" + p->string_value +
                                    "', which is not a value of this recipe's metrics (they are: " +
                                    list(value_names) + ")");
}

}  // namespace

TrainProtocol TrainProtocol::from(const StageConfig& train, const std::vector<std::string>& value_names) {
    TrainProtocol p;
    if (const ParamValue* v = train.find("checkpoint_every")) p.checkpoint_every = v->int_value;
    if (const ParamValue* v = train.find("keep_best")) p.keep_best = v->string_value;
    const ParamValue* metric = train.find("stop_metric");
    const ParamValue* above = train.find("stop_above");
    if (metric) p.stop_metric = metric->string_value;
    if (above) p.stop_above = above->float_value;
    require_value_name(train, "keep_best", value_names);
    require_value_name(train, "stop_metric", value_names);
    // stop_above's default, inf, means "never": both keys or neither.
    if (metric && above) {
        if (!p.stop_metric.empty() && !std::isfinite(p.stop_above))
            throw WiringError(above->from_default ? metric->where : above->where,
                              "'train.stop_metric' = \"" + p.stop_metric +
                                  "\" needs a finite 'train.stop_above', the value to exceed");
        if (p.stop_metric.empty() && std::isfinite(p.stop_above))
            throw WiringError(above->where,
                              "'train.stop_above' has no effect without 'train.stop_metric', the "
                              "metric value it applies to");
    }
    return p;
}

double value_of(const Evaluation& e, const std::string& name) {
    for (const auto& [k, v] : e.values)
        if (k == name) return v;
    return std::numeric_limits<double>::quiet_NaN();
}

bool TrainProtocol::improves(const Evaluation& e, const Evaluation* best) const {
    if (keep_best.empty()) return false;
    const double v = value_of(e, keep_best);
    if (std::isnan(v)) return false;
    return !best || v > value_of(*best, keep_best);
}

bool TrainProtocol::stops(const Evaluation& e) const {
    return !stop_metric.empty() && value_of(e, stop_metric) > stop_above;
}

}  // namespace idlab::host
