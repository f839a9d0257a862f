// pyspike._native: loads a generated library, CPU or CUDA, and calls its C ABI.
//
// A generated library exports:
//   int         pyspike_abi_version(void);
//   const char* pyspike_manifest(void);      /* JSON: what pyspike_run receives */
//   int64_t     pyspike_run(void** arrays, const int64_t* iargs, const double* rargs,
//                           int64_t n_steps);
//   const char* pyspike_last_error(void);    /* optional: why a run returned < 0 */
//   void        pyspike_set_threads(int32_t);               /* CPU: threads of a run */
//   void        pyspike_set_parallel_neurons(int64_t);      /* CPU: from how many neurons */
//   int32_t     pyspike_threads_used(void);                 /* CPU: those of the last run */
// Python owns every array.  run() passes NumPy arrays' data pointers (the CPU's
// libraries); run_pointers() passes addresses the caller owns (a CUDA library's device
// arrays).  Both release the GIL for the whole run, so a simulation of n steps is one
// call with no Python in between.  This is the one loader of the ABI, for both targets.
#include <dlfcn.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <vector>

#include "connect.h"
#include "delays.h"
#include "draws.h"
#include "pyspike/abi.h"

namespace py = pybind11;

namespace {

constexpr int kAbiVersion = PYSPIKE_ABI_VERSION;
using abi_fn = int (*)(void);
using text_fn = const char* (*)(void);
using run_fn = int64_t (*)(void**, const int64_t*, const double*, int64_t);
using set_threads_fn = void (*)(int32_t);
using set_neurons_fn = void (*)(int64_t);
using threads_used_fn = int32_t (*)(void);

class Library {
public:
    Library(const std::string& path, void* handle) : path_(path), handle_(handle) {}
    ~Library() { close(); }

    void init() {
        auto abi = reinterpret_cast<abi_fn>(dlsym(handle_, "pyspike_abi_version"));
        run_ = reinterpret_cast<run_fn>(dlsym(handle_, "pyspike_run"));
        manifest_ = reinterpret_cast<text_fn>(dlsym(handle_, "pyspike_manifest"));
        last_error_ = reinterpret_cast<text_fn>(dlsym(handle_, "pyspike_last_error"));
        set_threads_ = reinterpret_cast<set_threads_fn>(dlsym(handle_, "pyspike_set_threads"));
        set_neurons_ = reinterpret_cast<set_neurons_fn>(
            dlsym(handle_, "pyspike_set_parallel_neurons"));
        threads_used_ = reinterpret_cast<threads_used_fn>(dlsym(handle_, "pyspike_threads_used"));
        if (!abi || !run_) {
            close();
            throw std::runtime_error("compiled library " + path_ +
                                     " does not export the pyspike entry points");
        }
        const int version = abi();
        if (version != kAbiVersion) {
            close();
            throw std::runtime_error("compiled library " + path_ + " has ABI version " +
                                     std::to_string(version) + ", this pyspike expects " +
                                     std::to_string(kAbiVersion) + "; clear the cache");
        }
        if (!manifest_) {
            close();
            throw std::runtime_error("compiled library " + path_ +
                                     " does not export pyspike_manifest");
        }
    }

    std::string manifest() const {
        if (!handle_) throw std::runtime_error("library closed");
        return manifest_();
    }

    // Why the last run returned < 0, if the library says ("" if it cannot).
    std::string last_error() const {
        if (!handle_) throw std::runtime_error("library closed");
        const char* text = last_error_ ? last_error_() : nullptr;
        return text ? text : "";
    }

    // The threads the next runs may use, from `parallel_neurons` neurons per instance on
    // (a CPU library; a run starts its threads and joins them before it returns).
    void set_threads(int32_t threads, int64_t parallel_neurons) {
        if (!handle_) throw std::runtime_error("library closed");
        if (!set_threads_ || !set_neurons_)
            throw std::runtime_error("compiled library " + path_ + " runs on one thread only");
        set_threads_(threads < 1 ? 1 : threads);
        set_neurons_(parallel_neurons);
    }

    // The threads the last run of this library used (1 if it cannot say).
    int32_t threads_used() const {
        if (!handle_) throw std::runtime_error("library closed");
        return threads_used_ ? threads_used_() : 1;
    }

    // A run over addresses the caller owns (0: no array), e.g. a GPU's device arrays.
    int64_t run_pointers(const std::vector<uintptr_t>& pointers, const py::array& iargs,
                         const py::array& rargs, int64_t n_steps) {
        if (!handle_) throw std::runtime_error("library closed");
        std::vector<void*> ptrs;
        ptrs.reserve(pointers.size());
        for (uintptr_t p : pointers) ptrs.push_back(reinterpret_cast<void*>(p));
        return call(ptrs, iargs, rargs, n_steps);
    }

    int64_t run(const py::list& arrays, const py::array& iargs, const py::array& rargs,
                int64_t n_steps) {
        if (!handle_) throw std::runtime_error("library closed");
        std::vector<void*> ptrs;
        ptrs.reserve(arrays.size());
        for (size_t k = 0; k < arrays.size(); ++k) {
            py::handle item = arrays[k];
            if (!py::isinstance<py::array>(item))
                throw py::type_error("arrays[" + std::to_string(k) + "] is not a numpy array");
            auto a = py::reinterpret_borrow<py::array>(item);
            if (!(a.flags() & py::array::c_style))
                throw py::value_error("arrays[" + std::to_string(k) + "] is not C-contiguous");
            if (!a.writeable())
                throw py::value_error("arrays[" + std::to_string(k) + "] is read-only");
            ptrs.push_back(a.mutable_data());
        }
        return call(ptrs, iargs, rargs, n_steps);
    }

    void close() {
        if (handle_) dlclose(handle_);
        handle_ = nullptr;
        run_ = nullptr;
        manifest_ = nullptr;
        last_error_ = nullptr;
        set_threads_ = nullptr;
        set_neurons_ = nullptr;
        threads_used_ = nullptr;
    }

    const std::string& path() const { return path_; }

private:
    int64_t call(std::vector<void*>& ptrs, const py::array& iargs, const py::array& rargs,
                 int64_t n_steps) {
        const int64_t* ip = checked<int64_t>(iargs, "iargs");
        const double* rp = checked<double>(rargs, "rargs");
        int64_t done;
        {
            py::gil_scoped_release release;
            done = run_(ptrs.data(), ip, rp, n_steps);
        }
        return done;
    }

    template <typename T>
    static const T* checked(const py::array& a, const char* name) {
        if (!py::isinstance<py::array_t<T>>(a) || !(a.flags() & py::array::c_style))
            throw py::type_error(std::string(name) + " must be a C-contiguous " +
                                 (sizeof(T) == 8 && std::is_integral<T>::value ? "int64"
                                                                                : "float64") +
                                 " array");
        return static_cast<const T*>(a.data());
    }

    std::string path_;
    void* handle_ = nullptr;
    run_fn run_ = nullptr;
    text_fn manifest_ = nullptr;
    text_fn last_error_ = nullptr;
    set_threads_fn set_threads_ = nullptr;
    set_neurons_fn set_neurons_ = nullptr;
    threads_used_fn threads_used_ = nullptr;
};

std::unique_ptr<Library> open_library(const std::string& path) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        PyErr_SetString(PyExc_OSError, ("cannot load compiled library " + path + ": " +
                                        (why ? why : "unknown error")).c_str());
        throw py::error_already_set();
    }
    auto lib = std::make_unique<Library>(path, handle);
    lib->init();
    return lib;
}

}  // namespace

PYBIND11_MODULE(_native, m) {
    m.doc() = "Loads pyspike's generated libraries and runs them (the GIL is released).";
    m.attr("ABI_VERSION") = kAbiVersion;
    py::class_<Library>(m, "Library")
        .def(py::init(&open_library), py::arg("path"))
        .def("run", &Library::run, py::arg("arrays"), py::arg("iargs"), py::arg("rargs"),
             py::arg("n_steps"))
        .def("run_pointers", &Library::run_pointers, py::arg("pointers"), py::arg("iargs"),
             py::arg("rargs"), py::arg("n_steps"))
        .def("set_threads", &Library::set_threads, py::arg("threads"),
             py::arg("parallel_neurons"))
        .def("threads_used", &Library::threads_used)
        .def("manifest", &Library::manifest)
        .def("last_error", &Library::last_error)
        .def("close", &Library::close)
        .def_property_readonly("path", &Library::path);
    register_connect(m);
    register_delays(m);
    register_draws(m);
}
