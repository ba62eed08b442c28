// Helpers for the sweep tests: scratch folders and small files.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sweep_test {

namespace fs = std::filesystem;

// A fresh, empty folder under the build tree's work folder.
inline fs::path scratch(const std::string& name) {
    fs::path d = fs::path(IDLAB_SWEEP_WORK_DIR) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

inline void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

inline std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace sweep_test
