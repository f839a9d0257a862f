// Connectivity builders: the synapses (i, j) of a fixed connection probability, a fixed
// in-degree or a fixed out-degree, as two int32 numpy arrays in CSR order (by i, then j).
//
// Randomness: row r (presynaptic i for fixed_probability and fixed_outdegree, postsynaptic
// j for fixed_indegree) reads Philox with counter (elem = r, step = 0, 1, 2, ..., stream)
// and key = seed; each call gives two 53-bit uniforms and both are used.  A result is thus
// a function of the arguments only: not of the machine, of threads or of the row order.
// Fixed-degree rows are drawn on `threads` threads, each a contiguous range of rows.
//
// The pair j == i + self_offset is excluded when self_offset is given (autapses when pre
// and post are subgroups of one group).  A row then draws from its other columns, numbered
// 0 .. m-1 and mapped past the excluded one, so that no draw is wasted.
#include "connect_builders.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "pyspike/philox.h"

namespace pyspike_connect {

// ------------------------------------------------------------------ random numbers

// The uniforms of one row, in order.
class RowUniforms {
public:
    RowUniforms(Key key, int64_t row) : key_(key), row_(static_cast<uint32_t>(row)) {}

    // Uniform in [0, 1) with 53 random bits.
    double next() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const ps_u32x4 r = ps_philox_draw(key_.seed, step_++, row_, key_.stream);
        spare_ = ps_u01_f64(r.z, r.w);
        has_spare_ = true;
        return ps_u01_f64(r.x, r.y);
    }

    // Uniform integer in [0, n) for 0 < n < 2^31, as floor(u n): its bias (below n / 2^53)
    // is far under anything a network could show.  The guard catches u n rounding up to n.
    uint32_t below(uint32_t n) {
        const auto v = static_cast<uint32_t>(next() * n);
        return v < n ? v : n - 1;
    }

private:
    Key key_;
    uint32_t row_;
    uint64_t step_ = 0;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

// ------------------------------------------------------------------ excluded pairs

// The column that `row` may not connect to (row + shift, if in [0, n_cols)), else -1.
int64_t excluded_column(int64_t row, int64_t shift, int64_t n_cols) {
    const int64_t c = row + shift;
    return c >= 0 && c < n_cols ? c : -1;
}

// Column c of the row's allowed columns, numbered without the excluded one.
inline int32_t allowed_column(int64_t c, int64_t skip) {
    return static_cast<int32_t>(skip >= 0 && c >= skip ? c + 1 : c);
}

// How many rows in [0, n_rows) lose a column, i.e. have row + shift in [0, n_cols).
int64_t excluded_count(int64_t n_rows, int64_t n_cols, int64_t shift) {
    const int64_t lo = std::max<int64_t>(0, -shift);
    const int64_t hi = std::min(n_rows, n_cols - shift);
    return std::max<int64_t>(0, hi - lo);
}

// ------------------------------------------------------------------ sampling a row

// k distinct uniform integers from [0, n), written sorted, by Floyd's algorithm: for
// v = n-k .. n-1, draw t in [0, v] and take t, or v if t is taken already.  Exactly k
// draws; the set depends only on them, so how membership is kept is a matter of speed:
// a bitmap of n bits when n is at most ~1000 k (one scan of n/64 words then yields the
// values sorted, cheaper than sorting them), else a hash set of 2k..4k slots and a sort.
class DistinctSampler {
public:
    void sample(RowUniforms& u, uint32_t n, uint32_t k, int32_t* out) {
        if (k == 0) return;
        if (uint64_t(n) <= 1024 * uint64_t(k))
            sample_bitmap(u, n, k, out);
        else
            sample_hashed(u, n, k, out);
    }

private:
    void sample_bitmap(RowUniforms& u, uint32_t n, uint32_t k, int32_t* out) {
        const size_t words = (size_t(n) + 63) / 64;
        if (bits_.size() < words) bits_.resize(words, 0);  // all zero between calls
        for (uint32_t v = n - k; v < n; ++v) {
            const uint32_t t = u.below(v + 1);
            const uint32_t take = (bits_[t >> 6] >> (t & 63)) & 1 ? v : t;
            bits_[take >> 6] |= uint64_t(1) << (take & 63);
        }
        for (size_t w = 0; w < words; ++w) {  // read out in ascending order, clearing
            for (uint64_t b = bits_[w]; b != 0; b &= b - 1)
                *out++ = static_cast<int32_t>(w * 64 + __builtin_ctzll(b));
            bits_[w] = 0;
        }
    }

    void sample_hashed(RowUniforms& u, uint32_t n, uint32_t k, int32_t* out) {
        int bits = 4;
        while ((size_t(1) << bits) < 2 * size_t(k)) ++bits;  // load factor at most 1/2
        slots_.assign(size_t(1) << bits, 0);
        const size_t mask = slots_.size() - 1;
        // Open addressing, linear probing; a slot holds value + 1 (0 marks it empty).
        // Returns false when v is in the set already.
        auto insert = [&](uint32_t v) {
            size_t s = (uint64_t(v) * 0x9E3779B97F4A7C15ull) >> (64 - bits);
            for (; slots_[s] != 0; s = (s + 1) & mask)
                if (slots_[s] == v + 1) return false;
            slots_[s] = v + 1;
            return true;
        };
        for (uint32_t v = n - k; v < n; ++v) {
            const uint32_t t = u.below(v + 1);
            if (insert(t)) {
                *out++ = static_cast<int32_t>(t);
            } else {
                insert(v);  // v > every value so far: new
                *out++ = static_cast<int32_t>(v);
            }
        }
        std::sort(out - k, out);
    }

    std::vector<uint64_t> bits_;
    std::vector<uint32_t> slots_;
};

// One row of a fixed degree: k sorted columns out of n_cols, without column `skip` (-1:
// none), distinct unless multapses.
void draw_row(RowUniforms& u, DistinctSampler& distinct, int64_t n_cols, int64_t k,
              int64_t skip, bool multapses, int32_t* out) {
    const auto m = static_cast<uint32_t>(n_cols - (skip >= 0 ? 1 : 0));
    if (multapses) {
        for (int64_t c = 0; c < k; ++c) out[c] = static_cast<int32_t>(u.below(m));
        std::sort(out, out + k);
    } else {
        distinct.sample(u, m, static_cast<uint32_t>(k), out);
    }
    if (skip >= 0)  // monotone, so the row stays sorted
        for (int64_t c = 0; c < k; ++c) out[c] = allowed_column(out[c], skip);
}

// ------------------------------------------------------------------ builders

// Rows per thread below which another thread costs more than it saves.
constexpr int64_t kRowsPerThread = 256;

// Runs body(lo, hi) over the rows [0, n) cut into contiguous ranges, one per thread (the
// calling thread takes the last), each of at least `least` rows.  Each row's draws depend on the row only and each writes
// its own slots, so the result is the same for any number of threads.  An exception in a
// thread (no memory) is thrown here once all have stopped.
template <typename Body>
void parallel_rows(int64_t n, int threads, Body body, int64_t least = kRowsPerThread) {
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n / least));
    std::vector<std::exception_ptr> errors(t);
    auto run = [&](int64_t w) {
        try {
            body(n * w / t, n * (w + 1) / t);
        } catch (...) {
            errors[w] = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int64_t w = 0; w + 1 < t; ++w) pool.emplace_back(run, w);
    run(t - 1);
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// The column after `c` of the next synapse in a row of m columns, or m if none: geometric
// skipping.  The misses before a hit are Geometric(p), floor(log(v) / log(1-p)) with v =
// 1 - u in (0, 1], so that log(v) is finite.  p == 1 (log_q = -inf) takes every column
// without a draw.
inline int64_t next_hit(RowUniforms& u, int64_t c, int64_t m, double log_q) {
    if (std::isinf(log_q)) return c + 1;
    const double gap = std::floor(std::log(1.0 - u.next()) / log_q);
    // compared as a double first: for tiny p the gap can be far beyond int64
    if (gap >= double(m - c - 1)) return m;
    return c + 1 + static_cast<int64_t>(gap);
}

// The count is Binomial(pairs, p): mean + 6 sd (+ a margin for tiny counts) is practically
// never exceeded, so the vectors are not regrown (which would double the peak memory).
void reserve_expected(Pairs& out, double pairs, double p, int64_t per_pair) {
    const double sd = std::sqrt(pairs * p * (1.0 - p));
    const double n = std::min(pairs, pairs * p + 6.0 * sd + 64.0) * double(per_pair);
    if (n > double(out.i.max_size())) throw std::bad_alloc();
    out.i.reserve(static_cast<size_t>(n));
    out.j.reserve(static_cast<size_t>(n));
}

Pairs build_fixed_probability(Key key, int64_t n_pre, int64_t n_post, double p,
                              int64_t shift, int64_t per_pair) {
    Pairs out;
    if (n_pre == 0 || n_post == 0 || p == 0.0) return out;
    const double pairs =
        double(n_pre) * double(n_post) - double(excluded_count(n_pre, n_post, shift));
    reserve_expected(out, pairs, p, per_pair);
    const double log_q = std::log1p(-p);  // log of the chance of no synapse
    for (int64_t i = 0; i < n_pre; ++i) {
        RowUniforms u(key, i);
        const int64_t skip = excluded_column(i, shift, n_post);
        const int64_t m = n_post - (skip >= 0 ? 1 : 0);
        for (int64_t c = next_hit(u, -1, m, log_q); c < m; c = next_hit(u, c, m, log_q)) {
            const int32_t j = allowed_column(c, skip);
            for (int64_t r = 0; r < per_pair; ++r) {
                out.i.push_back(static_cast<int32_t>(i));
                out.j.push_back(j);
            }
        }
    }
    return out;
}

// Puts synapses given by postsynaptic row (row j holds pre[j k .. j k + k), sorted) in CSR
// order with a counting sort over i, O(synapses + n_pre) in time and memory.  Visiting j in
// ascending order keeps j ascending within each i; on threads, each takes a contiguous
// range of j and starts each i where the ranges before its own end, so the order is the
// same.  `pre` then becomes the sorted i column, so the peak is two int32 per synapse (and
// one int64 per presynaptic neuron and thread).
Pairs counting_sort_by_pre(std::vector<int32_t>&& pre, int64_t n_pre, int64_t k, int threads) {
    const auto n_post = static_cast<int64_t>(pre.size()) / k;
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n_post / kRowsPerThread));
    // slot[w][i]: where range w's next synapse from i goes
    std::vector<std::vector<int64_t>> slot(t, std::vector<int64_t>(n_pre + 1, 0));
    auto range = [&](int64_t w) { return std::make_pair(n_post * w / t, n_post * (w + 1) / t); };
    parallel_rows(t, int(t), [&](int64_t w0, int64_t w1) {
        for (int64_t w = w0; w < w1; ++w) {
            const auto [lo, hi] = range(w);
            for (int64_t c = lo * k; c < hi * k; ++c) ++slot[w][pre[c]];
        }
    }, 1);
    int64_t total = 0;
    for (int64_t i = 0; i < n_pre; ++i)
        for (int64_t w = 0; w < t; ++w) {
            const int64_t count = slot[w][i];
            slot[w][i] = total;
            total += count;
        }
    Pairs out;
    out.j.resize(pre.size());
    parallel_rows(t, int(t), [&](int64_t w0, int64_t w1) {
        for (int64_t w = w0; w < w1; ++w) {
            const auto [lo, hi] = range(w);
            int64_t* next = slot[w].data();
            for (int64_t j = lo; j < hi; ++j)
                for (int64_t c = 0; c < k; ++c)
                    out.j[next[pre[j * k + c]]++] = static_cast<int32_t>(j);
        }
    }, 1);
    // the i column: i repeated as often as it has synapses (the last range's ends)
    const std::vector<int64_t>& ends = slot[t - 1];
    size_t s = 0;
    for (int64_t i = 0; i < n_pre; ++i)
        while (s < size_t(ends[i])) pre[s++] = static_cast<int32_t>(i);
    out.i = std::move(pre);
    return out;
}

// Rows are postsynaptic here: row j draws its k presynaptic i (never i == j + shift) into
// pre[j k ..], and the synapses are then sorted by i.
Pairs build_fixed_indegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                           bool multapses, int threads) {
    if (n_post == 0 || k == 0) return Pairs{};
    std::vector<int32_t> pre(size_t(n_post) * size_t(k));
    parallel_rows(n_post, threads, [&](int64_t lo, int64_t hi) {
        DistinctSampler distinct;
        for (int64_t j = lo; j < hi; ++j) {
            RowUniforms u(key, j);
            const int64_t skip = excluded_column(j, shift, n_pre);
            draw_row(u, distinct, n_pre, k, skip, multapses, pre.data() + j * k);
        }
    });
    return counting_sort_by_pre(std::move(pre), n_pre, k, threads);
}

Pairs build_fixed_outdegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                            bool multapses, int threads) {
    Pairs out;
    if (n_pre == 0 || k == 0) return out;
    out.i.resize(size_t(n_pre) * size_t(k));
    out.j.resize(out.i.size());
    parallel_rows(n_pre, threads, [&](int64_t lo, int64_t hi) {
        DistinctSampler distinct;
        for (int64_t i = lo; i < hi; ++i) {
            RowUniforms u(key, i);
            const int64_t skip = excluded_column(i, shift, n_post);
            draw_row(u, distinct, n_post, k, skip, multapses, out.j.data() + i * k);
            std::fill_n(out.i.data() + i * k, k, static_cast<int32_t>(i));
        }
    });
    return out;
}

}  // namespace pyspike_connect
