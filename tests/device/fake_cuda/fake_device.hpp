// The fake CUDA device: an idlab_device_i named "cuda" (device type kDLCUDA) that serves
// "device" memory from host memory, so that the host's device plumbing runs and is checked on
// a machine without a GPU. It counts every allocation, copy, stream and wait, and knows which
// memory it handed out, so the tests can tell what crossed the pretend bus and when.
#pragma once

#include "counters.h"

#include <idlab/plugin.h>

#include <cstddef>

namespace fake_cuda {

const idlab_device_i* device_table();
fake_cuda_counters_t& counters();

// Memory a fake component owns and exposes as device tensors (its parameters, constants).
void adopt(const void* ptr, size_t bytes);
void forget(const void* ptr);

// True when [ptr, ptr + bytes) lies in one block the table allocated.
bool allocated_here(const void* ptr, size_t bytes);
// True when ctx names the fake device and one of its live streams.
bool is_our_context(const idlab_exec_ctx_t& ctx);

// Marks the span of a training step (sample .. optimizer step) for copies_in_step.
void set_in_step(bool in_step);

}  // namespace fake_cuda
