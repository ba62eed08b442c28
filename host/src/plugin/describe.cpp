#include "plugin/describe.hpp"

#include "plugin/descriptor_checks.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>
#include <vector>

namespace idlab::host {

namespace {

std::string text(const char* s, const char* fallback = "") { return s ? s : fallback; }

std::string pad(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string devices_text(uint32_t mask) {
    std::string s;
    if (mask & IDLAB_DEVICE_CPU) s += "cpu";
    if (mask & IDLAB_DEVICE_CUDA) s += s.empty() ? "cuda" : ", cuda";
    return s.empty() ? "-" : s;
}

std::string availability(const Plugin& p) {
    return p.available ? "available" : "unavailable: " + p.unavailable_reason;
}

const char* type_name(int32_t type) {
    switch (type) {
        case IDLAB_PARAM_BOOL: return "bool";
        case IDLAB_PARAM_INT: return "int";
        case IDLAB_PARAM_FLOAT: return "float";
        case IDLAB_PARAM_STRING: return "string";
        case IDLAB_PARAM_INT_LIST: return "int list";
        case IDLAB_PARAM_FLOAT_LIST: return "float list";
    }
    return "?";
}

// ">= 0", "> 0", "<= 1", "[0, 1)", or "-" when unbounded.
std::string range_text(const idlab_param_spec_t& p) {
    const bool lo = p.range_flags & IDLAB_RANGE_MIN;
    const bool hi = p.range_flags & IDLAB_RANGE_MAX;
    const bool lo_open = p.range_flags & IDLAB_RANGE_MIN_EXCLUSIVE;
    const bool hi_open = p.range_flags & IDLAB_RANGE_MAX_EXCLUSIVE;
    if (lo && hi)
        return std::string(lo_open ? "(" : "[") + number(p.min) + ", " + number(p.max) +
               (hi_open ? ")" : "]");
    if (lo) return std::string(lo_open ? "> " : ">= ") + number(p.min);
    if (hi) return std::string(hi_open ? "< " : "<= ") + number(p.max);
    return "-";
}

std::string choices_text(const char* choices) {
    return choices && *choices ? choices : "-";  // "a|b|c", as declared
}

// Rows of cells printed as left-aligned columns, the last one unpadded.
std::string table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
    std::vector<size_t> width;
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line = indent;
        for (size_t i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? pad(row[i], width[i] + 2) : row[i];
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

constexpr std::array<idlab_kind_t, 5> kKinds = {IDLAB_KIND_DATA, IDLAB_KIND_ENCODER,
                                                IDLAB_KIND_LOSS, IDLAB_KIND_OPTIMIZER,
                                                IDLAB_KIND_METRIC};

}  // namespace

std::string format_plugin_list(const Registry& registry) {
    std::ostringstream out;
    if (registry.plugins().empty()) out << "no plugins found\n";
    for (const auto& plugin : registry.plugins()) {
        const idlab_plugin_entry_t& e = *plugin->entry;
        out << e.id << " " << text(e.version, "?") << "  (ABI " << version_string(e.abi_version)
            << ", " << availability(*plugin) << ")\n";
        if (e.description && *e.description) out << "  " << e.description << "\n";
        out << "  file: " << plugin->file << "\n";
        std::string served;
        for (const DeviceRef& d : registry.devices())
            if (d.plugin == plugin.get()) served += (served.empty() ? "" : ", ") + std::string(d.table->name);
        if (!served.empty()) out << "  serves the device: " << served << " (run.device = \"" << served << "\")\n";
        for (idlab_kind_t kind : kKinds) {
            std::vector<std::vector<std::string>> rows;
            for (const ComponentRef& c : registry.components())
                if (c.plugin == plugin.get() && c.desc->kind == kind)
                    rows.push_back({c.desc->id, text(c.desc->summary)});
            if (rows.empty()) continue;
            out << "  " << kind_name(kind) << ":\n" << table(rows, "    ");
        }
        out << "\n";
    }
    for (const LoadProblem& p : registry.problems()) out << "error: " << p.message << "\n";
    return out.str();
}

std::string format_component(const ComponentRef& component) {
    const idlab_component_desc_t& d = *component.desc;
    const Plugin& plugin = *component.plugin;
    std::ostringstream out;
    out << d.id << "  (" << kind_name(d.kind) << ")\n";
    std::vector<std::vector<std::string>> facts = {
        {"summary:", text(d.summary)},
        {"version:", text(d.version, "?")},
        {"devices:", devices_text(d.devices)},
        {"plugin:", text(plugin.entry->id) + " " + text(plugin.entry->version, "?") + " (" +
                        availability(plugin) + ")"},
        {"file:", plugin.file},
    };
    out << table(facts, "  ");
    if (d.doc && *d.doc) {
        out << "\n";
        std::istringstream doc(d.doc);
        for (std::string line; std::getline(doc, line);) out << (line.empty() ? "" : "  ") << line << "\n";
    }
    out << "\n";
    if (d.param_count == 0) {
        out << "no parameters\n";
        return out.str();
    }
    out << "parameters:\n";
    std::vector<std::vector<std::string>> rows = {
        {"name", "type", "default", "range", "choices", "doc"}};
    for (uint32_t i = 0; i < d.param_count; ++i) {
        const idlab_param_spec_t& p = d.params[i];
        rows.push_back({p.name, type_name(p.type),
                        p.default_value ? p.default_value : "(required)", range_text(p),
                        choices_text(p.choices), text(p.doc)});
    }
    out << table(rows, "  ");
    return out.str();
}

}  // namespace idlab::host
