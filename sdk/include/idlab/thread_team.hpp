// idlab SDK helper for plugin authors: a small persistent team of CPU threads that splits the
// work of one compute call (header-only, C++17, nothing beyond the standard library).
//
//     idlab::ThreadTeam team(ctx.threads());            // once: starts threads() - 1 workers
//     team.run([&](idlab::TeamMember& me) {             // in a compute call
//         me.share(parts, [&](int64_t part) { ... });   // every part once, on some member
//         me.share(...);                                // starts when all parts above are done
//     });
//
// A job is a sequence of share() calls (phases). The parts of a phase are claimed one by one by
// whichever members come for them, so a worker that wakes late, or is preempted by another
// process, does not hold the others up: they take its parts, and the caller alone can finish
// the job. Part i is first offered to member i % size() (its home), so that with parts cut the
// same way phase after phase each member keeps working on the same data, in its own cache;
// members take other parts only once their own are gone. A phase returns on every member once
// all its parts are done, so the next phase sees everything they wrote. What a part computes
// must depend on the part only (not on the member that runs it); per-member scratch (indexed by
// TeamMember::index()) is fine. Then the results do not depend on which member ran what, and a
// given partition gives the same bits every run.
//
// Waiting spins for a while, then blocks on a condition variable, so an idle or waiting member
// never holds a core for long. Inside a job (for the last parts of a phase, for late members to
// leave) it spins up to phase_spin (default 200 us): the others are at work on the same job, so
// the wait is one phase's imbalance, and blocking would cost a wake-up (some 70 us measured on
// a 2-core VM, several times per job). For the next job it spins job_spin (default 10 us) only:
// that wait can last as long as another component's whole call, whose own threads need the
// cores. run() allocates nothing. A team of size 1 starts no thread: run() calls the job,
// share() the parts.
//
// Rules: one thread calls run() at a time, never from inside a job. Every member runs the same
// sequence of share() calls with the same part counts, and code outside share() must only touch
// member-local state (a member may join late or not at all). A job may use at most
// phase_capacity() phases (reserve_phases() raises it). If a part throws, the remaining parts
// are skipped, every member leaves the job, and run() rethrows the first exception.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

namespace idlab {

// A half-open index range [begin, end).
struct Span {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end - begin; }
    bool empty() const { return end <= begin; }
};

// Part `part` of [0, n) cut into `parts` contiguous pieces whose sizes differ by at most one,
// larger pieces first. Pieces are empty when n < parts.
inline Span split_evenly(int64_t n, int64_t parts, int64_t part) {
    const int64_t p = parts > 0 ? parts : 1;
    const int64_t base = n / p, extra = n % p;
    const int64_t begin = part * base + (part < extra ? part : extra);
    return Span{begin, begin + base + (part < extra ? 1 : 0)};
}

// Per-member scratch laid out one member after the other should not share a cache line between
// two members: a line that two cores write moves between them on every write, which can make a
// loop over a few values many times slower than on one thread. Give each member this many
// elements for `count` of its own (room for `count` and a whole cache line more).
inline constexpr size_t kCacheLineBytes = 64;
template <class T>
constexpr int64_t padded_stride(int64_t count) {
    return count + static_cast<int64_t>((kCacheLineBytes + sizeof(T) - 1) / sizeof(T));
}

class ThreadTeam;

// One member's view of the running job (handed to the job by ThreadTeam::run).
class TeamMember {
public:
    // 0 for the thread that called run(), 1 .. size() - 1 for the workers.
    unsigned index() const { return index_; }
    unsigned team_size() const;
    // Calls part(i) once for every i in [0, parts), spread over the members that take part, and
    // returns once all those calls have returned.
    template <class Part>
    void share(int64_t parts, Part&& part);

private:
    friend class ThreadTeam;
    TeamMember(ThreadTeam& team, unsigned index) : team_(team), index_(index) {}
    ThreadTeam& team_;
    const unsigned index_;
    size_t phase_ = 0;  // share() calls so far in this job
};

class ThreadTeam {
public:
    // How long a waiting member spins before it blocks: for the next job, and inside a job.
    static constexpr std::chrono::microseconds kDefaultJobSpin{10};
    static constexpr std::chrono::microseconds kDefaultPhaseSpin{200};

    explicit ThreadTeam(unsigned size = 1, std::chrono::microseconds job_spin = kDefaultJobSpin,
                        std::chrono::microseconds phase_spin = kDefaultPhaseSpin)
        : size_(size > 0 ? size : 1), job_spin_(job_spin), phase_spin_(phase_spin) {
        reserve_phases(16);
        workers_.reserve(size_ - 1);
        try {
            for (unsigned index = 1; index < size_; ++index)
                workers_.emplace_back([this, index] { serve(index); });
        } catch (...) {  // no thread to be had: stop the ones that started
            stop();
            throw;
        }
    }
    ~ThreadTeam() { stop(); }
    ThreadTeam(const ThreadTeam&) = delete;
    ThreadTeam& operator=(const ThreadTeam&) = delete;

    unsigned size() const { return size_; }

    size_t phase_capacity() const { return phase_capacity_; }
    // Lets a job use up to `phases` share() calls. Call it outside run() (it allocates).
    void reserve_phases(size_t phases) {
        if (phases <= phase_capacity_) return;
        phases_.reset(new Phase[phases]);
        phase_capacity_ = phases;
    }

    // Calls job(member) on the calling thread (member 0) and on every worker that joins before
    // the job is done, and returns when the job is done and every member that joined has left
    // it. `job` must outlive the call (it is not copied).
    template <class Job>
    void run(Job&& job) {
        using Target = std::remove_reference_t<Job>;
        if (size_ == 1) {
            TeamMember me(*this, 0);
            job(me);
            return;
        }
        for (size_t p = 0; p < phases_used_; ++p) {
            phases_[p].taken.store(0, std::memory_order_relaxed);
            phases_[p].next.store(kMaskedParts, std::memory_order_relaxed);
            phases_[p].done.store(0, std::memory_order_relaxed);
        }
        call_ = [](void* target, TeamMember& me) { (*static_cast<Target*>(target))(me); };
        target_ = const_cast<void*>(static_cast<const void*>(&job));
        entry_.store(0, std::memory_order_release);      // open: workers may join
        epoch_.fetch_add(1, std::memory_order_seq_cst);  // wake them
        wake_sleepers();
        TeamMember me(*this, 0);
        execute(me);
        if (me.phase_ > phases_used_) phases_used_ = me.phase_;
        // Close the job and wait for the members inside it; those that did not join yet never will.
        entry_.fetch_or(kClosed, std::memory_order_seq_cst);
        await(phase_spin_,
              [this] { return (entry_.load(std::memory_order_acquire) & ~kClosed) == 0; });
        if (failed_.load(std::memory_order_relaxed)) {
            failed_.store(false, std::memory_order_relaxed);
            std::exception_ptr failure = failure_;
            failure_ = nullptr;
            std::rethrow_exception(failure);
        }
    }

private:
    friend class TeamMember;

    // The claims and the completion count of one share() call of the current job.
    struct alignas(64) Phase {
        std::atomic<uint64_t> taken{0};  // parts < kMaskedParts: bit i once part i is claimed
        std::atomic<int64_t> next{kMaskedParts};  // parts >= kMaskedParts: the next to claim
        std::atomic<int64_t> done{0};    // parts finished
    };
    static constexpr int64_t kMaskedParts = 64;
    static constexpr uint32_t kClosed = 1u << 31;  // in entry_: the job takes no new members

    template <class Part>
    void share(TeamMember& me, int64_t parts, Part& part) {
        if (size_ == 1) {
            for (int64_t i = 0; i < parts; ++i) part(i);
            return;
        }
        if (me.phase_ >= phase_capacity_)
            throw std::length_error("idlab::ThreadTeam: a job shares work more often than "
                                    "reserve_phases() allowed");
        Phase& phase = phases_[me.phase_++];
        if (failed_.load(std::memory_order_acquire)) return;
        auto run_part = [&](int64_t i) {
            if (!failed_.load(std::memory_order_relaxed)) {
                try {
                    part(i);
                } catch (...) {
                    fail(std::current_exception());
                }
            }
            // seq_cst: the store that a sleeping member waits for (see wake_sleepers).
            if (phase.done.fetch_add(1, std::memory_order_seq_cst) + 1 == parts) wake_sleepers();
        };
        auto claim = [&](int64_t i) {
            const uint64_t bit = uint64_t{1} << i;
            return (phase.taken.fetch_or(bit, std::memory_order_relaxed) & bit) == 0;
        };
        const int64_t masked = parts < kMaskedParts ? parts : kMaskedParts;
        for (int64_t i = me.index_; i < masked; i += size_)  // this member's own parts first
            if (claim(i)) run_part(i);
        for (int64_t i = 0; i < masked; ++i)  // then whatever the others left
            if (claim(i)) run_part(i);
        for (;;) {
            const int64_t i = phase.next.fetch_add(1, std::memory_order_relaxed);
            if (i >= parts) break;
            run_part(i);
        }
        await(phase_spin_, [&] {
            return phase.done.load(std::memory_order_acquire) >= parts ||
                   failed_.load(std::memory_order_acquire);
        });
    }

    void fail(std::exception_ptr e) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!failure_) failure_ = e;
        }
        failed_.store(true, std::memory_order_seq_cst);
        wake_sleepers();
    }

    void execute(TeamMember& me) {
        try {
            call_(target_, me);
        } catch (...) {
            fail(std::current_exception());
        }
    }

    void stop() {
        stopping_.store(true, std::memory_order_relaxed);
        epoch_.fetch_add(1, std::memory_order_seq_cst);
        wake_sleepers();
        for (std::thread& t : workers_) t.join();
    }

    void serve(unsigned index) {
        uint64_t seen = 0;
        for (;;) {
            await(job_spin_, [&] { return epoch_.load(std::memory_order_acquire) != seen; });
            if (stopping_.load(std::memory_order_relaxed)) return;
            seen = epoch_.load(std::memory_order_acquire);
            // Join unless the job is over already.
            uint32_t entry = entry_.load(std::memory_order_acquire);
            bool joined = false;
            while (!(entry & kClosed))
                if (entry_.compare_exchange_weak(entry, entry + 1, std::memory_order_acq_rel)) {
                    joined = true;
                    break;
                }
            if (!joined) continue;
            seen = epoch_.load(std::memory_order_acquire);  // the job joined (see run())
            TeamMember me(*this, index);
            execute(me);
            // seq_cst: the store that run() may be sleeping on.
            entry_.fetch_sub(1, std::memory_order_seq_cst);
            wake_sleepers();
        }
    }

    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }

    // Spins for up to `spin`, then sleeps until a wake_sleepers() after which done() holds.
    template <class Done>
    void await(std::chrono::microseconds spin, Done done) {
        if (done()) return;
        const auto deadline = std::chrono::steady_clock::now() + spin;
        for (unsigned i = 1;; ++i) {
            cpu_relax();
            if (done()) return;
            if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) break;
        }
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        while (!done()) wake_.wait(lock);
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }

    // Called after a seq_cst store another member may be sleeping on. A sleeper registers
    // (seq_cst) under the mutex before it tests its condition, so either it sees the store or
    // this sees the sleeper; taking the mutex then means the sleeper is inside wait() and gets
    // the notification.
    void wake_sleepers() {
        if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
        { std::lock_guard<std::mutex> lock(mutex_); }
        wake_.notify_all();
    }

    const unsigned size_;
    const std::chrono::microseconds job_spin_;
    const std::chrono::microseconds phase_spin_;

    std::unique_ptr<Phase[]> phases_;
    size_t phase_capacity_ = 0;
    size_t phases_used_ = 0;  // phases the jobs so far used, reset before each job

    // The current job; written by run() before it opens entry_.
    void (*call_)(void*, TeamMember&) = nullptr;
    void* target_ = nullptr;
    alignas(64) std::atomic<uint64_t> epoch_{0};  // one more per job (and at shutdown)
    std::atomic<uint32_t> entry_{kClosed};        // kClosed | members inside the job
    std::atomic<bool> stopping_{false};

    alignas(64) std::atomic<bool> failed_{false};
    std::exception_ptr failure_;  // the first exception of the current job

    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<int> sleepers_{0};

    std::vector<std::thread> workers_;  // last: they start once everything above exists
};

inline unsigned TeamMember::team_size() const { return team_.size(); }

template <class Part>
void TeamMember::share(int64_t parts, Part&& part) {
    team_.share(*this, parts, part);
}

}  // namespace idlab
