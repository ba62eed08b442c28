#include "fake_device.hpp"

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <set>

namespace fake_cuda {

namespace {

struct State {
    std::mutex mutex;
    std::map<const char*, size_t> blocks;   // allocated by the table: start -> bytes
    std::map<const char*, size_t> adopted;  // owned by fake components
    std::set<void*> streams;
    bool in_step = false;
    fake_cuda_counters_t counters{};
};

State& state() {
    static State s;
    return s;
}

bool inside(const std::map<const char*, size_t>& blocks, const void* ptr, size_t bytes) {
    const char* p = static_cast<const char*>(ptr);
    auto it = blocks.upper_bound(p);
    if (it == blocks.begin()) return false;
    --it;
    return p >= it->first && p + bytes <= it->first + it->second;
}

size_t bytes_of(const DLTensor& t) {
    size_t n = static_cast<size_t>(t.dtype.bits) / 8 * t.dtype.lanes;
    for (int d = 0; d < t.ndim; ++d) n *= static_cast<size_t>(t.shape[d]);
    return n;
}

const char* data_at(const DLTensor& t) { return static_cast<const char*>(t.data) + t.byte_offset; }

void* fake_alloc(int32_t device_id, uint64_t bytes, uint64_t alignment, idlab_error_t* err) {
    if (device_id != 0) {
        idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr, "the fake device has only id 0");
        return nullptr;
    }
    if (alignment > 256) {
        idlab_error_set(err, IDLAB_STATUS_UNSUPPORTED, nullptr, "the fake device aligns to 256 bytes at most");
        return nullptr;
    }
    const size_t size = bytes == 0 ? 256 : (bytes + 255) / 256 * 256;
    void* p = std::aligned_alloc(256, size);
    if (!p) {
        idlab_error_set(err, IDLAB_STATUS_OUT_OF_MEMORY, nullptr, "the fake device is out of memory");
        return nullptr;
    }
    std::memset(p, 0xcd, size);  // like real device memory: no promise of zeros
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.blocks[static_cast<const char*>(p)] = static_cast<size_t>(bytes);
    ++s.counters.allocs;
    ++s.counters.live_allocs;
    s.counters.live_bytes += static_cast<int64_t>(bytes);
    return p;
}

void fake_free(int32_t, void* ptr) {
    if (!ptr) return;
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        auto it = s.blocks.find(static_cast<const char*>(ptr));
        if (it == s.blocks.end()) return;  // not ours: a real device would fail here too
        ++s.counters.frees;
        --s.counters.live_allocs;
        s.counters.live_bytes -= static_cast<int64_t>(it->second);
        s.blocks.erase(it);
    }
    std::free(ptr);
}

idlab_status_t fake_copy(const DLTensor* src, DLTensor* dst, void* stream, idlab_error_t* err) {
    const size_t bytes = bytes_of(*src);
    if (bytes != bytes_of(*dst))
        return idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr, "copy: sizes differ");
    const bool src_dev = src->device.device_type == kDLCUDA;
    const bool dst_dev = dst->device.device_type == kDLCUDA;
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        fake_cuda_counters_t& c = s.counters;
        if (src_dev && dst_dev) ++c.copies_d2d;
        else if (src_dev) ++c.copies_d2h;
        else if (dst_dev) ++c.copies_h2d;
        else ++c.copies_h2h;
        if (s.in_step && src_dev != dst_dev) ++c.copies_in_step;  // crossed the "bus"
        if (!s.streams.count(stream)) ++c.copies_bad_stream;
        for (const DLTensor* t : {src, static_cast<const DLTensor*>(dst)})
            if (t->device.device_type == kDLCUDA && !inside(s.blocks, data_at(*t), bytes) &&
                !inside(s.adopted, data_at(*t), bytes))
                ++c.copies_unknown_memory;
    }
    std::memmove(static_cast<char*>(dst->data) + dst->byte_offset, data_at(*src), bytes);
    return IDLAB_STATUS_OK;
}

idlab_status_t fake_stream_create(int32_t, void** stream, idlab_error_t*) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    *stream = new char;  // a token with a unique address
    s.streams.insert(*stream);
    ++s.counters.streams_created;
    return IDLAB_STATUS_OK;
}

void fake_stream_destroy(int32_t, void* stream) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.streams.erase(stream)) {
        delete static_cast<char*>(stream);
        ++s.counters.streams_destroyed;
    }
}

idlab_status_t fake_synchronize(int32_t, void* stream, idlab_error_t* err) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.streams.count(stream))
        return idlab_error_set(err, IDLAB_STATUS_INVALID_ARGUMENT, nullptr, "synchronize: unknown stream");
    ++s.counters.synchronizes;
    return IDLAB_STATUS_OK;
}

const idlab_device_i kTable = {sizeof(idlab_device_i), kDLCUDA,           "cuda",
                               &fake_alloc,            &fake_free,        &fake_copy,
                               &fake_stream_create,    &fake_stream_destroy, &fake_synchronize};

}  // namespace

const idlab_device_i* device_table() { return &kTable; }

fake_cuda_counters_t& counters() { return state().counters; }

void adopt(const void* ptr, size_t bytes) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.adopted[static_cast<const char*>(ptr)] = bytes;
}

void forget(const void* ptr) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.adopted.erase(static_cast<const char*>(ptr));
}

bool allocated_here(const void* ptr, size_t bytes) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return inside(s.blocks, ptr, bytes);
}

bool is_our_context(const idlab_exec_ctx_t& ctx) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return ctx.device.device_type == kDLCUDA && ctx.device.device_id == 0 && s.streams.count(ctx.stream);
}

void set_in_step(bool in_step) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.in_step = in_step;
}

}  // namespace fake_cuda

extern "C" __attribute__((visibility("default"))) const fake_cuda_counters_t* fake_cuda_counters(void) {
    return &fake_cuda::counters();
}

// Clears every count but what is still allocated.
extern "C" __attribute__((visibility("default"))) void fake_cuda_reset(void) {
    fake_cuda_counters_t& c = fake_cuda::counters();
    const int64_t live = c.live_allocs, bytes = c.live_bytes;
    c = fake_cuda_counters_t{};
    c.live_allocs = live;
    c.live_bytes = bytes;
}
