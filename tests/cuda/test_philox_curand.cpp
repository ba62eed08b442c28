// The data stream's generator is cuRAND's Philox4x32-10: the SDK's implementation, which the
// CPU and the GPU samplers share, gives cuRAND's bits for a million counters and keys.
#include "component_harness.hpp"

#include <cstdint>

long long philox_mismatches_against_curand(uint64_t n);

TEST_CASE("cuda: idlab's Philox4x32-10 is cuRAND's, bit for bit", "[cuda][gpu]") {
    IDLAB_REQUIRE_GPU_OR_RETURN();
    CHECK(philox_mismatches_against_curand(1u << 20) == 0);
}
