#include "runtime/config_storage.hpp"

namespace idlab::host {

ConfigStorage::ConfigStorage(const StageConfig& stage) : stage_(stage) {
    entries_.reserve(stage_.params.size());
    for (const ParamValue& p : stage_.params) {
        idlab_config_entry_t e{};
        e.key = p.key.c_str();
        e.type = p.type;
        e.bool_value = p.bool_value ? 1 : 0;
        e.int_value = p.int_value;
        e.float_value = p.float_value;
        e.string_value = p.string_value.c_str();
        if (p.type == IDLAB_PARAM_INT_LIST) {
            e.int_list = p.int_list.data();
            e.list_length = p.int_list.size();
        } else if (p.type == IDLAB_PARAM_FLOAT_LIST) {
            e.float_list = p.float_list.data();
            e.list_length = p.float_list.size();
        }
        entries_.push_back(e);
    }
    config_.struct_size = sizeof(idlab_config_t);
    config_.entry_count = static_cast<uint32_t>(entries_.size());
    config_.entries = entries_.data();
}

}  // namespace idlab::host
