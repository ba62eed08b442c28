#include "recipe/tree.hpp"

#include "recipe/toml_text.hpp"

#include <algorithm>
#include <utility>

namespace idlab::host::recipe_detail {

const Entry* Node::find(std::string_view key) const {
    for (const Entry& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

Entry* Node::find(std::string_view key) {
    for (Entry& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

void Node::set(const std::string& key, const SourceLocation& key_where, Node value) {
    if (Entry* e = find(key)) {
        e->key_where = key_where;
        e->value = std::move(value);
        return;
    }
    entries.push_back(Entry{key, key_where, std::move(value)});
}

void Node::erase(std::string_view key) {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.key == key; }),
                  entries.end());
}

void merge_into(Node& base, Node overlay) {
    // The overlay's header is where the user last wrote this table; point there.
    if (overlay.where.line > 0) base.where = overlay.where;
    for (Entry& e : overlay.entries) {
        Entry* existing = base.find(e.key);
        if (existing && existing->value.is_table() && e.value.is_table()) {
            merge_into(existing->value, std::move(e.value));
        } else {
            base.set(e.key, e.key_where, std::move(e.value));
        }
    }
}

std::string describe(const Node& value) {
    switch (value.type) {
    case Node::Type::Bool: return std::string("boolean ") + (value.bool_value ? "true" : "false");
    case Node::Type::Int: return "integer " + std::to_string(value.int_value);
    case Node::Type::Float: return "float " + format_float(value.float_value);
    case Node::Type::String: return "string " + quote_string(value.string_value);
    case Node::Type::DateTime: return "date-time " + value.string_value;
    case Node::Type::Table: return "table";
    case Node::Type::Array: {
        // Short arrays are shown whole; long ones are cut after a few elements.
        std::string out = "array [";
        for (size_t i = 0; i < value.items.size(); ++i) {
            if (i == 4) {
                out += ", ...";
                break;
            }
            if (i > 0) out += ", ";
            std::string item = describe(value.items[i]);
            // Drop the type word inside the brackets: [1, 2.5, "a"].
            size_t space = item.find(' ');
            out += (space == std::string::npos) ? item : item.substr(space + 1);
        }
        return out + "]";
    }
    }
    return "value";
}

}  // namespace idlab::host::recipe_detail
