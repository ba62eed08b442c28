#include "recipe/overrides.hpp"

#include "recipe/layout.hpp"
#include "recipe/parse.hpp"
#include "recipe/suggest.hpp"

#include <algorithm>

namespace idlab::host::recipe_detail {

namespace {

const char* kExpectedForm = "expected stage.key=value, e.g. data.kappa=50 or loss.target=index";

bool is_bare_key(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::vector<std::string> stage_names() {
    std::vector<std::string> names;
    for (const StageTable& t : stage_tables()) names.emplace_back(t.name);
    return names;
}

// Applies one override; on a malformed one adds a diagnostic and leaves the tree alone.
void apply_one(Node& root, const std::string& text, size_t index,
               std::vector<Diagnostic>& diagnostics) {
    const std::string file = override_file(index);
    auto fail = [&](int col, std::string message, std::vector<std::string> notes) {
        diagnostics.push_back(Diagnostic{SourceLocation{file, 1, col}, std::move(message),
                                         std::move(notes), ""});
    };

    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
        fail(1, "malformed override '" + text + "'", {kExpectedForm});
        return;
    }
    const std::string path = text.substr(0, equals);
    const size_t dot = path.find('.');
    const std::string stage = path.substr(0, dot);
    const std::string key = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (stage == kMetricsKey) {
        fail(1, "'metrics' cannot be overridden from the command line",
             {"edit the [[metrics]] tables of the recipe instead"});
        return;
    }
    if (dot == std::string::npos || !is_bare_key(stage) || !is_bare_key(key)) {
        fail(1, "malformed override key '" + path + "'", {kExpectedForm});
        return;
    }
    const std::vector<std::string> stages = stage_names();
    if (std::find(stages.begin(), stages.end(), stage) == stages.end()) {
        std::vector<std::string> notes;
        if (auto guess = closest_match(stage, stages)) notes.push_back("did you mean '" + *guess + "'?");
        notes.push_back("stages: " + join(stages));
        fail(1, "unknown stage '" + stage + "' in override '" + path + "'", std::move(notes));
        return;
    }

    // Columns are 1-based code points of the override text; the key and stage are ASCII.
    const SourceLocation key_where{file, 1, static_cast<int>(dot) + 2};
    const SourceLocation value_where{file, 1, static_cast<int>(equals) + 2};
    const std::string value_text = text.substr(equals + 1);
    std::optional<Node> value = parse_value(value_text, value_where);
    if (!value) {
        value = Node{};
        value->type = Node::Type::String;
        value->string_value = value_text;
        value->where = value_where;
    }

    Entry* table = root.find(stage);
    if (!table) {
        Node created;
        created.where = SourceLocation{file, 1, 1};
        root.set(stage, created.where, std::move(created));
        table = root.find(stage);
    }
    // A stage written as something other than a table is reported by validation; an override
    // cannot repair it.
    if (!table->value.is_table()) return;
    table->value.set(key, key_where, std::move(*value));
}

}  // namespace

std::string override_file(size_t index) { return "<cli:" + std::to_string(index + 1) + ">"; }

void apply_overrides(Node& root, const std::vector<std::string>& overrides,
                     std::vector<Diagnostic>& diagnostics) {
    for (size_t i = 0; i < overrides.size(); ++i) apply_one(root, overrides[i], i, diagnostics);
}

}  // namespace idlab::host::recipe_detail
