#include "bound_parameters.hpp"

#include <idlab/plugin.hpp>

namespace idlab::core {
namespace {

void require_float_tensor(const DLTensor& t, const std::string& what) {
    if (t.dtype.code != kDLFloat || t.dtype.bits != 32 || t.dtype.lanes != 1)
        idlab::argument_error(what + ": expected f32, got " + idlab::shape_string(t));
    if (t.device.device_type != kDLCPU) idlab::argument_error(what + ": tensor is on another device");
    if (!t.data) idlab::argument_error(what + ": no data");
    if (!idlab::is_compact(t)) idlab::argument_error(what + ": expected a compact row-major tensor");
}

int64_t element_count(const DLTensor& t) {
    int64_t n = 1;
    for (int d = 0; d < t.ndim; ++d) n *= t.shape[d];
    return n;
}

bool same_shape(const DLTensor& a, const DLTensor& b) {
    if (a.ndim != b.ndim) return false;
    for (int d = 0; d < a.ndim; ++d)
        if (a.shape[d] != b.shape[d]) return false;
    return true;
}

}  // namespace

std::vector<BoundParameter> bind_parameters(const idlab_param_view_t* params, uint32_t count,
                                            const std::string& optimizer_id) {
    if (count > 0 && !params) idlab::argument_error(optimizer_id + ": bind() got no parameter views");
    std::vector<BoundParameter> bound;
    bound.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        const idlab_param_view_t& p = params[i];
        const std::string name = p.name ? p.name : "#" + std::to_string(i);
        const std::string what = optimizer_id + ": parameter '" + name + "'";
        require_float_tensor(p.value, what);
        require_float_tensor(p.grad, what + " (gradient)");
        if (!same_shape(p.value, p.grad))
            idlab::argument_error(what + ": the gradient " + idlab::shape_string(p.grad) +
                                  " does not match the value " + idlab::shape_string(p.value));
        BoundParameter b;
        b.name = name;
        b.value = idlab::data_of<float>(p.value);
        b.grad = idlab::data_of<float>(p.grad);
        b.size = element_count(p.value);
        b.shape.assign(p.value.shape, p.value.shape + p.value.ndim);
        bound.push_back(b);
    }
    return bound;
}

}  // namespace idlab::core
