// Minimal JSON writing for the run's metrics.jsonl and summary.json: flat objects of numbers,
// strings and booleans, numbers in their shortest round-trip form (NaN and inf become null).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
std::string json_number(double value);

}  // namespace idlab::host
