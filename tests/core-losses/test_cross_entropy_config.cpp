// core.cross_entropy: choosing the target field, and the errors for bad fields and bad labels.
#include "loss_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>

using idlab::test::DataFields;
using idlab::test::Inputs;
using idlab::test::LossOptions;
using idlab::test::OwnedTensor;

namespace {

// Runs `f` and returns the idlab::Error it throws (fails the test when it throws nothing).
template <class F>
idlab::Error error_of(F&& f) {
    try {
        f();
    } catch (const idlab::Error& e) {
        return e;
    }
    FAIL("no idlab::Error was thrown");
    return idlab::Error(IDLAB_STATUS_OK, "");
}

}  // namespace

TEST_CASE("target = \"index\" reads the index field and has one head row per instance",
          "[core-losses]") {
    LossOptions o;
    o.target = "index";
    DataFields data;
    data.label_classes = 3;
    data.index_classes = 7;
    const int64_t dim = 2, batch = 3;
    auto loss = idlab::test::make_loss(o, dim, data);
    CHECK(loss->classes() == 7);
    CHECK(loss->inputs() == std::vector<std::string>{"index"});
    CHECK(loss->parameter(0).value.shape[0] == 7);
    CHECK(loss->head_weight().size() == 14u);

    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    for (size_t i = 0; i < f.size(); ++i) f[i] = 0.5f - 0.2f * static_cast<float>(i);
    OwnedTensor<int64_t> labels({batch}), index({batch});
    labels[0] = labels[1] = labels[2] = 2;  // a valid label for every row ...
    index[0] = 6, index[1] = 0, index[2] = 5;  // ... but the loss must use these
    Inputs inputs;
    inputs.add("label", labels.view()).add("index", index.view());
    DLTensor fv = f.view(), dfv = df.view();
    const double value = loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv);
    const double expected = idlab::test::reference_loss(
        idlab::test::to_double(f.data(), f.size()),
        idlab::test::to_double(loss->head_weight().data(), loss->head_weight().size()), 1.0,
        {6, 0, 5}, dim, 0.0, false);
    CHECK(value == Approx(expected).epsilon(1e-6));

    // Index 6 is fine here although it is no valid label (3 classes).
    index[1] = 6;
    CHECK_NOTHROW(loss->forward(idlab::test::training_ctx(), fv, inputs.tensors(), &dfv));
}

TEST_CASE("a missing or non-categorical target field is a config error naming target",
          "[core-losses]") {
    SECTION("no index field") {
        LossOptions o;
        o.target = "index";
        DataFields data;
        data.with_index = false;
        const idlab::Error e = error_of([&] { idlab::test::make_loss(o, 3, data); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "target");
        CHECK_THAT(e.what(), Catch::Contains("'index'"));
    }
    SECTION("a float label") {
        DataFields data;
        data.label_dtype = IDLAB_DTYPE_F32;
        const idlab::Error e = error_of([&] { idlab::test::make_loss({}, 3, data); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "target");
        CHECK_THAT(e.what(), Catch::Contains("not categorical"));
    }
    SECTION("a label without cardinality") {
        DataFields data;
        data.label_classes = 0;
        const idlab::Error e = error_of([&] { idlab::test::make_loss({}, 3, data); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "target");
    }
}

TEST_CASE("out-of-range options are config errors naming the key", "[core-losses]") {
    LossOptions o;
    SECTION("label_smoothing = 1") {
        o.label_smoothing = 1.0;
        const idlab::Error e = error_of([&] { idlab::test::make_loss(o, 3); });
        CHECK(e.param_key() == "label_smoothing");
    }
    SECTION("temperature_init = 0") {
        o.temperature_init = 0.0;
        const idlab::Error e = error_of([&] { idlab::test::make_loss(o, 3); });
        CHECK(e.param_key() == "temperature_init");
    }
}

TEST_CASE("a label outside 0 .. classes-1 is an argument error naming the value", "[core-losses]") {
    const int64_t dim = 2, batch = 2;
    auto loss = idlab::test::make_loss({}, dim);  // 5 classes
    OwnedTensor<float> f({batch, dim}), df({batch, dim});
    OwnedTensor<int64_t> labels({batch});
    Inputs inputs;
    inputs.add("label", labels.view());
    DLTensor fv = f.view(), dfv = df.view();
    const idlab_exec_ctx_t ctx = idlab::test::training_ctx();

    const int64_t bad = GENERATE(5, -1, 1000);
    labels[0] = 1;
    labels[1] = bad;
    const idlab::Error e = error_of([&] { loss->forward(ctx, fv, inputs.tensors(), &dfv); });
    CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(e.what(), Catch::Contains("value " + std::to_string(bad)));
    CHECK_THAT(e.what(), Catch::Contains("[0, 5)"));
}

TEST_CASE("tensors of the wrong shape or type are argument errors", "[core-losses]") {
    const int64_t dim = 3;
    auto loss = idlab::test::make_loss({}, dim);
    const idlab_exec_ctx_t ctx = idlab::test::training_ctx();
    OwnedTensor<float> f({2, dim}), df({2, dim});
    DLTensor fv = f.view(), dfv = df.view();

    SECTION("features of another width") {
        OwnedTensor<float> wide({2, dim + 1});
        OwnedTensor<int64_t> labels({2});
        Inputs inputs;
        inputs.add("label", labels.view());
        DLTensor wv = wide.view();
        const idlab::Error e = error_of([&] { loss->forward(ctx, wv, inputs.tensors(), nullptr); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("features"));
    }
    SECTION("labels of another batch") {
        OwnedTensor<int64_t> labels({3});
        Inputs inputs;
        inputs.add("label", labels.view());
        const idlab::Error e = error_of([&] { loss->forward(ctx, fv, inputs.tensors(), &dfv); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("label"));
    }
    SECTION("float labels") {
        OwnedTensor<float> labels({2});
        Inputs inputs;
        inputs.add("label", labels.view());
        const idlab::Error e = error_of([&] { loss->forward(ctx, fv, inputs.tensors(), &dfv); });
        CHECK(e.code() == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("no label tensor") {
        Inputs inputs;
        const idlab::Error e = error_of([&] { loss->forward(ctx, fv, inputs.tensors(), &dfv); });
        CHECK_THAT(e.what(), Catch::Contains("'label'"));
    }
}
