// core.cnn allocates its buffers on the first call at a batch size and never again at that
// size or a smaller one. This file replaces the global operator new of the test program with
// one that counts calls.
#include "cnn_harness.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
    ++g_allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace idlab::test;

TEST_CASE("core.cnn does not allocate once its buffers fit the batch", "[core-cnn][allocation]") {
    CnnSetup setup;
    setup.channels = 3;
    setup.max_pool = true;
    auto cnn = make_cnn(setup);
    auto make_step = [&](int64_t batch) {
        struct Step {
            OwnedTensor<float> x, f, df, dx;
        };
        return Step{tensor_from(normal_values(static_cast<size_t>(batch * setup.input_dim()), 90), batch,
                                setup.input_dim()),
                    OwnedTensor<float>({batch, setup.out_dim}),
                    tensor_from(normal_values(static_cast<size_t>(batch * setup.out_dim), 91), batch, setup.out_dim),
                    OwnedTensor<float>({batch, setup.input_dim()})};
    };
    auto big = make_step(6);
    auto small = make_step(4);
    // Counts the allocations of a training step (forward + backward) and an evaluation.
    auto allocations_of_calls = [&](decltype(big)& s) {
        DLTensor xv = s.x.view(), fv = s.f.view(), dfv = s.df.view(), dxv = s.dx.view();
        const long before = g_allocations.load();
        cnn->forward(cnn_exec_ctx(true), xv, fv);
        cnn->backward(cnn_exec_ctx(true), dfv, &dxv);
        cnn->forward(cnn_exec_ctx(false), xv, fv);
        return g_allocations.load() - before;
    };
    CHECK(allocations_of_calls(big) > 0);  // the first calls size the buffers
    CHECK(allocations_of_calls(big) == 0);
    CHECK(allocations_of_calls(small) == 0);
    CHECK(allocations_of_calls(big) == 0);
}
