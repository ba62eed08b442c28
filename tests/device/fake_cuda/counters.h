/* What the fake CUDA device (tests/device/fake_cuda) has seen, read by the device-plumbing
 * tests through the fixture's extra exported function fake_cuda_counters(). Plain C so that
 * the test and the fixture (two separately linked binaries) agree on the layout. */
#ifndef IDLAB_TEST_FAKE_CUDA_COUNTERS_H
#define IDLAB_TEST_FAKE_CUDA_COUNTERS_H

#include <stdint.h>

typedef struct fake_cuda_counters {
    /* memory served by the device table */
    int64_t allocs, frees, live_allocs, live_bytes;
    /* copies through the device table, by direction, and the waits */
    int64_t copies_h2d, copies_d2h, copies_d2d, copies_h2h;
    int64_t synchronizes;
    /* copies between the CPU and the device made between a training step's sample() and its
     * optimizer step() (device-to-device copies stay on the device and are not counted) */
    int64_t copies_in_step;
    /* copies on a stream the table did not create, or touching "device" memory that neither the
     * table allocated nor a fake component owns */
    int64_t copies_bad_stream, copies_unknown_memory;
    int64_t streams_created, streams_destroyed;
    /* compute calls of the fake components; those whose context was not the fake device with
     * one of its streams; tensors handed to them not labelled as device tensors; input and
     * output tensors whose memory the table did not allocate */
    int64_t calls, calls_wrong_context, tensors_wrong_device, tensors_foreign;
    /* training losses written to exec_ctx.loss_out, and the ones returned through *loss */
    int64_t losses_to_device, losses_to_host;
} fake_cuda_counters_t;

/* The counters (the fixture's own storage), and a way to clear them between tests. */
typedef const fake_cuda_counters_t* (*fake_cuda_counters_fn)(void);
typedef void (*fake_cuda_reset_fn)(void);
#define FAKE_CUDA_COUNTERS_SYMBOL "fake_cuda_counters"
#define FAKE_CUDA_RESET_SYMBOL "fake_cuda_reset"

#endif
