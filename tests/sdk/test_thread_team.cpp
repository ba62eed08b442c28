// idlab::ThreadTeam and idlab::split_evenly (sdk/include/idlab/thread_team.hpp): every part of
// every phase runs exactly once, a phase sees everything the phase before wrote, the caller
// finishes a job alone when no worker comes, failures come back to the caller without a
// deadlock, and waiting members sleep instead of holding a core.
#include <idlab/thread_team.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

unsigned more_than_cores() { return 2 * std::max(1u, std::thread::hardware_concurrency()) + 1; }

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

TEST_CASE("split_evenly cuts a range into contiguous pieces of nearly equal size", "[sdk][threads]") {
    for (int64_t n = 0; n <= 40; ++n)
        for (int64_t parts = 1; parts <= 9; ++parts) {
            INFO("n " << n << ", parts " << parts);
            int64_t next = 0, smallest = n, largest = 0;
            for (int64_t p = 0; p < parts; ++p) {
                const idlab::Span s = idlab::split_evenly(n, parts, p);
                CHECK(s.begin == next);
                CHECK(s.size() >= 0);
                CHECK(s.empty() == (s.size() == 0));
                next = s.end;
                smallest = std::min(smallest, s.size());
                largest = std::max(largest, s.size());
            }
            CHECK(next == n);
            CHECK(largest - smallest <= 1);
        }
}

TEST_CASE("every part of every phase runs once, and a phase sees the one before", "[sdk][threads]") {
    const unsigned size = GENERATE_COPY(1u, 2u, 3u, more_than_cores());
    INFO("team of " << size);
    idlab::ThreadTeam team(size);
    REQUIRE(team.size() == size);
    const int64_t parts = 37;
    std::vector<int64_t> a(parts, -1), b(parts, -1);
    std::vector<std::atomic<int>> calls(2 * parts);
    std::atomic<int> stale{0};
    std::mutex mutex;
    std::set<unsigned> members;
    for (int job = 0; job < 50; ++job) {
        for (auto& c : calls) c = 0;
        team.run([&](idlab::TeamMember& me) {
            CHECK(me.team_size() == size);
            {
                std::lock_guard<std::mutex> lock(mutex);
                members.insert(me.index());
            }
            me.share(parts, [&](int64_t i) {
                ++calls[i];
                a[i] = job * parts + i;  // plain writes: the end of the phase orders them
            });
            me.share(parts, [&](int64_t i) {
                ++calls[parts + i];
                // Every part of the first phase is visible, whoever wrote it.
                for (int64_t j = 0; j < parts; ++j)
                    if (a[j] != job * parts + j) ++stale;
                b[i] = a[(i + 1) % parts];
            });
        });
        for (int64_t i = 0; i < 2 * parts; ++i) CHECK(calls[i] == 1);
        for (int64_t i = 0; i < parts; ++i) CHECK(b[i] == job * parts + (i + 1) % parts);
    }
    CHECK(stale == 0);
    CHECK(*members.rbegin() < size);
    CHECK(members.count(0) == 1);
}

TEST_CASE("the caller finishes a job alone while the workers are held up", "[sdk][threads]") {
    // Worker parts sleep; the caller, whose parts do not, takes every part it can claim, so it
    // runs most of them. Nothing waits for a member that has not joined.
    idlab::ThreadTeam team(2);
    std::atomic<int> by_caller{0}, total{0};
    team.run([&](idlab::TeamMember& me) {
        me.share(40, [&](int64_t) {
            ++total;
            if (me.index() == 0)
                ++by_caller;
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        });
    });
    CHECK(total == 40);
    CHECK(by_caller >= 20);
}

TEST_CASE("many short jobs in a row neither deadlock nor lose a part", "[sdk][threads]") {
    const unsigned size = GENERATE(2u, 3u);
    INFO("team of " << size);
    idlab::ThreadTeam team(size);
    std::atomic<int64_t> calls{0};
    for (int job = 0; job < 1000; ++job) {
        team.run([&](idlab::TeamMember& me) {
            me.share(3, [&](int64_t i) {
                ++calls;
                if ((job + i) % 7 == 0) std::this_thread::yield();
            });
            me.share(2, [&](int64_t) { ++calls; });
        });
        // Now and then the members have time to fall asleep before the next job.
        if (job % 250 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(calls == int64_t{5000});
}

TEST_CASE("an exception in a part reaches the caller and the team stays usable", "[sdk][threads]") {
    const unsigned size = GENERATE(1u, 2u, 3u);
    const int64_t failing = GENERATE(0, 5);
    INFO("team of " << size << ", part " << failing << " throws");
    idlab::ThreadTeam team(size);
    std::atomic<int> second_phase{0};
    auto job = [&](idlab::TeamMember& me) {
        me.share(6, [&](int64_t i) {
            if (i == failing) throw std::runtime_error("part failed");
        });
        me.share(4, [&](int64_t) { ++second_phase; });
    };
    CHECK_THROWS_WITH(team.run(job), "part failed");
    CHECK(second_phase == 0);
    std::atomic<int> parts{0};
    team.run([&](idlab::TeamMember& me) { me.share(5, [&](int64_t) { ++parts; }); });
    CHECK(parts == 5);
}

TEST_CASE("a job that shares more often than reserved fails clearly", "[sdk][threads]") {
    idlab::ThreadTeam team(2);
    const size_t phases = team.phase_capacity() + 1;
    auto many = [&](idlab::TeamMember& me) {
        for (size_t p = 0; p < phases; ++p) me.share(1, [](int64_t) {});
    };
    CHECK_THROWS_AS(team.run(many), std::length_error);
    team.reserve_phases(team.phase_capacity() + 1);
    CHECK_NOTHROW(team.run(many));
}

TEST_CASE("members waiting for a phase or for the next job sleep instead of spinning", "[sdk][threads]") {
    // One part sleeps 100 ms while the other members wait for the phase to end; then the team
    // is idle for 100 ms. Spinning members would burn about (size - 1) * 200 ms of CPU; sleeping
    // ones spin for at most ThreadTeam::kDefaultPhaseSpin (200 us) inside the job and
    // kDefaultJobSpin (10 us) after it.
    const unsigned size = 3;
    idlab::ThreadTeam team(size);
    team.run([](idlab::TeamMember& me) { me.share(size, [](int64_t) {}); });
    const double cpu0 = process_cpu_seconds();
    team.run([&](idlab::TeamMember& me) {
        me.share(size, [&](int64_t i) {
            if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double used = process_cpu_seconds() - cpu0;
    INFO("CPU time of the process while it waited: " << used << " s");
    CHECK(used < 0.05);
}
