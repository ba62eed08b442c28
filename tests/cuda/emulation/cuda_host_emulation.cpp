#include "cuda_host_emulation.hpp"

#include <setjmp.h>
#include <ucontext.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::cuda::emulation {

namespace {

constexpr size_t kStackBytes = 128 * 1024;
constexpr int kWarp = 32;

enum class State { Runnable, AtBlockBarrier, AtWarpBarrier, Done };

// A thread of the emulated block: started once per launch with makecontext/setcontext, then
// switched with _setjmp/_longjmp, which (unlike swapcontext) make no system call.
struct Fiber {
    ucontext_t context{};
    jmp_buf jump;
    bool started = false;
    std::vector<char> stack;
    State state = State::Runnable;
    Index thread;
};

struct Grid {
    Index grid, block, block_index;
    const std::function<void()>* body = nullptr;
    std::vector<Fiber> fibers;
    // Warp exchanges: two slots per thread, used in turn. A lane writes slot `phase`, waits for
    // its warp, reads, and flips `phase`; it can only write that slot again after the warp's
    // next barrier, which every lane reaches only after reading: one barrier per shuffle.
    std::vector<uint64_t> slots[2];
    std::vector<unsigned char> phase;
    jmp_buf scheduler;
    int current = -1;
};

Grid* g_grid = nullptr;  // the launch being run (launches do not nest)
const Index kNone{};

void to_scheduler() {
    Grid& g = *g_grid;
    if (_setjmp(g.fibers[static_cast<size_t>(g.current)].jump) == 0) _longjmp(g.scheduler, 1);
}

// A fiber runs the kernel body once per block: after each block it waits to be resumed for the
// next one.
void fiber_entry() {
    for (;;) {
        Grid& g = *g_grid;
        (*g.body)();
        g.fibers[static_cast<size_t>(g.current)].state = State::Done;
        to_scheduler();
    }
}

void yield() { to_scheduler(); }

void resume(Grid& g, size_t i) {
    g.current = static_cast<int>(i);
    Fiber& f = g.fibers[i];
    if (_setjmp(g.scheduler) != 0) return;  // the fiber yielded or finished its block
    if (f.started) _longjmp(f.jump, 1);
    f.started = true;
    setcontext(&f.context);
}

// Releases the barriers every live thread (of the block, or of a warp) has reached.
bool release_barriers(Grid& g) {
    bool released = false;
    const int n = static_cast<int>(g.fibers.size());
    bool block_ready = true, anyone_at_block = false;
    for (const Fiber& f : g.fibers) {
        if (f.state == State::Done) continue;
        if (f.state != State::AtBlockBarrier) block_ready = false;
        else anyone_at_block = true;
    }
    if (block_ready && anyone_at_block) {
        for (Fiber& f : g.fibers)
            if (f.state == State::AtBlockBarrier) f.state = State::Runnable;
        return true;
    }
    for (int first = 0; first < n; first += kWarp) {
        const int last = std::min(first + kWarp, n);
        bool ready = true, anyone = false, exited = false;
        for (int i = first; i < last; ++i) {
            const State s = g.fibers[static_cast<size_t>(i)].state;
            if (s == State::Done) exited = true;
            else if (s == State::AtWarpBarrier) anyone = true;
            else ready = false;
        }
        if (!ready || !anyone) continue;
        if (exited)
            throw std::logic_error("emulated kernel: a warp shuffle with lanes that already returned");
        for (int i = first; i < last; ++i) g.fibers[static_cast<size_t>(i)].state = State::Runnable;
        released = true;
    }
    return released;
}

void wait(State at) {
    Grid& g = *g_grid;
    g.fibers[static_cast<size_t>(g.current)].state = at;
    yield();
}

void run_block(Grid& g) {
    for (Fiber& f : g.fibers) f.state = State::Runnable;
    std::fill(g.phase.begin(), g.phase.end(), 0);
    for (;;) {
        bool ran = false, live = false;
        for (size_t i = 0; i < g.fibers.size(); ++i) {
            if (g.fibers[i].state != State::Done) live = true;
            if (g.fibers[i].state != State::Runnable) continue;
            resume(g, i);
            ran = true;
        }
        if (!live) return;
        if (!release_barriers(g) && !ran)
            throw std::logic_error("emulated kernel deadlocked: threads wait at a barrier that "
                                   "the others never reach");
    }
}

std::mutex g_recorders_mutex;
int64_t g_grids_run = 0;
std::map<cudaStream_t, std::function<void(Work)>> g_recorders;

}  // namespace

const Index& thread_index() { return g_grid ? g_grid->fibers[static_cast<size_t>(g_grid->current)].thread : kNone; }
const Index& block_index() { return g_grid ? g_grid->block_index : kNone; }
const Index& block_dim() { return g_grid ? g_grid->block : kNone; }
const Index& grid_dim() { return g_grid ? g_grid->grid : kNone; }

void sync_block() {
    if (!g_grid) throw std::logic_error("__syncthreads outside a kernel");
    wait(State::AtBlockBarrier);
}

uint64_t warp_exchange(uint64_t bits, int source) {
    if (!g_grid) throw std::logic_error("a warp shuffle outside a kernel");
    Grid& g = *g_grid;
    const int me = g.current;
    const int warp_first = me / kWarp * kWarp;
    std::vector<uint64_t>& slots = g.slots[g.phase[static_cast<size_t>(me)]];
    g.phase[static_cast<size_t>(me)] ^= 1;
    slots[static_cast<size_t>(me)] = bits;
    wait(State::AtWarpBarrier);  // every lane has written
    const int from = warp_first + source;
    return (source >= 0 && source < kWarp && from < static_cast<int>(g.fibers.size()))
               ? slots[static_cast<size_t>(from)]
               : bits;
}

void enqueue(cudaStream_t stream, Work work) {
    std::function<void(Work)> recorder;
    {
        std::lock_guard<std::mutex> lock(g_recorders_mutex);
        auto it = g_recorders.find(stream);
        if (it != g_recorders.end()) recorder = it->second;
    }
    if (recorder) recorder(std::move(work));
    else work();
}

void set_recorder(cudaStream_t stream, std::function<void(Work)> recorder) {
    std::lock_guard<std::mutex> lock(g_recorders_mutex);
    g_recorders[stream] = std::move(recorder);
}

void clear_recorder(cudaStream_t stream) {
    std::lock_guard<std::mutex> lock(g_recorders_mutex);
    g_recorders.erase(stream);
}

int64_t grids_run() { return g_grids_run; }

void run_grid(unsigned grid, unsigned block, const std::function<void()>& body) {
    ++g_grids_run;
    if (g_grid) throw std::logic_error("emulated kernels do not launch kernels");
    if (block == 0 || block > 1024) throw std::logic_error("emulated launch: bad block size " + std::to_string(block));
    static std::vector<std::vector<char>> stacks;  // reused between launches
    Grid g;
    g.grid.x = grid;
    g.block.x = block;
    g.body = &body;
    g.fibers.resize(block);
    g.slots[0].assign(block, 0);
    g.slots[1].assign(block, 0);
    g.phase.assign(block, 0);
    while (stacks.size() < block) stacks.emplace_back(kStackBytes);
    for (unsigned t = 0; t < block; ++t) {
        Fiber& f = g.fibers[t];
        f.thread.x = t;
        f.stack.swap(stacks[t]);
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.data();
        f.context.uc_stack.ss_size = f.stack.size();
        f.context.uc_link = nullptr;  // fiber_entry never returns
        makecontext(&f.context, &fiber_entry, 0);
    }
    g_grid = &g;
    try {
        for (unsigned b = 0; b < grid; ++b) {
            g.block_index.x = b;
            run_block(g);
        }
    } catch (...) {
        g_grid = nullptr;
        for (unsigned t = 0; t < block; ++t) g.fibers[t].stack.swap(stacks[t]);
        throw;
    }
    g_grid = nullptr;
    for (unsigned t = 0; t < block; ++t) g.fibers[t].stack.swap(stacks[t]);
}

}  // namespace idlab::cuda::emulation
