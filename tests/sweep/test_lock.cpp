// The locks on sweep folders and jobs: exclusive, testable without taking, named holders,
// inherited by children and released when the last holder dies, SIGKILL included.
#include "sweep/lock.hpp"

#include "sweep_test_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace idlab::host;
using namespace sweep_test;

TEST_CASE("a lock is exclusive and names its holder", "[sweep][lock]") {
    const fs::path file = scratch("lock-exclusive") / "sweep.lock";
    CHECK_FALSE(lock_is_held(file));  // no file yet
    std::string held_by;
    auto first = FileLock::try_take(file, holder_text(getpid(), "test one"), held_by);
    REQUIRE(first);
    std::string who;
    CHECK(lock_is_held(file, &who));
    CHECK_THAT(who, Catch::StartsWith("pid " + std::to_string(getpid()) + " on host " + host_name()) &&
                        Catch::EndsWith("test one"));
    auto second = FileLock::try_take(file, "test two", held_by);
    CHECK_FALSE(second);
    CHECK(held_by == who);
    first->describe("pid 1 on host elsewhere");
    CHECK_FALSE(FileLock::try_take(file, "test three", held_by));
    CHECK(held_by == "pid 1 on host elsewhere");
    first->release();
    CHECK_FALSE(lock_is_held(file));
    CHECK(FileLock::try_take(file, "test four", held_by));
}

TEST_CASE("a child keeps a lock it inherited until it is killed", "[sweep][lock]") {
    const fs::path file = scratch("lock-inherited") / "job.lock";
    std::string held_by;
    auto lock = FileLock::try_take(file, "parent", held_by);
    REQUIRE(lock);
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The descriptor is close-on-exec, but fork keeps it: this process holds the lock too.
        close(ready[0]);
        if (write(ready[1], "x", 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char c;
    REQUIRE(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    lock->release();
    CHECK(lock_is_held(file));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK_FALSE(lock_is_held(file));
}
