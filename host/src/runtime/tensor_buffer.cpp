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

bool idlab_dtype_of(const DLDataType& t, idlab_dtype_t& out) {
    if (t.lanes != 1) return false;
    if (t.code == kDLFloat && t.bits == 32) out = IDLAB_DTYPE_F32;
    else if (t.code == kDLFloat && t.bits == 64) out = IDLAB_DTYPE_F64;
    else if (t.code == kDLInt && t.bits == 64) out = IDLAB_DTYPE_I64;
    else return false;
    return true;
}

void TensorStorageFree::operator()(void* p) const {
    if (device) device->release(p);
    else std::free(p);
}

TensorBuffer::TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape)
    : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)), chunk_shape_(shape_) {
    allocate(nullptr);
}

TensorBuffer::TensorBuffer(std::string name, idlab_dtype_t dtype, std::vector<int64_t> shape,
                           DeviceRuntime& device)
    : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)), chunk_shape_(shape_) {
    allocate(device.is_cpu() ? nullptr : &device);
}

void TensorBuffer::allocate(DeviceRuntime* device) {
    const size_t alignment = 64;
    size_t size = (bytes() + alignment - 1) / alignment * alignment;
    if (size == 0) size = alignment;
    if (!device) {
        void* p = std::aligned_alloc(alignment, size);
        if (!p) throw std::bad_alloc();
        std::memset(p, 0, size);
        storage_ = std::unique_ptr<void, Free>(p, Free{nullptr});
        return;
    }
    storage_ = std::unique_ptr<void, Free>(device->allocate(size), Free{device});
    device_ = device->device();
    device->zero(storage_.get(), size);
}

int64_t TensorBuffer::row_elements() const {
    int64_t n = 1;
    for (size_t d = 1; d < shape_.size(); ++d) n *= shape_[d];
    return n;
}

size_t TensorBuffer::element_bytes() const {
    return dtype_ == IDLAB_DTYPE_F32 ? 4 : 8;
}

size_t TensorBuffer::bytes() const {
    size_t n = element_bytes();
    for (int64_t s : shape_) n *= static_cast<size_t>(s);
    return n;
}

DLTensor TensorBuffer::view() {
    DLTensor t{};
    t.data = storage_.get();
    t.device = device_;
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
