// Shared by the core-images tests: a fresh scratch folder per test, the shared data folder
// (skipped with a visible message when absent), and a matcher for error messages.
#pragma once

#include "data_file_error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace idlab::test {

// An empty folder under the build tree's work folder, made afresh.
inline std::filesystem::path scratch_dir(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(IDLAB_IMAGES_WORK_DIR) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// ../shared/data/<sub>, or an empty path (after a WARN saying why) when it is not there.
inline std::filesystem::path shared_data(const std::string& sub) {
    const std::filesystem::path p = std::filesystem::path(IDLAB_SHARED_DATA_DIR) / sub;
    if (!std::filesystem::exists(p)) {
        WARN("skipped: shared data " << p.string() << " is absent");
        return {};
    }
    return p;
}

// Runs f, which must throw DataFileError; returns its message.
template <class F>
std::string data_file_error_of(F&& f) {
    try {
        f();
    } catch (const idlab::images::DataFileError& e) {
        return e.what();
    }
    FAIL("no DataFileError was thrown");
    return {};
}

}  // namespace idlab::test
