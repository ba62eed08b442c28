#include "sweep/job_folder.hpp"

namespace idlab::host {

namespace {

bool safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '+' || c == '-';
}

std::string unquoted(std::string s) {
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return s.substr(1, s.size() - 2);
    return s;
}

}  // namespace

std::string folder_value(const std::string& toml_text) {
    std::string text = toml_text;
    const size_t first = text.find_first_not_of(" \t");
    const size_t last = text.find_last_not_of(" \t");
    text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
    std::string out;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        // A list: its items, trimmed and unquoted, joined by 'x'.
        std::string item;
        auto flush = [&] {
            const size_t b = item.find_first_not_of(" \t");
            const size_t e = item.find_last_not_of(" \t");
            if (b != std::string::npos) {
                if (!out.empty()) out += 'x';
                out += unquoted(item.substr(b, e - b + 1));
            }
            item.clear();
        };
        for (char c : text.substr(1, text.size() - 2)) {
            if (c == ',') flush();
            else item += c;
        }
        flush();
        if (out.empty()) out = "empty";
    } else {
        out = unquoted(text);
        if (out.empty()) out = "empty";
    }
    for (char& c : out)
        if (!safe(c)) c = '_';
    if (out == "." || out == "..") out = "_" + out;
    return out;
}

std::string folder_component(const std::string& key, const std::string& toml_text) {
    return key + "=" + folder_value(toml_text);
}

}  // namespace idlab::host
