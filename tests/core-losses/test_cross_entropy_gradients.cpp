// core.cross_entropy: the loss against an independent double-precision version, and every
// gradient (features, head, beta) against central differences of that version, for each option.
#include "loss_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using idlab::test::Inputs;
using idlab::test::LossOptions;
using idlab::test::OwnedTensor;

namespace {

struct NamedOptions {
    const char* name;
    LossOptions options;
};

LossOptions with(void (*edit)(LossOptions&)) {
    LossOptions o;
    edit(o);
    return o;
}

std::vector<NamedOptions> option_sets() {
    return {
        {"plain", LossOptions{}},
        {"normalize_rows", with([](LossOptions& o) { o.normalize_rows = true; })},
        {"learn_temperature", with([](LossOptions& o) {
             o.learn_temperature = true;
             o.temperature_init = 1.7;
         })},
        {"fixed temperature", with([](LossOptions& o) { o.temperature_init = 0.6; })},
        {"label_smoothing", with([](LossOptions& o) { o.label_smoothing = 0.3; })},
        {"normalize_features", with([](LossOptions& o) { o.normalize_features = true; })},
        {"normalize_features + learn_temperature (C1 without row norm)", with([](LossOptions& o) {
             o.normalize_features = true;
             o.learn_temperature = true;
             o.temperature_init = 2.5;
         })},
        {"everything", with([](LossOptions& o) {
             o.normalize_rows = true;
             o.normalize_features = true;
             o.learn_temperature = true;
             o.temperature_init = 1.3;
             o.label_smoothing = 0.1;
         })},
    };
}

// Central difference of f around x[i] in double.
template <class F>
double central_difference(std::vector<double>& x, size_t i, F&& f) {
    const double h = 1e-6, keep = x[i];
    x[i] = keep + h;
    const double up = f();
    x[i] = keep - h;
    const double down = f();
    x[i] = keep;
    return (up - down) / (2.0 * h);
}

}  // namespace

TEST_CASE("cross-entropy gradients match finite differences for every option", "[core-losses]") {
    const NamedOptions set = GENERATE(from_range(option_sets()));
    const LossOptions& o = set.options;
    // Narrow features run through the per-sample kernels, wide ones through GEMMs.
    const int64_t dim = GENERATE(int64_t{4}, idlab::core::kNarrowHeadMaxDim + 3);
    // A team of 4 splits the 6 rows and 5 classes unevenly.
    const uint32_t threads = GENERATE(1u, 4u);
    INFO("options: " << set.name << ", dim " << dim << ", threads " << threads);
    const int64_t batch = 6, classes = 5;

    auto loss = idlab::test::make_loss(o, dim, {}, 7, threads);
    REQUIRE(loss->classes() == classes);
    std::mt19937 gen(1234);
    std::uniform_real_distribution<float> uniform(-1.5f, 1.5f);
    // Rows of different lengths, so normalize_rows has something to do.
    float* w = idlab::test::head_values(*loss);
    for (int64_t i = 0; i < classes * dim; ++i) w[i] = uniform(gen) * (1.0f + 0.3f * (i / dim));
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    for (size_t i = 0; i < f.size(); ++i) f[i] = uniform(gen);
    OwnedTensor<int64_t> labels({batch});
    const std::vector<int64_t> targets{0, 3, 4, 1, 3, 2};
    for (int64_t r = 0; r < batch; ++r) labels[r] = targets[r];
    Inputs inputs;
    inputs.add("label", labels.view());

    DLTensor fv = f.view(), dfv = df.view();
    const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);

    // The head the forward pass used: with normalize_rows, the projected one.
    std::vector<double> head = idlab::test::to_double(w, classes * dim);
    if (o.normalize_rows)
        for (int64_t j = 0; j < classes; ++j) {
            double norm = 0.0;
            for (int64_t d = 0; d < dim; ++d) norm += head[j * dim + d] * head[j * dim + d];
            CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-6));
        }
    std::vector<double> feats = idlab::test::to_double(f.data(), f.size());
    double beta = o.temperature_init;
    auto reference = [&] {
        return idlab::test::reference_loss(feats, head, beta, targets, dim, o.label_smoothing,
                                           o.normalize_features);
    };
    CHECK(value == Approx(reference()).epsilon(1e-6));

    for (size_t i = 0; i < feats.size(); ++i) {
        INFO("dfeatures[" << i << "]");
        CHECK(df[i] == Approx(central_difference(feats, i, reference)).margin(2e-6).epsilon(1e-4));
    }
    // dL/dW is the gradient at the head the forward used (for normalize_rows: at the projected
    // head, the projection itself is not differentiated, as in the reference code).
    const float* dw = idlab::test::head_grads(*loss);
    for (size_t i = 0; i < head.size(); ++i) {
        INFO("dW[" << i << "]");
        CHECK(dw[i] == Approx(central_difference(head, i, reference)).margin(2e-6).epsilon(1e-4));
    }
    if (o.learn_temperature) {
        REQUIRE(loss->parameter_count() == 2);
        std::vector<double> b{beta};
        const double expected = central_difference(b, 0, [&] {
            return idlab::test::reference_loss(feats, head, b[0], targets, dim, o.label_smoothing,
                                               o.normalize_features);
        });
        CHECK(*idlab::data_of<float>(loss->parameter(1).grad) ==
              Approx(expected).margin(2e-6).epsilon(1e-4));
    } else {
        CHECK(loss->parameter_count() == 1);
    }
}

TEST_CASE("with normalize_rows the loss is that of the projected head", "[core-losses]") {
    // Differentiating through the in-place projection: a perturbation of a unit row along
    // itself is projected away, one across it is not. So the derivative of the whole
    // forward (projection included) is the tangential part of dL/dW.
    LossOptions o;
    o.normalize_rows = true;
    const int64_t batch = 4, dim = 3;
    auto loss = idlab::test::make_loss(o, dim);
    const int64_t classes = loss->classes();
    float* w = idlab::test::head_values(*loss);
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    for (size_t i = 0; i < f.size(); ++i) f[i] = 0.4f * std::sin(1.7f * static_cast<float>(i) + 0.3f);
    OwnedTensor<int64_t> labels({batch});
    labels[0] = 1, labels[1] = 0, labels[2] = 4, labels[3] = 2;
    Inputs inputs;
    inputs.add("label", labels.view());
    DLTensor fv = f.view(), dfv = df.view();
    const idlab_exec_ctx_t ctx = idlab::test::training_ctx();

    loss->forward(ctx, fv, inputs.tensors(), &dfv);  // projects the head
    const std::vector<float> projected(w, w + classes * dim);
    const std::vector<float> grad(idlab::test::head_grads(*loss),
                                  idlab::test::head_grads(*loss) + classes * dim);

    const float h = 1e-2f;
    for (int64_t j = 0; j < classes; ++j)
        for (int64_t d = 0; d < dim; ++d) {
            const size_t i = static_cast<size_t>(j * dim + d);
            std::copy(projected.begin(), projected.end(), w);
            w[i] = projected[i] + h;
            const double up = loss->forward(ctx, fv, inputs.tensors(), nullptr);
            std::copy(projected.begin(), projected.end(), w);
            w[i] = projected[i] - h;
            const double down = loss->forward(ctx, fv, inputs.tensors(), nullptr);
            const double numeric = (up - down) / (2.0 * h);
            // tangential part: g_i - w_i (w . g) on row j
            double radial = 0.0;
            for (int64_t c = 0; c < dim; ++c) radial += double(projected[j * dim + c]) * grad[j * dim + c];
            const double tangential = grad[i] - projected[i] * radial;
            INFO("W[" << j << ", " << d << "]");
            CHECK(numeric == Approx(tangential).margin(5e-4));
        }
}

TEST_CASE("gradients are overwritten, not accumulated, and an evaluation pass leaves them alone",
          "[core-losses]") {
    LossOptions o;
    o.learn_temperature = true;
    const int64_t batch = 3, dim = 2;
    auto loss = idlab::test::make_loss(o, dim);
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    for (size_t i = 0; i < f.size(); ++i) f[i] = 0.3f * static_cast<float>(i) - 0.7f;
    OwnedTensor<int64_t> labels({batch});
    labels[0] = 2, labels[1] = 2, labels[2] = 0;
    Inputs inputs;
    inputs.add("label", labels.view());
    DLTensor fv = f.view(), dfv = df.view();
    const idlab_exec_ctx_t ctx = idlab::test::training_ctx();
    const size_t n = loss->head_weight().size();

    const double first = loss->forward(ctx, fv, inputs.tensors(), &dfv);
    const std::vector<float> dw1(idlab::test::head_grads(*loss), idlab::test::head_grads(*loss) + n);
    const std::vector<float> df1(df.data(), df.data() + df.size());
    const float dbeta1 = *idlab::data_of<float>(loss->parameter(1).grad);
    REQUIRE(dbeta1 != 0.0f);

    const double second = loss->forward(ctx, fv, inputs.tensors(), &dfv);
    CHECK(second == first);
    CHECK(std::vector<float>(idlab::test::head_grads(*loss), idlab::test::head_grads(*loss) + n) == dw1);
    CHECK(std::vector<float>(df.data(), df.data() + df.size()) == df1);
    CHECK(*idlab::data_of<float>(loss->parameter(1).grad) == dbeta1);

    // Evaluation: the loss only.
    labels[0] = 1;
    const double eval = loss->forward(ctx, fv, inputs.tensors(), nullptr);
    CHECK(eval != first);
    CHECK(std::vector<float>(idlab::test::head_grads(*loss), idlab::test::head_grads(*loss) + n) == dw1);
    CHECK(*idlab::data_of<float>(loss->parameter(1).grad) == dbeta1);
}

TEST_CASE("the batch may change size between calls", "[core-losses]") {
    const int64_t dim = 3;
    auto loss = idlab::test::make_loss({}, dim);
    const std::vector<double> head = idlab::test::to_double(loss->head_weight().data(),
                                                            loss->head_weight().size());
    for (int64_t batch : {2, 7, 3, 7}) {
        INFO("batch " << batch);
        OwnedTensor<float> f({batch, dim}), df({batch, dim});
        OwnedTensor<int64_t> labels({batch});
        std::vector<int64_t> targets(batch);
        for (int64_t r = 0; r < batch; ++r) {
            targets[r] = labels[r] = (r * 3 + batch) % 5;
            for (int64_t d = 0; d < dim; ++d)
                f[r * dim + d] = std::cos(static_cast<float>(r * dim + d + batch));
        }
        Inputs inputs;
        inputs.add("label", labels.view());
        DLTensor fv = f.view(), dfv = df.view();
        const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);
        CHECK(value == Approx(idlab::test::reference_loss(idlab::test::to_double(f.data(), f.size()),
                                                          head, 1.0, targets, dim, 0.0, false))
                           .epsilon(1e-6));
    }
}

TEST_CASE("a large confident batch keeps the loss finite and accurate", "[core-losses]") {
    // Logits in the hundreds: a naive softmax overflows, log-sum-exp does not.
    const int64_t batch = 2, dim = 1;
    auto loss = idlab::test::make_loss({}, dim);
    float* w = idlab::test::head_values(*loss);
    for (int64_t j = 0; j < 5; ++j) w[j] = static_cast<float>(j);  // logits = j * f
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    f[0] = 200.0f, f[1] = -200.0f;
    OwnedTensor<int64_t> labels({batch});
    labels[0] = 4, labels[1] = 4;  // right for row 0 (margin 200), wrong for row 1 (by 800)
    Inputs inputs;
    inputs.add("label", labels.view());
    DLTensor fv = f.view(), dfv = df.view();
    const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);
    // row 0: ~exp(-200) ~ 0; row 1: lse(0, -200, ...) - (-800) ~ 800
    CHECK(value == Approx(400.0).epsilon(1e-6));
    CHECK(std::isfinite(df[0]));
    CHECK(df[0] == Approx(0.0).margin(1e-12));
    CHECK(df[1] == Approx(-2.0).epsilon(1e-6));  // (p - y) W / B = (1 * 0 - 1 * 4) / 2
}

TEST_CASE("many classes: the loss, dL/df and dL/dW match the double reference on both paths",
          "[core-losses]") {
    // 1000 classes: the row kernels run over several vector chunks and a tail.
    const int64_t dim = GENERATE(int64_t{5}, idlab::core::kNarrowHeadMaxDim,
                                 idlab::core::kNarrowHeadMaxDim + 1, int64_t{40});
    INFO("dim " << dim);
    const int64_t batch = 4, classes = 1000;
    idlab::test::DataFields data;
    data.index_classes = classes;
    LossOptions o;
    o.target = "index";
    o.label_smoothing = 0.05;
    auto loss = idlab::test::make_loss(o, dim, data);
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    std::mt19937 gen(77);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (size_t i = 0; i < f.size(); ++i) f[i] = 2.0f * normal(gen);
    OwnedTensor<int64_t> index({batch});
    const std::vector<int64_t> targets{999, 0, 512, 255};
    for (int64_t r = 0; r < batch; ++r) index[r] = targets[r];
    Inputs inputs;
    inputs.add("index", index.view());
    DLTensor fv = f.view(), dfv = df.view();
    const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);

    std::vector<double> feats = idlab::test::to_double(f.data(), f.size());
    const std::vector<double> head =
        idlab::test::to_double(loss->head_weight().data(), loss->head_weight().size());
    auto reference = [&] {
        return idlab::test::reference_loss(feats, head, 1.0, targets, dim, o.label_smoothing,
                                           false);
    };
    CHECK(value == Approx(reference()).epsilon(1e-6));
    for (size_t i = 0; i < feats.size(); ++i) {
        INFO("dfeatures[" << i << "]");
        CHECK(df[i] == Approx(central_difference(feats, i, reference)).margin(1e-6).epsilon(1e-4));
    }
    // dL/dw_j = (1/batch) sum_r (softmax_rj - q_rj) f_r, in double.
    std::vector<double> expected(classes * dim, 0.0);
    for (int64_t r = 0; r < batch; ++r) {
        std::vector<double> logits(classes, 0.0);
        for (int64_t j = 0; j < classes; ++j)
            for (int64_t c = 0; c < dim; ++c) logits[j] += head[j * dim + c] * feats[r * dim + c];
        const double top = *std::max_element(logits.begin(), logits.end());
        double sum = 0.0;
        for (double l : logits) sum += std::exp(l - top);
        for (int64_t j = 0; j < classes; ++j) {
            const double q = (j == targets[r] ? 1.0 - o.label_smoothing : 0.0) +
                             o.label_smoothing / static_cast<double>(classes);
            const double g = (std::exp(logits[j] - top) / sum - q) / batch;
            for (int64_t c = 0; c < dim; ++c) expected[j * dim + c] += g * feats[r * dim + c];
        }
    }
    const float* dw = idlab::test::head_grads(*loss);
    for (size_t i = 0; i < expected.size(); ++i) {
        INFO("dW[" << i << "]");
        CHECK(dw[i] == Approx(expected[i]).margin(1e-7).epsilon(1e-4));
    }
}
