// test.fake-cuda: the fake CUDA device and, for it, the core data processes, encoder, losses
// and optimizer, each wrapping its CPU implementation (see wrapping.hpp).
#include "fake_device.hpp"
#include "wrapping.hpp"

#include "adam.hpp"
#include "contrastive_pairs.hpp"
#include "cross_entropy.hpp"
#include "infonce.hpp"
#include "mlp.hpp"
#include "vmf_clusters.hpp"

namespace fake_cuda {

template <class Inner>
class FakeData final : public Wrapped<idlab::Data, Inner> {
public:
    static idlab::ComponentSpec spec() { return on_fake_device(Inner::spec()); }
    FakeData(const idlab::CreateContext& ctx, const idlab::Config& config)
        : Wrapped<idlab::Data, Inner>(ctx, config) {}

    const std::vector<idlab_field_desc_t>& fields() const override { return this->inner().fields(); }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override {
        check_call(ctx);
        if (ctx.training) set_in_step(true);  // a training step starts with its batch
        std::vector<idlab_named_tensor_t> items;
        for (const idlab_field_desc_t& f : fields()) items.push_back({f.name, out.get(f.name)});
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        this->inner().sample(as_cpu(ctx), batch, out_.relabel(&set));
    }

private:
    CpuSet out_;
};

class FakeMlp final : public Wrapped<idlab::Encoder, idlab::core::Mlp> {
public:
    static idlab::ComponentSpec spec() { return on_fake_device(idlab::core::Mlp::spec()); }
    FakeMlp(const idlab::CreateContext& ctx, const idlab::Config& config) : Wrapped(ctx, config) {}

    int64_t output_dim() const override { return inner().output_dim(); }
    void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) override {
        check_call(ctx);
        check_tensor(x);
        check_tensor(features);
        DLTensor out = as_cpu(features);
        inner().forward(as_cpu(ctx), as_cpu(x), out);
    }
    void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) override {
        check_call(ctx);
        check_tensor(dfeatures);
        DLTensor dx_cpu;
        if (dx) {
            check_tensor(*dx);
            dx_cpu = as_cpu(*dx);
        }
        inner().backward(as_cpu(ctx), as_cpu(dfeatures), dx ? &dx_cpu : nullptr);
    }
};

template <class Inner>
class FakeLoss final : public Wrapped<idlab::Loss, Inner> {
public:
    static idlab::ComponentSpec spec() { return on_fake_device(Inner::spec()); }
    FakeLoss(const idlab::CreateContext& ctx, const idlab::Config& config)
        : Wrapped<idlab::Loss, Inner>(ctx, config) {}

    const std::vector<std::string>& inputs() const override { return this->inner().inputs(); }
    const std::vector<std::string>& views() const override { return this->inner().views(); }
    bool writes_loss_out() const override { return true; }
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab::TensorSet& inputs, DLTensor* dfeatures) override {
        check_call(ctx);
        check_tensor(features);
        std::vector<idlab_named_tensor_t> items;
        for (const std::string& name : this->inner().inputs()) items.push_back({name.c_str(), inputs.get(name)});
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        DLTensor df;
        if (dfeatures) {
            check_tensor(*dfeatures);
            df = as_cpu(*dfeatures);
        }
        const double loss = this->inner().forward(as_cpu(ctx), as_cpu(features), in_.relabel(&set),
                                                  dfeatures ? &df : nullptr);
        double* slot = idlab::loss_out(ctx);
        if (!slot) {
            ++counters().losses_to_host;
            return loss;
        }
        if (!allocated_here(slot, sizeof(double))) ++counters().tensors_foreign;
        *slot = loss;  // "device" memory is host memory here
        ++counters().losses_to_device;
        return std::numeric_limits<double>::quiet_NaN();  // the host must not use it
    }

private:
    CpuSet in_;
};

class FakeAdam final : public Wrapped<idlab::Optimizer, idlab::core::Adam> {
public:
    static idlab::ComponentSpec spec() { return on_fake_device(idlab::core::Adam::spec()); }
    FakeAdam(const idlab::CreateContext& ctx, const idlab::Config& config) : Wrapped(ctx, config) {}

    void bind(const idlab_param_view_t* params, uint32_t count) override {
        std::vector<idlab_param_view_t> cpu(params, params + count);
        for (idlab_param_view_t& p : cpu) {
            check_tensor(p.value, false);
            check_tensor(p.grad, false);
            p.value = as_cpu(p.value);
            p.grad = as_cpu(p.grad);
        }
        inner().bind(cpu.data(), count);
    }
    void step(const idlab_exec_ctx_t& ctx) override {
        check_call(ctx);
        inner().step(as_cpu(ctx));
        set_in_step(false);  // the step ends with the update
    }
};

using FakeVmfClusters = FakeData<idlab::core::VmfClusters>;
using FakeContrastivePairs = FakeData<idlab::core::ContrastivePairs>;
using FakeCrossEntropy = FakeLoss<idlab::core::CrossEntropy>;
using FakeInfoNce = FakeLoss<idlab::core::InfoNce>;

}  // namespace fake_cuda

IDLAB_PLUGIN((idlab::PluginInfo{"test.fake-cuda", "fake CUDA device", "idlab tests", "0.0.1",
                                "a pretend CUDA device in host memory with the core components "
                                "for it, to test the host's device plumbing without a GPU",
                                nullptr,
                                {fake_cuda::device_table()}}),
             fake_cuda::FakeVmfClusters, fake_cuda::FakeContrastivePairs, fake_cuda::FakeMlp,
             fake_cuda::FakeCrossEntropy, fake_cuda::FakeInfoNce, fake_cuda::FakeAdam)
