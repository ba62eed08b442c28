// The group kernels of the narrow head (four samples per pass over W^T) against the
// single-sample ones: the same bits for every row, for odd and even feature widths and class
// counts that are and are not a multiple of the vector width.
#include "narrow_head.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace {

using idlab::core::kNarrowHeadGroup;

std::vector<float> random_values(size_t n, uint32_t seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = normal(gen);
    return v;
}

}  // namespace

TEST_CASE("the narrow head's group kernels give each sample the bits of the single-sample kernels",
          "[core-losses][narrow_head]") {
    const int64_t dim = GENERATE(1, 2, 3, 5, 7);
    const int64_t classes = GENERATE(1, 13, 1000);
    CAPTURE(dim, classes);
    const int64_t stride = classes + 3;  // rows need not be packed
    const std::vector<float> wt = random_values(dim * classes, 1);
    const std::vector<float> f = random_values(kNarrowHeadGroup * dim, 2);
    const std::vector<float> g = random_values(kNarrowHeadGroup * stride, 3);
    const std::vector<float> dwt_start = random_values(dim * classes, 4);
    const float df_scale = 0.75f;

    std::vector<float> scores_group(kNarrowHeadGroup * stride, -1.0f);
    idlab::core::narrow_head_scores_group(wt.data(), classes, dim, f.data(), scores_group.data(),
                                          stride);
    std::vector<float> dwt_group = dwt_start, df_group(kNarrowHeadGroup * dim, -1.0f);
    idlab::core::narrow_head_backward_group(wt.data(), classes, dim, f.data(), g.data(), stride,
                                            df_scale, dwt_group.data(), df_group.data());

    std::vector<float> dwt_single = dwt_start, df_single(kNarrowHeadGroup * dim, -1.0f);
    for (int64_t r = 0; r < kNarrowHeadGroup; ++r) {
        std::vector<float> scores(classes);
        idlab::core::narrow_head_scores(wt.data(), classes, dim, f.data() + r * dim, scores.data());
        for (int64_t j = 0; j < classes; ++j) REQUIRE(scores_group[r * stride + j] == scores[j]);
        idlab::core::narrow_head_backward(wt.data(), classes, dim, f.data() + r * dim,
                                          g.data() + r * stride, df_scale, dwt_single.data(),
                                          df_single.data() + r * dim);
    }
    CHECK(df_group == df_single);
    CHECK(dwt_group == dwt_single);
    // The padding between rows is left alone.
    for (int64_t r = 0; r < kNarrowHeadGroup; ++r)
        for (int64_t j = classes; j < stride; ++j) REQUIRE(scores_group[r * stride + j] == -1.0f);
}
