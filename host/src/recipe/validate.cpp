#include "recipe/validate.hpp"

#include "recipe/layout.hpp"
#include "recipe/param_check.hpp"
#include "recipe/parse.hpp"
#include "recipe/suggest.hpp"
#include "runtime/host_params.hpp"

#include <algorithm>

namespace idlab::host::recipe_detail {

namespace {

const char* kHintPlugins = "'idlab plugins' lists every component found and where plugins are searched";

std::string missing_table_note() {
    std::vector<std::string> required;
    for (const StageTable& t : stage_tables())
        if (t.required) required.push_back(std::string("[") + t.name + "]");
    return "every recipe needs " + join(required) + "; [run], [train] and [[metrics]] are optional";
}

std::string top_level_note() {
    std::vector<std::string> tables;
    for (const StageTable& t : stage_tables()) tables.push_back(std::string("[") + t.name + "]");
    return "a recipe has the tables " + join(tables) + ", [[" + kMetricsKey + "]], [" + kSweepKey +
           "] and the key '" + kIncludeKey + "'";
}

// How a stage's table is named in messages: "[data]", but "metrics[0]" for one of [[metrics]].
std::string table_label(const std::string& stage) {
    return stage.find('[') != std::string::npos ? stage : "[" + stage + "]";
}

// [name] or [[name]]: a table or a non-empty array of tables.
bool is_table_like(const Node& value) {
    if (value.is_table()) return true;
    return value.is_array() && !value.items.empty() &&
           std::all_of(value.items.begin(), value.items.end(), [](const Node& n) { return n.is_table(); });
}

// The parameters of one table: a component's, or the host's for [run] and [train].
struct Specs {
    const idlab_param_spec_t* items = nullptr;
    size_t count = 0;
    std::string owner;      // "'core.mlp'" or "[run]", as messages name it
    bool host_table = false;

    const idlab_param_spec_t* find(const std::string& key) const {
        for (size_t i = 0; i < count; ++i)
            if (key == items[i].name) return &items[i];
        return nullptr;
    }
    // Closes "unknown parameter 'x" : "' for 'core.mlp'" or "' in [run]".
    std::string owner_phrase() const { return (host_table ? "' in " : "' for ") + owner; }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (size_t i = 0; i < count; ++i) out.emplace_back(items[i].name);
        return out;
    }
};

Specs host_specs(const std::vector<idlab_param_spec_t>& specs, const std::string& table) {
    return Specs{specs.data(), specs.size(), "[" + table + "]", true};
}

class Validator {
public:
    Validator(const std::string& path, const ComponentSource& components, bool report_missing,
              std::vector<Diagnostic>& diagnostics)
        : path_(path), components_(components), report_missing_(report_missing),
          diagnostics_(diagnostics) {}

    std::optional<Recipe> run(const Node& root) {
        const size_t errors_before = diagnostics_.size();
        check_top_level(root);

        Recipe recipe;
        recipe.path = path_;
        recipe.run = host_stage(root, "run", run_param_specs());
        recipe.train = host_stage(root, "train", train_param_specs());
        // The device picks component implementations; an invalid one was reported above.
        const ParamValue* device = recipe.run.find("device");
        device_ = device ? device->string_value : "cpu";
        if (device && components_.device_problem)
            if (std::string why = components_.device_problem(device_); !why.empty())
                report(device->from_default ? recipe.run.where : device->where,
                       "run.device = \"" + device_ + "\" cannot be used here: " + why,
                       {"set run.device = \"cpu\", or run where that device is available "
                        "(`idlab plugins` lists each plugin and why it is unavailable)"});
        recipe.data = component_stage(root, "data", IDLAB_KIND_DATA);
        recipe.encoder = component_stage(root, "encoder", IDLAB_KIND_ENCODER);
        recipe.loss = component_stage(root, "loss", IDLAB_KIND_LOSS);
        recipe.optimizer = component_stage(root, "optimizer", IDLAB_KIND_OPTIMIZER);
        recipe.metrics = metric_stages(root);
        recipe.sweep = sweep_axes(root, recipe);

        if (diagnostics_.size() != errors_before) return std::nullopt;
        return recipe;
    }

private:
    // Names at the top that are not part of a recipe.
    void check_top_level(const Node& root) {
        const std::vector<std::string> names = top_level_names();
        for (const Entry& e : root.entries) {
            if (std::find(names.begin(), names.end(), e.key) != names.end()) continue;
            std::vector<std::string> candidates = names;
            candidates.emplace_back(kIncludeKey);
            std::vector<std::string> notes;
            if (auto table = host_table_of(e.key))
                notes.push_back("'" + e.key + "' is a parameter of [" + *table + "]: write it under [" +
                                *table + "]");
            else if (auto guess = closest_match(e.key, candidates))
                notes.push_back("did you mean '" + *guess + "'?");
            notes.push_back(top_level_note());
            const char* what = is_table_like(e.value) ? "unknown table '" : "unknown top-level key '";
            report(e.key_where, what + e.key + "'", std::move(notes));
        }
    }

    // "run" or "train" when `key` is one of their parameters (a key written above its table).
    static std::optional<std::string> host_table_of(const std::string& key) {
        for (const auto& [table, specs] : {std::pair<const char*, const std::vector<idlab_param_spec_t>*>{
                                               "run", &run_param_specs()},
                                           {"train", &train_param_specs()}})
            for (const idlab_param_spec_t& spec : *specs)
                if (key == spec.name) return std::string(table);
        return std::nullopt;
    }

    // The table of a single-table stage; null when absent or not a table (reported here).
    const Node* stage_table(const Node& root, const std::string& name) {
        const Entry* e = root.find(name);
        if (!e) return nullptr;
        if (!e->value.is_table()) {
            report(e->value.where, "'" + name + "' must be a table, got " + describe(e->value),
                   {"write it as [" + name + "] followed by its keys"});
            return nullptr;
        }
        return &e->value;
    }

    StageConfig host_stage(const Node& root, const std::string& name,
                           const std::vector<idlab_param_spec_t>& specs) {
        StageConfig stage;
        stage.stage = name;
        const Node* table = stage_table(root, name);
        stage.where = table ? table->where : SourceLocation{path_, 0, 0};
        check_params(table, host_specs(specs, name), stage);
        return stage;
    }

    StageConfig component_stage(const Node& root, const std::string& name, idlab_kind_t kind) {
        StageConfig stage;
        stage.stage = name;
        stage.where = SourceLocation{path_, 0, 0};
        const Entry* present = root.find(name);
        const Node* table = stage_table(root, name);
        if (!table) {
            if (!present && report_missing_) {
                report(stage.where, "missing [" + name + "] table",
                       {missing_table_note(), available_note(kind)});
            }
            return stage;
        }
        select_component(*table, name, kind, stage);
        return stage;
    }

    std::vector<StageConfig> metric_stages(const Node& root) {
        std::vector<StageConfig> stages;
        const Entry* e = root.find(kMetricsKey);
        if (!e) return stages;
        if (!e->value.is_array()) {
            report(e->value.where, "'metrics' must be an array of tables, got " + describe(e->value),
                   {"write each metric as its own [[metrics]] table"});
            return stages;
        }
        for (size_t i = 0; i < e->value.items.size(); ++i) {
            const Node& item = e->value.items[i];
            StageConfig stage;
            stage.stage = "metrics[" + std::to_string(i) + "]";
            stage.where = item.where;
            if (!item.is_table()) {
                report(item.where, "'" + stage.stage + "' must be a table, got " + describe(item),
                       {"write each metric as its own [[metrics]] table"});
                continue;
            }
            select_component(item, stage.stage, IDLAB_KIND_METRIC, stage);
            stages.push_back(std::move(stage));
        }
        return stages;
    }

    // [sweep]: stage -> parameter -> non-empty array, every value checked against the spec of
    // the parameter it sweeps. Metrics cannot be swept (their tables have no stable name).
    std::vector<SweepAxis> sweep_axes(const Node& root, const Recipe& recipe) {
        std::vector<SweepAxis> axes;
        const Node* sweep = stage_table(root, kSweepKey);
        if (!sweep) return axes;
        const std::vector<std::pair<std::string, const StageConfig*>> stages = {
            {"run", &recipe.run}, {"train", &recipe.train}, {"data", &recipe.data},
            {"encoder", &recipe.encoder}, {"loss", &recipe.loss}, {"optimizer", &recipe.optimizer}};
        std::vector<std::string> stage_names;
        for (const auto& [name, stage] : stages) stage_names.push_back(name);
        const std::string form = "write each axis as <stage>.<parameter> = [values], e.g. data.kappa = [5.0, 10.0]";
        for (const Entry& per_stage : sweep->entries) {
            const auto found = std::find_if(stages.begin(), stages.end(),
                                            [&](const auto& s) { return s.first == per_stage.key; });
            if (found == stages.end() || !per_stage.value.is_table()) {
                std::vector<std::string> notes;
                if (auto guess = closest_match(per_stage.key, stage_names))
                    if (*guess != per_stage.key) notes.push_back("did you mean '" + *guess + "'?");
                notes.push_back(form + "; stages: " + join(stage_names));
                report(per_stage.key_where, "cannot sweep '" + per_stage.key + "'", std::move(notes));
                continue;
            }
            const StageConfig& stage = *found->second;
            const Specs specs = specs_of(stage);
            for (const Entry& e : per_stage.value.entries) {
                const std::string key = per_stage.key + "." + e.key;
                const idlab_param_spec_t* spec = specs.find(e.key);
                if (!spec) {
                    if (specs.items) report_unknown_key(e, specs);  // else: the stage itself failed
                    continue;
                }
                if (!e.value.is_array() || e.value.items.empty()) {
                    report(e.value.where, "sweep axis '" + key + "' expects a non-empty array of values, got " +
                                              describe(e.value), {form});
                    continue;
                }
                SweepAxis axis{key, {}, e.key_where};
                bool ok = true;
                for (size_t i = 0; i < e.value.items.size(); ++i) {
                    std::optional<ParamValue> v = check_param(e.value.items[i], *spec, key, diagnostics_);
                    ok = ok && v.has_value();
                    if (v) axis.values.push_back(std::move(*v));
                }
                if (ok) axes.push_back(std::move(axis));
            }
        }
        return axes;
    }

    // The parameter specs a resolved stage was checked against (none when it failed).
    Specs specs_of(const StageConfig& stage) const {
        if (stage.stage == "run") return host_specs(run_param_specs(), "run");
        if (stage.stage == "train") return host_specs(train_param_specs(), "train");
        if (!stage.desc) return Specs{};
        return Specs{stage.desc->params, stage.desc->param_count, "'" + stage.kind + "'", false};
    }

    // Reads `kind`, finds the component and checks the table against its parameters.
    void select_component(const Node& table, const std::string& name, idlab_kind_t kind,
                          StageConfig& stage) {
        stage.where = table.where;
        const Entry* kind_entry = table.find("kind");
        if (!kind_entry) {
            if (!report_missing_) return;
            report(table.where, "missing 'kind' in " + table_label(name),
                   {"'kind' names the " + kind_label(kind) + " to use", available_note(kind)});
            return;
        }
        const Node& id = kind_entry->value;
        if (id.type != Node::Type::String) {
            report(id.where, "'" + name + ".kind' expects a string, got " + describe(id),
                   {available_note(kind)});
            return;
        }
        ComponentSource::Found found = components_.find(kind, id.string_value, device_);
        if (!found.desc) {
            report_unusable(id, kind, found.error);
            return;
        }
        stage.kind = id.string_value;
        stage.desc = found.desc;
        const Specs specs{found.desc->params, found.desc->param_count, "'" + stage.kind + "'", false};
        check_params(&table, specs, stage);
    }

    // The id is not a component of this kind, or that component cannot be used here.
    void report_unusable(const Node& id, idlab_kind_t kind, const std::string& error) {
        const std::vector<std::string> ids = components_.ids_of_kind(kind);
        if (std::find(ids.begin(), ids.end(), id.string_value) != ids.end()) {
            // Known, but not usable: another device, provided twice, plugin unavailable.
            const std::string fallback = "cannot use " + kind_label(kind) + " '" + id.string_value + "'";
            report(id.where, error.empty() ? fallback : error, {});
            return;
        }
        std::vector<std::string> notes;
        if (auto guess = closest_match(id.string_value, ids))
            notes.push_back("did you mean '" + *guess + "'?");
        if (auto other = other_kind_of(id.string_value))
            notes.push_back("'" + id.string_value + "' is " + kind_with_article(*other) + ", not " +
                            kind_with_article(kind));
        notes.push_back(available_note(kind));
        diagnostics_.push_back(Diagnostic{id.where,
                                          "unknown " + kind_label(kind) + " kind '" + id.string_value + "'",
                                          std::move(notes), kHintPlugins});
    }

    // The kind of component `id` is, when it is a component of some kind.
    std::optional<idlab_kind_t> other_kind_of(const std::string& id) const {
        for (idlab_kind_t k : {IDLAB_KIND_DATA, IDLAB_KIND_ENCODER, IDLAB_KIND_LOSS,
                               IDLAB_KIND_OPTIMIZER, IDLAB_KIND_METRIC}) {
            const std::vector<std::string> ids = components_.ids_of_kind(k);
            if (std::find(ids.begin(), ids.end(), id) != ids.end()) return k;
        }
        return std::nullopt;
    }

    std::string available_note(idlab_kind_t kind) const {
        const std::vector<std::string> ids = components_.ids_of_kind(kind);
        if (ids.empty()) return "no " + kind_label(kind) + " components are loaded";
        return "available " + kind_label(kind) + " kinds: " + join(ids);
    }

    // Every key of `table` (which may be null: an absent optional table) against `specs`,
    // then defaults for every parameter not written. Fills stage.params in spec order.
    void check_params(const Node* table, const Specs& specs, StageConfig& stage) {
        std::vector<std::optional<ParamValue>> written(specs.count);
        if (table) {
            for (const Entry& e : table->entries) {
                if (e.key == "kind" && stage.desc) continue;
                const idlab_param_spec_t* spec = specs.find(e.key);
                if (!spec) {
                    report_unknown_key(e, specs);
                    continue;
                }
                const std::string name = stage.stage + "." + e.key;
                written[spec - specs.items] = check_param(e.value, *spec, name, diagnostics_);
            }
        }
        for (size_t i = 0; i < specs.count; ++i) {
            const idlab_param_spec_t& spec = specs.items[i];
            const bool was_written = table && table->find(spec.name);
            if (written[i]) {
                stage.params.push_back(std::move(*written[i]));
            } else if (!was_written) {
                if (std::optional<ParamValue> value = default_value(spec, specs, stage))
                    stage.params.push_back(std::move(*value));
            }
        }
    }

    void report_unknown_key(const Entry& e, const Specs& specs) {
        std::vector<std::string> notes;
        const std::vector<std::string> names = specs.names();
        if (auto guess = closest_match(e.key, names))
            notes.push_back("did you mean '" + *guess + "'?");
        notes.push_back(names.empty() ? specs.owner + " has no parameters"
                                      : "parameters of " + specs.owner + ": " + join(names));
        report(e.key_where, "unknown parameter '" + e.key + specs.owner_phrase(), std::move(notes));
    }

    // The spec's default, or a diagnostic: a required parameter that is missing, or a default
    // that does not fit its own spec (a plugin bug, reported rather than trusted).
    std::optional<ParamValue> default_value(const idlab_param_spec_t& spec, const Specs& specs,
                                            const StageConfig& stage) {
        const std::string name = stage.stage + "." + spec.name;
        if (!spec.default_value) {
            if (!report_missing_) return std::nullopt;
            std::vector<std::string> notes = {"expected " + expectation(spec)};
            if (spec.doc && *spec.doc) notes.push_back(std::string(spec.name) + ": " + spec.doc);
            report(stage.where,
                   "missing required parameter '" + std::string(spec.name) + specs.owner_phrase(),
                   std::move(notes));
            return std::nullopt;
        }
        std::vector<Diagnostic> problems;
        std::optional<ParamValue> value;
        if (std::optional<Node> parsed = parse_value(spec.default_value, stage.where))
            value = check_param(*parsed, spec, name, problems);
        if (!value) {
            std::vector<std::string> notes;
            for (const Diagnostic& p : problems) notes.push_back(p.message);
            const std::string culprit = specs.host_table ? "idlab" : "the plugin that provides " + specs.owner;
            diagnostics_.push_back(Diagnostic{
                stage.where,
                specs.owner + " declares an invalid default for '" + spec.name + "': " + spec.default_value,
                std::move(notes), "this is a bug in " + culprit});
            return std::nullopt;
        }
        value->where = stage.where;
        value->from_default = true;
        return value;
    }

    void report(const SourceLocation& where, std::string message, std::vector<std::string> notes) {
        diagnostics_.push_back(Diagnostic{where, std::move(message), std::move(notes), ""});
    }

    const std::string& path_;
    const ComponentSource& components_;
    const bool report_missing_;
    std::vector<Diagnostic>& diagnostics_;
    std::string device_ = "cpu";
};

}  // namespace

std::optional<Recipe> validate_recipe(const Node& root, const std::string& path,
                                      const ComponentSource& components, bool includes_complete,
                                      std::vector<Diagnostic>& diagnostics) {
    return Validator(path, components, includes_complete, diagnostics).run(root);
}

}  // namespace idlab::host::recipe_detail
