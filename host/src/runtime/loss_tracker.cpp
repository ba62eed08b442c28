#include "runtime/loss_tracker.hpp"

#include "runtime/stages.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace idlab::host {

LossTracker::LossTracker(DeviceRuntime& device, bool on_device, int64_t window, std::string stage,
                         std::string id)
    : device_(device), stage_(std::move(stage)), id_(std::move(id)),
      last_(std::numeric_limits<double>::quiet_NaN()) {
    if (on_device && window > 0) {
        slots_ = TensorBuffer("losses", IDLAB_DTYPE_F64, {window}, device);
        host_.assign(static_cast<size_t>(window), 0.0);
    }
}

double* LossTracker::slot(int64_t step) {
    if (slots_.rows() == 0) return nullptr;
    if (pending_ == 0) first_step_ = step;
    if (step - first_step_ != pending_ || pending_ >= slots_.rows())
        throw std::logic_error("loss slots: step " + std::to_string(step) +
                               " does not follow the pending steps (flush first)");
    return slots_.as<double>() + pending_++;
}

void LossTracker::record(int64_t step, double loss) { add(step, loss); }

void LossTracker::flush() {
    if (pending_ == 0) return;
    const DLTensor written = slots_.row_view(0, pending_);
    device_.read(written, host_.data());
    const int64_t n = pending_;
    pending_ = 0;
    for (int64_t i = 0; i < n; ++i) add(first_step_ + i, host_[static_cast<size_t>(i)]);
}

void LossTracker::add(int64_t step, double loss) {
    if (!std::isfinite(loss))
        throw ComponentFailure(stage_, id_, step, IDLAB_STATUS_NUMERIC_ERROR,
                               "the loss is not finite", "");
    sum_ += loss;
    ++count_;
    last_ = loss;
}

void LossTracker::restore(double sum, int64_t count) {
    pending_ = 0;
    sum_ = sum;
    count_ = count;
}

void LossTracker::reset() {
    sum_ = 0.0;
    count_ = 0;
}

}  // namespace idlab::host
