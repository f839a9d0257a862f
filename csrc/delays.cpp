// delay_index: the synapses of each presynaptic neuron sorted by their delay in steps, for
// the delayed pathway (a spike of neuron i at step n reaches, at step n + d, the synapses
// order[doff[i R + d] .. doff[i R + d + 1])).
//
// It does what NumPy did in pyspike/synapses_runtime.py (steps = floor(delay / dt + 0.5),
// a stable lexsort by (row, steps), bincount and cumsum) with the same double arithmetic and
// the same (stable) order, without NumPy's temporaries: those took 40 bytes per synapse of
// the largest Synapses at build time, more than the synapses themselves keep.
#include "delays.h"

#include <pybind11/numpy.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace py = pybind11;

namespace {

using Row = py::array_t<int64_t, py::array::c_style>;
using Delay = py::array_t<double, py::array::c_style>;

inline int64_t steps_of(double delay, double dt) { return (int64_t)std::floor(delay / dt + 0.5); }

// The largest delay in steps, every delay checked to be finite and >= 0.
int64_t largest_steps(const double* delay, int64_t n, double dt) {
    int64_t largest = 0;
    for (int64_t s = 0; s < n; ++s) {
        const double d = delay[s];
        if (!(d >= 0.0) || !std::isfinite(d))
            throw py::value_error("delays must be finite and >= 0");
        const int64_t k = steps_of(d, dt);
        if (k > largest) largest = k;
    }
    return largest;
}

// The row offsets of n synapses, checked.
const int64_t* checked_rows(const Row& row_array, int64_t n) {
    if (row_array.ndim() != 1 || row_array.shape(0) < 1)
        throw py::value_error("row must be a 1-d array of n_pre + 1 offsets");
    const int64_t* row = row_array.data();
    const int64_t n_pre = row_array.shape(0) - 1;
    if (row[0] != 0 || row[n_pre] != n)
        throw py::value_error("row must run from 0 to the number of synapses, " +
                              std::to_string(n));
    return row;
}

// (order, doff int32[n_pre R + 1], R) from the steps of each synapse, step(s): order holds
// the synapses' numbers (int32), or where in_row their places within their rows (uint16,
// for rows of at most 65,536 synapses: 2 bytes, not 4).  Synapse numbers and the offsets
// into order both fit 32 bits.
template <typename Order, typename Steps>
py::tuple index_into(const int64_t* row, int64_t n_pre, int64_t n, int64_t R, Steps step) {
    py::array_t<Order> order_array(n);
    py::array_t<int32_t> doff_array(n_pre * R + 1);
    Order* order = order_array.mutable_data();
    int32_t* doff = doff_array.mutable_data();
    {
        py::gil_scoped_release release;
        std::vector<int64_t> next(R);
        doff[0] = 0;
        for (int64_t i = 0; i < n_pre; ++i) {
            int32_t* counts = doff + i * R + 1;   // counts[d]: synapses of (i, d)
            for (int64_t d = 0; d < R; ++d) counts[d] = 0;
            for (int64_t s = row[i]; s < row[i + 1]; ++s) ++counts[step(s)];
            for (int64_t d = 0; d < R; ++d) {   // counts become ends; next: where (i, d) goes
                next[d] = counts[d - 1];
                counts[d] += counts[d - 1];
            }
            const int64_t base = std::is_same<Order, uint16_t>::value ? row[i] : 0;
            for (int64_t s = row[i]; s < row[i + 1]; ++s)   // in order: stable, as lexsort
                order[next[step(s)]++] = (Order)(s - base);
        }
    }
    return py::make_tuple(order_array, doff_array, R);
}

template <typename Steps>
py::tuple index_of(const int64_t* row, int64_t n_pre, int64_t n, int64_t largest, Steps step,
                   bool in_row) {
    if (n > INT32_MAX)
        throw py::value_error("a delayed pathway of more than 2**31 - 1 synapses (" +
                              std::to_string(n) + ") is not supported: split the Synapses");
    if (largest >= (int64_t(1) << 31) || (n_pre + 1) * (largest + 1) >= (int64_t(1) << 40))
        throw py::value_error("delays of up to " + std::to_string(largest) + " steps are too long");
    if (in_row) {
        for (int64_t i = 0; i < n_pre; ++i)
            if (row[i + 1] - row[i] > 65536)
                throw py::value_error("a row of " + std::to_string(row[i + 1] - row[i]) +
                                      " synapses has places beyond 2 bytes (in_row)");
        return index_into<uint16_t>(row, n_pre, n, largest + 1, step);
    }
    return index_into<int32_t>(row, n_pre, n, largest + 1, step);
}

// (order int32[n], doff int32[n_pre R + 1], R): R = the largest delay in steps + 1.
py::tuple delay_index(const Row& row_array, const Delay& delay_array, double dt, bool in_row) {
    if (delay_array.ndim() != 1)
        throw py::value_error("delay must be a 1-d array of one delay per synapse");
    if (!(dt > 0.0)) throw py::value_error("dt must be > 0");
    const int64_t n = delay_array.shape(0);
    const int64_t* row = checked_rows(row_array, n);
    const double* delay = delay_array.data();
    const int64_t largest = largest_steps(delay, n, dt);
    return index_of(row, row_array.shape(0) - 1, n, largest,
                    [delay, dt](int64_t s) { return steps_of(delay[s], dt); }, in_row);
}

// The same from delays given as whole steps (uint8, uint16 or uint32: compact_delays).
template <typename T>
py::tuple step_index(const Row& row_array, const py::array_t<T, py::array::c_style>& steps,
                     bool in_row) {
    if (steps.ndim() != 1)
        throw py::value_error("steps must be a 1-d array of one delay per synapse");
    const int64_t n = steps.shape(0);
    const int64_t* row = checked_rows(row_array, n);
    const T* k = steps.data();
    int64_t largest = 0;
    for (int64_t s = 0; s < n; ++s) largest = std::max<int64_t>(largest, k[s]);
    return index_of(row, row_array.shape(0) - 1, n, largest,
                    [k](int64_t s) { return (int64_t)k[s]; }, in_row);
}

// Writes the steps of every delay into out, once the smallest type is known.
template <typename T>
py::array compact_into(const double* delay, int64_t n, double dt) {
    py::array_t<T> out(n);
    T* k = out.mutable_data();
    for (int64_t s = 0; s < n; ++s) k[s] = (T)steps_of(delay[s], dt);
    return std::move(out);
}

// A delay of k steps as a number of ms: k * dt, or, where dt is a decimal m / q (q > 0, a
// power of ten, as 0.1 is 1 / 10), the double nearest k m / q, which is what a user who
// typed the delay in decimals gave (3 * 0.1 is not 0.3, but 3 / 10 is).
inline double ms_of(int64_t k, double dt, double m, double q) {
    return q > 0.0 ? (double)k * m / q : (double)k * dt;
}

// Delays that are all whole steps of dt (ms_of(steps) == delay, exactly) as their steps in
// the smallest unsigned type that holds them; None where any is not.  Two passes over the
// delays and no temporary: 1-4 bytes per synapse in place of the 8 of a double.
py::object compact_delays(const Delay& delay_array, double dt, double m, double q) {
    if (delay_array.ndim() != 1)
        throw py::value_error("delay must be a 1-d array of one delay per synapse");
    if (!(dt > 0.0)) throw py::value_error("dt must be > 0");
    const int64_t n = delay_array.shape(0);
    const double* delay = delay_array.data();
    int64_t largest = 0;
    for (int64_t s = 0; s < n; ++s) {
        const double d = delay[s];
        if (!(d >= 0.0) || !std::isfinite(d) || std::floor(d / dt + 0.5) > (double)UINT32_MAX)
            return py::none();
        const int64_t k = steps_of(d, dt);
        if (ms_of(k, dt, m, q) != d) return py::none();
        if (k > largest) largest = k;
    }
    if (largest <= UINT8_MAX) return compact_into<uint8_t>(delay, n, dt);
    if (largest <= UINT16_MAX) return compact_into<uint16_t>(delay, n, dt);
    return compact_into<uint32_t>(delay, n, dt);
}

}  // namespace

void register_delays(py::module_& m) {
    m.def("delay_index", &delay_index, py::arg("row"), py::arg("delay"), py::arg("dt"),
          py::arg("in_row") = false,
          "(order, doff, R) of a delayed pathway: the synapses of each row (CSR offsets "
          "`row`) stably sorted by their delay in steps, floor(delay / dt + 0.5); doff[i R + "
          "d] is where the synapses of row i with delay d start in order; in_row: order holds "
          "each synapse's place in its row (uint16), not its number (int32).");
    m.def("step_index", &step_index<uint8_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false);
    m.def("step_index", &step_index<uint16_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false);
    m.def("step_index", &step_index<uint32_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false,
          "delay_index's (order, doff, R) from delays given in whole steps (uint8, uint16 or "
          "uint32, as compact_delays gives them).");
    m.def("compact_delays", &compact_delays, py::arg("delay"), py::arg("dt"), py::arg("m"),
          py::arg("q"),
          "The steps k of delays that are all whole steps of dt (k * dt == delay exactly, or, "
          "where q > 0, k * m / q == delay: dt = m / q in decimals), in the smallest of uint8, "
          "uint16 and uint32 that holds them; None otherwise.");
}
