// The parameters an optimizer was bound to: checked once in bind(), then plain pointers.
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

struct BoundParameter {
    std::string name;
    float* value = nullptr;
    const float* grad = nullptr;
    int64_t size = 0;  // number of elements
    std::vector<int64_t> shape;  // the value's shape (state tensors of the optimizer share it)
};

// Checks that every view is a compact float32 CPU tensor whose gradient has the value's shape,
// and returns them in order. Errors name the optimizer and the parameter.
std::vector<BoundParameter> bind_parameters(const idlab_param_view_t* params, uint32_t count,
                                            const std::string& optimizer_id);

}  // namespace idlab::core
