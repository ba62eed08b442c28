/* Compile test: <idlab/plugin.h> is plain C (built as C99 and C11 with -Wall -Wextra -pedantic
 * -Werror). Uses the header's macros and inline function so they are compiled too. */
#include <idlab/plugin.h>

/* C99 has no _Static_assert: a negative array size fails the build instead. */
#define HEADER_C_ASSERT(cond, name) typedef char name[(cond) ? 1 : -1]

HEADER_C_ASSERT(offsetof(idlab_plugin_entry_t, struct_size) == 0, entry_size_first);
HEADER_C_ASSERT(offsetof(idlab_component_desc_t, struct_size) == 0, desc_size_first);
HEADER_C_ASSERT(sizeof(((idlab_error_t*)0)->struct_size) == 4, error_size_is_u32);

int idlab_header_c_probe(void);

int idlab_header_c_probe(void) {
    static const idlab_version_t version = IDLAB_ABI_VERSION_INIT;
    char message[16];
    char key[8];
    idlab_error_t err;
    idlab_plugin_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.struct_size = (uint32_t)sizeof entry;
    entry.abi_version = version;
    err.struct_size = (uint32_t)sizeof err;
    err.message = message;
    err.message_capacity = (uint32_t)sizeof message;
    err.param_key = key;
    err.param_key_capacity = (uint32_t)sizeof key;
    if (idlab_error_set(&err, IDLAB_STATUS_INVALID_CONFIG, "kappa", "bad") != IDLAB_STATUS_INVALID_CONFIG)
        return -1;
    return IDLAB_HAS_FIELD(&entry, idlab_plugin_entry_t, components) ? (int)version.major : 0;
}
