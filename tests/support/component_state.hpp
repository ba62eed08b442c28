// Test helper: what a checkpoint does to a component, without the host. take() copies the
// contents of every parameter it owns (idlab.parameters/1) and every state tensor
// (idlab.state/1); scribble() overwrites them all, as another run would leave them; restore()
// writes a copy back in place and calls restored(), as `idlab run --resume` does.
#pragma once

#include <idlab/plugin.hpp>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::test {

struct ComponentSnapshot {
    std::vector<std::vector<char>> params, state;
};

inline size_t tensor_bytes(const DLTensor& t) {
    size_t n = t.dtype.bits / 8;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    return n;
}

inline std::vector<char> contents(const DLTensor& t) {
    const char* p = static_cast<const char*>(t.data) + t.byte_offset;
    return std::vector<char>(p, p + tensor_bytes(t));
}

inline ComponentSnapshot take(const idlab::Component& c) {
    ComponentSnapshot s;
    for (uint32_t i = 0; i < c.parameter_count(); ++i) s.params.push_back(contents(c.parameter(i).value));
    for (uint32_t i = 0; i < c.state_count(); ++i) s.state.push_back(contents(c.state(i).tensor));
    return s;
}

inline void scribble(const idlab::Component& c) {
    for (uint32_t i = 0; i < c.parameter_count(); ++i)
        std::memset(c.parameter(i).value.data, 0x3e, tensor_bytes(c.parameter(i).value));
    for (uint32_t i = 0; i < c.state_count(); ++i)
        std::memset(c.state(i).tensor.data, 0x3e, tensor_bytes(c.state(i).tensor));
}

inline void restore(idlab::Component& c, const ComponentSnapshot& s) {
    if (s.params.size() != c.parameter_count() || s.state.size() != c.state_count())
        throw std::logic_error("the snapshot was taken from another component");
    for (uint32_t i = 0; i < c.parameter_count(); ++i)
        std::memcpy(c.parameter(i).value.data, s.params[i].data(), s.params[i].size());
    for (uint32_t i = 0; i < c.state_count(); ++i)
        std::memcpy(c.state(i).tensor.data, s.state[i].data(), s.state[i].size());
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    c.restored(ctx);
}

inline std::vector<std::string> state_names(const idlab::Component& c) {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < c.state_count(); ++i) names.emplace_back(c.state(i).name);
    return names;
}

}  // namespace idlab::test
