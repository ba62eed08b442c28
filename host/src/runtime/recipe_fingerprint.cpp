#include "runtime/recipe_fingerprint.hpp"

#include <map>
#include <sstream>

namespace idlab::host {

namespace {

// One "key = value" line of a canonical recipe under its table ("[train]", "[[metrics]] 2").
struct Entry {
    std::string where;  // "[train] steps"
    std::string value;
};

std::vector<Entry> entries_of(const std::string& text) {
    std::vector<Entry> out;
    std::istringstream in(text);
    std::string line, table;
    int metrics = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line[0] == '[') {
            table = line;
            if (line == "[[metrics]]") table = "[[metrics]] #" + std::to_string(++metrics);
            continue;
        }
        const size_t eq = line.find(" = ");
        if (eq == std::string::npos) {
            out.push_back({table, line});
            continue;
        }
        out.push_back({table + " " + line.substr(0, eq), line.substr(eq + 3)});
    }
    return out;
}

}  // namespace

std::string canonical_recipe(const Recipe& recipe) {
    const std::string marker = "  # default";
    std::istringstream in(recipe.to_toml());
    std::string line, out;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.size() >= marker.size() && line.compare(line.size() - marker.size(), marker.size(), marker) == 0)
            line.resize(line.size() - marker.size());
        out += line + "\n";
    }
    return out;
}

std::vector<std::string> recipe_differences(const std::string& checkpoint, const std::string& now) {
    std::vector<std::string> out;
    if (checkpoint == now) return out;
    std::map<std::string, std::string> before, after;
    std::vector<std::string> order;
    for (const Entry& e : entries_of(checkpoint)) {
        if (!before.count(e.where)) order.push_back(e.where);
        before[e.where] = e.value;
    }
    for (const Entry& e : entries_of(now)) {
        if (!before.count(e.where) && !after.count(e.where)) order.push_back(e.where);
        after[e.where] = e.value;
    }
    for (const std::string& where : order) {
        auto b = before.find(where);
        auto a = after.find(where);
        if (b == before.end())
            out.push_back(where + " = " + a->second + " is new (not in the checkpoint's recipe)");
        else if (a == after.end())
            out.push_back(where + " = " + b->second + " is only in the checkpoint's recipe");
        else if (a->second != b->second)
            out.push_back(where + ": " + b->second + " in the checkpoint, " + a->second + " now");
    }
    // Same entries in another order (e.g. [[metrics]] swapped) still differ.
    if (out.empty()) out.push_back("the same keys and values, in another order");
    return out;
}

}  // namespace idlab::host
