// The training losses between two evaluations. A loss on the CPU (or one that reports through
// *loss) is recorded as it comes and checked at once. A loss on a device that writes
// idlab_exec_ctx_t.loss_out gets one float64 slot of a device buffer per step; nothing is read
// back until flush(), at evaluation time, so that no step waits for the device. flush() also
// finds the first step whose loss was not finite.
#pragma once

#include "runtime/device_runtime.hpp"
#include "runtime/tensor_buffer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::host {

class LossTracker {
public:
    // `stage` and `id` name the loss in errors. With `on_device`, slots for up to `window`
    // steps between flushes are allocated on `device`.
    LossTracker(DeviceRuntime& device, bool on_device, int64_t window, std::string stage,
                std::string id);

    // Where step `step` writes its loss, or null when the loss reports it on the host.
    // Throws when more than `window` steps are pending.
    double* slot(int64_t step);
    // A loss reported on the host. Throws ComponentFailure when it is not finite.
    void record(int64_t step, double loss);
    // Reads the pending device slots (one copy, one wait) and checks them. Throws
    // ComponentFailure naming the first step whose loss was not finite.
    void flush();

    int64_t count() const { return count_; }
    // Sum of the losses since the last reset(), in step order (checkpoints keep it).
    double sum() const { return sum_; }
    // Continues from a checkpoint's sum and count (nothing pending).
    void restore(double sum, int64_t count);
    // Mean of the losses since the last reset(); 0 when there are none.
    double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
    // The latest loss known on the host (NaN before the first one).
    double last() const { return last_; }
    void reset();

private:
    void add(int64_t step, double loss);

    DeviceRuntime& device_;
    std::string stage_, id_;
    TensorBuffer slots_;            // [window] float64 on the device (on-device losses only)
    std::vector<double> host_;      // their CPU copy
    int64_t first_step_ = 0;        // step of slot 0
    int64_t pending_ = 0;           // slots written since the last flush
    double sum_ = 0.0;
    int64_t count_ = 0;
    double last_;
};

}  // namespace idlab::host
