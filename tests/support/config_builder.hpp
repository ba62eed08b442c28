// Test helper: builds an idlab_config_t by hand, the way the host passes a validated config.
#pragma once

#include <idlab/plugin.h>

#include <deque>
#include <string>
#include <vector>

namespace idlab::test {

class ConfigBuilder {
public:
    ConfigBuilder& set_bool(const std::string& key, bool v) { add(key, IDLAB_PARAM_BOOL).bool_value = v; return *this; }
    ConfigBuilder& set_int(const std::string& key, int64_t v) { add(key, IDLAB_PARAM_INT).int_value = v; return *this; }
    ConfigBuilder& set_float(const std::string& key, double v) { add(key, IDLAB_PARAM_FLOAT).float_value = v; return *this; }
    ConfigBuilder& set_string(const std::string& key, const std::string& v) {
        strings_.push_back(v);
        add(key, IDLAB_PARAM_STRING).string_value = strings_.back().c_str();
        return *this;
    }
    ConfigBuilder& set_int_list(const std::string& key, const std::vector<int64_t>& v) {
        int_lists_.push_back(v);
        idlab_config_entry_t& e = add(key, IDLAB_PARAM_INT_LIST);
        e.int_list = int_lists_.back().data();
        e.list_length = v.size();
        return *this;
    }
    ConfigBuilder& set_float_list(const std::string& key, const std::vector<double>& v) {
        float_lists_.push_back(v);
        idlab_config_entry_t& e = add(key, IDLAB_PARAM_FLOAT_LIST);
        e.float_list = float_lists_.back().data();
        e.list_length = v.size();
        return *this;
    }
    // Valid while this builder lives and is not modified.
    const idlab_config_t* get() {
        config_.struct_size = sizeof(idlab_config_t);
        config_.entry_count = static_cast<uint32_t>(entries_.size());
        config_.entries = entries_.data();
        return &config_;
    }

private:
    idlab_config_entry_t& add(const std::string& key, int32_t type) {
        for (size_t i = 0; i < entries_.size(); ++i) {
            if (keys_[i] == key) {
                entries_[i] = idlab_config_entry_t{};
                entries_[i].key = keys_[i].c_str();
                entries_[i].type = type;
                return entries_[i];
            }
        }
        keys_.push_back(key);
        entries_.push_back(idlab_config_entry_t{});
        // re-point every key: entries_ may have reallocated, keys_ (a deque) has not moved
        for (size_t i = 0; i < entries_.size(); ++i) entries_[i].key = keys_[i].c_str();
        entries_.back().type = type;
        return entries_.back();
    }
    std::deque<std::string> keys_, strings_;
    std::deque<std::vector<int64_t>> int_lists_;
    std::deque<std::vector<double>> float_lists_;
    std::vector<idlab_config_entry_t> entries_;
    idlab_config_t config_{};
};

}  // namespace idlab::test
