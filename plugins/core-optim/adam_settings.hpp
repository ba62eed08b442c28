// The hyperparameters of core.adam and the constants of one update, shared by the CPU optimizer
// (adam.cpp) and its CUDA twin (plugins/cuda/cuda_adam.cpp) so that both check the same recipe
// values and update with the same numbers.
#pragma once

#include <idlab/plugin.hpp>

#include <cmath>
#include <cstdint>

namespace idlab::core {

struct AdamSettings {
    double lr, beta1, beta2, eps, weight_decay;

    // Reads and checks the recipe's values (a config error names the key).
    explicit AdamSettings(const idlab::Config& config)
        : lr(config.get_float("lr")),
          beta1(config.get_float("beta1")),
          beta2(config.get_float("beta2")),
          eps(config.get_float("eps")),
          weight_decay(config.get_float("weight_decay")) {
        if (!(lr > 0.0)) idlab::config_error("lr", "lr must be > 0");
        if (!(beta1 >= 0.0 && beta1 < 1.0)) idlab::config_error("beta1", "beta1 must lie in [0, 1)");
        if (!(beta2 >= 0.0 && beta2 < 1.0)) idlab::config_error("beta2", "beta2 must lie in [0, 1)");
        if (!(eps >= 0.0)) idlab::config_error("eps", "eps must be >= 0");
        if (!(weight_decay >= 0.0)) idlab::config_error("weight_decay", "weight_decay must be >= 0");
    }

    // The float constants of update t (counted from 1), for any struct with the fields b1, b2,
    // one_minus_b1, one_minus_b2, neg_step_size (-lr / (1 - beta1^t)), bc2_sqrt
    // (sqrt(1 - beta2^t)), eps and weight_decay. Scalars in double, element math in float32,
    // as PyTorch's single-tensor Adam does.
    template <class Scalars>
    Scalars scalars(int64_t step) const {
        const double t = static_cast<double>(step);
        Scalars k;
        k.b1 = static_cast<float>(beta1);
        k.b2 = static_cast<float>(beta2);
        k.one_minus_b1 = static_cast<float>(1.0 - beta1);
        k.one_minus_b2 = static_cast<float>(1.0 - beta2);
        k.neg_step_size = static_cast<float>(-lr / (1.0 - std::pow(beta1, t)));
        k.bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(beta2, t)));
        k.eps = static_cast<float>(eps);
        k.weight_decay = static_cast<float>(weight_decay);
        return k;
    }
};

}  // namespace idlab::core
