// philox_rand / philox_randn: the uniforms and normals of csrc/pyspike/philox.h for an array
// of elements, as pyspike/random.py's rand and randn compute them, bit for bit (its header
// comment and tests/pyspike/test_draws_native.py), but compiled.  Initial values given as
// text ("0.5 + 0.1*randn()") draw one number per neuron or synapse: NumPy's Philox and
// Box-Muller took about 260 ns per normal, which made such a value for 10^8 synapses take
// minutes.  The NumPy reference backend keeps pyspike/random.py for its own draws.
#include "draws.h"

#include <pybind11/numpy.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "draws_fill.h"
#include "native_cpu.h"
#include "native_threads.h"
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

// ------------------------------------------------------------ values of a distribution
// draw_values: element e's value is a + b x, x = rand() or randn() of (seed, step, e,
// stream); a value outside [low, high] is drawn again, the r-th time at step - r 2^32
// (NEST's redraw: values of a truncated distribution).  Each element reads only its own
// counters, so the values are the same on any number of threads, and the NumPy twin
// (pyspike/distributions.py) gives them bit for bit.  Initial values take the steps
// INIT_STEP - k (codegen/streams.py), so the redraws' high words stay far from any other.

constexpr int kRedraws = 1000;       // a range this unlikely is refused, not drawn forever
constexpr int64_t kChunk = 4096;     // elements drawn at once (a multiple of 64)

struct Distribution {
    bool normal;
    double a, b, low, high;
    uint64_t seed, step;
    uint32_t stream;
    PsFills fills;
};

// The fills of the AVX2 build where the CPU has it, unless `portable` (for the tests of
// both).
const PsFills& fills_for(bool portable) {
#if defined(PS_DRAWS_AVX2)
    if (!portable && pyspike_native::has_avx2()) return ps_fills_avx2;
#endif
    (void)portable;
    return ps_fills_portable;
}

struct Outside {  // an element whose every draw fell outside [low, high], or too long
    uint32_t elem;
    bool too_long;
};

double redrawn(const Distribution& d, uint32_t e, double x) {
    for (int r = 1; !(x >= d.low && x <= d.high); ++r) {
        if (r > kRedraws) throw Outside{e, false};
        const uint64_t step = d.step - (uint64_t(r) << 32);
        x = d.a + d.b * (d.normal ? ps_randn_f64(d.seed, step, e, d.stream)
                                  : ps_rand_f64(d.seed, step, e, d.stream));
    }
    return x;
}

// The values of elements e0 .. e0 + m - 1 (e0 a multiple of 64) into v (room for m + 1:
// the uniforms' pair fill writes v[m] when m is odd).
void chunk_values(const Distribution& d, uint32_t e0, int32_t m, double* v) {
    d.fills.fill(d.normal, d.seed, d.step, d.stream, e0, m, v);
    for (int32_t k = 0; k < m; ++k) {
        const double x = d.a + d.b * v[k];
        v[k] = x >= d.low && x <= d.high ? x : redrawn(d, e0 + (uint32_t)k, x);
    }
}

// body(w, lo, hi) over [0, n) in ranges w of whole chunks, one per thread; the first
// error (by range) is thrown once all have stopped.
template <typename Body>
void on_threads(int64_t n, int64_t t, Body body) {
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    pyspike_native::on_threads(t, [&](int64_t w) {
        body(w, std::min(n, chunks * w / t * kChunk), std::min(n, chunks * (w + 1) / t * kChunk));
    });
}

// The delays of the distribution in whole steps of dt into out (the caller holds no GIL);
// false, with out unfinished, where some step is beyond Steps (the caller tries a wider
// type: delays of more than 255 steps are rare, so most take one pass of 1 byte each).
template <typename Steps>
bool steps_into(const Distribution& d, int64_t n, int64_t t, double dt, Steps* out) {
    std::atomic<bool> too_wide{false};
    on_threads(n, t, [&](int64_t, int64_t lo, int64_t hi) {
        double v[kChunk + 1];
        uint32_t s[kChunk];
        for (int64_t e0 = lo; e0 < hi && !too_wide.load(std::memory_order_relaxed);
             e0 += kChunk) {
            const auto m = (int32_t)std::min<int64_t>(kChunk, hi - e0);
            chunk_values(d, (uint32_t)e0, m, v);
            const double top = d.fills.steps(v, m, dt, s);
            if (top < 0.0) {
                const double* bad = std::find_if(v, v + m, [dt](double x) {
                    const double k = std::floor(x / dt + 0.5);
                    return !(k >= 0.0 && k <= 4294967295.0);
                });
                throw Outside{(uint32_t)(e0 + (bad - v)), true};
            }
            if (top > (double)std::numeric_limits<Steps>::max()) {
                too_wide = true;
                return;
            }
            std::transform(s, s + m, out + e0, [](uint32_t k) { return (Steps)k; });
        }
    });
    return !too_wide;
}

// The delays in steps in the narrowest of Steps and the wider types that holds them.
template <typename Steps, typename... Wider>
py::array steps_array(const Distribution& d, int64_t n, int64_t t, double dt) {
    py::array_t<Steps> out(n);
    Steps* o = out.mutable_data();
    bool fits;
    {
        py::gil_scoped_release released;
        fits = steps_into(d, n, t, dt, o);
    }
    if constexpr (sizeof...(Wider) > 0) {
        if (!fits) return steps_array<Wider...>(d, n, t, dt);
    }
    return std::move(out);
}

// `into` as the array the values are written into: float32 or float64, n of them in a row.
py::array into_array(const py::object& into, int64_t n) {
    auto array = py::reinterpret_borrow<py::array>(into);
    const bool real = array.dtype().is(py::dtype::of<float>()) ||
                      array.dtype().is(py::dtype::of<double>());
    if (!real || array.ndim() != 1 || array.shape(0) != n || !array.writeable() ||
        !(array.flags() & py::array::c_style))
        throw py::value_error("into must be a writeable, contiguous 1-d float32 or float64 "
                              "array of n elements");
    return array;
}

// The values, float64 or written into `into` (float32 or float64).
py::array values_array(const Distribution& d, int64_t n, int64_t t, const py::object& into) {
    py::array values = into.is_none() ? py::array_t<double>(n) : into_array(into, n);
    const bool singles = values.dtype().is(py::dtype::of<float>());
    double* v_out = singles ? nullptr : static_cast<double*>(values.mutable_data());
    float* f_out = singles ? static_cast<float*>(values.mutable_data()) : nullptr;
    py::gil_scoped_release released;
    on_threads(n, t, [&](int64_t, int64_t lo, int64_t hi) {
        double v[kChunk + 1];
        for (int64_t e0 = lo; e0 < hi; e0 += kChunk) {
            const auto m = (int32_t)std::min<int64_t>(kChunk, hi - e0);
            chunk_values(d, (uint32_t)e0, m, v);
            if (singles)   // rounded as NumPy rounds float64 into float32
                std::transform(v, v + m, f_out + e0, [](double x) { return (float)x; });
            else
                std::copy(v, v + m, v_out + e0);
        }
    });
    return values;
}

// The values (float64, or written into `into`), or with dt > 0 the delays in whole steps of dt, rounded as
// pyspike/synapse_delays.py steps_of does, in the narrowest of uint8, uint16 and uint32.
py::array draw_values(bool normal, uint64_t seed, uint64_t step, int64_t n, uint32_t stream,
                      double a, double b, double low, double high, double dt, int threads,
                      bool portable, py::object into) {
    if (n < 0 || n > (int64_t(1) << 32))
        throw py::value_error("n must be in [0, 2**32], got " + std::to_string(n));
    if (threads < 1 || threads > 4096)
        throw py::value_error("threads must be in [1, 4096], got " + std::to_string(threads));
    if (!(std::isfinite(a) && std::isfinite(b) && low <= high))
        throw py::value_error("a and b must be finite, and low <= high");
    const Distribution d{normal, a, b, low, high, seed, step, stream,
                         fills_for(portable)};
    const bool in_steps = dt > 0.0;
    if (in_steps && !into.is_none())
        throw py::value_error("into takes values, not delays in steps (dt > 0)");
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, (n + kChunk - 1) / kChunk));
    try {
        if (in_steps) return steps_array<uint8_t, uint16_t, uint32_t>(d, n, t, dt);
        return values_array(d, n, t, into);
    } catch (const Outside& o) {
        throw py::value_error(o.too_long
            ? "the value of element " + std::to_string(o.elem) + " is not a delay of 0 to "
              "2**32 - 1 steps of dt"
            : "every one of " + std::to_string(kRedraws) + " draws for element " +
              std::to_string(o.elem) + " fell outside [low, high]");
    }
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
    m.def("draw_values", &draw_values, py::arg("normal"), py::arg("seed"), py::arg("step"),
          py::arg("n"), py::arg("stream"), py::arg("a"), py::arg("b"), py::arg("low"),
          py::arg("high"), py::arg("dt") = 0.0, py::arg("threads") = 1,
          py::arg("portable") = false, py::arg("into") = py::none(),
          "a + b x for elements 0 .. n-1, x = rand() or randn(), drawn again (at steps "
          "step - r 2**32) while outside [low, high]; with dt > 0, whole steps of dt "
          "(uint8, uint16 or uint32).  The same for any number of threads, and with the "
          "portable code (portable=True) as with AVX2's.  into: an array (float32 or "
          "float64) to write the values into, returned.");
}
