// Measures OpenBLAS sgemm throughput on this machine: the shapes of the paper's training step
// (batch 1024, widths 50/250) and a large square product, with the current thread setting
// (OPENBLAS_NUM_THREADS). Prints one JSON object per shape.
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

double gflops(int m, int n, int k, bool trans_b, int repeats) {
    std::vector<float> a(static_cast<size_t>(m) * k, 0.5f), b(static_cast<size_t>(k) * n, 0.25f),
        c(static_cast<size_t>(m) * n, 0.0f);
    auto call = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                    a.data(), k, b.data(), trans_b ? k : n, 0.0f, c.data(), n);
    };
    call();  // warm-up
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r) call();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return 2.0 * m * n * k * repeats / s / 1e9;
}

}  // namespace

int main() {
    struct Shape { const char* name; int m, n, k; bool tb; int repeats; };
    const Shape shapes[] = {
        {"square-2048", 2048, 2048, 2048, false, 5},
        {"fwd-1024x250x250", 1024, 250, 250, true, 400},
        {"fwd-1024x250x50", 1024, 250, 50, true, 1000},
        {"fwd-1024x50x250", 1024, 50, 250, true, 1000},
    };
    std::printf("{\"threads\": %d, \"results\": [", openblas_get_num_threads());
    bool first = true;
    for (const Shape& s : shapes) {
        std::printf("%s\n  {\"shape\": \"%s\", \"gflops\": %.1f}", first ? "" : ",", s.name,
                    gflops(s.m, s.n, s.k, s.tb, s.repeats));
        first = false;
    }
    std::printf("\n]}\n");
    return 0;
}
