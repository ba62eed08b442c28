#include "runtime/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace idlab::host {

std::string json_escape(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string json_number(double value) {
    if (!std::isfinite(value)) return "null";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), value);
    return std::string(buf, res.ptr);
}

std::string json_array(const std::vector<std::string>& json_items) {
    std::string out = "[";
    for (size_t i = 0; i < json_items.size(); ++i) out += (i > 0 ? ", " : "") + json_items[i];
    return out + "]";
}

void JsonObject::key(std::string_view k) {
    if (!body_.empty()) body_ += ", ";
    body_ += json_escape(k) + ": ";
}

JsonObject& JsonObject::add(std::string_view k, double value) {
    key(k);
    body_ += json_number(value);
    return *this;
}

JsonObject& JsonObject::add(std::string_view k, int64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

JsonObject& JsonObject::add(std::string_view k, std::string_view value) {
    key(k);
    body_ += json_escape(value);
    return *this;
}

JsonObject& JsonObject::add_bool(std::string_view k, bool value) {
    key(k);
    body_ += value ? "true" : "false";
    return *this;
}

JsonObject& JsonObject::add_raw(std::string_view k, const std::string& json) {
    key(k);
    body_ += json;
    return *this;
}

}  // namespace idlab::host
