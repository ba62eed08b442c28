// Turning the factor columns the published files hold into class indices 0..k-1, the form
// every image dataset here exposes (ImageSet::factor_classes):
//  - classes_from_values: float values (Shapes3D's labels): each value's rank among its
//    column's distinct values, ascending. The reference divides min-max-scaled values by the
//    second-smallest one and truncates, which gives the same indices for evenly spaced grids
//    without its risk of a float rounding down by one;
//  - classes_from_grid_index: no stored factors (MPI3D): the flat index unravelled over the
//    factor sizes, last factor fastest (numpy's unravel_index);
//  - checked_classes: integer classes as stored (dSprites' latents_classes): each column's size is its
//    largest value + 1, and a negative value is an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::images {

// values [n, columns] row-major -> classes [n, columns]; `sizes` receives each column's count
// of distinct values. Throws DataFileError (naming `source`) on a non-finite value.
std::vector<int64_t> classes_from_values(const std::vector<double>& values, int64_t n, int64_t columns,
                                         std::vector<int64_t>& sizes, const std::string& source,
                                         const std::string& expected_format);

std::vector<int64_t> classes_from_grid_index(int64_t n, const std::vector<int64_t>& sizes);

// classes [n, columns] row-major, keeping `keep` columns in that order; `sizes` receives each
// kept column's largest value + 1.
std::vector<int64_t> checked_classes(const std::vector<int64_t>& classes, int64_t n, int64_t columns,
                                     const std::vector<int64_t>& keep, std::vector<int64_t>& sizes,
                                     const std::string& source, const std::string& expected_format);

}  // namespace idlab::images
