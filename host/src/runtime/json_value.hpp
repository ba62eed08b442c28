// Reading JSON: the sweep manifest, summary.json, progress.json and metrics.jsonl lines.
// A small document model (null, bool, number, string, array, object with members in file
// order) and a strict parser whose errors name the line and column.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idlab::host {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0.0;
    std::string string;
    std::vector<JsonValue> items;                            // Array
    std::vector<std::pair<std::string, JsonValue>> members;  // Object, in file order

    bool is_object() const { return type == Type::Object; }
    bool is_array() const { return type == Type::Array; }
    bool is_number() const { return type == Type::Number; }
    bool is_string() const { return type == Type::String; }
    // The member `key` of an object; null when absent or when this is not an object.
    const JsonValue* find(std::string_view key) const;
    // Convenience accessors with a fallback for absent or mistyped members.
    std::string string_or(std::string_view key, const std::string& fallback) const;
    double number_or(std::string_view key, double fallback) const;
    bool bool_or(std::string_view key, bool fallback) const;
};

// Parses one JSON document (surrounding white space allowed). On malformed text returns
// nullopt and sets `error` to "line L, column C: what was expected".
std::optional<JsonValue> parse_json(std::string_view text, std::string& error);

// Reads and parses a file; on failure `error` names the file.
std::optional<JsonValue> read_json_file(const std::string& path, std::string& error);

}  // namespace idlab::host
