// view -> host bytes -> view: a CPU tensor is copied directly; a tensor on the run's device goes
// through its DeviceRuntime (a fake idlab_device_i here, which keeps its "device memory" in
// host memory and counts its calls), and a tensor on a device the run does not use is refused.
#include "runtime/tensor_copy.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace idlab::host;

namespace {

DLTensor view_of(float* data, std::vector<int64_t>& shape, DLDevice device = DLDevice{kDLCPU, 0}) {
    DLTensor t{};
    t.data = data;
    t.device = device;
    t.ndim = static_cast<int>(shape.size());
    t.dtype = DLDataType{kDLFloat, 32, 1};
    t.shape = shape.data();
    return t;
}

int g_copies = 0, g_syncs = 0;

idlab_status_t fake_copy(const DLTensor* src, DLTensor* dst, void*, idlab_error_t*) {
    ++g_copies;
    std::memcpy(dst->data, src->data, tensor_bytes(*src));
    return IDLAB_STATUS_OK;
}
idlab_status_t fake_sync(int32_t, void*, idlab_error_t*) {
    ++g_syncs;
    return IDLAB_STATUS_OK;
}
idlab_status_t failing_copy(const DLTensor*, DLTensor*, void*, idlab_error_t* err) {
    return idlab_error_set(err, IDLAB_STATUS_DEVICE_ERROR, nullptr, "an illegal memory access was encountered");
}

int g_stream = 0;
idlab_status_t fake_stream_create(int32_t, void** stream, idlab_error_t*) {
    *stream = &g_stream;
    return IDLAB_STATUS_OK;
}
void fake_stream_destroy(int32_t, void*) {}

idlab_device_i fake_device(decltype(&fake_copy) copy) {
    idlab_device_i d{};
    d.struct_size = sizeof(d);
    d.device_type = kDLCUDA;
    d.name = "cuda";
    d.copy = copy;
    d.synchronize = fake_sync;
    d.stream_create = fake_stream_create;
    d.stream_destroy = fake_stream_destroy;
    return d;
}

}  // namespace

TEST_CASE("a CPU tensor goes to host bytes and back unchanged", "[runtime][tensor-copy]") {
    std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, -0.0f, 7.0f};
    std::vector<int64_t> shape = {2, 3};
    const DLTensor va = view_of(a.data(), shape);
    CHECK(tensor_bytes(va) == 24);
    CHECK(tensor_description(va) == "f32 [2, 3]");
    std::vector<unsigned char> host(24);
    DeviceRuntime cpu;
    view_to_host(va, host.data(), cpu, "test");
    std::vector<float> b(6, 9.0f);
    host_to_view(host.data(), view_of(b.data(), shape), cpu, "test");
    CHECK(std::memcmp(a.data(), b.data(), 24) == 0);
}

TEST_CASE("a strided view is refused rather than copied wrongly", "[runtime][tensor-copy]") {
    std::vector<float> a(6);
    std::vector<int64_t> shape = {3, 2}, strides = {1, 3};  // column-major
    DLTensor t = view_of(a.data(), shape);
    t.strides = strides.data();
    std::vector<unsigned char> host(24);
    DeviceRuntime cpu;
    CHECK_THROWS_WITH(view_to_host(t, host.data(), cpu, "encoder 'x' parameter 'w'"),
                      "encoder 'x' parameter 'w': the view is not a compact row-major tensor");
}

TEST_CASE("a device tensor is copied through its device's table", "[runtime][tensor-copy]") {
    std::vector<float> device_memory = {4.0f, 5.0f, 6.0f};
    std::vector<int64_t> shape = {3};
    const DLTensor on_device = view_of(device_memory.data(), shape, DLDevice{kDLCUDA, 0});
    std::vector<unsigned char> host(12);
    g_copies = g_syncs = 0;

    SECTION("both ways, each followed by a synchronisation") {
        const idlab_device_i cuda = fake_device(fake_copy);
        DeviceRuntime device(&cuda);
        view_to_host(on_device, host.data(), device, "t");
        float back[3];
        std::memcpy(back, host.data(), 12);
        CHECK(back[2] == 6.0f);
        const float saved[3] = {-1.0f, -2.0f, -3.0f};
        host_to_view(saved, on_device, device, "t");
        CHECK(device_memory == std::vector<float>{-1.0f, -2.0f, -3.0f});
        CHECK(g_copies == 2);
        CHECK(g_syncs == 2);
    }
    SECTION("on a device the run does not use") {
        DeviceRuntime cpu;
        CHECK_THROWS_WITH(view_to_host(on_device, host.data(), cpu, "loss 'y' state tensor 'z'"),
                          Catch::Matchers::StartsWith("loss 'y' state tensor 'z': device 'cpu': a tensor on "
                                                      "device type 2 (id 0) is not on this device"));
    }
    SECTION("a failing copy says so") {
        const idlab_device_i cuda = fake_device(failing_copy);
        DeviceRuntime device(&cuda);
        CHECK_THROWS_WITH(view_to_host(on_device, host.data(), device, "t"),
                          Catch::Matchers::StartsWith("t: device 'cuda': ") &&
                              Catch::Matchers::Contains("an illegal memory access was encountered"));
    }
}
