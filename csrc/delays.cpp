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
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "native_cpu.h"
#include "native_threads.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

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
// Rows are independent (row i's slots start at row[i]), so ranges of rows run on threads,
// with the same result for any number.
template <typename Order, typename Steps>
py::tuple index_into(const int64_t* row, int64_t n_pre, int64_t n, int64_t R, Steps step,
                     int threads) {
    py::array_t<Order> order_array(n);
    py::array_t<int32_t> doff_array(n_pre * R + 1);
    Order* order = order_array.mutable_data();
    int32_t* doff = doff_array.mutable_data();
    {
        py::gil_scoped_release release;
        doff[0] = 0;
        const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n >> 16));
        pyspike_native::on_threads(t, [&](int64_t w) {
            std::vector<int64_t> next(R);
            for (int64_t i = n_pre * w / t; i < n_pre * (w + 1) / t; ++i) {
                int32_t* counts = doff + i * R + 1;   // counts[d]: synapses of (i, d)
                for (int64_t d = 0; d < R; ++d) counts[d] = 0;
                for (int64_t s = row[i]; s < row[i + 1]; ++s) ++counts[step(s)];
                for (int64_t d = 0; d < R; ++d) {  // counts become ends; next: where (i, d) goes
                    next[d] = d ? counts[d - 1] : row[i];   // (the end of the row before)
                    counts[d] += (int32_t)next[d];
                }
                const int64_t base = std::is_same<Order, uint16_t>::value ? row[i] : 0;
                for (int64_t s = row[i]; s < row[i + 1]; ++s)  // in order: stable, as lexsort
                    order[next[step(s)]++] = (Order)(s - base);
            }
        });
    }
    return py::make_tuple(order_array, doff_array, R);
}

template <typename Steps>
py::tuple index_of(const int64_t* row, int64_t n_pre, int64_t n, int64_t largest, Steps step,
                   bool in_row, int threads) {
    if (threads < 1 || threads > 4096)
        throw py::value_error("threads must be in [1, 4096], got " + std::to_string(threads));
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
        return index_into<uint16_t>(row, n_pre, n, largest + 1, step, threads);
    }
    return index_into<int32_t>(row, n_pre, n, largest + 1, step, threads);
}

// (order int32[n], doff int32[n_pre R + 1], R): R = the largest delay in steps + 1.
py::tuple delay_index(const Row& row_array, const Delay& delay_array, double dt, bool in_row,
                      int threads) {
    if (delay_array.ndim() != 1)
        throw py::value_error("delay must be a 1-d array of one delay per synapse");
    if (!(dt > 0.0)) throw py::value_error("dt must be > 0");
    const int64_t n = delay_array.shape(0);
    const int64_t* row = checked_rows(row_array, n);
    const double* delay = delay_array.data();
    const int64_t largest = largest_steps(delay, n, dt);
    return index_of(row, row_array.shape(0) - 1, n, largest,
                    [delay, dt](int64_t s) { return steps_of(delay[s], dt); }, in_row, threads);
}

// The same from delays given as whole steps (uint8, uint16 or uint32: compact_delays).
template <typename T>
py::tuple step_index(const Row& row_array, const py::array_t<T, py::array::c_style>& steps,
                     bool in_row, int threads) {
    if (steps.ndim() != 1)
        throw py::value_error("steps must be a 1-d array of one delay per synapse");
    const int64_t n = steps.shape(0);
    const int64_t* row = checked_rows(row_array, n);
    const T* k = steps.data();
    int64_t largest = 0;
    for (int64_t s = 0; s < n; ++s) largest = std::max<int64_t>(largest, k[s]);
    return index_of(row, row_array.shape(0) - 1, n, largest,
                    [k](int64_t s) { return (int64_t)k[s]; }, in_row, threads);
}

// ------------------------------------------------------------------ compact_delays

// A delay of k steps as a number of ms: k * dt, or, where dt is a decimal m / q (q > 0, a
// power of ten, as 0.1 is 1 / 10), the double nearest k m / q, which is what a user who
// typed the delay in decimals gave (3 * 0.1 is not 0.3, but 3 / 10 is).
inline double ms_of(double k, double dt, double m, double q) {
    return q > 0.0 ? k * m / q : k * dt;
}

// What a scan of delays found: whether every one is a whole step, and the most steps.
struct Scan {
    bool whole = true;
    double largest = 0.0;
};

// One delay's steps k = floor(delay / dt + 0.5) (a whole double), checked: >= 0 delays of at
// most UINT32_MAX steps whose ms_of(k) is the delay, exactly.  (A delay of inf or NaN fails
// too: inf steps, or no delay >= 0.)
inline double checked_steps(double d, double dt, double m, double q, Scan& scan) {
    const double k = std::floor(d / dt + 0.5);
    scan.whole &= d >= 0.0 && k <= (double)UINT32_MAX && ms_of(k, dt, m, q) == d;
    scan.largest = std::max(scan.largest, k);
    return k;
}

// Checks delay[0 .. n) and writes their steps to out (as T; uint8 saturates, so out holds
// them only where scan.largest fits).  The same arithmetic in both versions.
template <typename T>
Scan scan_scalar(const double* delay, int64_t n, double dt, double m, double q, T* out) {
    Scan scan;
    for (int64_t s = 0; s < n; ++s) {
        const double k = checked_steps(delay[s], dt, m, q, scan);
        const double most = (double)(T)-1;  // saturated: a NaN or a negative k fails anyway
        out[s] = k >= 0.0 && k <= most ? (T)k : (T)-1;
    }
    return scan;
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define DELAYS_AVX2 __attribute__((target("avx2")))

// scan_scalar four delays at a time (PD14's 3e8 delays: 0.34 s, where the scalar passes
// took 2.2 s).  The steps, whole doubles in [0, 2^32), are the low words of k + 2^52.
template <typename T>
DELAYS_AVX2 Scan scan_avx2(const double* delay, int64_t n, double dt, double m, double q,
                           T* out) {
    const __m256d vdt = _mm256_set1_pd(dt), vm = _mm256_set1_pd(m), vq = _mm256_set1_pd(q);
    const __m256d half = _mm256_set1_pd(0.5), zero = _mm256_setzero_pd();
    const __m256d most = _mm256_set1_pd((double)UINT32_MAX), magic = _mm256_set1_pd(0x1p52);
    const __m256i low_words = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    __m256d whole = _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), largest = zero;
    int64_t s = 0;
    for (; s + 4 <= n; s += 4) {
        const __m256d d = _mm256_loadu_pd(delay + s);
        const __m256d k = _mm256_floor_pd(_mm256_add_pd(_mm256_div_pd(d, vdt), half));
        const __m256d ms = q > 0.0 ? _mm256_div_pd(_mm256_mul_pd(k, vm), vq)
                                   : _mm256_mul_pd(k, vdt);
        whole = _mm256_and_pd(whole, _mm256_and_pd(_mm256_cmp_pd(d, zero, _CMP_GE_OQ),
                                                   _mm256_cmp_pd(k, most, _CMP_LE_OQ)));
        whole = _mm256_and_pd(whole, _mm256_cmp_pd(ms, d, _CMP_EQ_OQ));
        largest = _mm256_max_pd(largest, k);  // k, not largest, wins where k is NaN: no harm
        const __m128i steps = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
            _mm256_castpd_si256(_mm256_add_pd(k, magic)), low_words));
        if (sizeof(T) == 4) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + s), steps);
        } else {  // saturated: as the largest, a step beyond 2^31 does not fit anyway
            const __m128i w16 = _mm_packus_epi32(steps, steps);
            if (sizeof(T) == 2) {
                _mm_storel_epi64(reinterpret_cast<__m128i*>(out + s), w16);
            } else {
                const int32_t w8 = _mm_cvtsi128_si32(_mm_packus_epi16(w16, w16));
                std::memcpy(out + s, &w8, 4);
            }
        }
    }
    Scan scan = scan_scalar(delay + s, n - s, dt, m, q, out + s);
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, largest);
    scan.whole &= _mm256_movemask_pd(whole) == 15;
    for (const double k : lanes) scan.largest = std::max(scan.largest, k);
    return scan;
}
#endif

// scan_scalar (or scan_avx2) in pieces of 2^14 delays, stopping after the piece where a
// delay is not a whole step or once `failed` is set (by it or by another thread's range):
// delays typed in decimals are first tried as k * dt and fail, mostly at once.
template <typename T>
Scan scan(const double* delay, int64_t n, double dt, double m, double q, T* out,
          std::atomic<bool>& failed) {
    Scan all;
    for (int64_t lo = 0; lo < n && !failed.load(std::memory_order_relaxed); lo += 1 << 14) {
        const int64_t len = std::min<int64_t>(n - lo, 1 << 14);
#ifdef DELAYS_AVX2
        const Scan part = pyspike_native::has_avx2()
                              ? scan_avx2(delay + lo, len, dt, m, q, out + lo)
                              : scan_scalar(delay + lo, len, dt, m, q, out + lo);
#else
        const Scan part = scan_scalar(delay + lo, len, dt, m, q, out + lo);
#endif
        if (!part.whole) failed = true;
        all.largest = std::max(all.largest, part.largest);
    }
    return all;
}

// Runs body(w, lo, hi) for the w-th of `threads` contiguous ranges of [0, n) (fewer where n
// is short), the last on the calling thread.
template <typename Body>
void on_threads(int64_t n, int threads, Body body) {
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n >> 16));
    pyspike_native::on_threads(t, [&](int64_t w) { body(w, n * w / t, n * (w + 1) / t); });
}

// scan() of the delays on threads, into out: whether all are whole steps, and the most.
template <typename T>
Scan scan_all(const double* delay, int64_t n, double dt, double m, double q, int threads,
              T* out) {
    std::vector<Scan> parts(threads);
    std::atomic<bool> failed{false};
    on_threads(n, threads, [&](int64_t w, int64_t lo, int64_t hi) {
        parts[w] = scan(delay + lo, hi - lo, dt, m, q, out + lo, failed);
    });
    Scan all;
    all.whole = !failed;
    for (const Scan& part : parts) all.largest = std::max(all.largest, part.largest);
    return all;
}

// The steps of delays known to be whole, as T.
template <typename T>
py::array steps_as(const double* delay, int64_t n, double dt, double m, double q, int threads) {
    py::array_t<T> out(n);
    T* k = out.mutable_data();
    {
        py::gil_scoped_release release;
        scan_all(delay, n, dt, m, q, threads, k);
    }
    return std::move(out);
}

// Delays that are all whole steps of dt (ms_of(steps) == delay, exactly) as their steps in
// the smallest unsigned type that holds them; None where any is not.  One pass over the
// delays, which writes their steps as bytes on the way (as at most 255 steps, 25.5 ms at
// dt = 0.1 ms, they mostly are); a second only where they do not fit.  No temporary: 1-4
// bytes per synapse in place of the 8 of a double.  The same result on any threads.
py::object compact_delays(const Delay& delay_array, double dt, double m, double q,
                          int threads) {
    if (delay_array.ndim() != 1)
        throw py::value_error("delay must be a 1-d array of one delay per synapse");
    if (!(dt > 0.0)) throw py::value_error("dt must be > 0");
    if (threads < 1 || threads > 4096)
        throw py::value_error("threads must be in [1, 4096], got " + std::to_string(threads));
    const int64_t n = delay_array.shape(0);
    const double* delay = delay_array.data();
    py::array_t<uint8_t> bytes(n);
    Scan all;
    {
        py::gil_scoped_release release;
        all = scan_all(delay, n, dt, m, q, threads, bytes.mutable_data());
    }
    if (!all.whole) return py::none();
    if (all.largest <= UINT8_MAX) return std::move(bytes);
    bytes = py::array_t<uint8_t>();
    if (all.largest <= UINT16_MAX) return steps_as<uint16_t>(delay, n, dt, m, q, threads);
    return steps_as<uint32_t>(delay, n, dt, m, q, threads);
}

}  // namespace

void register_delays(py::module_& m) {
    m.def("delay_index", &delay_index, py::arg("row"), py::arg("delay"), py::arg("dt"),
          py::arg("in_row") = false, py::arg("threads") = 1,
          "(order, doff, R) of a delayed pathway: the synapses of each row (CSR offsets "
          "`row`) stably sorted by their delay in steps, floor(delay / dt + 0.5); doff[i R + "
          "d] is where the synapses of row i with delay d start in order; in_row: order holds "
          "each synapse's place in its row (uint16), not its number (int32).");
    m.def("step_index", &step_index<uint8_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false, py::arg("threads") = 1);
    m.def("step_index", &step_index<uint16_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false, py::arg("threads") = 1);
    m.def("step_index", &step_index<uint32_t>, py::arg("row"), py::arg("steps").noconvert(),
          py::arg("in_row") = false, py::arg("threads") = 1,
          "delay_index's (order, doff, R) from delays given in whole steps (uint8, uint16 or "
          "uint32, as compact_delays gives them).");
    m.def("compact_delays", &compact_delays, py::arg("delay"), py::arg("dt"), py::arg("m"),
          py::arg("q"), py::arg("threads") = 1,
          "The steps k of delays that are all whole steps of dt (k * dt == delay exactly, or, "
          "where q > 0, k * m / q == delay: dt = m / q in decimals), in the smallest of uint8, "
          "uint16 and uint32 that holds them; None otherwise.  On `threads` threads, with the "
          "same result for any number.");
}
