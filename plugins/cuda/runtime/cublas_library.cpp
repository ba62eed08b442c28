#include "cublas_library.hpp"

#include <idlab/plugin.hpp>

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace idlab::cuda {

namespace {

#if defined(IDLAB_CUDA_EMULATION)

CublasLibrary load() {
    return CublasLibrary{&cublasCreate, &cublasDestroy, &cublasSetStream, &cublasSetWorkspace,
                         &cublasSetMathMode, &cublasSgemm, &cublasGetStatusName, &cublasGetStatusString};
}

#else

// The cuBLAS of the toolkit this plugin was built with: by its soname on the loader's path,
// else in the toolkit's library folder of the build machine.
void* open_cublas(std::string& tried) {
    const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    for (const std::string& path : {soname, std::string(IDLAB_CUDA_LIBRARY_DIR) + "/" + soname}) {
        if (void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return lib;
        const char* why = dlerror();
        tried += (tried.empty() ? "" : "; ") + path + ": " + (why ? why : "not found");
    }
    return nullptr;
}

template <class F>
void resolve(void* lib, const char* name, F& fn) {
    fn = reinterpret_cast<F>(dlsym(lib, name));
    if (!fn) throw idlab::Error(IDLAB_STATUS_DEVICE_ERROR, std::string("cuBLAS has no function ") + name);
}

CublasLibrary load() {
    std::string tried;
    void* lib = open_cublas(tried);  // kept open for the life of the process
    if (!lib) throw idlab::Error(IDLAB_STATUS_DEVICE_ERROR, "cannot load cuBLAS (" + tried + ")");
    CublasLibrary c{};
    resolve(lib, "cublasCreate_v2", c.create);
    resolve(lib, "cublasDestroy_v2", c.destroy);
    resolve(lib, "cublasSetStream_v2", c.set_stream);
    resolve(lib, "cublasSetWorkspace_v2", c.set_workspace);
    resolve(lib, "cublasSetMathMode", c.set_math_mode);
    resolve(lib, "cublasSgemm_v2", c.sgemm);
    resolve(lib, "cublasGetStatusName", c.status_name);
    resolve(lib, "cublasGetStatusString", c.status_string);
    return c;
}

#endif

}  // namespace

const CublasLibrary& cublas() {
    static std::once_flag once;
    static CublasLibrary library{};
    static std::string failure;
    std::call_once(once, [] {
        try {
            library = load();
        } catch (const std::exception& e) {
            failure = e.what();
        }
    });
    if (!failure.empty()) throw idlab::Error(IDLAB_STATUS_DEVICE_ERROR, failure);
    return library;
}

}  // namespace idlab::cuda
