// The recipe layer's own document tree. TOML files and override values are converted into it
// right after parsing, so includes, merging and overrides work on plain structs that keep
// every key's and value's source position (TOML++ nodes drop their source region on copy).
#pragma once

#include "recipe/recipe.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host::recipe_detail {

struct Entry;

struct Node {
    enum class Type { Bool, Int, Float, String, Array, Table, DateTime };
    Type type = Type::Table;
    bool bool_value = false;
    int64_t int_value = 0;
    double float_value = 0.0;
    std::string string_value;     // String; for DateTime the TOML text of the value
    std::vector<Node> items;      // Array
    std::vector<Entry> entries;   // Table, in source order (overrides appended)
    SourceLocation where;         // the value; a table's header ("[data]") or "{"

    bool is_table() const { return type == Type::Table; }
    bool is_array() const { return type == Type::Array; }
    const Entry* find(std::string_view key) const;
    Entry* find(std::string_view key);
    // Replaces the entry's value (and key position), or appends a new entry.
    void set(const std::string& key, const SourceLocation& key_where, Node value);
    void erase(std::string_view key);
};

struct Entry {
    std::string key;
    SourceLocation key_where;
    Node value;
};

// Merges `overlay` on top of `base`: tables merge key by key, everything else (arrays
// included, so [[metrics]]) is replaced by the overlay's value.
void merge_into(Node& base, Node overlay);

// How a value is named in "got ..." messages: string "10", integer 3, float 1.5, boolean true,
// array [1, 2], table, date-time 1979-05-27.
std::string describe(const Node& value);

}  // namespace idlab::host::recipe_detail
