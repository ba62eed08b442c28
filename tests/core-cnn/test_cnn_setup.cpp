// core.cnn set-up: torchvision's parameter names and shapes, initialisation, determinism per
// seed, configuration errors through the plugin's C descriptor, and call errors.
#include "cnn_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace idlab::test;

namespace {

CnnSetup resnet18_setup() {
    CnnSetup s;
    s.channels = 3;
    s.height = 64;
    s.width = 64;
    s.widths = {64, 128, 256, 512};
    s.blocks = {2, 2, 2, 2};
    s.out_dim = 512;
    s.stem_kernel = 7;
    s.max_pool = true;
    return s;
}

std::vector<std::string> parameter_names(const idlab::cnn::Cnn& cnn) {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < cnn.parameter_count(); ++i) names.push_back(cnn.parameter(i).name);
    return names;
}

std::vector<int64_t> shape_of(const idlab::cnn::Cnn& cnn, const std::string& name) {
    const idlab_param_view_t* p = find_param(cnn, name);
    REQUIRE(p);
    return std::vector<int64_t>(p->value.shape, p->value.shape + p->value.ndim);
}

// Creates core.cnn through its C descriptor; returns the status and fills key and message.
struct CreateResult {
    idlab_status_t status;
    std::string key, message;
};

CreateResult create_through_abi(const CnnSetup& setup, int64_t input_dim, DLDeviceType device = kDLCPU) {
    ConfigBuilder config = cnn_config(setup);
    idlab_create_ctx_t ctx = cnn_create_ctx(setup.seed, input_dim);
    ctx.device = DLDevice{device, 0};
    char message[512] = "", key[64] = "";
    idlab_error_t err{sizeof(idlab_error_t), 0, message, sizeof message, key, sizeof key};
    idlab_instance_t* instance = nullptr;
    const idlab_component_desc_t* desc = idlab::detail::descriptor<idlab::cnn::Cnn>();
    const idlab_status_t status = desc->create(&ctx, config.get(), &instance, &err);
    if (instance) instance->destroy(instance);
    if (status == IDLAB_STATUS_OK) CHECK(instance != nullptr);
    else CHECK(instance == nullptr);
    return {status, key, message};
}

double sample_std(const std::vector<double>& v) {
    double mean = 0.0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double sq = 0.0;
    for (double x : v) sq += (x - mean) * (x - mean);
    return std::sqrt(sq / static_cast<double>(v.size() - 1));
}

}  // namespace

TEST_CASE("core.cnn has torchvision resnet18's parameters", "[core-cnn][setup]") {
    // resnet18 with 3 input channels and fc = Identity: 11,689,512 - 513,000 (fc) parameters.
    auto cnn = make_cnn(resnet18_setup());
    const std::vector<std::string> names = parameter_names(*cnn);
    CHECK(names.size() == 60);
    int64_t total = 0;
    for (uint32_t i = 0; i < cnn->parameter_count(); ++i) {
        const idlab_param_view_t& p = cnn->parameter(i);
        CHECK(element_count(p.value) == element_count(p.grad));
        CHECK(p.value.data != p.grad.data);
        total += element_count(p.value);
    }
    CHECK(total == 11689512 - 513000);
    CHECK(names.front() == "conv1.weight");
    CHECK(shape_of(*cnn, "conv1.weight") == std::vector<int64_t>{64, 3, 7, 7});
    CHECK(shape_of(*cnn, "bn1.weight") == std::vector<int64_t>{64});
    CHECK(shape_of(*cnn, "layer1.0.conv1.weight") == std::vector<int64_t>{64, 64, 3, 3});
    CHECK(shape_of(*cnn, "layer2.0.conv1.weight") == std::vector<int64_t>{128, 64, 3, 3});
    CHECK(shape_of(*cnn, "layer2.0.downsample.0.weight") == std::vector<int64_t>{128, 64, 1, 1});
    CHECK(shape_of(*cnn, "layer2.0.downsample.1.bias") == std::vector<int64_t>{128});
    CHECK(shape_of(*cnn, "layer4.1.conv2.weight") == std::vector<int64_t>{512, 512, 3, 3});
    CHECK(names.back() == "layer4.1.bn2.bias");
    CHECK(find_param(*cnn, "layer1.0.downsample.0.weight") == nullptr);  // same shape: identity
    CHECK(find_param(*cnn, "layer2.1.downsample.0.weight") == nullptr);
    CHECK(find_param(*cnn, "fc.weight") == nullptr);
    CHECK(find_param(*cnn, "conv1.bias") == nullptr);  // no bias before batch norm
}

TEST_CASE("core.cnn adds a Linear head when out_dim differs and conv biases without batch norm",
          "[core-cnn][setup]") {
    CnnSetup setup;  // widths [4, 8]
    setup.out_dim = 5;
    setup.batch_norm = false;
    auto cnn = make_cnn(setup);
    CHECK(cnn->has_fc());
    CHECK(shape_of(*cnn, "fc.weight") == std::vector<int64_t>{5, 8});
    CHECK(shape_of(*cnn, "fc.bias") == std::vector<int64_t>{5});
    CHECK(shape_of(*cnn, "conv1.bias") == std::vector<int64_t>{4});
    CHECK(shape_of(*cnn, "layer2.0.downsample.0.bias") == std::vector<int64_t>{8});
    for (const std::string& name : parameter_names(*cnn)) CHECK(name.find("bn") == std::string::npos);
    CHECK(parameter_names(*cnn).size() == 6 * 2 + 2);
}

TEST_CASE("core.cnn initialises like torchvision's resnet", "[core-cnn][setup]") {
    CnnSetup setup = resnet18_setup();
    setup.out_dim = 100;
    auto cnn = make_cnn(setup);
    // Kaiming normal, fan_out: std sqrt(2 / (out_channels * k * k)); 0.6 to 2.4 million draws.
    for (const char* name : {"layer3.1.conv2.weight", "layer4.0.conv1.weight", "layer4.1.conv2.weight"}) {
        INFO(name);
        const std::vector<int64_t> shape = shape_of(*cnn, name);
        const double expected = std::sqrt(2.0 / static_cast<double>(shape[0] * shape[2] * shape[3]));
        CHECK(sample_std(param_values(*cnn, name)) == Approx(expected).epsilon(0.01));
    }
    // A smaller tensor, to a looser tolerance: 64 * 3 * 49 = 9408 draws.
    CHECK(sample_std(param_values(*cnn, "conv1.weight")) == Approx(std::sqrt(2.0 / (64 * 49))).epsilon(0.05));
    for (double g : param_values(*cnn, "layer3.0.bn2.weight")) CHECK(g == 1.0);
    for (double b : param_values(*cnn, "layer3.0.bn2.bias")) CHECK(b == 0.0);
    // nn.Linear's default: U(-1/sqrt(512), 1/sqrt(512)), spread over the whole range.
    const std::vector<double> fc = param_values(*cnn, "fc.weight");
    const double bound = 1.0 / std::sqrt(512.0);
    double lowest = 0.0, highest = 0.0;
    for (double w : fc) {
        lowest = std::min(lowest, w);
        highest = std::max(highest, w);
    }
    CHECK(lowest >= -bound);
    CHECK(highest <= bound);
    CHECK(lowest < -0.99 * bound);
    CHECK(highest > 0.99 * bound);
    CHECK(sample_std(fc) == Approx(bound / std::sqrt(3.0)).epsilon(0.02));
}

TEST_CASE("core.cnn is deterministic per seed", "[core-cnn][setup]") {
    CnnSetup setup;
    setup.channels = 3;
    auto a = make_cnn(setup);
    auto b = make_cnn(setup);
    setup.seed += 1;
    auto c = make_cnn(setup);
    for (uint32_t i = 0; i < a->parameter_count(); ++i) {
        const std::string name = a->parameter(i).name;
        INFO(name);
        CHECK(param_values(*a, name) == param_values(*b, name));
        if (a->parameter(i).value.ndim > 1)  // batch norm starts at 1 and 0 for every seed
            CHECK(param_values(*a, name) != param_values(*c, name));
    }
    const std::vector<float> x = normal_values(static_cast<size_t>(4 * setup.input_dim()), 70);
    CHECK(run_forward(*a, x, 4, true) == run_forward(*b, x, 4, true));
    CHECK(run_forward(*a, x, 4, false) == run_forward(*b, x, 4, false));

    // A tensor's values depend on its name, not on the rest of the network.
    CnnSetup other = setup;
    other.out_dim = 3;
    other.blocks = {1, 2};
    auto d = make_cnn(other);
    CHECK(param_values(*c, "layer1.0.conv2.weight") == param_values(*d, "layer1.0.conv2.weight"));
}

TEST_CASE("core.cnn rejects configurations it cannot build", "[core-cnn][setup]") {
    CnnSetup setup;  // 1 x 8 x 8
    SECTION("a valid one is accepted") {
        CHECK(create_through_abi(setup, 64).status == IDLAB_STATUS_OK);
    }
    SECTION("x holds another number of channels") {
        const CreateResult r = create_through_abi(setup, 3 * 64);
        CHECK(r.status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(r.key == "channels");
        CHECK_THAT(r.message, Catch::Contains("192") && Catch::Contains("set channels = 3"));
    }
    SECTION("x is not divisible into height x width images") {
        const CreateResult r = create_through_abi(setup, 100);
        CHECK(r.status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(r.key == "height");
        CHECK_THAT(r.message, Catch::Contains("not divisible by height * width = 64"));
    }
    SECTION("the data has no x") {
        CHECK(create_through_abi(setup, 0).status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("blocks and widths differ in length") {
        setup.blocks = {1, 1, 1};
        const CreateResult r = create_through_abi(setup, 64);
        CHECK(r.status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(r.key == "blocks");
    }
    SECTION("no stage") {
        setup.widths = {};
        setup.blocks = {};
        CHECK(create_through_abi(setup, 64).key == "widths");
    }
    SECTION("a stage of width 0") {
        setup.widths = {4, 0};
        CHECK(create_through_abi(setup, 64).key == "widths");
    }
    SECTION("a stage without blocks") {
        setup.blocks = {1, 0};
        CHECK(create_through_abi(setup, 64).key == "blocks");
    }
    SECTION("a stem kernel other than 3 or 7") {
        setup.stem_kernel = 5;
        const CreateResult r = create_through_abi(setup, 64);
        CHECK(r.status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(r.key == "stem_kernel");
    }
    SECTION("batch norm momentum out of range") {
        setup.momentum = 0.0;
        CHECK(create_through_abi(setup, 64).key == "bn_momentum");
    }
    SECTION("a device other than the CPU") {
        CHECK(create_through_abi(setup, 64, kDLCUDA).status == IDLAB_STATUS_UNSUPPORTED);
    }
}

TEST_CASE("core.cnn rejects calls it cannot serve", "[core-cnn][setup]") {
    CnnSetup setup;
    setup.stem_kernel = 7;
    setup.max_pool = true;
    setup.out_dim = 8;  // 8x8 -> 4x4 -> 2x2 -> last stage 1x1
    auto cnn = make_cnn(setup);
    OwnedTensor<float> dfeatures({2, 8});
    DLTensor dv = dfeatures.view();
    CHECK_THROWS_WITH(cnn->backward(cnn_exec_ctx(true), dv, nullptr), Catch::Contains("training forward() first"));

    // One sample whose last feature maps are 1x1 gives batch norm a single value per channel.
    const std::vector<float> one = normal_values(static_cast<size_t>(setup.input_dim()), 80);
    CHECK_THROWS_WITH(run_forward(*cnn, one, 1, true), Catch::Contains("at least 2 samples"));
    CHECK(run_forward(*cnn, one, 1, false).size() == 8);
    setup.batch_norm = false;
    CHECK(run_forward(*make_cnn(setup), one, 1, true).size() == 8);

    // Tensors of the wrong width.
    OwnedTensor<float> x({2, 65}), features({2, 8});
    DLTensor xv = x.view(), fv = features.view();
    CHECK_THROWS_AS(cnn->forward(cnn_exec_ctx(false), xv, fv), idlab::Error);
    OwnedTensor<float> x_ok({2, 64}), narrow({2, 7});
    DLTensor xov = x_ok.view(), nv = narrow.view();
    CHECK_THROWS_AS(cnn->forward(cnn_exec_ctx(false), xov, nv), idlab::Error);
}

TEST_CASE("core.cnn declares its parameters with the documented defaults", "[core-cnn][setup]") {
    const idlab::ComponentSpec spec = idlab::cnn::Cnn::spec();
    CHECK(spec.id == "core.cnn");
    std::set<std::string> names;
    auto default_of = [&](const std::string& name) {
        for (const idlab::Param& p : spec.params)
            if (p.name == name) return p.default_value;
        FAIL("no parameter " << name);
        return std::string();
    };
    for (const idlab::Param& p : spec.params) names.insert(p.name);
    CHECK(names == std::set<std::string>{"channels", "height", "width", "widths", "blocks", "stem_kernel",
                                         "max_pool", "out_dim", "batch_norm", "bn_momentum", "bn_eps"});
    CHECK(default_of("channels") == "3");
    CHECK(default_of("height") == "64");
    CHECK(default_of("width") == "64");
    CHECK(default_of("widths") == "[64, 128, 256, 512]");
    CHECK(default_of("blocks") == "[2, 2, 2, 2]");
    CHECK(default_of("stem_kernel") == "3");
    CHECK(default_of("max_pool") == "false");
    CHECK(default_of("out_dim") == "512");
    CHECK(default_of("batch_norm") == "true");
}
