// A host-owned, 64-byte aligned CPU tensor that hands out DLPack views. Allocated before the
// training loop starts; the loop only hands out views.
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::host {

class TensorBuffer {
public:
    TensorBuffer() = default;
    TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape);

    const std::string& name() const { return name_; }
    idlab_dtype_t dtype() const { return dtype_; }
    const std::vector<int64_t>& shape() const { return shape_; }
    int64_t rows() const { return shape_.empty() ? 0 : shape_[0]; }
    // Elements per row (1 for a 1-D tensor).
    int64_t row_elements() const;
    size_t element_bytes() const;
    void* data() { return storage_.get(); }
    template <class T> T* as() { return static_cast<T*>(data()); }

    // A view of the whole tensor.
    DLTensor view();
    // A view of rows [first, first + count), used to encode evaluation samples in chunks;
    // valid until the next row_view() of this buffer.
    DLTensor row_view(int64_t first, int64_t count);

private:
    struct Free { void operator()(void* p) const; };
    std::string name_;
    idlab_dtype_t dtype_ = IDLAB_DTYPE_F32;
    std::vector<int64_t> shape_;
    std::vector<int64_t> chunk_shape_;  // the shape a row_view reports; kept here so it outlives calls
    std::unique_ptr<void, Free> storage_;
};

}  // namespace idlab::host
