// Minimal JSON writing for the run's metrics.jsonl and summary.json (and the sweep's manifest):
// objects of numbers, strings and booleans, with nested objects and arrays written as raw JSON;
// numbers in their shortest round-trip form (NaN and inf become null).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host {

class JsonObject {
public:
    JsonObject& add(std::string_view key, double value);
    JsonObject& add(std::string_view key, int64_t value);
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add_bool(std::string_view key, bool value);
    // A nested object written as-is (must be valid JSON).
    JsonObject& add_raw(std::string_view key, const std::string& json);
    std::string str() const { return "{" + body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_;
};

std::string json_escape(std::string_view s);
// A JSON array of already-written JSON values: [a, b, c].
std::string json_array(const std::vector<std::string>& json_items);
std::string json_number(double value);

}  // namespace idlab::host
