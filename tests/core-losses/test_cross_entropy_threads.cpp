// core.cross_entropy on a team of threads against one thread. On the narrow path (dim <= 7, the
// paper's default) nothing depends on the team: every sample's row is computed alone, the head
// gradient is summed in a fixed number of row chunks whatever the team, the losses in row order.
// So the loss, dL/dfeatures, dL/dW and dL/dbeta must agree to the bit, for index and label
// targets, with and without normalised rows, features, smoothing and a learned temperature, at
// batches smaller than the team and class counts it does not divide. The GEMM path (wide
// features) splits its products across the team, which OpenBLAS may round differently.
#include "loss_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

using idlab::test::DataFields;
using idlab::test::Inputs;
using idlab::test::LossOptions;
using idlab::test::OwnedTensor;

namespace {

struct Result {
    std::vector<double> losses;  // a training pass, then an evaluation pass
    std::vector<float> dfeatures, dhead, head;
    float dbeta = 0.0f;
};

// Two training passes (the second at a smaller batch, reusing the buffers) and an evaluation.
Result run(const LossOptions& o, int64_t dim, int64_t batch, const DataFields& data,
           uint32_t threads) {
    auto loss = idlab::test::make_loss(o, dim, data, 7, threads);
    const int64_t classes = loss->classes();
    std::mt19937 gen(99);
    std::uniform_real_distribution<float> uniform(-1.5f, 1.5f);
    float* w = idlab::test::head_values(*loss);
    for (int64_t i = 0; i < classes * dim; ++i) w[i] = uniform(gen) * (1.0f + 0.01f * (i % 17));
    Result out;
    for (int64_t rows : {batch + 5, batch, batch}) {
        OwnedTensor<float> f({rows, dim}), df({rows, dim});
        for (size_t i = 0; i < f.size(); ++i) f[i] = 2.0f * uniform(gen);
        OwnedTensor<int64_t> targets({rows});
        for (int64_t r = 0; r < rows; ++r) targets[r] = (r * 7 + 3) % classes;
        Inputs inputs;
        inputs.add(o.target.c_str(), targets.view());
        DLTensor fv = f.view(), dfv = df.view();
        const bool eval = out.losses.size() == 2;
        out.losses.push_back(loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(),
                                           eval ? nullptr : &dfv));
        if (!eval) out.dfeatures.assign(df.data(), df.data() + df.size());
    }
    const float* dw = idlab::test::head_grads(*loss);
    out.dhead.assign(dw, dw + classes * dim);
    out.head.assign(w, w + classes * dim);
    if (o.learn_temperature) out.dbeta = *idlab::data_of<float>(loss->parameter(1).grad);
    return out;
}

double largest_difference(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0.0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, static_cast<double>(std::abs(a[i] - b[i])));
    return d;
}

double largest_magnitude(const std::vector<float>& a) {
    double m = 0.0;
    for (float v : a) m = std::max(m, static_cast<double>(std::abs(v)));
    return m;
}

LossOptions options(const std::string& target, int variant) {
    LossOptions o;
    o.target = target;
    switch (variant) {
        case 1: o.normalize_rows = true; break;
        case 2: o.normalize_features = true; o.learn_temperature = true; o.temperature_init = 2.0; break;
        case 3:
            o.normalize_rows = true;
            o.normalize_features = true;
            o.label_smoothing = 0.1;
            o.temperature_init = 1.5;
            break;
        default: break;
    }
    return o;
}

}  // namespace

TEST_CASE("cross-entropy on the narrow path gives identical bits on any team",
          "[core-losses][threads]") {
    const std::string target = GENERATE(as<std::string>{}, "index", "label");
    const int variant = GENERATE(0, 1, 2, 3);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const uint32_t threads = GENERATE_COPY(2u, 3u, 2 * cores + 1);
    // 203 rows and 1001 / 13 classes: no team size divides them; 3 rows: fewer than the team.
    const int64_t batch = GENERATE(int64_t{203}, int64_t{3});
    DataFields data;
    data.index_classes = 1001;
    data.label_classes = 13;
    const LossOptions o = options(target, variant);
    INFO("target " << target << ", variant " << variant << ", threads " << threads << ", batch "
                   << batch);
    const Result one = run(o, 5, batch, data, 1);
    const Result many = run(o, 5, batch, data, threads);
    CHECK(one.losses == many.losses);
    CHECK(one.dfeatures == many.dfeatures);
    CHECK(one.dhead == many.dhead);
    CHECK(one.head == many.head);
    CHECK(one.dbeta == many.dbeta);
}

TEST_CASE("cross-entropy on the GEMM path agrees across teams up to float rounding",
          "[core-losses][threads]") {
    const std::string target = GENERATE(as<std::string>{}, "index", "label");
    const int variant = GENERATE(0, 2, 3);
    const uint32_t threads = GENERATE(2u, 3u);
    DataFields data;
    data.index_classes = 301;
    data.label_classes = 13;
    const LossOptions o = options(target, variant);
    const int64_t dim = idlab::core::kNarrowHeadMaxDim + 3;
    INFO("target " << target << ", variant " << variant << ", threads " << threads);
    const Result one = run(o, dim, 101, data, 1);
    const Result many = run(o, dim, 101, data, threads);
    for (size_t i = 0; i < one.losses.size(); ++i)
        CHECK(many.losses[i] == Approx(one.losses[i]).epsilon(1e-6));
    CHECK(largest_difference(one.dfeatures, many.dfeatures) <= 1e-5 * largest_magnitude(one.dfeatures));
    CHECK(largest_difference(one.dhead, many.dhead) <= 1e-5 * largest_magnitude(one.dhead));
    CHECK(one.head == many.head);
    CHECK(many.dbeta == Approx(one.dbeta).epsilon(1e-5));
}
