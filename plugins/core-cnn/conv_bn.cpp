#include "conv_bn.hpp"

#include <utility>

namespace idlab::cnn {

ConvBn::ConvBn(const Window& window, const NormSettings& norm, std::string conv_name_,
               std::string bn_name_)
    : conv(window, !norm.batch_norm), conv_name(std::move(conv_name_)), bn_name(std::move(bn_name_)) {
    if (norm.batch_norm) bn.emplace(window.out.channels, norm.momentum, norm.eps);
}

void ConvBn::forward_train(const float* x, int64_t batch, float* h, float* y, float* workspace) {
    if (!bn) {
        conv.forward(x, batch, y, workspace);
        return;
    }
    conv.forward(x, batch, h, workspace);
    bn->forward_train(h, batch, out_shape().plane(), y);
}

void ConvBn::forward_eval(const float* x, int64_t batch, float* y, float* workspace) const {
    conv.forward(x, batch, y, workspace);
    if (bn) bn->forward_eval(y, batch, out_shape().plane(), y);
}

void ConvBn::backward(const float* x, const float* h, float* g, int64_t batch, float* dx,
                      bool add_to_dx, float* workspace) {
    if (bn) bn->backward(h, g, batch, out_shape().plane());
    conv.backward(x, g, batch, dx, add_to_dx, workspace);
}

}  // namespace idlab::cnn
