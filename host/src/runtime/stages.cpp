#include "runtime/stages.hpp"

#include "runtime/config_storage.hpp"

#include <cstddef>
#include <cstring>

namespace idlab::host {

ComponentFailure::ComponentFailure(std::string stage_, std::string id_, int64_t step_,
                                   idlab_status_t code_, std::string message,
                                   std::string param_key_)
    : std::runtime_error(std::move(message)), stage(std::move(stage_)), id(std::move(id_)),
      step(step_), code(code_), param_key(std::move(param_key_)) {}

InstanceHandle::InstanceHandle(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : stage_(stage.stage), id_(stage.kind) {
    ConfigStorage config(stage);
    idlab_status_t status = stage.desc->create(&ctx, config.get(), &instance_, error());
    if (status == IDLAB_STATUS_OK && !instance_)
        throw ComponentFailure(stage_, id_, -1, IDLAB_STATUS_INTERNAL,
                               "create() reported success but returned no instance", "");
    check(status, -1);
    if (instance_->struct_size < sizeof(idlab_instance_t) || !instance_->destroy ||
        !instance_->get_interface)
        throw ComponentFailure(stage_, id_, -1, IDLAB_STATUS_INTERNAL,
                               "create() returned an invalid instance", "");
}

InstanceHandle::~InstanceHandle() {
    if (instance_) instance_->destroy(instance_);
}

idlab_error_t* InstanceHandle::error() const {
    message_[0] = '\0';
    key_[0] = '\0';
    error_.struct_size = sizeof(idlab_error_t);
    error_.code = IDLAB_STATUS_OK;
    error_.message = message_;
    error_.message_capacity = sizeof(message_);
    error_.param_key = key_;
    error_.param_key_capacity = sizeof(key_);
    return &error_;
}

void InstanceHandle::check(idlab_status_t status, int64_t step) const {
    if (status == IDLAB_STATUS_OK) return;
    std::string message = message_[0] ? message_ : "failed without a message (status " +
                                                     std::to_string(status) + ")";
    throw ComponentFailure(stage_, id_, step, status, message, key_);
}

const void* InstanceHandle::interface(const char* id, uint32_t min_size) const {
    const void* vt = instance_->get_interface(instance_, id);
    if (!vt) return nullptr;
    // Every vtable starts with its struct_size.
    uint32_t size = 0;
    std::memcpy(&size, vt, sizeof(size));
    if (size < min_size)
        throw ComponentFailure(stage_, id_, -1, IDLAB_STATUS_INTERNAL,
                               std::string("interface ") + id + " is smaller than this host expects", "");
    return vt;
}

namespace {
// min_size: the vtable size of the oldest ABI minor this host still loads (fields added
// later are read only after checking struct_size).
template <class VT>
const VT* require_interface(const InstanceHandle& h, const char* id, size_t min_size = sizeof(VT)) {
    auto vt = static_cast<const VT*>(h.interface(id, static_cast<uint32_t>(min_size)));
    if (!vt)
        throw ComponentFailure(h.stage(), h.id(), -1, IDLAB_STATUS_UNSUPPORTED,
                               std::string("component does not provide the interface ") + id, "");
    return vt;
}
}  // namespace

// ------------------------------------------------------------------ data

DataStage::DataStage(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : handle_(stage, ctx), vt_(require_interface<idlab_data_i>(handle_, IDLAB_IFACE_DATA)) {}

std::vector<idlab_field_desc_t> DataStage::fields() const {
    std::vector<idlab_field_desc_t> out;
    uint32_t n = vt_->field_count(handle_.raw());
    for (uint32_t i = 0; i < n; ++i) {
        const idlab_field_desc_t* f = vt_->field(handle_.raw(), i);
        if (!f || !f->name)
            throw ComponentFailure(handle_.stage(), handle_.id(), -1, IDLAB_STATUS_INTERNAL,
                                   "field " + std::to_string(i) + " has no descriptor", "");
        out.push_back(*f);
    }
    return out;
}

void DataStage::sample(const idlab_exec_ctx_t& ctx, int64_t batch, idlab_tensor_set_t& out) {
    handle_.check(vt_->sample(handle_.raw(), &ctx, batch, &out, handle_.error()), ctx.step);
}

// --------------------------------------------------------------- encoder

EncoderStage::EncoderStage(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : handle_(stage, ctx), vt_(require_interface<idlab_encoder_i>(handle_, IDLAB_IFACE_ENCODER)) {}

int64_t EncoderStage::output_dim() const { return vt_->output_dim(handle_.raw()); }

void EncoderStage::forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) {
    handle_.check(vt_->forward(handle_.raw(), &ctx, &x, &features, handle_.error()), ctx.step);
}

void EncoderStage::backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures) {
    handle_.check(vt_->backward(handle_.raw(), &ctx, &dfeatures, nullptr, handle_.error()), ctx.step);
}

// ------------------------------------------------------------------ loss

LossStage::LossStage(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : handle_(stage, ctx),
      vt_(require_interface<idlab_loss_i>(handle_, IDLAB_IFACE_LOSS,
                                          offsetof(idlab_loss_i, view_count))) {}

std::vector<std::string> LossStage::inputs() const {
    std::vector<std::string> out;
    uint32_t n = vt_->input_count(handle_.raw());
    for (uint32_t i = 0; i < n; ++i) {
        const char* name = vt_->input_name(handle_.raw(), i);
        out.emplace_back(name ? name : "");
    }
    return out;
}

std::vector<std::string> LossStage::views() const {
    std::vector<std::string> out;
    // view_count arrived in ABI 1.1: a loss built against 1.0 encodes just "x".
    const bool has_views = IDLAB_HAS_FIELD(vt_, idlab_loss_i, view_name) && vt_->view_count &&
                           vt_->view_name;
    const uint32_t n = has_views ? vt_->view_count(handle_.raw()) : 0;
    for (uint32_t i = 0; i < n; ++i) {
        const char* name = vt_->view_name(handle_.raw(), i);
        if (!name || !*name)
            throw ComponentFailure(handle_.stage(), handle_.id(), -1, IDLAB_STATUS_INTERNAL,
                                   "view " + std::to_string(i) + " has no name", "");
        out.emplace_back(name);
    }
    if (out.empty()) out.emplace_back("x");
    return out;
}

double LossStage::forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                          const idlab_tensor_set_t& inputs, DLTensor* dfeatures) {
    double loss = 0.0;
    handle_.check(vt_->forward(handle_.raw(), &ctx, &features, &inputs, &loss, dfeatures,
                               handle_.error()),
                  ctx.step);
    return loss;
}

bool LossStage::writes_loss_out() const {
    return IDLAB_HAS_FIELD(vt_, idlab_loss_i, writes_loss_out) && vt_->writes_loss_out &&
           vt_->writes_loss_out(handle_.raw()) != 0;
}

// ------------------------------------------------------------- optimizer

OptimizerStage::OptimizerStage(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : handle_(stage, ctx),
      vt_(require_interface<idlab_optimizer_i>(handle_, IDLAB_IFACE_OPTIMIZER)) {}

void OptimizerStage::bind(const std::vector<idlab_param_view_t>& params) {
    handle_.check(vt_->bind(handle_.raw(), params.data(), static_cast<uint32_t>(params.size()),
                            handle_.error()),
                  -1);
}

void OptimizerStage::step(const idlab_exec_ctx_t& ctx) {
    handle_.check(vt_->step(handle_.raw(), &ctx, handle_.error()), ctx.step);
}

// ---------------------------------------------------------------- metric

MetricStage::MetricStage(const StageConfig& stage, const idlab_create_ctx_t& ctx)
    : handle_(stage, ctx), vt_(require_interface<idlab_metric_i>(handle_, IDLAB_IFACE_METRIC)) {}

std::vector<std::string> MetricStage::inputs() const {
    std::vector<std::string> out;
    uint32_t n = vt_->input_count(handle_.raw());
    for (uint32_t i = 0; i < n; ++i) {
        const char* name = vt_->input_name(handle_.raw(), i);
        out.emplace_back(name ? name : "");
    }
    return out;
}

std::vector<std::string> MetricStage::value_names() const {
    std::vector<std::string> out;
    uint32_t n = vt_->value_count(handle_.raw());
    for (uint32_t i = 0; i < n; ++i) {
        const char* name = vt_->value_name(handle_.raw(), i);
        out.emplace_back(name ? name : "value" + std::to_string(i));
    }
    return out;
}

void MetricStage::evaluate(const idlab_exec_ctx_t& ctx, const idlab_tensor_set_t& inputs,
                           double* values, int64_t step) {
    idlab_exec_ctx_t c = ctx;
    c.step = step;
    handle_.check(vt_->evaluate(handle_.raw(), &c, &inputs, values, handle_.error()), step);
}

// ------------------------------------------------------------ parameters

std::vector<idlab_param_view_t> parameters_of(const InstanceHandle& handle) {
    std::vector<idlab_param_view_t> out;
    auto vt = static_cast<const idlab_parameters_i*>(
        handle.interface(IDLAB_IFACE_PARAMETERS, sizeof(idlab_parameters_i)));
    if (!vt) return out;
    uint32_t n = vt->count(handle.raw());
    for (uint32_t i = 0; i < n; ++i) {
        idlab_param_view_t view{};
        view.struct_size = sizeof(view);
        handle.check(vt->get(handle.raw(), i, &view), -1);
        out.push_back(view);
    }
    return out;
}

std::vector<idlab_named_tensor_t> constants_of(const InstanceHandle& handle) {
    std::vector<idlab_named_tensor_t> out;
    auto vt = static_cast<const idlab_constants_i*>(
        handle.interface(IDLAB_IFACE_CONSTANTS, sizeof(idlab_constants_i)));
    if (!vt) return out;
    uint32_t n = vt->count(handle.raw());
    for (uint32_t i = 0; i < n; ++i) {
        idlab_named_tensor_t item{};
        handle.check(vt->get(handle.raw(), i, &item), -1);
        if (!item.name)
            throw ComponentFailure(handle.stage(), handle.id(), -1, IDLAB_STATUS_INTERNAL,
                                   "constant " + std::to_string(i) + " has no name", "");
        out.push_back(item);
    }
    return out;
}

// ----------------------------------------------------------------- state

bool has_state_interface(const InstanceHandle& handle) {
    return handle.interface(IDLAB_IFACE_STATE, offsetof(idlab_state_i, restored)) != nullptr;
}

std::vector<idlab_named_tensor_t> state_of(const InstanceHandle& handle) {
    std::vector<idlab_named_tensor_t> out;
    auto vt = static_cast<const idlab_state_i*>(
        handle.interface(IDLAB_IFACE_STATE, offsetof(idlab_state_i, restored)));
    if (!vt) return out;
    uint32_t n = vt->count(handle.raw());
    for (uint32_t i = 0; i < n; ++i) {
        idlab_named_tensor_t item{};
        handle.check(vt->get(handle.raw(), i, &item), -1);
        if (!item.name || !*item.name)
            throw ComponentFailure(handle.stage(), handle.id(), -1, IDLAB_STATUS_INTERNAL,
                                   "state tensor " + std::to_string(i) + " has no name", "");
        out.push_back(item);
    }
    return out;
}

void notify_restored(const InstanceHandle& handle, const idlab_exec_ctx_t& ctx) {
    auto vt = static_cast<const idlab_state_i*>(
        handle.interface(IDLAB_IFACE_STATE, offsetof(idlab_state_i, restored)));
    if (!vt || !IDLAB_HAS_FIELD(vt, idlab_state_i, restored) || !vt->restored) return;
    handle.check(vt->restored(handle.raw(), &ctx, handle.error()), ctx.step);
}

}  // namespace idlab::host
