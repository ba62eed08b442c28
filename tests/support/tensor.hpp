// Test helper: an owning CPU tensor that hands out DLTensor views.
#pragma once

#include <dlpack/dlpack.h>

#include <cstdint>
#include <vector>

namespace idlab::test {

template <class T>
struct DLTypeOf;
template <> struct DLTypeOf<float> { static DLDataType get() { return {kDLFloat, 32, 1}; } };
template <> struct DLTypeOf<double> { static DLDataType get() { return {kDLFloat, 64, 1}; } };
template <> struct DLTypeOf<int64_t> { static DLDataType get() { return {kDLInt, 64, 1}; } };

template <class T>
class OwnedTensor {
public:
    explicit OwnedTensor(std::vector<int64_t> shape) : shape_(std::move(shape)) {
        int64_t n = 1;
        for (int64_t s : shape_) n *= s;
        data_.assign(static_cast<size_t>(n), T{});
    }
    T* data() { return data_.data(); }
    const T* data() const { return data_.data(); }
    T& operator[](size_t i) { return data_[i]; }
    size_t size() const { return data_.size(); }
    const std::vector<int64_t>& shape() const { return shape_; }
    // A view valid while this tensor lives and is not resized.
    DLTensor view() {
        DLTensor t{};
        t.data = data_.data();
        t.device = DLDevice{kDLCPU, 0};
        t.ndim = static_cast<int>(shape_.size());
        t.dtype = DLTypeOf<T>::get();
        t.shape = shape_.data();
        t.strides = nullptr;
        t.byte_offset = 0;
        return t;
    }

private:
    std::vector<int64_t> shape_;
    std::vector<T> data_;
};

}  // namespace idlab::test
