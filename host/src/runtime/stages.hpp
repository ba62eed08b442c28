// Host-side handles on component instances: one class per kind, each a thin, checked wrapper
// over the C vtable. A failing call throws ComponentFailure with the stage, id, step and message.
#pragma once

#include "recipe/recipe.hpp"

#include <idlab/plugin.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::host {

struct ComponentFailure : std::runtime_error {
    ComponentFailure(std::string stage, std::string id, int64_t step, idlab_status_t code,
                     std::string message, std::string param_key);
    std::string stage;       // "loss", "metrics[0]"
    std::string id;          // "core.cross_entropy"
    int64_t step;            // -1 while creating
    idlab_status_t code;
    std::string param_key;   // the recipe key the component blamed, or ""
};

// One instance plus the error storage its calls write into.
class InstanceHandle {
public:
    InstanceHandle(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    ~InstanceHandle();
    InstanceHandle(const InstanceHandle&) = delete;
    InstanceHandle& operator=(const InstanceHandle&) = delete;

    const std::string& stage() const { return stage_; }
    const std::string& id() const { return id_; }
    idlab_instance_t* raw() const { return instance_; }
    // Clears and returns the error storage for the next call.
    idlab_error_t* error() const;
    // Throws ComponentFailure unless status is OK.
    void check(idlab_status_t status, int64_t step) const;
    // The interface vtable, or null; checks that the vtable is at least `min_size` bytes.
    const void* interface(const char* id, uint32_t min_size) const;

private:
    std::string stage_, id_;
    idlab_instance_t* instance_ = nullptr;
    mutable char message_[4096] = {};
    mutable char key_[256] = {};
    mutable idlab_error_t error_{};
};

class DataStage {
public:
    DataStage(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    std::vector<idlab_field_desc_t> fields() const;
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, idlab_tensor_set_t& out);
    const InstanceHandle& handle() const { return handle_; }

private:
    InstanceHandle handle_;
    const idlab_data_i* vt_;
};

class EncoderStage {
public:
    EncoderStage(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    int64_t output_dim() const;
    void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features);
    void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures);
    const InstanceHandle& handle() const { return handle_; }

private:
    InstanceHandle handle_;
    const idlab_encoder_i* vt_;
};

class LossStage {
public:
    LossStage(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    std::vector<std::string> inputs() const;
    // The fields the encoder encodes for this loss, stacked along the batch ({"x"} by default).
    std::vector<std::string> views() const;
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab_tensor_set_t& inputs, DLTensor* dfeatures);
    // Whether forward() writes the mean loss to ctx.loss_out when given one (ABI 1.2).
    bool writes_loss_out() const;
    const InstanceHandle& handle() const { return handle_; }

private:
    InstanceHandle handle_;
    const idlab_loss_i* vt_;
};

class OptimizerStage {
public:
    OptimizerStage(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    void bind(const std::vector<idlab_param_view_t>& params);
    void step(const idlab_exec_ctx_t& ctx);
    const InstanceHandle& handle() const { return handle_; }

private:
    InstanceHandle handle_;
    const idlab_optimizer_i* vt_;
};

class MetricStage {
public:
    MetricStage(const StageConfig& stage, const idlab_create_ctx_t& ctx);
    std::vector<std::string> inputs() const;
    std::vector<std::string> value_names() const;
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab_tensor_set_t& inputs, double* values,
                  int64_t step);
    const InstanceHandle& handle() const { return handle_; }

private:
    InstanceHandle handle_;
    const idlab_metric_i* vt_;
};

// Every trainable parameter an instance exposes (none when it has no parameters interface).
std::vector<idlab_param_view_t> parameters_of(const InstanceHandle& handle);

// Every constant an instance exposes (none when it has no constants interface).
std::vector<idlab_named_tensor_t> constants_of(const InstanceHandle& handle);

// Whether an instance provides idlab.state/1 (since ABI 1.2; a 1.1 plugin does not).
bool has_state_interface(const InstanceHandle& handle);

// Every state tensor an instance exposes (none without idlab.state/1).
std::vector<idlab_named_tensor_t> state_of(const InstanceHandle& handle);

// Tells an instance that a checkpoint was written into its parameters and state tensors
// (idlab.state/1 restored(); nothing without the interface or the function).
void notify_restored(const InstanceHandle& handle, const idlab_exec_ctx_t& ctx);

}  // namespace idlab::host
