// The Python side of the connectivity builders (connect.cpp): arguments checked with
// messages that name them, the GIL released while building, the results handed to NumPy
// without a copy.
#include "connect.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connect_builders.h"

namespace py = pybind11;
using namespace pyspike_connect;

namespace {

uint64_t checked_uint(const py::object& value, uint64_t limit, const char* name,
                      const char* range) {
    // PyNumber_Index takes Python and NumPy integers and refuses floats (TypeError).
    auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    const unsigned long long v = PyLong_AsUnsignedLongLong(index.ptr());
    const bool overflow = v == static_cast<unsigned long long>(-1) && PyErr_Occurred();
    if (overflow) PyErr_Clear();  // negative or beyond 64 bits
    if (overflow || v > limit)
        throw py::value_error(std::string(name) + " must be an integer in " + range +
                              ", got " + std::string(py::repr(value)));
    return v;
}

Key checked_key(const py::object& seed, const py::object& stream) {
    return Key{checked_uint(seed, UINT64_MAX, "seed", "[0, 2**64)"),
               static_cast<uint32_t>(checked_uint(stream, UINT32_MAX, "stream", "[0, 2**32)"))};
}

void check_size(int64_t n, const char* name) {
    if (n < 0 || n >= kMaxSize)
        throw py::value_error(std::string(name) + " must be in [0, 2**31), got " +
                              std::to_string(n));
}

// The shift from a row to its excluded column: +self_offset when rows are presynaptic,
// -self_offset when they are postsynaptic; kFar (nothing excluded) without self_offset.
int64_t row_shift(const std::optional<int64_t>& self_offset, bool rows_are_post) {
    if (!self_offset) return kFar;
    const int64_t off = std::clamp(*self_offset, -kFar, kFar);
    return rows_are_post ? -off : off;
}

// k per row must be possible in every row: without multapses k distinct allowed columns,
// with them at least one allowed column (when k > 0).
void check_degree(int64_t k, int64_t n_rows, int64_t n_cols, int64_t shift, bool multapses,
                  const char* cols) {
    check_size(k, "k");
    if (n_rows == 0 || k == 0) return;
    const int64_t fewest = n_cols - (excluded_count(n_rows, n_cols, shift) > 0 ? 1 : 0);
    if (!multapses && k > fewest)
        throw py::value_error("k = " + std::to_string(k) + " distinct partners are asked for, " +
                              "but some neuron has only " + std::to_string(fewest) + " " + cols +
                              " partners to choose from (set multapses=True to allow repeats)");
    if (multapses && fewest == 0)
        throw py::value_error("k = " + std::to_string(k) + " partners are asked for, but some " +
                              "neuron has no " + cols + " partner to choose from");
}

void check_threads(int threads) {
    if (threads < 1 || threads > 4096)
        throw py::value_error("threads must be in [1, 4096], got " + std::to_string(threads));
}

// A 1-d int32 array that takes over the vector's buffer (no copy): a capsule owns it.
py::array_t<int32_t> to_numpy(Column&& v) {
    auto owned = std::make_unique<Column>(std::move(v));
    const auto n = static_cast<py::ssize_t>(owned->size());
    int32_t* data = owned->data();
    py::capsule base(owned.get(),
                     [](void* p) { delete static_cast<Column*>(p); });
    owned.release();  // the capsule owns it now
    return py::array_t<int32_t>({n}, {py::ssize_t(sizeof(int32_t))}, data, base);
}

py::tuple to_numpy(Pairs&& pairs) {
    auto i = to_numpy(std::move(pairs.i));
    auto j = to_numpy(std::move(pairs.j));
    return py::make_tuple(std::move(i), std::move(j));
}

// Runs build() with the GIL released (it sees plain C++ values only), then wraps the result.
template <typename Build>
py::tuple build_released(Build build) {
    Pairs out;
    {
        py::gil_scoped_release release;
        out = build();
    }
    return to_numpy(std::move(out));
}

py::tuple fixed_probability(const py::object& seed, const py::object& stream, int64_t n_pre,
                            int64_t n_post, double p, std::optional<int64_t> self_offset,
                            int64_t per_pair) {
    const Key key = checked_key(seed, stream);
    check_size(n_pre, "n_pre");
    check_size(n_post, "n_post");
    if (!(p >= 0.0 && p <= 1.0))  // NaN fails too
        throw py::value_error("p must be a probability in [0, 1], got " +
                              std::string(py::repr(py::float_(p))));
    if (per_pair < 1 || per_pair >= kMaxSize)
        throw py::value_error("per_pair must be in [1, 2**31), got " + std::to_string(per_pair));
    const int64_t shift = row_shift(self_offset, false);
    return build_released(
        [&] { return build_fixed_probability(key, n_pre, n_post, p, shift, per_pair); });
}

// The checks both fixed-degree rules make, then `build` (key, shift) with the GIL released.
// The rows drawn are postsynaptic for fixed_indegree (each row picks presynaptic partners).
template <typename Build>
py::tuple fixed_degree(const py::object& seed, const py::object& stream, int64_t n_pre,
                       int64_t n_post, int64_t k, const std::optional<int64_t>& self_offset,
                       bool multapses, int threads, bool rows_are_post, Build build) {
    const Key key = checked_key(seed, stream);
    check_size(n_pre, "n_pre");
    check_size(n_post, "n_post");
    const int64_t shift = row_shift(self_offset, rows_are_post);
    if (rows_are_post)
        check_degree(k, n_post, n_pre, shift, multapses, "presynaptic");
    else
        check_degree(k, n_pre, n_post, shift, multapses, "postsynaptic");
    check_threads(threads);
    return build_released([&] { return build(key, shift); });
}

py::tuple fixed_indegree(const py::object& seed, const py::object& stream, int64_t n_pre,
                         int64_t n_post, int64_t k, std::optional<int64_t> self_offset,
                         bool multapses, int threads) {
    return fixed_degree(seed, stream, n_pre, n_post, k, self_offset, multapses, threads, true,
                        [&](Key key, int64_t shift) {
                            return build_fixed_indegree(key, n_pre, n_post, k, shift,
                                                        multapses, threads);
                        });
}

py::tuple fixed_outdegree(const py::object& seed, const py::object& stream, int64_t n_pre,
                          int64_t n_post, int64_t k, std::optional<int64_t> self_offset,
                          bool multapses, int threads) {
    return fixed_degree(seed, stream, n_pre, n_post, k, self_offset, multapses, threads, false,
                        [&](Key key, int64_t shift) {
                            return build_fixed_outdegree(key, n_pre, n_post, k, shift,
                                                         multapses, threads);
                        });
}

}  // namespace

void register_connect(py::module_& m) {
    m.def("connect_fixed_probability", &fixed_probability, py::arg("seed"), py::arg("stream"),
          py::arg("n_pre"), py::arg("n_post"), py::arg("p"), py::arg("self_offset") = py::none(),
          py::arg("per_pair") = 1,
          "Synapses (i, j), int32 arrays in CSR order: each pair connected independently "
          "with probability p, per_pair times; pairs with j == i + self_offset excluded.");
    m.def("connect_fixed_indegree", &fixed_indegree, py::arg("seed"), py::arg("stream"),
          py::arg("n_pre"), py::arg("n_post"), py::arg("k"), py::arg("self_offset") = py::none(),
          py::arg("multapses") = false,
          py::arg("threads") = 1,
          "Synapses (i, j), int32 arrays in CSR order: each postsynaptic j gets k presynaptic "
          "i drawn uniformly (distinct unless multapses), never j == i + self_offset; rows drawn "
          "on `threads` threads, with the same result for any number.");
    m.def("connect_fixed_outdegree", &fixed_outdegree, py::arg("seed"), py::arg("stream"),
          py::arg("n_pre"), py::arg("n_post"), py::arg("k"), py::arg("self_offset") = py::none(),
          py::arg("multapses") = false,
          py::arg("threads") = 1,
          "Synapses (i, j), int32 arrays in CSR order: each presynaptic i gets k postsynaptic "
          "j drawn uniformly (distinct unless multapses), never j == i + self_offset; rows drawn "
          "on `threads` threads, with the same result for any number.");
}
