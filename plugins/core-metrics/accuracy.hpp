// core.accuracy: how often the loss's linear head picks the right class (or instance) for the
// evaluation samples: argmax_c <f(x), w_c> == target. With split_field set, only the rows whose
// value there is score_value count (the image datasets' `split` field: 1 = validation rows, so
// that a checkpoint is selected on validation images even when the evaluation also reads
// training or test images for a probe).
#pragma once

#include <idlab/plugin.hpp>

#include <string>
#include <vector>

namespace idlab::core {

class Accuracy final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.accuracy";
    static constexpr const char* kHead = "loss.head.weight";
    static idlab::ComponentSpec spec();

    Accuracy(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    std::string target_;   // the data field holding the right row of the head: "label" or "index"
    bool normalize_rows_;  // score with unit-norm rows, as the loss's normalize_rows does
    std::string split_field_;  // empty: every row counts
    int64_t score_value_ = 1;
    std::vector<std::string> inputs_;
    std::vector<std::string> values_{"accuracy"};
    std::vector<double> head_;  // the head in float64, rows normalised when asked
};

}  // namespace idlab::core
