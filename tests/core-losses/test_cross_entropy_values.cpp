// core.cross_entropy: loss values and gradients on examples small enough to work out by hand.
#include "loss_fixture.hpp"

#include <idlab/seeded_uniform.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using idlab::test::DataFields;
using idlab::test::Inputs;
using idlab::test::LossOptions;
using idlab::test::OwnedTensor;

namespace {

// Two classes, two feature dimensions, one sample of class 0, head rows w_0 = 0, w_1 = (ln 3, 0):
// with features (1, 0) the logits are (0, ln 3) and softmax = (1/4, 3/4).
struct TwoClassExample {
    explicit TwoClassExample(const LossOptions& options, float feature_scale = 1.0f)
        : loss(idlab::test::make_loss(options, 2, two_classes())) {
        float* w = idlab::test::head_values(*loss);
        w[0] = 0.0f, w[1] = 0.0f, w[2] = static_cast<float>(std::log(3.0)), w[3] = 0.0f;
        features[0] = feature_scale;
        features[1] = 0.0f;
        labels[0] = 0;
        inputs.add("label", labels.view());
    }
    static DataFields two_classes() {
        DataFields d;
        d.label_classes = 2;
        return d;
    }
    double run() {
        DLTensor f = features.view(), df = dfeatures.view();
        const idlab_exec_ctx_t ctx = idlab::test::training_ctx();
        return loss->forward(ctx, f, inputs.tensors(), &df);
    }

    std::unique_ptr<idlab::core::CrossEntropy> loss;
    OwnedTensor<float> features{{1, 2}}, dfeatures{{1, 2}};
    OwnedTensor<int64_t> labels{{1}};
    Inputs inputs;
};

}  // namespace

TEST_CASE("a zero head gives log(classes) and the uniform-softmax gradients", "[core-losses]") {
    const int64_t batch = 3, dim = 4, classes = 5;
    auto loss = idlab::test::make_loss({}, dim);
    REQUIRE(loss->classes() == classes);
    float* w = idlab::test::head_values(*loss);
    for (int64_t i = 0; i < classes * dim; ++i) w[i] = 0.0f;

    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    for (size_t i = 0; i < f.size(); ++i) f[i] = 0.25f * static_cast<float>(i) - 1.0f;
    OwnedTensor<int64_t> labels({batch});
    labels[0] = 4, labels[1] = 0, labels[2] = 4;
    Inputs inputs;
    inputs.add("label", labels.view());
    DLTensor fv = f.view(), dfv = df.view();
    const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);

    CHECK(value == Approx(std::log(5.0)).epsilon(1e-7));
    for (size_t i = 0; i < df.size(); ++i) CHECK(df[i] == 0.0f);  // dF = G W = 0
    // dW_j = sum_r (1/classes - [y_r = j]) f_r / batch
    const float* dw = idlab::test::head_grads(*loss);
    for (int64_t j = 0; j < classes; ++j)
        for (int64_t d = 0; d < dim; ++d) {
            double expected = 0.0;
            for (int64_t r = 0; r < batch; ++r)
                expected += (0.2 - (labels[r] == j ? 1.0 : 0.0)) * f[r * dim + d];
            expected /= batch;
            CHECK(dw[j * dim + d] == Approx(expected).margin(1e-7));
        }
}

TEST_CASE("two-class example: plain loss and its gradient", "[core-losses]") {
    TwoClassExample ex({});
    // p = (1/4, 3/4), target 0: loss = ln 4; dlogits = p - onehot = (-3/4, 3/4).
    CHECK(ex.run() == Approx(std::log(4.0)).epsilon(1e-7));
    CHECK(ex.dfeatures[0] == Approx(0.75 * std::log(3.0)).epsilon(1e-6));  // dlogits W
    CHECK(ex.dfeatures[1] == 0.0f);
    const float* dw = idlab::test::head_grads(*ex.loss);  // dlogits^T f
    CHECK(dw[0] == Approx(-0.75).epsilon(1e-6));
    CHECK(dw[2] == Approx(0.75).epsilon(1e-6));
    CHECK(dw[1] == 0.0f);
    CHECK(dw[3] == 0.0f);
}

TEST_CASE("two-class example: label smoothing follows PyTorch", "[core-losses]") {
    LossOptions o;
    o.label_smoothing = 0.2;
    TwoClassExample ex(o);
    // q = (1 - 0.2) onehot + 0.2 / 2 = (0.9, 0.1)
    const double expected = -(0.9 * std::log(0.25) + 0.1 * std::log(0.75));
    CHECK(ex.run() == Approx(expected).epsilon(1e-7));
    // dlogits = p - q = (-0.65, 0.65)
    CHECK(ex.dfeatures[0] == Approx(0.65 * std::log(3.0)).epsilon(1e-6));
    CHECK(idlab::test::head_grads(*ex.loss)[0] == Approx(-0.65).epsilon(1e-6));
}

TEST_CASE("two-class example: the temperature multiplies the logits", "[core-losses]") {
    LossOptions o;
    o.learn_temperature = true;
    o.temperature_init = 2.0;
    TwoClassExample ex(o);
    REQUIRE(ex.loss->parameter_count() == 2);
    CHECK(std::string(ex.loss->parameter(1).name) == "beta");
    CHECK(ex.loss->beta() == 2.0f);
    // logits (0, 2 ln 3): p = (1/10, 9/10), loss = ln 10.
    CHECK(ex.run() == Approx(std::log(10.0)).epsilon(1e-6));
    // dL/dbeta = sum_j (p_j - q_j) s_j = 0.9 ln 3 with scores s = (0, ln 3).
    const float dbeta = *idlab::data_of<float>(ex.loss->parameter(1).grad);
    CHECK(dbeta == Approx(0.9 * std::log(3.0)).epsilon(1e-5));
    // dF = beta dlogits W = 2 * 0.9 * ln 3
    CHECK(ex.dfeatures[0] == Approx(1.8 * std::log(3.0)).epsilon(1e-5));
}

TEST_CASE("a fixed temperature scales the logits without becoming a parameter", "[core-losses]") {
    LossOptions o;
    o.temperature_init = 2.0;
    TwoClassExample ex(o);
    CHECK(ex.loss->parameter_count() == 1);
    CHECK(ex.run() == Approx(std::log(10.0)).epsilon(1e-6));
}

TEST_CASE("two-class example: normalize_features divides the features by their norm",
          "[core-losses]") {
    LossOptions o;
    o.normalize_features = true;
    TwoClassExample ex(o, 3.0f);  // features (3, 0) -> (1, 0)
    CHECK(ex.run() == Approx(std::log(4.0)).epsilon(1e-7));
    // The feature gradient is perpendicular to f and divided by |f|: (0.75 ln 3, 0) is parallel
    // to f, so nothing is left.
    CHECK(ex.dfeatures[0] == Approx(0.0).margin(1e-7));
    CHECK(ex.dfeatures[1] == Approx(0.0).margin(1e-7));
}

TEST_CASE("two-class example: normalize_rows projects the head before the forward pass",
          "[core-losses]") {
    LossOptions o;
    o.normalize_rows = true;
    TwoClassExample ex(o);
    // Rows (0, 0) and (ln 3, 0) become (0, 0) (a zero row stays zero) and (1, 0): logits (0, 1).
    CHECK(ex.run() == Approx(std::log(1.0 + std::exp(1.0))).epsilon(1e-7));
    const float* w = idlab::test::head_values(*ex.loss);
    CHECK(w[0] == 0.0f);
    CHECK(w[1] == 0.0f);
    CHECK(w[2] == Approx(1.0).epsilon(1e-7));
    CHECK(w[3] == 0.0f);
    CHECK(ex.loss->head_weight()[2] == w[2]);  // the accessor reads the parameter itself
}

TEST_CASE("the head starts like nn.Linear(dim, classes, bias=False)", "[core-losses]") {
    const int64_t dim = 16;
    auto loss = idlab::test::make_loss({}, dim, {}, 42);
    REQUIRE(loss->parameter_count() == 1);
    const idlab_param_view_t& view = loss->parameter(0);
    CHECK(std::string(view.name) == "head.weight");
    REQUIRE(view.value.ndim == 2);
    CHECK(view.value.shape[0] == 5);
    CHECK(view.value.shape[1] == dim);

    const std::vector<float>& w = loss->head_weight();
    REQUIRE(w.size() == 5 * dim);
    idlab::SeededUniform rng(42, "loss", "head.weight");
    float lo = 1.0f, hi = -1.0f;
    for (float v : w) {
        CHECK(v == rng.symmetric(0.25f));  // 1 / sqrt(16)
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    CHECK(lo >= -0.25f);
    CHECK(hi < 0.25f);
    CHECK(hi - lo > 0.25f);  // 80 draws spread over the interval

    auto same_seed = idlab::test::make_loss({}, dim, {}, 42);
    auto other_seed = idlab::test::make_loss({}, dim, {}, 43);
    CHECK(same_seed->head_weight() == w);
    CHECK(other_seed->head_weight() != w);
}
