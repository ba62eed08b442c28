// The resize against Pillow: its taps for 128 -> 64 (datasets.md §1.4), and outputs of
// Pillow 9.4.0's Image.resize((w, h), Image.BILINEAR) on small patterned images (RGB and L,
// downscaling by integer and fractional factors, upscaling, 128x128 -> 64x64), recorded once
// with Debian 12's python3-pil and written out below.
#include "pillow_resize.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using idlab::images::bilinear_taps;
using idlab::images::BilinearResizer;
using idlab::images::ImageView;
using idlab::images::ResizeTaps;

namespace {

// The pattern the recorded images were made from.
uint8_t pattern(int64_t r, int64_t c, int64_t ch) {
    return static_cast<uint8_t>((r * 37 + c * 91 + ch * 53 + ((r * c) % 17) * 11) % 256);
}

// Row-major HWC pixels of the pattern.
std::vector<uint8_t> pattern_image(int64_t h, int64_t w, int64_t channels) {
    std::vector<uint8_t> v(static_cast<size_t>(h * w * channels));
    for (int64_t r = 0; r < h; ++r)
        for (int64_t c = 0; c < w; ++c)
            for (int64_t ch = 0; ch < channels; ++ch) v[static_cast<size_t>((r * w + c) * channels + ch)] = pattern(r, c, ch);
    return v;
}

std::vector<uint8_t> resize_hwc(const std::vector<uint8_t>& in, int64_t h, int64_t w, int64_t channels,
                                int64_t oh, int64_t ow) {
    ImageView view;
    view.data = in.data();
    view.height = h;
    view.width = w;
    view.channels = channels;
    view.row_stride = w * channels;
    view.col_stride = channels;
    view.channel_stride = 1;
    std::vector<uint8_t> out(static_cast<size_t>(oh * ow * channels));
    BilinearResizer(h, w, oh, ow).resize(view, out.data());
    return out;
}

uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
    return h;
}

}  // namespace

TEST_CASE("resize: the taps of 128 -> 64 are those of datasets.md §1.4", "[core-images][resize]") {
    const ResizeTaps t = bilinear_taps(128, 64);
    REQUIRE(t.first.size() == 64);
    // Interior outputs read inputs 2i-1 .. 2i+2 with [1/8, 3/8, 3/8, 1/8].
    for (int64_t i = 1; i < 63; ++i) {
        INFO("output " << i);
        CHECK(t.first[i] == 2 * i - 1);
        CHECK(t.count[i] == 4);
        CHECK(t.exact[i * t.max_taps + 0] == 0.125);
        CHECK(t.exact[i * t.max_taps + 1] == 0.375);
        CHECK(t.exact[i * t.max_taps + 2] == 0.375);
        CHECK(t.exact[i * t.max_taps + 3] == 0.125);
        CHECK(t.weights[i * t.max_taps + 0] == 524288);   // 2^22 / 8
        CHECK(t.weights[i * t.max_taps + 1] == 1572864);  // 3 * 2^22 / 8
    }
    // The edges are renormalised: [3/7, 3/7, 1/7] and its mirror image.
    CHECK(t.first[0] == 0);
    CHECK(t.count[0] == 3);
    CHECK(t.exact[0] == Approx(3.0 / 7.0).epsilon(1e-15));
    CHECK(t.exact[2] == Approx(1.0 / 7.0).epsilon(1e-15));
    CHECK(t.weights[0] == 1797559);  // round(3/7 * 2^22) = round(1797558.86)
    CHECK(t.weights[2] == 599186);   // round(1/7 * 2^22) = round(599186.29)
    CHECK(t.first[63] == 125);
    CHECK(t.count[63] == 3);
    CHECK(t.weights[63 * t.max_taps + 0] == 599186);
    CHECK(t.weights[63 * t.max_taps + 2] == 1797559);
}

TEST_CASE("resize: matches Pillow's BILINEAR on small images", "[core-images][resize]") {
    SECTION("RGB 12x10 -> 6x5") {
        const std::vector<uint8_t> pillow = {
            92,  129, 150, 128, 139, 119, 115, 163, 130, 139, 119, 158, 144, 119, 125, 131, 139, 146,
            133, 126, 111, 130, 123, 128, 134, 115, 132, 123, 116, 155, 130, 141, 140, 130, 119, 120,
            129, 126, 127, 97,  122, 151, 119, 89,  138, 123, 117, 116, 126, 115, 144, 140, 93,  110,
            107, 116, 133, 102, 137, 135, 86,  98,  137, 112, 101, 150, 138, 91,  144, 144, 101, 154,
            111, 122, 162, 97,  150, 157, 82,  117, 170, 132, 112, 165, 129, 113, 166, 138, 97,  150};
        CHECK(resize_hwc(pattern_image(12, 10, 3), 12, 10, 3, 6, 5) == pillow);
    }
    SECTION("RGB 9x7 -> 4x3 (fractional scales)") {
        const std::vector<uint8_t> pillow = {105, 135, 146, 117, 144, 119, 118, 153, 142, 133, 135, 144,
                                             132, 123, 112, 140, 121, 120, 130, 133, 128, 132, 117, 126,
                                             115, 108, 132, 118, 112, 118, 127, 122, 156, 135, 83,  125};
        CHECK(resize_hwc(pattern_image(9, 7, 3), 9, 7, 3, 4, 3) == pillow);
    }
    SECTION("L 5x6 -> 3x4") {
        const std::vector<uint8_t> pillow = {52, 157, 97, 134, 116, 136, 122, 106, 127, 128, 129, 156};
        CHECK(resize_hwc(pattern_image(5, 6, 1), 5, 6, 1, 3, 4) == pillow);
    }
    SECTION("RGB 3x4 -> 7x9 (upscaling)") {
        const std::vector<uint8_t> pillow = {
            0,   53,  106, 15,  68,  121, 56,  109, 162, 96,  149, 188, 137, 190, 115, 177, 230, 41,  118,
            171, 67,  45,  98,  108, 17,  70,  123, 5,   58,  111, 21,  74,  127, 62,  115, 168, 103, 154,
            195, 145, 179, 123, 185, 204, 49,  127, 158, 76,  55,  102, 118, 27,  80,  133, 21,  74,  127,
            37,  90,  143, 81,  134, 187, 124, 168, 215, 167, 147, 145, 210, 125, 75,  154, 118, 104, 84,
            112, 147, 57,  110, 163, 37,  90,  143, 54,  107, 160, 99,  152, 205, 145, 183, 236, 190, 115,
            168, 235, 47,  100, 181, 78,  131, 113, 123, 176, 87,  140, 193, 53,  106, 159, 71,  124, 158,
            118, 171, 157, 160, 204, 153, 158, 138, 136, 157, 72,  119, 141, 105, 115, 124, 152, 114, 117,
            170, 113, 69,  122, 175, 87,  140, 157, 137, 190, 109, 174, 225, 71,  127, 161, 105, 78,  97,
            138, 101, 132, 99,  134, 181, 52,  147, 200, 34,  74,  127, 180, 93,  146, 156, 143, 196, 93,
            179, 232, 43,  116, 169, 94,  52,  105, 144, 88,  141, 94,  138, 191, 31,  157, 210, 7};
        CHECK(resize_hwc(pattern_image(3, 4, 3), 3, 4, 3, 7, 9) == pillow);
    }
    SECTION("RGB 128x128 -> 64x64, by checksum") {
        const std::vector<uint8_t> out = resize_hwc(pattern_image(128, 128, 3), 128, 128, 3, 64, 64);
        uint64_t sum = 0;
        for (uint8_t v : out) sum += v;
        CHECK(sum == 1573180);
        CHECK(fnv1a(out) == 0x38242a8a191e518full);
    }
}

TEST_CASE("resize: the source layout does not change the result", "[core-images][resize]") {
    // The same image as column-major planes (how a MAT file stores it) and as HWC.
    const int64_t h = 12, w = 10, channels = 3;
    const std::vector<uint8_t> hwc = pattern_image(h, w, channels);
    std::vector<uint8_t> planes(hwc.size());
    for (int64_t r = 0; r < h; ++r)
        for (int64_t c = 0; c < w; ++c)
            for (int64_t ch = 0; ch < channels; ++ch)
                planes[static_cast<size_t>(r + h * (c + w * ch))] = pattern(r, c, ch);
    ImageView view;
    view.data = planes.data();
    view.height = h;
    view.width = w;
    view.channels = channels;
    view.row_stride = 1;
    view.col_stride = h;
    view.channel_stride = h * w;
    std::vector<uint8_t> out(6 * 5 * 3);
    BilinearResizer(h, w, 6, 5).resize(view, out.data());
    CHECK(out == resize_hwc(hwc, h, w, channels, 6, 5));
}

TEST_CASE("resize: constant images stay constant, the same size is the identity", "[core-images][resize]") {
    for (int value : {0, 1, 77, 254, 255}) {
        const std::vector<uint8_t> flat(128 * 128 * 3, static_cast<uint8_t>(value));
        const std::vector<uint8_t> out = resize_hwc(flat, 128, 128, 3, 64, 64);
        CHECK(out == std::vector<uint8_t>(64 * 64 * 3, static_cast<uint8_t>(value)));
    }
    const std::vector<uint8_t> img = pattern_image(7, 5, 3);
    CHECK(resize_hwc(img, 7, 5, 3, 7, 5) == img);
}
