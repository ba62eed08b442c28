// The sweep folder's manifest, sweep.json: the plan (axes, seeds, every job with its folder and
// overrides), written before anything runs so that --status, report and reruns read the same
// list. Beside it, recipe.toml: the resolved base recipe every job starts from.
#pragma once

#include "sweep/plan.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace idlab::host {

inline constexpr const char* kManifestFile = "sweep.json";
inline constexpr const char* kBaseRecipeFile = "recipe.toml";
inline constexpr const char* kSweepLockFile = "sweep.lock";

// Whether `dir` holds a sweep (has a sweep.json).
bool is_sweep_folder(const std::filesystem::path& dir);

std::string manifest_json(const SweepPlan& plan);
// Parses a manifest; errors name the file and what is wrong.
std::optional<SweepPlan> read_manifest(const std::filesystem::path& sweep_dir, std::string& error);
// Writes sweep.json atomically (temporary file, then rename).
void write_manifest(const std::filesystem::path& sweep_dir, const SweepPlan& plan);

// A rerun's plan against the folder's: every job already in the folder must be planned again
// with the same overrides (the new plan may add jobs: more seeds, more values). Returns the
// new plan, or nullopt with `error` naming the first job that differs or is missing.
std::optional<SweepPlan> extend_plan(const SweepPlan& existing, const SweepPlan& planned,
                                     std::string& error);

// Whether two base recipes (recipe.toml texts) configure the same runs: equal but for comment
// lines. On a difference, `difference` quotes the first differing line of each.
bool same_base_recipe(const std::string& a, const std::string& b, std::string& difference);

// The whole file as text ("" when it cannot be read).
std::string read_text_file(const std::filesystem::path& file);

}  // namespace idlab::host
