// The fused hidden-block kernels (bias -> BatchNorm1d -> LeakyReLU, forward and backward) against
// the textbook formulas in double precision, at sizes where the blocked float sums take several
// blocks and the vector loops leave a remainder, and with a large common offset that a naive
// one-pass variance in float would not survive.
#include "hidden_block.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace idlab::core;

namespace {

struct Reference {
    std::vector<double> a, dh;                       // [batch, width]
    std::vector<double> mean, var;                   // biased batch variance
    std::vector<double> dgamma, dbeta;
};

// BatchNorm1d (batch statistics) + LeakyReLU and its backward for dL/da = g, in double.
Reference reference(const std::vector<float>& h, const std::vector<float>& g,
                    const std::vector<float>& gamma, const std::vector<float>& beta, int64_t batch,
                    int64_t width, double slope, double eps) {
    Reference ref;
    ref.a.resize(h.size());
    ref.dh.resize(h.size());
    for (int64_t c = 0; c < width; ++c) {
        double mean = 0.0;
        for (int64_t r = 0; r < batch; ++r) mean += h[r * width + c];
        mean /= static_cast<double>(batch);
        double var = 0.0;
        for (int64_t r = 0; r < batch; ++r) var += (h[r * width + c] - mean) * (h[r * width + c] - mean);
        var /= static_cast<double>(batch);
        const double invstd = 1.0 / std::sqrt(var + eps);
        std::vector<double> xhat(batch), dy(batch);
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int64_t r = 0; r < batch; ++r) {
            xhat[r] = (h[r * width + c] - mean) * invstd;
            const double y = gamma[c] * xhat[r] + beta[c];
            ref.a[r * width + c] = y > 0.0 ? y : slope * y;
            dy[r] = g[r * width + c] * (y > 0.0 ? 1.0 : slope);
            sum_dy += dy[r];
            sum_dy_xhat += dy[r] * xhat[r];
        }
        for (int64_t r = 0; r < batch; ++r)
            ref.dh[r * width + c] = gamma[c] * invstd *
                                    (dy[r] - sum_dy / batch - xhat[r] * sum_dy_xhat / batch);
        ref.mean.push_back(mean);
        ref.var.push_back(var);
        ref.dgamma.push_back(sum_dy_xhat);
        ref.dbeta.push_back(sum_dy);
    }
    return ref;
}

std::vector<float> normal_floats(size_t n, uint64_t seed, double mean, double stddev) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal(mean, stddev);
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(normal(gen));
    return v;
}

double max_abs(const std::vector<double>& v) {
    double m = 0.0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

}  // namespace

TEST_CASE("hidden-block kernels match double-precision batch norm and LeakyReLU", "[core-encoders][kernels]") {
    // 300 rows of 70 channels: the float sums take several blocks of rows, and 70 channels leave
    // a remainder after 8-wide vectors.
    const int64_t batch = 300, width = 70;
    const double offset = GENERATE(0.0, 500.0);  // far from zero, with a spread near 1
    INFO("offset = " << offset);
    const float slope = 0.1f, eps = 1e-5f, momentum = 0.25f;
    const std::vector<float> h = normal_floats(batch * width, 1, offset, 1.0);
    const std::vector<float> g_in = normal_floats(batch * width, 2, 0.0, 1.0);
    const std::vector<float> gamma = normal_floats(width, 3, 1.0, 0.3);
    const std::vector<float> beta = normal_floats(width, 4, 0.0, 0.5);
    const std::vector<float> bias = normal_floats(width, 5, 0.0, 0.5);
    const Reference ref = reference(h, g_in, gamma, beta, batch, width, slope, eps);

    std::vector<float> running_mean(width, 0.5f), running_var(width, 2.0f);
    std::vector<float> mean(width), invstd(width), scale(width), shift(width);
    std::vector<double> acc0(width), acc1(width);
    std::vector<float> f0(width), f1(width), f2(width), f3(width);
    const ChannelScratch scratch{acc0.data(), acc1.data(), f0.data(), f1.data(), f2.data(), f3.data()};
    const BatchNormChannels bn{gamma.data(), beta.data(), running_mean.data(), running_var.data(),
                               momentum, eps};
    const BatchNormCache cache{mean.data(), invstd.data(), scale.data(), shift.data()};
    std::vector<float> a(batch * width);
    std::vector<float> blocks(block_count(batch) * moments_size(width));
    bn_leaky_forward_train(h.data(), bias.data(), bn, batch, width, slope, scratch, blocks.data(),
                           cache, a.data());

    for (int64_t c = 0; c < width; ++c) {
        INFO("channel " << c);
        CHECK(mean[c] == Approx(ref.mean[c]).epsilon(1e-6).margin(1e-6));
        CHECK(invstd[c] == Approx(1.0 / std::sqrt(ref.var[c] + eps)).epsilon(1e-4));
        CHECK(running_mean[c] == Approx(0.75 * 0.5 + 0.25 * (ref.mean[c] + bias[c])).epsilon(1e-6).margin(1e-6));
        CHECK(running_var[c] ==
              Approx(0.75 * 2.0 + 0.25 * ref.var[c] * batch / (batch - 1)).epsilon(1e-4));
    }
    double worst_a = 0.0;
    for (size_t i = 0; i < a.size(); ++i) worst_a = std::max(worst_a, std::abs(a[i] - ref.a[i]));
    CHECK(worst_a < 1e-3 * max_abs(ref.a));

    std::vector<float> g = g_in, dgamma(width), dbeta(width), dbias(width);
    leaky_bn_backward(g.data(), h.data(), cache, gamma.data(), batch, width, slope, scratch,
                      blocks.data(), dgamma.data(), dbeta.data(), dbias.data());
    double worst_dh = 0.0;
    for (size_t i = 0; i < g.size(); ++i) worst_dh = std::max(worst_dh, std::abs(g[i] - ref.dh[i]));
    CHECK(worst_dh < 1e-3 * max_abs(ref.dh));
    for (int64_t c = 0; c < width; ++c) {
        INFO("channel " << c);
        CHECK(dbeta[c] == Approx(ref.dbeta[c]).epsilon(1e-4).margin(1e-4));
        CHECK(dgamma[c] == Approx(ref.dgamma[c]).epsilon(1e-3).margin(1e-3));
        // Batch norm cancels the bias: its gradient is zero up to rounding.
        CHECK(std::abs(dbias[c]) < 1e-3 * batch * max_abs(ref.dh));
    }
}

TEST_CASE("hidden-block kernels without batch norm: bias, LeakyReLU and the bias gradient", "[core-encoders][kernels]") {
    const int64_t batch = 300, width = 70;
    const float slope = 0.1f;
    const std::vector<float> h = normal_floats(batch * width, 6, 0.0, 1.0);
    const std::vector<float> bias = normal_floats(width, 7, 0.0, 0.5);
    const std::vector<float> g_in = normal_floats(batch * width, 8, 0.0, 1.0);
    std::vector<float> blocks(block_count(batch) * width);

    std::vector<float> a(batch * width);
    bias_leaky_forward(h.data(), bias.data(), batch, width, slope, a.data());
    std::vector<float> g = g_in, dbias(width);
    leaky_bias_backward(g.data(), a.data(), batch, width, slope, blocks.data(), dbias.data());
    for (int64_t c = 0; c < width; ++c) {
        double sum = 0.0;
        for (int64_t r = 0; r < batch; ++r) {
            const size_t i = static_cast<size_t>(r * width + c);
            const double y = static_cast<double>(h[i]) + bias[c];
            const double dh = g_in[i] * (y > 0.0 ? 1.0 : slope);
            REQUIRE(a[i] == Approx(y > 0.0 ? y : slope * y).margin(1e-6));
            REQUIRE(g[i] == Approx(dh).margin(1e-6));
            sum += dh;
        }
        CHECK(dbias[c] == Approx(sum).margin(1e-4));
    }
}
