// core.infonce: the loss against an independent double-precision version, every feature
// gradient (anchors and positives) against central differences of that version, for both forms,
// whole and blocked logit matrices; and the loss does not depend on the order of the pairs.
#include "infonce_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using idlab::test::OwnedTensor;

namespace {

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

OwnedTensor<float> random_pairs(int64_t batch, int64_t dim, uint32_t seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    OwnedTensor<float> f({2 * batch, dim});
    for (int64_t i = 0; i < batch * dim; ++i) {
        f[i] = uniform(gen);
        f[batch * dim + i] = f[i] + 0.3f * uniform(gen);  // a positive near its anchor
    }
    return f;
}

}  // namespace

TEST_CASE("InfoNCE gradients match finite differences", "[core-losses][infonce]") {
    const std::string form = GENERATE(as<std::string>{}, "distance", "dot");
    const double tau = GENERATE(1.0, 0.4);
    const int64_t block_rows = GENERATE(0, 2, 3);  // 0: one block for the whole batch
    INFO("form " << form << ", temperature " << tau << ", block rows " << block_rows);
    const int64_t batch = 5, dim = 3;

    auto loss = idlab::test::make_infonce(form, tau, dim);
    loss->set_block_rows(block_rows);
    OwnedTensor<float> f = random_pairs(batch, dim, 99);
    OwnedTensor<float> df({2 * batch, dim});
    for (size_t i = 0; i < df.size(); ++i) df[i] = 7.0f;  // must be overwritten, not added to
    const double value = idlab::test::run_infonce(*loss, f, &df);

    std::vector<double> feats = idlab::test::as_doubles(f);
    auto reference = [&] { return idlab::test::reference_infonce(feats, dim, form, tau); };
    CHECK(value == Approx(reference()).epsilon(1e-6));
    for (size_t i = 0; i < feats.size(); ++i) {
        INFO((i < size_t(batch * dim) ? "anchor" : "positive") << " feature " << i);
        CHECK(df[i] == Approx(central_difference(feats, i, reference)).margin(1e-5).epsilon(1e-4));
    }
}

TEST_CASE("InfoNCE without a gradient buffer gives the same loss", "[core-losses][infonce]") {
    const std::string form = GENERATE(as<std::string>{}, "distance", "dot");
    auto loss = idlab::test::make_infonce(form, 0.7, 4);
    OwnedTensor<float> f = random_pairs(6, 4, 5);
    OwnedTensor<float> df({12, 4});
    const double with_grad = idlab::test::run_infonce(*loss, f, &df);
    CHECK(idlab::test::run_infonce(*loss, f, nullptr) == with_grad);
}

TEST_CASE("InfoNCE does not depend on the order of the pairs", "[core-losses][infonce]") {
    // Reordering the pairs (the same permutation for x and x_pos) reorders the anchors, the
    // negatives and the positives together: the loss stays, the gradients move with their rows.
    const std::string form = GENERATE(as<std::string>{}, "distance", "dot");
    INFO("form " << form);
    const int64_t batch = 7, dim = 3;
    auto loss = idlab::test::make_infonce(form, 0.5, dim);
    OwnedTensor<float> f = random_pairs(batch, dim, 21);
    OwnedTensor<float> df({2 * batch, dim});
    const double value = idlab::test::run_infonce(*loss, f, &df);

    const std::vector<int64_t> order{3, 6, 0, 5, 1, 4, 2};  // new row i holds old pair order[i]
    OwnedTensor<float> shuffled({2 * batch, dim}), shuffled_df({2 * batch, dim});
    for (int64_t view = 0; view < 2; ++view)
        for (int64_t i = 0; i < batch; ++i)
            for (int64_t c = 0; c < dim; ++c)
                shuffled[(view * batch + i) * dim + c] = f[(view * batch + order[i]) * dim + c];
    const double shuffled_value = idlab::test::run_infonce(*loss, shuffled, &shuffled_df);

    CHECK(shuffled_value == Approx(value).epsilon(1e-6));
    for (int64_t view = 0; view < 2; ++view)
        for (int64_t i = 0; i < batch; ++i)
            for (int64_t c = 0; c < dim; ++c) {
                INFO("view " << view << ", row " << i << ", column " << c);
                CHECK(shuffled_df[(view * batch + i) * dim + c] ==
                      Approx(df[(view * batch + order[i]) * dim + c]).margin(1e-6));
            }
    // A pairing that changes (positives shifted by one place) does change the loss.
    OwnedTensor<float> repaired = f;
    for (int64_t i = 0; i < batch; ++i)
        for (int64_t c = 0; c < dim; ++c)
            repaired[(batch + i) * dim + c] = f[(batch + (i + 1) % batch) * dim + c];
    CHECK(idlab::test::run_infonce(*loss, repaired, nullptr) != Approx(value).epsilon(1e-3));
}

TEST_CASE("InfoNCE on a batch larger than one logit block matches the whole computation",
          "[core-losses][infonce]") {
    const std::string form = GENERATE(as<std::string>{}, "distance", "dot");
    INFO("form " << form);
    const int64_t batch = 300, dim = 5;
    OwnedTensor<float> f = random_pairs(batch, dim, 8);
    OwnedTensor<float> whole_df({2 * batch, dim}), blocked_df({2 * batch, dim});
    auto whole = idlab::test::make_infonce(form, 0.5, dim);
    auto blocked = idlab::test::make_infonce(form, 0.5, dim);
    blocked->set_block_rows(64);  // 4 full blocks and a last one of 44 rows
    const double whole_value = idlab::test::run_infonce(*whole, f, &whole_df);
    const double blocked_value = idlab::test::run_infonce(*blocked, f, &blocked_df);
    CHECK(blocked_value == Approx(whole_value).epsilon(1e-7));
    CHECK(whole_value ==
          Approx(idlab::test::reference_infonce(idlab::test::as_doubles(f), dim, form, 0.5))
              .epsilon(1e-6));
    for (size_t i = 0; i < whole_df.size(); ++i) {
        INFO("dfeatures[" << i << "]");
        CHECK(blocked_df[i] == Approx(whole_df[i]).margin(1e-7).epsilon(1e-4));
    }
}
