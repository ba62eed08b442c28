#include "sweep/manifest.hpp"

#include "runtime/atomic_file.hpp"
#include "runtime/json.hpp"
#include "runtime/json_value.hpp"

#include <fstream>
#include <sstream>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "idlab.sweep/1";

std::string string_array(const std::vector<std::string>& items) {
    std::vector<std::string> quoted;
    for (const std::string& s : items) quoted.push_back(json_escape(s));
    return json_array(quoted);
}

bool read_strings(const JsonValue* v, std::vector<std::string>& out) {
    if (!v || !v->is_array()) return false;
    for (const JsonValue& item : v->items) {
        if (!item.is_string()) return false;
        out.push_back(item.string);
    }
    return true;
}

std::vector<std::string> content_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

bool is_sweep_folder(const fs::path& dir) { return fs::is_regular_file(dir / kManifestFile); }

std::string manifest_json(const SweepPlan& plan) {
    std::vector<std::string> axes;
    for (const Axis& a : plan.axes) {
        JsonObject o;
        o.add("key", a.key).add_raw("values", string_array(a.values));
        axes.push_back(o.str());
    }
    std::vector<std::string> seeds;
    for (int64_t s : plan.seeds) seeds.push_back(std::to_string(s));
    std::vector<std::string> jobs;
    for (const SweepJob& j : plan.jobs) {
        JsonObject values;
        for (const auto& [k, v] : j.values) values.add(k, v);
        JsonObject o;
        o.add("dir", j.dir)
            .add("seed", j.seed)
            .add("steps", j.steps)
            .add_raw("values", values.str())
            .add_raw("overrides", string_array(j.overrides));
        jobs.push_back("\n    " + o.str());
    }
    JsonObject m;
    m.add("format", kFormat)
        .add("name", plan.name)
        .add("recipe", plan.recipe)
        .add("base_recipe", kBaseRecipeFile)
        .add_raw("fixed", string_array(plan.fixed))
        .add_raw("axes", json_array(axes))
        .add_raw("seeds", json_array(seeds))
        .add_raw("jobs", json_array(jobs));
    return m.str() + "\n";
}

std::optional<SweepPlan> read_manifest(const fs::path& sweep_dir, std::string& error) {
    const std::string file = (sweep_dir / kManifestFile).string();
    auto doc = read_json_file(file, error);
    if (!doc) return std::nullopt;
    auto bad = [&](const std::string& what) {
        error = file + ": " + what;
        return std::nullopt;
    };
    if (!doc->is_object() || doc->string_or("format", "") != kFormat)
        return bad(std::string("not an idlab sweep manifest (expected \"format\": \"") + kFormat + "\")");
    SweepPlan plan;
    plan.name = doc->string_or("name", "");
    plan.recipe = doc->string_or("recipe", "");
    if (!read_strings(doc->find("fixed"), plan.fixed)) return bad("\"fixed\" must be an array of strings");
    const JsonValue* axes = doc->find("axes");
    if (!axes || !axes->is_array()) return bad("\"axes\" must be an array");
    for (const JsonValue& a : axes->items) {
        Axis axis;
        axis.key = a.string_or("key", "");
        if (axis.key.empty() || !read_strings(a.find("values"), axis.values))
            return bad("every axis needs a \"key\" and an array of \"values\"");
        plan.axes.push_back(std::move(axis));
    }
    const JsonValue* seeds = doc->find("seeds");
    if (!seeds || !seeds->is_array()) return bad("\"seeds\" must be an array");
    for (const JsonValue& s : seeds->items) {
        if (!s.is_number()) return bad("\"seeds\" must hold numbers");
        plan.seeds.push_back(static_cast<int64_t>(s.number));
    }
    const JsonValue* jobs = doc->find("jobs");
    if (!jobs || !jobs->is_array()) return bad("\"jobs\" must be an array");
    for (const JsonValue& j : jobs->items) {
        SweepJob job;
        job.dir = j.string_or("dir", "");
        job.seed = static_cast<int64_t>(j.number_or("seed", 0));
        job.steps = static_cast<int64_t>(j.number_or("steps", 0));
        const JsonValue* values = j.find("values");
        if (job.dir.empty() || !values || !values->is_object() || !read_strings(j.find("overrides"), job.overrides))
            return bad("every job needs \"dir\", \"values\" and \"overrides\"");
        for (const auto& [k, v] : values->members) {
            if (!v.is_string()) return bad("job values must be strings");
            job.values.emplace_back(k, v.string);
        }
        if (job.dir.find("..") != std::string::npos || job.dir.front() == '/')
            return bad("job folder '" + job.dir + "' leaves the sweep folder");
        plan.jobs.push_back(std::move(job));
    }
    return plan;
}

std::string read_text_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_manifest(const fs::path& sweep_dir, const SweepPlan& plan) {
    write_file_atomically(sweep_dir / kManifestFile, manifest_json(plan));
}

std::optional<SweepPlan> extend_plan(const SweepPlan& existing, const SweepPlan& planned,
                                     std::string& error) {
    for (const SweepJob& old : existing.jobs) {
        const SweepJob* now = planned.find(old.dir);
        if (!now) {
            error = "the folder's job '" + old.dir + "' is not in the new plan (" +
                    std::to_string(existing.jobs.size()) + " jobs planned before, " +
                    std::to_string(planned.jobs.size()) + " now)";
            return std::nullopt;
        }
        if (now->overrides != old.overrides) {
            error = "job '" + old.dir + "' would change its overrides";
            return std::nullopt;
        }
    }
    return planned;
}

bool same_base_recipe(const std::string& a, const std::string& b, std::string& difference) {
    const std::vector<std::string> la = content_lines(a), lb = content_lines(b);
    for (size_t i = 0; i < la.size() || i < lb.size(); ++i) {
        const std::string x = i < la.size() ? la[i] : "(end of recipe)";
        const std::string y = i < lb.size() ? lb[i] : "(end of recipe)";
        if (x != y) {
            difference = "was: " + x + "\nnow: " + y;
            return false;
        }
    }
    return true;
}

}  // namespace idlab::host
