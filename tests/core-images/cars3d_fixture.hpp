// A small Cars3D folder written by the tests: list.txt and one MAT v5 file per object with
// the published variables (PITCH_LIST, YAW_LIST, im, mask) but fewer views, so it is quick.
// Pixels follow a pattern of (object, azimuth, elevation, row, column, channel), so every
// image differs and mix-ups show.
#pragma once

#include "file_writers.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace idlab::test {

struct Cars3dFixture {
    int64_t side = 128;
    int64_t azimuths = 3;
    int64_t elevations = 2;
    std::vector<std::string> names = {"car_001_mesh", "car_007_mesh", "car_010_mesh"};

    static uint8_t pixel(int64_t object, int64_t azimuth, int64_t elevation, int64_t r, int64_t c, int64_t ch) {
        return static_cast<uint8_t>((object * 71 + azimuth * 29 + elevation * 113 + r * 3 + c * 5 + ch * 41 +
                                     ((r * c) % 13) * 7) % 256);
    }

    // `im` as MATLAB stores it: column-major [side, side, 3, azimuths, elevations].
    Bytes im(int64_t object) const {
        Bytes b(static_cast<size_t>(side * side * 3 * azimuths * elevations));
        size_t i = 0;
        for (int64_t e = 0; e < elevations; ++e)
            for (int64_t a = 0; a < azimuths; ++a)
                for (int64_t ch = 0; ch < 3; ++ch)
                    for (int64_t c = 0; c < side; ++c)
                        for (int64_t r = 0; r < side; ++r) b[i++] = pixel(object, a, e, r, c, ch);
        return b;
    }

    // One view as row-major HWC.
    std::vector<uint8_t> view_hwc(int64_t object, int64_t azimuth, int64_t elevation) const {
        std::vector<uint8_t> v(static_cast<size_t>(side * side * 3));
        for (int64_t r = 0; r < side; ++r)
            for (int64_t c = 0; c < side; ++c)
                for (int64_t ch = 0; ch < 3; ++ch)
                    v[static_cast<size_t>((r * side + c) * 3 + ch)] = pixel(object, azimuth, elevation, r, c, ch);
        return v;
    }

    Bytes mat_file(int64_t object) const {
        Bytes pitch, yaw;
        for (int64_t e = 0; e < elevations; ++e) pitch.push_back(static_cast<uint8_t>(6 * e));
        for (int64_t a = 0; a < azimuths; ++a) put_u16(yaw, static_cast<uint32_t>(15 * a));
        const int32_t s = static_cast<int32_t>(side);
        return mat_bytes({
            {"PITCH_LIST", 6, false, {1, static_cast<int32_t>(elevations)}, 2, pitch, true},
            {"YAW_LIST", 6, false, {1, static_cast<int32_t>(azimuths)}, 4, yaw, true},
            {"im", 9, false, {s, s, 3, static_cast<int32_t>(azimuths), static_cast<int32_t>(elevations)}, 2, im(object), true},
            {"mask", 9, true, {s, s, static_cast<int32_t>(azimuths), static_cast<int32_t>(elevations)}, 2,
             Bytes(static_cast<size_t>(side * side * azimuths * elevations), 1), true},
        });
    }

    void write(const std::filesystem::path& folder) const {
        std::string list;
        for (const std::string& n : names) list += n + "\n";
        write_file(folder / "list.txt", Bytes(list.begin(), list.end()));
        for (size_t o = 0; o < names.size(); ++o) write_file(folder / (names[o] + ".mat"), mat_file(static_cast<int64_t>(o)));
    }
};

}  // namespace idlab::test
