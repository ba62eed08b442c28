// idlab SDK helper for plugins that link OpenBLAS (include it only there: it needs OpenBLAS's
// cblas.h, which declares openblas_set_num_threads): single-threaded OpenBLAS inside a team.
//
// OpenBLAS's thread count is one setting for the whole process, and the host sets it from
// run.threads, because a component that calls BLAS on large products from one thread (core.cnn)
// gets its parallelism from OpenBLAS. A component that splits its work over an idlab::ThreadTeam
// and calls BLAS from every member needs each call to stay on its own thread instead: several
// multi-threaded OpenBLAS calls at once would queue for OpenBLAS's own threads.
//
//     const idlab::SingleThreadedOpenBlas blas(team.size());   // around the team's run
//     team.run(...);
//
// While the object lives OpenBLAS runs on the calling thread; the previous count comes back when
// it goes. With a team of one it changes nothing. It is meant for the training loop's thread:
// another thread calling OpenBLAS meanwhile would run its products single-threaded too (slower,
// never wrong).
#pragma once

#include <cblas.h>

namespace idlab {

class SingleThreadedOpenBlas {
public:
    explicit SingleThreadedOpenBlas(unsigned team_size) {
        if (team_size <= 1) return;
        saved_ = openblas_get_num_threads();
        if (saved_ != 1) openblas_set_num_threads(1);
    }
    ~SingleThreadedOpenBlas() {
        if (saved_ != 1) openblas_set_num_threads(saved_);
    }
    SingleThreadedOpenBlas(const SingleThreadedOpenBlas&) = delete;
    SingleThreadedOpenBlas& operator=(const SingleThreadedOpenBlas&) = delete;

private:
    int saved_ = 1;
};

}  // namespace idlab
