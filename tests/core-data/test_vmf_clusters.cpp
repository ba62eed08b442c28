// core.vmf_clusters: the fields it declares, what a batch holds (unit latents around the
// label's cluster vector, label = index mod K, uniform indices), determinism under the Philox
// convention, and the errors for bad parameters and tensors.
#include "vmf_clusters_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using idlab::core::VmfClusters;
using namespace idlab::test;

namespace {

bool same_batch(VmfBatch& a, VmfBatch& b, int64_t rows, int64_t dim) {
    for (int64_t i = 0; i < rows * dim; ++i)
        if (a.x[i] != b.x[i] || a.z[i] != b.z[i]) return false;
    for (int64_t j = 0; j < rows; ++j)
        if (a.label[j] != b.label[j] || a.index[j] != b.index[j]) return false;
    return true;
}

}  // namespace

TEST_CASE("vmf_clusters declares x, z, label and index", "[core-data]") {
    ConfigBuilder config = vmf_clusters_config(6, 12, 300);
    auto data = make_vmf_clusters(config);
    const auto& fields = data->fields();
    REQUIRE(fields.size() == 4);
    CHECK(std::string(fields[0].name) == "x");
    CHECK(fields[0].dtype == IDLAB_DTYPE_F32);
    CHECK(fields[0].width == 6);
    CHECK(std::string(fields[1].name) == "z");
    CHECK(fields[1].dtype == IDLAB_DTYPE_F32);
    CHECK(fields[1].width == 6);
    CHECK(std::string(fields[2].name) == "label");
    CHECK(fields[2].dtype == IDLAB_DTYPE_I64);
    CHECK(fields[2].width == 0);
    CHECK(fields[2].cardinality == 12);
    CHECK(std::string(fields[3].name) == "index");
    CHECK(fields[3].dtype == IDLAB_DTYPE_I64);
    CHECK(fields[3].width == 0);
    CHECK(fields[3].cardinality == 300);
}

TEST_CASE("vmf_clusters cluster vectors are unit vectors spread uniformly", "[core-data]") {
    const int64_t d = 5, k = 4000;
    ConfigBuilder config = vmf_clusters_config(d, k, k, 10.0, 0);
    auto data = make_vmf_clusters(config);
    const std::vector<double>& v = data->cluster_vectors();
    REQUIRE(v.size() == static_cast<size_t>(k * d));
    std::vector<double> mean(d, 0.0), mean_sq(d, 0.0);
    for (int64_t c = 0; c < k; ++c) {
        double n2 = 0.0;
        for (int64_t j = 0; j < d; ++j) {
            n2 += v[c * d + j] * v[c * d + j];
            mean[j] += v[c * d + j] / k;
            mean_sq[j] += v[c * d + j] * v[c * d + j] / k;
        }
        REQUIRE(std::sqrt(n2) == Approx(1.0).margin(1e-12));
    }
    // Uniform on S^(d-1): every coordinate has mean 0 and second moment 1/d (standard error
    // about 0.007 and 0.003 here).
    for (int64_t j = 0; j < d; ++j) {
        CHECK(std::abs(mean[j]) < 0.035);
        CHECK(mean_sq[j] == Approx(1.0 / d).margin(0.02));
    }
}

TEST_CASE("vmf_clusters exposes its cluster vectors and kappa as constants", "[core-data]") {
    // Metrics name them "data.cluster_vectors" and "data.kappa"; read through idlab.constants/1.
    ConfigBuilder config = vmf_clusters_config(4, 8, 60, 12.5, 1);
    const idlab_create_ctx_t ctx = data_create_ctx(3);
    const idlab_component_desc_t* desc = idlab::detail::descriptor<VmfClusters>();
    idlab_instance_t* instance = nullptr;
    REQUIRE(desc->create(&ctx, config.get(), &instance, nullptr) == IDLAB_STATUS_OK);
    const auto* constants = static_cast<const idlab_constants_i*>(
        instance->get_interface(instance, IDLAB_IFACE_CONSTANTS));
    REQUIRE(constants != nullptr);
    REQUIRE(constants->count(instance) == 2);
    idlab_named_tensor_t t{};
    REQUIRE(constants->get(instance, 0, &t) == IDLAB_STATUS_OK);
    CHECK(std::string(t.name) == "cluster_vectors");
    CHECK(t.tensor.dtype.code == kDLFloat);
    CHECK(t.tensor.dtype.bits == 64);
    REQUIRE(t.tensor.ndim == 2);
    CHECK(t.tensor.shape[0] == 8);
    CHECK(t.tensor.shape[1] == 4);
    // The same values as a directly built instance with that seed.
    auto direct = make_vmf_clusters(config, 3);
    const double* values = static_cast<const double*>(t.tensor.data);
    CHECK(std::vector<double>(values, values + 32) == direct->cluster_vectors());

    // kappa: f64 [1], the vMF concentration, so a metric can compare singular values with 1/kappa.
    idlab_named_tensor_t k{};
    REQUIRE(constants->get(instance, 1, &k) == IDLAB_STATUS_OK);
    CHECK(std::string(k.name) == "kappa");
    CHECK(k.tensor.dtype.code == kDLFloat);
    CHECK(k.tensor.dtype.bits == 64);
    REQUIRE(k.tensor.ndim == 1);
    CHECK(k.tensor.shape[0] == 1);
    CHECK(*static_cast<const double*>(k.tensor.data) == 12.5);
    CHECK(constants->get(instance, 2, &k) == IDLAB_STATUS_INVALID_ARGUMENT);
    instance->destroy(instance);
}

TEST_CASE("vmf_clusters batches hold unit latents, labels and uniform indices", "[core-data]") {
    const int64_t d = 5, k = 8, n = 40;
    ConfigBuilder config = vmf_clusters_config(d, k, n);
    auto data = make_vmf_clusters(config);
    const int64_t batch = 40000;
    VmfBatch b = draw(*data, sample_ctx(7, 3), batch);

    std::vector<int64_t> counts(n, 0);
    for (int64_t j = 0; j < batch; ++j) {
        double n2 = 0.0;
        for (int64_t c = 0; c < d; ++c) n2 += static_cast<double>(b.z[j * d + c]) * b.z[j * d + c];
        REQUIRE(std::sqrt(n2) == Approx(1.0).margin(1e-6));
        REQUIRE(b.index[j] >= 0);
        REQUIRE(b.index[j] < n);
        REQUIRE(b.label[j] == b.index[j] % k);
        ++counts[b.index[j]];
    }
    // Pearson's chi-square against uniform, 39 degrees of freedom: mean 39, sd 8.8. The upper
    // bound catches a skewed draw, the lower one a deterministic "too even" assignment.
    const double expected = static_cast<double>(batch) / n;
    double chi2 = 0.0;
    for (int64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
    INFO("chi-square = " << chi2);
    CHECK(chi2 < 85.0);
    CHECK(chi2 > 15.0);
}

TEST_CASE("vmf_clusters latents concentrate around their label's cluster vector", "[core-data]") {
    // E[v_label . z] is the vMF mean resultant length A_d(kappa); a sampler wired to the wrong
    // cluster vector scores about 0.
    const int64_t d = 5, k = 20;
    const double kappa = 10.0;
    ConfigBuilder config = vmf_clusters_config(d, k, 1000, kappa);
    auto data = make_vmf_clusters(config);
    const int64_t batch = 20000;
    VmfBatch b = draw(*data, sample_ctx(7, 11), batch);
    const std::vector<double>& v = data->cluster_vectors();
    double sum = 0.0, sum_sq = 0.0;
    for (int64_t j = 0; j < batch; ++j) {
        double w = 0.0;
        for (int64_t c = 0; c < d; ++c) w += v[b.label[j] * d + c] * b.z[j * d + c];
        sum += w;
        sum_sq += w * w;
    }
    const double mean = sum / batch;
    const double std_error = std::sqrt((sum_sq / batch - mean * mean) / batch);
    const double a = std::cyl_bessel_i(2.5, kappa) / std::cyl_bessel_i(1.5, kappa);
    INFO("mean v_label.z = " << mean << ", A_5(10) = " << a);
    CHECK(std::abs(mean - a) < 5.0 * std_error);
}

TEST_CASE("vmf_clusters batches depend only on seed, stream, counter and row", "[core-data]") {
    const int64_t d = 4;
    ConfigBuilder config = vmf_clusters_config(d, 10, 100);
    auto first = make_vmf_clusters(config, 21);
    auto second = make_vmf_clusters(config, 21);

    SECTION("two instances with the same seed draw the same batch") {
        CHECK(first->cluster_vectors() == second->cluster_vectors());
        VmfBatch a = draw(*first, sample_ctx(21, 5), 64);
        VmfBatch b = draw(*second, sample_ctx(21, 5), 64);
        CHECK(same_batch(a, b, 64, d));
    }
    SECTION("drawing again with the same counter repeats the batch") {
        VmfBatch a = draw(*first, sample_ctx(21, 5), 64);
        draw(*first, sample_ctx(21, 6), 64);
        VmfBatch b = draw(*first, sample_ctx(21, 5), 64);
        CHECK(same_batch(a, b, 64, d));
    }
    SECTION("a row does not depend on the batch size") {
        VmfBatch small = draw(*first, sample_ctx(21, 9), 5);
        VmfBatch large = draw(*first, sample_ctx(21, 9), 300);
        CHECK(same_batch(small, large, 5, d));
    }
    SECTION("a team of threads draws the same rows as one thread") {
        // 3 and 5 members split 67 rows unevenly; a batch of 2 leaves members without rows.
        config.set_float("label_noise", 0.3);
        auto one = make_vmf_clusters(config, 21);
        for (uint32_t threads : {2u, 3u, 5u}) {
            INFO("threads " << threads);
            auto team = make_vmf_clusters(config, 21, threads);
            for (int64_t rows : {int64_t{67}, int64_t{2}}) {
                VmfBatch a = draw(*one, sample_ctx(21, 5), rows);
                VmfBatch b = draw(*team, sample_ctx(21, 5), rows);
                CHECK(same_batch(a, b, rows, d));
            }
        }
    }
    SECTION("another counter, stream or seed gives other rows") {
        VmfBatch a = draw(*first, sample_ctx(21, 5), 16);
        VmfBatch next = draw(*first, sample_ctx(21, 6), 16);
        VmfBatch eval = draw(*first, sample_ctx(21, 5, IDLAB_RNG_STREAM_EVAL), 16);
        VmfBatch high = draw(*first, sample_ctx(21, 5 + (uint64_t{1} << 32)), 16);
        VmfBatch seed = draw(*first, sample_ctx(22, 5), 16);
        CHECK_FALSE(same_batch(a, next, 16, d));
        CHECK_FALSE(same_batch(a, eval, 16, d));
        CHECK_FALSE(same_batch(a, high, 16, d));
        CHECK_FALSE(same_batch(a, seed, 16, d));
    }
    SECTION("another run seed gives other cluster vectors and mixing") {
        auto other = make_vmf_clusters(config, 22);
        CHECK(first->cluster_vectors() != other->cluster_vectors());
        CHECK(first->mixing().matrix(0)[0] != other->mixing().matrix(0)[0]);
    }
}

TEST_CASE("vmf_clusters rejects bad parameter values with the key at fault", "[core-data]") {
    struct Case {
        const char* key;
        double value;  // set as an int for integer parameters
        bool integer;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const Case cases[] = {
        {"latent_dim", 1, true},     {"latent_dim", 0, true},     {"clusters", 0, true},
        {"samples", 0, true},        {"samples", -3, true},       {"kappa", 0.0, false},
        {"kappa", -2.0, false},      {"kappa", nan, false},       {"kappa", inf, false},
        {"mixing_layers", -1, true}, {"mixing_trials", 0, true},  {"mixing_slope", 0.0, false},
        {"mixing_slope", 1.0, false}, {"mixing_slope", -0.2, false}, {"mixing_slope", nan, false},
        {"cluster_scale", 0.0, false}, {"cluster_scale", inf, false}, {"cluster_shape", 0.05, false},
        {"conditional_scale", -1.0, false}, {"conditional_scale", nan, false},
        {"conditional_shape", 0.0, false}, {"truncation", 0.0, false},  {"label_noise", -0.1, false},
        {"label_noise", 1.5, false},  {"label_noise", nan, false},
    };
    for (const Case& c : cases) {
        INFO(c.key << " = " << c.value);
        ConfigBuilder config = vmf_clusters_config();
        if (c.integer) config.set_int(c.key, static_cast<int64_t>(c.value));
        else config.set_float(c.key, c.value);
        try {
            make_vmf_clusters(config);
            FAIL("no error for a bad value");
        } catch (const idlab::Error& e) {
            CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
            CHECK(e.param_key() == c.key);
            CHECK(std::string(e.what()).find(c.key) != std::string::npos);
        }
    }
}

TEST_CASE("vmf_clusters reports a bad value through the C ABI", "[core-data]") {
    ConfigBuilder config = vmf_clusters_config();
    config.set_float("kappa", -1.0);
    const idlab_create_ctx_t ctx = data_create_ctx(1);
    const idlab_component_desc_t* desc = idlab::detail::descriptor<VmfClusters>();
    char message[256] = "";
    char key[64] = "";
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
    idlab_instance_t placeholder{};
    idlab_instance_t* instance = &placeholder;  // create() must reset it on failure
    CHECK(desc->create(&ctx, config.get(), &instance, &err) == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(instance == nullptr);
    CHECK(std::string(key) == "kappa");
    CHECK(std::string(message).find("kappa") != std::string::npos);

    SECTION("and a missing parameter by its name") {
        ConfigBuilder partial;
        partial.set_int("latent_dim", 3);
        instance = &placeholder;
        CHECK(desc->create(&ctx, partial.get(), &instance, &err) == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(instance == nullptr);
        CHECK(std::string(message).find("was not passed") != std::string::npos);
    }
}

TEST_CASE("vmf_clusters rejects output tensors that do not match its fields", "[core-data]") {
    const int64_t d = 3;
    ConfigBuilder config = vmf_clusters_config(d, 4, 40, 10.0, 1);
    auto data = make_vmf_clusters(config);
    const idlab_exec_ctx_t ctx = sample_ctx(7, 0);
    OwnedTensor<float> x({8, d}), z({8, d}), z_wide({8, d + 1});
    OwnedTensor<int64_t> label({8}), index({8});
    OwnedTensor<float> label_f32({8});

    auto sample = [&](std::vector<idlab_named_tensor_t> items, int64_t batch) {
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        data->sample(ctx, batch, idlab::TensorSet(&set));
    };
    CHECK_NOTHROW(sample({{"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}}, 8));
    CHECK_THROWS_AS(sample({{"x", x.view()}, {"z", z_wide.view()}, {"label", label.view()}, {"index", index.view()}}, 8),
                    idlab::Error);
    CHECK_THROWS_AS(sample({{"x", x.view()}, {"z", z.view()}, {"label", label_f32.view()}, {"index", index.view()}}, 8),
                    idlab::Error);
    CHECK_THROWS_AS(sample({{"x", x.view()}, {"z", z.view()}, {"index", index.view()}}, 8), idlab::Error);
    CHECK_THROWS_AS(sample({{"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}}, 9),
                    idlab::Error);
    CHECK_THROWS_AS(sample({{"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}}, -1),
                    idlab::Error);
}
