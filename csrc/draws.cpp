// philox_rand / philox_randn: the uniforms and normals of csrc/pyspike/philox.h for an array
// of elements, as pyspike/random.py's rand and randn compute them, bit for bit (its header
// comment and tests/pyspike/test_draws_native.py), but compiled.  Initial values given as
// text ("0.5 + 0.1*randn()") draw one number per neuron or synapse: NumPy's Philox and
// Box-Muller took about 260 ns per normal, which made such a value for 10^8 synapses take
// minutes.  The NumPy reference backend keeps pyspike/random.py for its own draws.
#include "draws.h"

#include <pybind11/numpy.h>

#include <cstdint>

#include "pyspike/philox.h"

namespace py = pybind11;

namespace {

using Elements = py::array_t<uint32_t, py::array::c_style | py::array::forcecast>;

// Whether the elements are first, first + 1, ... (a whole group's or Synapses' numbers).
bool consecutive(const uint32_t* e, int64_t n) {
    for (int64_t k = 1; k < n; ++k)
        if (e[k] != e[0] + (uint32_t)k) return false;
    return true;
}

// The uniform of every element: elements 2k and 2k + 1 share block k, drawn once where
// both are asked for in a row (as the numbers are the same, only the work is shared).
void uniforms(uint64_t seed, uint64_t step, const uint32_t* e, int64_t n, uint32_t stream,
              double* o) {
    const bool row = consecutive(e, n);
    int64_t k = 0;
    while (k < n) {
        if (row && (e[k] & 1u) == 0 && k + 1 < n) {
            const ps_u32x4 r = ps_philox_draw(seed, step, e[k] >> 1, stream);
            o[k] = ps_rand_pair_f64(r, 0u);
            o[k + 1] = ps_rand_pair_f64(r, 1u);
            k += 2;
        } else {
            o[k] = ps_rand_f64(seed, step, e[k], stream);
            ++k;
        }
    }
}

// The normal of every element: a whole group of 64 consecutive elements takes its 16
// blocks once, each giving four normals (ps_randn_block: element 16 p + j is part p of
// block j); elements outside whole groups are drawn one by one.
void normals(uint64_t seed, uint64_t step, const uint32_t* e, int64_t n, uint32_t stream,
             double* o) {
    const bool row = consecutive(e, n);
    int64_t k = 0;
    while (k < n) {
        if (row && (e[k] & 63u) == 0 && k + 64 <= n) {
            for (uint32_t j = 0; j < 16; ++j) {
                const ps_u32x4 r = ps_philox_draw(seed, step, ps_randn_block(e[k] + j),
                                                  stream);
                const ps_f32x2 first = ps_box_muller(r.x, r.y);
                const ps_f32x2 second = ps_box_muller(r.z, r.w);
                o[k + j] = (double)first.c;
                o[k + 16 + j] = (double)first.s;
                o[k + 32 + j] = (double)second.c;
                o[k + 48 + j] = (double)second.s;
            }
            k += 64;
        } else {
            o[k] = ps_randn_f64(seed, step, e[k], stream);
            ++k;
        }
    }
}

// fill(seed, step, e, n, stream, out) over the elements, without the GIL.
template <typename Fill>
py::array_t<double> drawn(uint64_t seed, uint64_t step, const Elements& elem, uint32_t stream,
                          Fill fill) {
    if (elem.ndim() != 1) throw py::value_error("elem must be a 1-d array of elements");
    const int64_t n = elem.shape(0);
    py::array_t<double> out(n);
    const uint32_t* e = elem.data();
    double* o = out.mutable_data();
    {
        py::gil_scoped_release released;
        fill(seed, step, e, n, stream, o);
    }
    return out;
}

}  // namespace

void register_draws(py::module_& m) {
    m.def("philox_rand",
          [](uint64_t seed, uint64_t step, const Elements& elem, uint32_t stream) {
              return drawn(seed, step, elem, stream, uniforms);
          },
          py::arg("seed"), py::arg("step"), py::arg("elem"), py::arg("stream"),
          "Uniforms in [0, 1) (53 bits) of elements elem: pyspike.random.rand, compiled.");
    m.def("philox_randn",
          [](uint64_t seed, uint64_t step, const Elements& elem, uint32_t stream) {
              return drawn(seed, step, elem, stream, normals);
          },
          py::arg("seed"), py::arg("step"), py::arg("elem"), py::arg("stream"),
          "Standard normals of elements elem: pyspike.random.randn, compiled.");
}
