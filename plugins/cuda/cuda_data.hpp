// core.vmf_clusters and core.contrastive_pairs on CUDA. Each builds its CPU twin with the same
// config and seed (the same checks, warnings, cluster vectors and mixing), copies what a batch
// is drawn from to the GPU once, and draws every batch there, one thread per sample, with the
// CPU's Philox streams: the same seed gives the same data stream as on the CPU (integers equal,
// floats equal up to the last bits of the GPU's log/exp/sin/cos). Nothing crosses the bus
// while training.
#pragma once

#include "runtime/device_buffer.hpp"
#include "sampling/sample_rows.hpp"

#include "contrastive_pairs.hpp"
#include "vmf_clusters.hpp"

#include <idlab/plugin.hpp>

#include <memory>
#include <vector>

namespace idlab::cuda {

class CudaVmfClusters final : public idlab::Data {
public:
    static idlab::ComponentSpec spec();
    CudaVmfClusters(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<idlab_field_desc_t>& fields() const override { return twin_->fields(); }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

private:
    std::unique_ptr<core::VmfClusters> twin_;  // fields, and the set-up's record
    ClusterSampler sampler_;                    // pointing at the device copies below
    DeviceBuffer<double> centers_, mixing_, kappa_;
    DeviceBuffer<double> scratch_;              // grown with the batch
};

class CudaContrastivePairs final : public idlab::Data {
public:
    static idlab::ComponentSpec spec();
    CudaContrastivePairs(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<idlab_field_desc_t>& fields() const override { return twin_->fields(); }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

private:
    std::unique_ptr<core::ContrastivePairs> twin_;
    PairSampler sampler_;
    DeviceBuffer<double> mixing_;
    DeviceBuffer<double> scratch_;
};

}  // namespace idlab::cuda
