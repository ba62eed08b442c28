// load_recipe: read (with includes), override, validate; diagnostics in reading order.
#include "recipe/recipe.hpp"

#include "recipe/includes.hpp"
#include "recipe/overrides.hpp"
#include "recipe/validate.hpp"

#include <algorithm>
#include <tuple>

namespace idlab::host {

namespace {

// Diagnostics are shown file by file (the recipe, then its fragments in the order read, then
// the overrides), each file from top to bottom; problems without a line close their file.
void sort_for_reading(std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& files,
                      size_t override_count) {
    auto file_rank = [&](const std::string& file) {
        for (size_t i = 0; i < files.size(); ++i)
            if (files[i] == file) return i;
        for (size_t i = 0; i < override_count; ++i)
            if (file == recipe_detail::override_file(i)) return files.size() + 1 + i;
        return files.size();
    };
    auto order = [&](const Diagnostic& d) {
        return std::make_tuple(file_rank(d.where.file), d.where.line <= 0, d.where.line, d.where.col);
    };
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return order(a) < order(b); });
}

}  // namespace

std::optional<Recipe> load_recipe(const std::string& path, const std::vector<std::string>& overrides,
                                  const ComponentSource& components,
                                  std::vector<Diagnostic>& diagnostics) {
    diagnostics.clear();
    recipe_detail::ReadRecipe read = recipe_detail::read_with_includes(path, diagnostics);
    if (!read.root) return std::nullopt;
    recipe_detail::apply_overrides(*read.root, overrides, diagnostics);
    std::optional<Recipe> recipe = recipe_detail::validate_recipe(*read.root, path, components, read.complete,
                                                                 diagnostics);
    sort_for_reading(diagnostics, read.files, overrides.size());
    if (!diagnostics.empty()) return std::nullopt;
    return recipe;
}

}  // namespace idlab::host
