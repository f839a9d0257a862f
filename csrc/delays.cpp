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
#include <cstdint>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

using Row = py::array_t<int64_t, py::array::c_style>;
using Delay = py::array_t<double, py::array::c_style>;

inline int64_t steps_of(double delay, double dt) { return (int64_t)std::floor(delay / dt + 0.5); }

// (order int32[n], doff int64[n_pre R + 1], R): R = the largest delay in steps + 1.
py::tuple delay_index(const Row& row_array, const Delay& delay_array, double dt) {
    if (row_array.ndim() != 1 || row_array.shape(0) < 1)
        throw py::value_error("row must be a 1-d array of n_pre + 1 offsets");
    if (delay_array.ndim() != 1)
        throw py::value_error("delay must be a 1-d array of one delay per synapse");
    if (!(dt > 0.0)) throw py::value_error("dt must be > 0");
    const int64_t n_pre = row_array.shape(0) - 1;
    const int64_t n = delay_array.shape(0);
    const int64_t* row = row_array.data();
    const double* delay = delay_array.data();
    if (row[0] != 0 || row[n_pre] != n)
        throw py::value_error("row must run from 0 to the number of synapses, " +
                              std::to_string(n));
    int64_t largest = 0;
    for (int64_t s = 0; s < n; ++s) {
        const double d = delay[s];
        if (!(d >= 0.0) || !std::isfinite(d))
            throw py::value_error("delays must be finite and >= 0");
        const int64_t k = steps_of(d, dt);
        if (k > largest) largest = k;
    }
    if (largest >= (int64_t(1) << 31) || (n_pre + 1) * (largest + 1) >= (int64_t(1) << 40))
        throw py::value_error("delays of up to " + std::to_string(largest) + " steps are too long");
    const int64_t R = largest + 1;
    py::array_t<int32_t> order_array(n);
    py::array_t<int64_t> doff_array(n_pre * R + 1);
    int32_t* order = order_array.mutable_data();
    int64_t* doff = doff_array.mutable_data();
    {
        py::gil_scoped_release release;
        std::vector<int64_t> next(R);
        doff[0] = 0;
        for (int64_t i = 0; i < n_pre; ++i) {
            int64_t* counts = doff + i * R + 1;   // counts[d]: synapses of (i, d)
            for (int64_t d = 0; d < R; ++d) counts[d] = 0;
            for (int64_t s = row[i]; s < row[i + 1]; ++s) ++counts[steps_of(delay[s], dt)];
            for (int64_t d = 0; d < R; ++d) {   // counts become ends; next: where (i, d) goes
                next[d] = counts[d - 1];
                counts[d] += counts[d - 1];
            }
            for (int64_t s = row[i]; s < row[i + 1]; ++s)   // in order: stable, as lexsort
                order[next[steps_of(delay[s], dt)]++] = (int32_t)s;
        }
    }
    return py::make_tuple(order_array, doff_array, R);
}

}  // namespace

void register_delays(py::module_& m) {
    m.def("delay_index", &delay_index, py::arg("row"), py::arg("delay"), py::arg("dt"),
          "(order, doff, R) of a delayed pathway: the synapses of each row (CSR offsets "
          "`row`) stably sorted by their delay in steps, floor(delay / dt + 0.5); doff[i R + "
          "d] is where the synapses of row i with delay d start in order.");
}
