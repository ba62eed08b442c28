/*
 * idlab plugin ABI: the only contract between the idlab host and its plugins.
 *
 * Plain C99. No C++ type, exception or allocation crosses this boundary.
 *
 * Rules (see sdk/CHANGELOG.md for the history):
 *  - A plugin exports exactly one function, idlab_plugin_entry(), returning a descriptor it owns.
 *  - Every top-level struct starts with `uint32_t struct_size`. Structs only grow at the end;
 *    a reader checks struct_size (IDLAB_HAS_FIELD) before touching a field added later.
 *  - The host loads a plugin when the ABI majors are equal and the plugin's minor is not newer
 *    than the host's.
 *  - Strings are UTF-8 and NUL-terminated. Pointers returned by a plugin (descriptors, names)
 *    are owned by the plugin and valid until its deinit(), unless stated otherwise.
 *  - Tensors are DLPack 0.6 DLTensor views (strides in elements, NULL = compact row-major),
 *    borrowed for the duration of the call. The caller allocates outputs.
 *  - Every fallible call returns idlab_status_t and writes its message into host-owned storage
 *    (idlab_error_t). Nothing throws or aborts across the boundary.
 *  - Instances are freed only through their own destroy().
 *  - Thread contract: the host calls every function of an instance from one thread at a time.
 */
#ifndef IDLAB_PLUGIN_H
#define IDLAB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- versions */

#define IDLAB_ABI_VERSION_MAJOR 1
#define IDLAB_ABI_VERSION_MINOR 2
#define IDLAB_ABI_VERSION_PATCH 0

typedef struct idlab_version {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
} idlab_version_t;

#define IDLAB_ABI_VERSION_INIT \
    { IDLAB_ABI_VERSION_MAJOR, IDLAB_ABI_VERSION_MINOR, IDLAB_ABI_VERSION_PATCH }

/* True when `ptr` (a struct starting with struct_size) is large enough to hold `field`. */
#define IDLAB_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

#if defined(_WIN32)
#define IDLAB_EXPORT __declspec(dllexport)
#else
#define IDLAB_EXPORT __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------ status */

typedef int32_t idlab_status_t;
enum {
    IDLAB_STATUS_OK = 0,
    IDLAB_STATUS_INVALID_ARGUMENT = -1, /* a tensor or argument the call cannot take */
    IDLAB_STATUS_INVALID_CONFIG = -2,   /* a parameter value the component rejects */
    IDLAB_STATUS_UNSUPPORTED = -3,      /* device, dtype or feature not provided */
    IDLAB_STATUS_OUT_OF_MEMORY = -4,
    IDLAB_STATUS_DEVICE_ERROR = -5,     /* e.g. a CUDA error, with its string */
    IDLAB_STATUS_NUMERIC_ERROR = -6,    /* non-finite values and the like */
    IDLAB_STATUS_INTERNAL = -7,
    IDLAB_STATUS_ABORTED = 1            /* stopped on request (not a failure) */
};

/* Host-owned error storage. The plugin fills it only when it returns a non-OK status.
 * `message` and `param_key` point to host buffers of the given capacities. */
typedef struct idlab_error {
    uint32_t struct_size;
    idlab_status_t code;
    char* message;              /* one line, no trailing newline */
    uint32_t message_capacity;
    char* param_key;            /* the recipe key at fault ("kappa"), or "" */
    uint32_t param_key_capacity;
} idlab_error_t;

/* Writes code, message and (nullable) key into host storage, truncating safely. */
static inline idlab_status_t idlab_error_set(idlab_error_t* err, idlab_status_t code,
                                             const char* param_key, const char* message) {
    if (err) {
        err->code = code;
        if (err->message && err->message_capacity > 0)
            snprintf(err->message, err->message_capacity, "%s", message ? message : "");
        if (err->param_key && err->param_key_capacity > 0)
            snprintf(err->param_key, err->param_key_capacity, "%s", param_key ? param_key : "");
    }
    return code;
}

/* ----------------------------------------------------------- host services */

enum {
    IDLAB_LOG_DEBUG = 0,
    IDLAB_LOG_INFO = 1,
    IDLAB_LOG_WARN = 2,
    IDLAB_LOG_ERROR = 3
};

/* Handed to init(); valid until deinit() returns. [thread-safe] */
typedef struct idlab_host {
    uint32_t struct_size;
    idlab_version_t abi_version;   /* the host's ABI version */
    void* host_data;               /* host-private */
    /* Routed to the host log under the component's name (component_id may be NULL). */
    void (*log)(const struct idlab_host* host, int32_t level, const char* component_id,
                const char* message);
    /* Memory on a device; NULL on failure. Freed only through free() with the same device. */
    void* (*alloc)(const struct idlab_host* host, DLDevice device, uint64_t bytes,
                   uint64_t alignment);
    void (*free)(const struct idlab_host* host, DLDevice device, void* ptr);
} idlab_host_t;

/* --------------------------------------------------------- execution context */

/* Counter-based randomness: a component derives its random numbers from
 * (seed, stream, counter) alone, e.g. Philox4x32 keyed by seed and stream with the counter as
 * the high word. The same triple must give the same numbers on every device. */
typedef struct idlab_rng {
    uint64_t seed;     /* the run's seed */
    uint64_t stream;   /* which sequence: IDLAB_RNG_STREAM_* */
    uint64_t counter;  /* position in that sequence; for sampling, the step (or eval index) */
} idlab_rng_t;

enum {
    IDLAB_RNG_STREAM_TRAIN = 1, /* training batches */
    IDLAB_RNG_STREAM_EVAL = 2   /* evaluation samples */
};

/* Passed to every compute call; borrowed for the call. */
typedef struct idlab_exec_ctx {
    uint32_t struct_size;
    DLDevice device;
    void* stream;                 /* cudaStream_t on CUDA, NULL on the CPU */
    idlab_rng_t rng;
    int32_t training;             /* 1: train mode (batch statistics, caches for backward) */
    int64_t step;                 /* the optimizer step about to be taken (0-based) */
    const idlab_host_t* host;
    /* Since ABI 1.2 (check IDLAB_HAS_FIELD): where a loss whose table reports
     * writes_loss_out() writes its mean loss during a training forward() on a device: one
     * float64 in that device's memory, written in stream order, so that no step waits for the
     * device (the host reads these values back at evaluation time). NULL otherwise, and then
     * the loss writes *loss as usual. */
    double* loss_out;
} idlab_exec_ctx_t;

/* ------------------------------------------------------------- parameters */

typedef enum idlab_param_type {
    IDLAB_PARAM_BOOL = 1,
    IDLAB_PARAM_INT = 2,
    IDLAB_PARAM_FLOAT = 3,
    IDLAB_PARAM_STRING = 4,
    IDLAB_PARAM_INT_LIST = 5,
    IDLAB_PARAM_FLOAT_LIST = 6
} idlab_param_type_t;

/* Range flags; for lists they apply to every element. */
enum {
    IDLAB_RANGE_MIN = 1u << 0,           /* value >= min */
    IDLAB_RANGE_MAX = 1u << 1,           /* value <= max */
    IDLAB_RANGE_MIN_EXCLUSIVE = 1u << 2, /* with MIN: value > min */
    IDLAB_RANGE_MAX_EXCLUSIVE = 1u << 3  /* with MAX: value < max */
};

/* One parameter a component accepts. Recipes are validated against these before anything runs. */
typedef struct idlab_param_spec {
    uint32_t struct_size;
    const char* name;           /* key in the component's recipe table */
    int32_t type;               /* idlab_param_type_t */
    const char* default_value;  /* a TOML literal ("1e-3", "[50, 250]", "\"label\""); NULL: required */
    uint32_t range_flags;       /* IDLAB_RANGE_* */
    double min;
    double max;
    const char* choices;        /* STRING only: allowed values separated by '|', or NULL for any */
    const char* doc;            /* one line */
} idlab_param_spec_t;

/* One resolved parameter value. The host passes every declared parameter, defaults filled. */
typedef struct idlab_config_entry {
    const char* key;
    int32_t type;               /* idlab_param_type_t */
    int32_t bool_value;
    int64_t int_value;
    double float_value;
    const char* string_value;
    const int64_t* int_list;    /* INT_LIST */
    const double* float_list;   /* FLOAT_LIST */
    uint64_t list_length;
} idlab_config_entry_t;

/* Borrowed for the duration of create(). */
typedef struct idlab_config {
    uint32_t struct_size;
    uint32_t entry_count;
    const idlab_config_entry_t* entries;
} idlab_config_t;

/* ------------------------------------------------------------------ fields */

typedef enum idlab_dtype {
    IDLAB_DTYPE_F32 = 1, /* DLPack {kDLFloat, 32, 1} */
    IDLAB_DTYPE_I64 = 2, /* DLPack {kDLInt, 64, 1} */
    IDLAB_DTYPE_F64 = 3  /* DLPack {kDLFloat, 64, 1} */
} idlab_dtype_t;

/* A named per-sample field a data component produces: tensor [batch] when width == 0,
 * [batch, width] otherwise. */
typedef struct idlab_field_desc {
    uint32_t struct_size;
    const char* name;           /* "x", "z", "label", "index", ... */
    int32_t dtype;              /* idlab_dtype_t */
    int64_t width;              /* 0 for one value per sample */
    int64_t cardinality;        /* categorical I64 fields: values lie in [0, cardinality); else 0 */
    const char* doc;
} idlab_field_desc_t;

typedef struct idlab_named_tensor {
    const char* name;
    DLTensor tensor;
} idlab_named_tensor_t;

/* A set of named tensors, borrowed for the call. */
typedef struct idlab_tensor_set {
    uint32_t count;
    idlab_named_tensor_t* items;
} idlab_tensor_set_t;

/* A trainable parameter and its gradient, owned by the component that created them, valid
 * until that instance is destroyed. Optimizers update `value` in place from `grad`. */
typedef struct idlab_param_view {
    uint32_t struct_size;
    const char* name;           /* "layer0.weight" */
    DLTensor value;
    DLTensor grad;
} idlab_param_view_t;

/* ---------------------------------------------------------------- instances */

typedef enum idlab_kind {
    IDLAB_KIND_DATA = 1,
    IDLAB_KIND_ENCODER = 2,
    IDLAB_KIND_LOSS = 3,
    IDLAB_KIND_OPTIMIZER = 4,
    IDLAB_KIND_METRIC = 5
} idlab_kind_t;

enum {
    IDLAB_DEVICE_CPU = 1u << 0,
    IDLAB_DEVICE_CUDA = 1u << 1
};

/* An object made by a component's create(). Freed only through destroy(). */
typedef struct idlab_instance {
    uint32_t struct_size;
    void* impl;
    void (*destroy)(struct idlab_instance* self);
    /* The vtable for `iface_id` (IDLAB_IFACE_*), or NULL when not provided. Owned by the
     * plugin, valid until destroy(). */
    const void* (*get_interface)(const struct idlab_instance* self, const char* iface_id);
} idlab_instance_t;

#define IDLAB_IFACE_DATA "idlab.data/1"
#define IDLAB_IFACE_ENCODER "idlab.encoder/1"
#define IDLAB_IFACE_LOSS "idlab.loss/1"
#define IDLAB_IFACE_OPTIMIZER "idlab.optimizer/1"
#define IDLAB_IFACE_METRIC "idlab.metric/1"
#define IDLAB_IFACE_PARAMETERS "idlab.parameters/1"
#define IDLAB_IFACE_CONSTANTS "idlab.constants/1"   /* since ABI 1.1 */
#define IDLAB_IFACE_STATE "idlab.state/1"           /* since ABI 1.2 */

/* Data process: draws a fresh batch of named fields. */
typedef struct idlab_data_i {
    uint32_t struct_size;
    uint32_t (*field_count)(const idlab_instance_t* self);
    const idlab_field_desc_t* (*field)(const idlab_instance_t* self, uint32_t index);
    /* Fills every tensor of `out` (one per field, allocated by the host as described by the
     * field descriptors, first dimension `batch`). Randomness comes from ctx->rng alone. */
    idlab_status_t (*sample)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx, int64_t batch,
                             idlab_tensor_set_t* out, idlab_error_t* err);
} idlab_data_i;

/* Encoder: features = f(x), with backward for training. */
typedef struct idlab_encoder_i {
    uint32_t struct_size;
    int64_t (*output_dim)(const idlab_instance_t* self);
    /* x: f32 [batch, input_dim]; features: f32 [batch, output_dim]. In training mode the
     * encoder keeps what backward() needs until the next forward(). */
    idlab_status_t (*forward)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                              const DLTensor* x, DLTensor* features, idlab_error_t* err);
    /* Overwrites the parameter gradients with those of the last training forward().
     * dx may be NULL when the caller does not need it. */
    idlab_status_t (*backward)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                               const DLTensor* dfeatures, DLTensor* dx, idlab_error_t* err);
} idlab_encoder_i;

/* Loss: owns its head (if any); computes the loss and the gradient w.r.t. the features. */
typedef struct idlab_loss_i {
    uint32_t struct_size;
    /* Names of the data fields the loss reads (e.g. "label"); checked before the run. */
    uint32_t (*input_count)(const idlab_instance_t* self);
    const char* (*input_name)(const idlab_instance_t* self, uint32_t index);
    /* features: f32 [batch, dim]; inputs: the requested fields. Writes the mean loss to *loss.
     * When dfeatures is not NULL (training), also writes d loss / d features into it and
     * overwrites the gradients of the loss's own parameters. */
    idlab_status_t (*forward)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                              const DLTensor* features, const idlab_tensor_set_t* inputs,
                              double* loss, DLTensor* dfeatures, idlab_error_t* err);
    /* Since ABI 1.1 (check IDLAB_HAS_FIELD): the data fields the encoder encodes for this loss,
     * e.g. {"x", "x_pos"} for a contrastive loss. The host stacks them along the batch, so
     * `features` and `dfeatures` have view_count() * batch rows: view v occupies rows
     * [v * batch, (v + 1) * batch). Absent, NULL or 0 views: just {"x"}. */
    uint32_t (*view_count)(const idlab_instance_t* self);
    const char* (*view_name)(const idlab_instance_t* self, uint32_t index);
    /* Since ABI 1.2 (check IDLAB_HAS_FIELD; NULL means 0): nonzero when forward(), given a
     * context whose loss_out is not NULL, writes the mean loss there (asynchronously, on the
     * context's stream) instead of into *loss, which it then leaves unspecified. A loss on a
     * device that answers 0 must wait for the device to return *loss, every step. */
    uint32_t (*writes_loss_out)(const idlab_instance_t* self);
} idlab_loss_i;

/* Optimizer: updates parameters in place from their gradients. */
typedef struct idlab_optimizer_i {
    uint32_t struct_size;
    /* Called once before the first step with every trainable parameter of the run; the views
     * stay valid for the optimizer's lifetime. */
    idlab_status_t (*bind)(idlab_instance_t* self, const idlab_param_view_t* params,
                           uint32_t count, idlab_error_t* err);
    idlab_status_t (*step)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                           idlab_error_t* err);
} idlab_optimizer_i;

/* Metric: scores evaluation samples. Inputs are the data fields of fresh evaluation samples
 * plus "features" (the encoder's output in eval mode), all with the same first dimension. */
typedef struct idlab_metric_i {
    uint32_t struct_size;
    uint32_t (*input_count)(const idlab_instance_t* self);
    const char* (*input_name)(const idlab_instance_t* self, uint32_t index);
    uint32_t (*value_count)(const idlab_instance_t* self);
    const char* (*value_name)(const idlab_instance_t* self, uint32_t index); /* "linear_r2" */
    /* Writes value_count() numbers into values. */
    idlab_status_t (*evaluate)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                               const idlab_tensor_set_t* inputs, double* values,
                               idlab_error_t* err);
} idlab_metric_i;

/* Optional, for any instance that owns trainable parameters (encoders, losses with heads). */
typedef struct idlab_parameters_i {
    uint32_t struct_size;
    uint32_t (*count)(const idlab_instance_t* self);
    idlab_status_t (*get)(const idlab_instance_t* self, uint32_t index, idlab_param_view_t* out);
} idlab_parameters_i;

/* Optional, since ABI 1.1, for any instance with fixed named tensors a metric may read, e.g. the
 * cluster vectors of a data process. A metric names them "<stage>.<name>" ("data.cluster_vectors");
 * it names trainable parameters the same way ("loss.head.weight"). Views stay valid until the
 * instance is destroyed; their contents may change between steps (parameters). */
typedef struct idlab_constants_i {
    uint32_t struct_size;
    uint32_t (*count)(const idlab_instance_t* self);
    idlab_status_t (*get)(const idlab_instance_t* self, uint32_t index, idlab_named_tensor_t* out);
} idlab_constants_i;

/* Optional, since ABI 1.2: the non-trainable tensors an instance's later behaviour depends on
 * (batch-norm running statistics, optimizer moments and step count, ...). With the trainable
 * parameters (idlab.parameters/1) they are everything a checkpoint must hold for a run to go on
 * as if it had never stopped. Views stay valid until the instance is destroyed (an optimizer's
 * exist once bind() has returned) and live on the instance's device. To save, the host copies
 * their contents out; to restore, it overwrites their contents in place (same names, dtypes and
 * shapes, else the checkpoint is refused) and then calls restored(). */
typedef struct idlab_state_i {
    uint32_t struct_size;
    uint32_t (*count)(const idlab_instance_t* self);
    idlab_status_t (*get)(const idlab_instance_t* self, uint32_t index, idlab_named_tensor_t* out);
    /* Called once the host has written saved values into the parameters and state tensors, so
     * that the instance can refresh what it derives from them. May be NULL. */
    idlab_status_t (*restored)(idlab_instance_t* self, const idlab_exec_ctx_t* ctx,
                               idlab_error_t* err);
} idlab_state_i;

/* ------------------------------------------------------------------ devices */

/* Since ABI 1.2: a plugin that brings a device other than the CPU (the CUDA plugin) serves its
 * memory, copies and streams through this table, listed in the entry's `devices`. For a run on
 * that device (run.device = name) the host allocates the batch, feature and gradient tensors
 * with alloc(), creates the stream that goes into every execution context, keeps tensors on the
 * device from step to step and copies to the CPU only what metrics and checkpoints read.
 * idlab_host_t.alloc/free for this device type are forwarded here. [thread-safe] */
typedef struct idlab_device_i {
    uint32_t struct_size;
    int32_t device_type;        /* the DLDeviceType served, e.g. kDLCUDA */
    const char* name;           /* the run.device value that selects it: "cuda" */
    /* Device memory; NULL on failure with err filled. A request of 0 bytes gives a distinct,
     * freeable pointer. alignment 0 means the device's natural alignment. */
    void* (*alloc)(int32_t device_id, uint64_t bytes, uint64_t alignment, idlab_error_t* err);
    void (*free)(int32_t device_id, void* ptr);
    /* Copies src into dst: same dtype and shape, both compact, each on the CPU or on this
     * device. Ordered on `stream`; may return before the copy is done (see synchronize). */
    idlab_status_t (*copy)(const DLTensor* src, DLTensor* dst, void* stream, idlab_error_t* err);
    idlab_status_t (*stream_create)(int32_t device_id, void** stream, idlab_error_t* err);
    void (*stream_destroy)(int32_t device_id, void* stream);
    /* Returns once everything enqueued on `stream` has finished. */
    idlab_status_t (*synchronize)(int32_t device_id, void* stream, idlab_error_t* err);
} idlab_device_i;

/* --------------------------------------------------------------- components */

/* What create() learns about the pipeline it is part of. Borrowed for the call. */
typedef struct idlab_create_ctx {
    uint32_t struct_size;
    const idlab_host_t* host;
    DLDevice device;
    uint64_t seed;              /* the run seed; derive initialisation randomness from it */
    const char* stage;          /* "data", "encoder", "loss", "optimizer", "metrics" */
    /* The data component's fields (none for the data stage itself). */
    uint32_t field_count;
    const idlab_field_desc_t* fields;
    /* encoder: width of "x"; loss and metrics: the encoder's output_dim; 0 otherwise. */
    int64_t input_dim;
    /* Since ABI 1.2 (check IDLAB_HAS_FIELD; absent means 1): the CPU threads the instance may
     * use inside its compute calls (run.threads, 0 there resolved to the machine's cores). */
    uint32_t threads;
} idlab_create_ctx_t;

typedef struct idlab_component_desc {
    uint32_t struct_size;
    int32_t kind;               /* idlab_kind_t */
    const char* id;             /* "core.mlp"; third parties use reverse-DNS ids */
    const char* version;        /* the component's own version string */
    const char* summary;        /* one line */
    const char* doc;            /* longer description, may be NULL */
    uint32_t devices;           /* IDLAB_DEVICE_* bitmask */
    uint32_t param_count;
    const idlab_param_spec_t* params;
    /* Makes an instance from a validated config. On failure returns non-OK, writes err and
     * leaves *out NULL. */
    idlab_status_t (*create)(const idlab_create_ctx_t* ctx, const idlab_config_t* config,
                             idlab_instance_t** out, idlab_error_t* err);
} idlab_component_desc_t;

/* ------------------------------------------------------------------- entry */

typedef struct idlab_plugin_entry {
    uint32_t struct_size;
    idlab_version_t abi_version;  /* the SDK version the plugin was built against */
    const char* id;               /* "idlab.core"; reverse-DNS for third parties */
    const char* name;
    const char* vendor;
    const char* version;
    const char* description;
    /* Fast, no heavy work. Called once before anything else; the host pointer stays valid
     * until deinit(). May be NULL. */
    idlab_status_t (*init)(const idlab_host_t* host, idlab_error_t* err);
    /* Called once after every instance is destroyed. May be NULL. */
    void (*deinit)(void);
    /* Whether the plugin can run on this machine; when it returns 0 it writes the reason
     * ("no CUDA device") into `reason`. May be NULL (always available). */
    int32_t (*probe)(char* reason, uint32_t reason_capacity);
    uint32_t component_count;
    const idlab_component_desc_t* const* components;
    /* Since ABI 1.2 (check IDLAB_HAS_FIELD): the devices this plugin serves (see
     * idlab_device_i). Read only when probe() reports the plugin available. */
    uint32_t device_count;
    const idlab_device_i* const* devices;
} idlab_plugin_entry_t;

#define IDLAB_PLUGIN_ENTRY_SYMBOL "idlab_plugin_entry"
typedef const idlab_plugin_entry_t* (*idlab_plugin_entry_fn)(void);

/* The one function a plugin exports. */
IDLAB_EXPORT const idlab_plugin_entry_t* idlab_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* IDLAB_PLUGIN_H */
