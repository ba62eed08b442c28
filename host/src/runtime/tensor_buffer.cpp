#include "runtime/tensor_buffer.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace idlab::host {

namespace {
DLDataType dl_type(idlab_dtype_t dtype) {
    switch (dtype) {
        case IDLAB_DTYPE_I64: return DLDataType{kDLInt, 64, 1};
        case IDLAB_DTYPE_F64: return DLDataType{kDLFloat, 64, 1};
        case IDLAB_DTYPE_F32: break;
    }
    return DLDataType{kDLFloat, 32, 1};
}
}  // namespace

void TensorBuffer::Free::operator()(void* p) const { std::free(p); }

TensorBuffer::TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape)
    : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)), chunk_shape_(shape_) {
    size_t bytes = element_bytes();
    for (int64_t s : shape_) bytes *= static_cast<size_t>(s);
    const size_t alignment = 64;
    bytes = (bytes + alignment - 1) / alignment * alignment;
    if (bytes == 0) bytes = alignment;
    void* p = std::aligned_alloc(alignment, bytes);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    storage_.reset(p);
}

int64_t TensorBuffer::row_elements() const {
    int64_t n = 1;
    for (size_t d = 1; d < shape_.size(); ++d) n *= shape_[d];
    return n;
}

size_t TensorBuffer::element_bytes() const {
    return dtype_ == IDLAB_DTYPE_F32 ? 4 : 8;
}

DLTensor TensorBuffer::view() {
    DLTensor t{};
    t.data = storage_.get();
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = static_cast<int>(shape_.size());
    t.dtype = dl_type(dtype_);
    t.shape = shape_.data();
    t.strides = nullptr;
    t.byte_offset = 0;
    return t;
}

DLTensor TensorBuffer::row_view(int64_t first, int64_t count) {
    DLTensor t = view();
    chunk_shape_[0] = count;
    t.shape = chunk_shape_.data();
    t.byte_offset = static_cast<uint64_t>(first) * static_cast<uint64_t>(row_elements()) * element_bytes();
    return t;
}

}  // namespace idlab::host
