// Initial weights as torchvision's ResNet sets them, drawn from idlab::SeededUniform so that a
// tensor's values depend only on (run seed, stage, tensor name).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cnn {

// Where a tensor lives, for its own random sequence: (run seed, stage, tensor name).
struct InitKey {
    uint64_t seed = 0;
    std::string stage;
};

// N(0, 2 / fan_out): kaiming_normal_(mode="fan_out", nonlinearity="relu"), torchvision's
// initialisation of every ResNet convolution (fan_out = out_channels * kernel * kernel).
void kaiming_normal_fan_out(std::vector<float>& values, int64_t fan_out, const InitKey& key,
                            const std::string& name);

// U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for nn.Linear weights and biases and
// for nn.Conv2d biases.
void uniform_fan_in(std::vector<float>& values, int64_t fan_in, const InitKey& key,
                    const std::string& name);

}  // namespace idlab::cnn
