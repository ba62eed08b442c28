#include "runtime/checkpointer.hpp"

#include "runtime/recipe_fingerprint.hpp"
#include "runtime/tensor_copy.hpp"

#include <algorithm>

namespace idlab::host {

namespace fs = std::filesystem;

namespace {

std::string shape_text(int32_t dtype, const std::vector<int64_t>& shape) {
    std::string s = std::string(idlab_dtype_name(dtype)) + " [";
    for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
    return s + "]";
}

std::string stage_text(const CheckpointStage& s) {
    return s.stage + " '" + s.component + "' " + s.version;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : "; ") + s;
    return out;
}

}  // namespace

CheckpointMismatch::CheckpointMismatch(const fs::path& file_, std::vector<std::string> differences_)
    : std::runtime_error(file_.string() + " does not match this run: " + join(differences_)),
      file(file_),
      differences(std::move(differences_)) {}

Checkpointer::Checkpointer(std::string recipe, DeviceRuntime& device)
    : recipe_(std::move(recipe)), device_(device) {}

std::string Checkpointer::what(const Stage& stage, const CheckpointTensor& t) const {
    return stage.desc.stage + " '" + stage.desc.component + "' " + role_name(t.role) + " '" + t.name + "'";
}

void Checkpointer::add_stage(const InstanceHandle& handle, const std::string& version,
                             bool may_hold_state) {
    Stage stage{&handle, {}, {}};
    stage.desc.stage = handle.stage();
    stage.desc.component = handle.id();
    stage.desc.version = version;
    stage.desc.has_state = has_state_interface(handle);
    auto add = [&](TensorRole role, const char* name, const DLTensor& view) {
        Tensor t{};
        t.desc.role = role;
        t.desc.name = name ? name : "";
        t.desc.dtype = idlab_dtype_of(view);
        t.desc.shape.assign(view.shape, view.shape + view.ndim);
        t.desc.bytes = idlab::host::tensor_bytes(view);
        t.view = view;
        if (t.desc.dtype == 0)
            throw ComponentFailure(handle.stage(), handle.id(), -1, IDLAB_STATUS_UNSUPPORTED,
                                   std::string(role_name(role)) + " '" + t.desc.name +
                                       "' is neither f32, f64 nor i64, which checkpoints cannot hold",
                                   "");
        staging_.resize(std::max<size_t>(staging_.size(), t.desc.bytes));
        stage.tensors.push_back(std::move(t));
    };
    for (const idlab_param_view_t& p : parameters_of(handle)) add(TensorRole::parameter, p.name, p.value);
    for (const idlab_named_tensor_t& s : state_of(handle)) add(TensorRole::state, s.name, s.tensor);
    for (const Tensor& t : stage.tensors) stage.desc.tensors.push_back(t.desc);
    if (may_hold_state && !stage.desc.has_state)
        without_state_.push_back(stage.desc.stage + " '" + stage.desc.component + "'");
    stages_.push_back(std::move(stage));
}

uint64_t Checkpointer::tensor_bytes() const {
    uint64_t n = 0;
    for (const Stage& s : stages_)
        for (const Tensor& t : s.tensors) n += t.desc.bytes;
    return n;
}

uint64_t Checkpointer::save(const fs::path& file, const TrainingState& state) {
    CheckpointContents contents;
    contents.writer = std::string("idlab ") + IDLAB_VERSION;
    contents.recipe = recipe_;
    contents.state = state;
    for (const Stage& s : stages_) contents.stages.push_back(s.desc);
    const TensorSource source = [this](size_t si, size_t ti, void* host) {
        const Stage& s = stages_[si];
        const Tensor& t = s.tensors[ti];
        view_to_host(t.view, host, device_, what(s, t.desc));
    };
    return write_checkpoint(file, contents, source, staging_);
}

std::vector<std::string> Checkpointer::differences(const LoadedCheckpoint& checkpoint) const {
    std::vector<std::string> out = recipe_differences(checkpoint.contents.recipe, recipe_);
    const std::vector<CheckpointStage>& saved = checkpoint.contents.stages;
    if (saved.size() != stages_.size()) {
        out.push_back("the checkpoint has " + std::to_string(saved.size()) + " stages, this run " +
                      std::to_string(stages_.size()));
        return out;
    }
    for (size_t i = 0; i < saved.size(); ++i) {
        const CheckpointStage& was = saved[i];
        const CheckpointStage& now = stages_[i].desc;
        if (was.stage != now.stage || was.component != now.component || was.version != now.version) {
            out.push_back("stage " + std::to_string(i) + " is " + stage_text(was) + " in the checkpoint, " +
                          stage_text(now) + " now");
            continue;  // its tensors cannot be compared meaningfully
        }
        const bool lacks_state =
            std::find(without_state_.begin(), without_state_.end(), now.stage + " '" + now.component + "'") !=
            without_state_.end();
        if (lacks_state)
            out.push_back(now.stage + " '" + now.component +
                          "' does not expose idlab.state/1 (its plugin predates ABI 1.2), so the "
                          "checkpoint holds its parameters but not its hidden state; a resumed run "
                          "could not give the numbers of an uninterrupted one (rebuild the plugin "
                          "against SDK 1.2 and expose its state with add_state())");
        const std::string prefix = now.stage + " '" + now.component + "': ";
        const size_t n = std::max(was.tensors.size(), now.tensors.size());
        for (size_t k = 0; k < n; ++k) {
            if (k >= was.tensors.size()) {
                const CheckpointTensor& t = now.tensors[k];
                out.push_back(prefix + role_name(t.role) + " '" + t.name + "' " +
                              shape_text(t.dtype, t.shape) + " is not in the checkpoint");
                continue;
            }
            if (k >= now.tensors.size()) {
                const CheckpointTensor& t = was.tensors[k];
                out.push_back(prefix + "the checkpoint's " + role_name(t.role) + " '" + t.name + "' " +
                              shape_text(t.dtype, t.shape) + " is not in this run");
                continue;
            }
            const CheckpointTensor& a = was.tensors[k];
            const CheckpointTensor& b = now.tensors[k];
            if (a.role != b.role || a.name != b.name)
                out.push_back(prefix + "tensor " + std::to_string(k) + " is " + role_name(a.role) + " '" +
                              a.name + "' in the checkpoint, " + role_name(b.role) + " '" + b.name + "' now");
            else if (a.dtype != b.dtype || a.shape != b.shape)
                out.push_back(prefix + role_name(a.role) + " '" + a.name + "' is " +
                              shape_text(a.dtype, a.shape) + " in the checkpoint, " +
                              shape_text(b.dtype, b.shape) + " now");
        }
    }
    return out;
}

void Checkpointer::restore(const LoadedCheckpoint& checkpoint, const idlab_exec_ctx_t& ctx) {
    std::vector<std::string> diff = differences(checkpoint);
    if (!diff.empty()) throw CheckpointMismatch(checkpoint.file, std::move(diff));
    const std::vector<CheckpointStage>& saved = checkpoint.contents.stages;
    for (size_t i = 0; i < stages_.size(); ++i) {
        const Stage& s = stages_[i];
        for (size_t k = 0; k < s.tensors.size(); ++k)
            host_to_view(checkpoint.data(saved[i].tensors[k]), s.tensors[k].view, device_,
                         what(s, s.tensors[k].desc));
    }
    for (const Stage& s : stages_) notify_restored(*s.handle, ctx);
}

}  // namespace idlab::host
