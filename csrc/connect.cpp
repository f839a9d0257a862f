// Connectivity builders: the synapses (i, j) of a fixed connection probability, a fixed
// in-degree or a fixed out-degree, as two int32 numpy arrays in CSR order (by i, then j).
//
// Randomness: row r (presynaptic i for fixed_probability and fixed_outdegree, postsynaptic
// j for fixed_indegree) reads Philox with counter (elem = r, step = 0, 1, 2, ..., stream)
// and key = seed; each call gives two 53-bit uniforms and both are used.  A result is thus
// a function of the arguments only: not of the machine, of threads or of the row order.
// Fixed-degree rows are drawn on `threads` threads, each a contiguous range of rows, and
// eight Philox blocks at a time where the CPU has AVX2 (connect_draws.h: the same numbers).
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
#include <utility>
#include <vector>

#include "connect_draws.h"
#include "native_threads.h"

namespace pyspike_connect {

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

// k distinct uniform integers from [0, n) by Floyd's algorithm: for v = n-k .. n-1, draw t
// in [0, v] (t[0 .. k), drawn beforehand) and take t, or v if t is taken already.  The set
// depends only on the draws, so how membership is kept is a matter of speed: a bitmap of n
// bits when n is at most ~1000 k (one scan of n/64 words then yields the values sorted,
// cheaper than sorting them), else a hash set of 2k..4k slots (and a sort when `sorted`;
// else the values come in the order drawn).
class DistinctSampler {
public:
    void sample(const int32_t* t, uint32_t n, uint32_t k, bool sorted, int32_t* out) {
        if (k == 0) return;
        if (uint64_t(n) <= 1024 * uint64_t(k))
            sample_bitmap(t, n, k, out);
        else
            sample_hashed(t, n, k, sorted, out);
    }

private:
    void sample_bitmap(const int32_t* t, uint32_t n, uint32_t k, int32_t* out) {
        const size_t words = (size_t(n) + 63) / 64;
        if (bits_.size() < words) bits_.resize(words, 0);  // all zero between calls
        for (uint32_t v = n - k; v < n; ++v, ++t) {
            const uint32_t take = (bits_[*t >> 6] >> (*t & 63)) & 1 ? v : uint32_t(*t);
            bits_[take >> 6] |= uint64_t(1) << (take & 63);
        }
        for (size_t w = 0; w < words; ++w) {  // read out in ascending order, clearing
            for (uint64_t b = bits_[w]; b != 0; b &= b - 1)
                *out++ = static_cast<int32_t>(w * 64 + __builtin_ctzll(b));
            bits_[w] = 0;
        }
    }

    void sample_hashed(const int32_t* t, uint32_t n, uint32_t k, bool sorted, int32_t* out) {
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
        for (uint32_t v = n - k; v < n; ++v, ++t) {
            if (insert(uint32_t(*t))) {
                *out++ = *t;
            } else {
                insert(v);  // v > every value so far: new
                *out++ = static_cast<int32_t>(v);
            }
        }
        if (sorted) std::sort(out - k, out);
    }

    std::vector<uint64_t> bits_;
    std::vector<uint32_t> slots_;
};

// One row of a fixed degree: k columns out of n_cols, without column `skip` (-1: none),
// distinct unless multapses; sorted if `sorted`, else in an order of no meaning (the
// in-degree's rows are sorted together, by its radix sort).
class RowSampler {
public:
    void draw(Key key, int64_t row, int64_t n_cols, int64_t k, int64_t skip, bool multapses,
              bool sorted, int32_t* out) {
        const int64_t m = n_cols - (skip >= 0 ? 1 : 0);
        if (multapses) {
            row_draws(key, row, k, m, 0, out);
            if (sorted) std::sort(out, out + k);
        } else {
            if (draws_.size() < size_t(k)) draws_.resize(size_t(k));
            row_draws(key, row, k, m - k + 1, 1, draws_.data());
            distinct_.sample(draws_.data(), uint32_t(m), uint32_t(k), sorted, out);
        }
        if (skip >= 0)  // monotone, so a sorted row stays sorted
            for (int64_t c = 0; c < k; ++c) out[c] = allowed_column(out[c], skip);
    }

private:
    std::vector<int32_t> draws_;
    DistinctSampler distinct_;
};

// ------------------------------------------------------------------ builders

// Rows per thread below which another thread costs more than it saves.
constexpr int64_t kRowsPerThread = 256;

// Runs body(lo, hi) over the rows [0, n) cut into contiguous ranges, one per thread (the
// calling thread takes the last), each of at least `least` rows.  Each row's draws depend
// on the row only and each writes its own slots, so the result is the same for any number
// of threads.  An exception in a thread (no memory) is thrown here once all have stopped.
template <typename Body>
void parallel_rows(int64_t n, int threads, Body body, int64_t least = kRowsPerThread) {
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n / least));
    pyspike_native::on_threads(t, [&](int64_t w) { body(n * w / t, n * (w + 1) / t); });
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

// Writes value(s) of each s in `in` to out[at[place(s)]++], in order.  Two at a time: each
// place is read once the one before is stored (equal places follow each other), and the
// two writes go after both, which lets the CPU overlap them (2.8 -> 1.3 ns a synapse here).
template <typename Place, typename Value>
void scatter(const uint32_t* in, int64_t n, int64_t* at, Place place, Value value,
             uint32_t* out) {
    int64_t c = 0;
    for (; c + 2 <= n; c += 2) {
        const uint32_t s0 = in[c], s1 = in[c + 1];
        const int64_t a0 = at[place(s0)]++;
        const int64_t a1 = at[place(s1)]++;
        out[a0] = value(s0);
        out[a1] = value(s1);
    }
    if (c < n) out[at[place(in[c])]++] = value(in[c]);
}

// The least b with x < 2^b.
inline int bit_length(uint64_t x) { return x == 0 ? 0 : 64 - __builtin_clzll(x); }

// Rows are postsynaptic here: row j draws its k presynaptic i (never i == j + shift) into
// pre[j k ..], in no particular order, and the synapses are then put in CSR order (by i,
// and by j within each i) by a stable radix sort in two passes; one pass, straight to each
// synapse's place among ~20,000 i, missed the cache at nearly every write.  With i =
// (h << b) + l, pass 1 moves each synapse, in row order, to the part of its bucket h (2^b
// neurons; at most ~256 buckets) as (j << b) + l in one uint32, and pass 2 sorts each bucket
// by l, keeping the order within each l: j ascends within each i.  On threads, each takes
// a contiguous range of rows, its synapses go after those of the ranges before it in each
// bucket, and buckets are sorted apart: the same result for any number.  `pre` becomes the
// i column, so the peak is two int32 per synapse (and per thread one bucket's synapses).
Pairs build_fixed_indegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                           bool multapses, int threads) {
    if (n_post == 0 || k == 0) return Pairs{};
    const int b = std::min(std::max(bit_length(uint64_t(n_pre - 1)) - 8, 0),
                           32 - bit_length(uint64_t(n_post - 1)));  // (j << b) fits 32 bits
    const uint32_t low = (uint32_t(1) << b) - 1;
    const int64_t n_buckets = ((n_pre - 1) >> b) + 1;
    const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n_post / kRowsPerThread));
    auto rows = [&](int64_t w) { return std::make_pair(n_post * w / t, n_post * (w + 1) / t); };
    Column pre(size_t(n_post) * size_t(k));
    // next[w][h]: where range w's next synapse of bucket h goes; first, how many it has
    std::vector<std::vector<int64_t>> next(t, std::vector<int64_t>(n_buckets, 0));
    parallel_rows(t, int(t), [&](int64_t w0, int64_t w1) {
        RowSampler sampler;
        for (int64_t w = w0; w < w1; ++w) {
            const auto [lo, hi] = rows(w);
            int64_t* count = next[w].data();
            for (int64_t j = lo; j < hi; ++j) {
                int32_t* row = pre.data() + j * k;
                sampler.draw(key, j, n_pre, k, excluded_column(j, shift, n_pre), multapses,
                             false, row);
                for (int64_t c = 0; c < k; ++c) ++count[uint32_t(row[c]) >> b];
            }
        }
    }, 1);
    std::vector<int64_t> start(n_buckets + 1);  // bucket h: [start[h], start[h + 1])
    int64_t total = 0;
    for (int64_t h = 0; h < n_buckets; ++h) {
        start[h] = total;
        for (int64_t w = 0; w < t; ++w) total += std::exchange(next[w][h], total);
    }
    start[n_buckets] = total;
    Pairs out;
    out.j.resize(pre.size());
    auto* const packed = reinterpret_cast<uint32_t*>(out.j.data());
    const auto* const drawn = reinterpret_cast<const uint32_t*>(pre.data());
    // (the loops' constants are captured by value: by reference, each write would reload them)
    parallel_rows(t, int(t), [&, b, low, k, packed, drawn](int64_t w0, int64_t w1) {  // pass 1
        for (int64_t w = w0; w < w1; ++w) {
            const auto [lo, hi] = rows(w);
            for (int64_t j = lo; j < hi; ++j) {
                const uint32_t row = uint32_t(j) << b;
                scatter(drawn + j * k, k, next[w].data(), [b](uint32_t i) { return i >> b; },
                        [row, low](uint32_t i) { return row | (i & low); }, packed);
            }
        }
    }, 1);
    int32_t* const column_i = pre.data();  // free now: the i column is written into it
    parallel_rows(n_buckets, int(t), [&, b, low, packed, column_i](int64_t h0, int64_t h1) {
        std::vector<uint32_t> bucket;  // pass 2
        std::vector<int64_t> at(size_t(low) + 1);
        for (int64_t h = h0; h < h1; ++h) {
            const int64_t lo = start[h], hi = start[h + 1];
            if (b == 0) {  // one neuron per bucket: pass 1 put its synapses in place
                std::fill(column_i + lo, column_i + hi, static_cast<int32_t>(h));
                continue;
            }
            bucket.assign(packed + lo, packed + hi);
            std::fill(at.begin(), at.end(), 0);
            for (const uint32_t s : bucket) ++at[s & low];
            int64_t end = lo;
            for (uint32_t l = 0; l <= low; ++l) {  // i = (h << b) + l: at[l] where it starts
                const int64_t first = std::exchange(end, end + at[l]);
                std::fill(column_i + first, column_i + end, static_cast<int32_t>((h << b) | l));
                at[l] = first;
            }
            scatter(bucket.data(), int64_t(bucket.size()), at.data(),
                    [low](uint32_t s) { return s & low; }, [b](uint32_t s) { return s >> b; },
                    packed);
        }
    }, 1);
    out.i = std::move(pre);
    return out;
}

Pairs build_fixed_outdegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                            bool multapses, int threads) {
    Pairs out;
    if (n_pre == 0 || k == 0) return out;
    out.i.resize(size_t(n_pre) * size_t(k));
    out.j.resize(out.i.size());
    parallel_rows(n_pre, threads, [&](int64_t lo, int64_t hi) {
        RowSampler sampler;
        for (int64_t i = lo; i < hi; ++i) {
            sampler.draw(key, i, n_post, k, excluded_column(i, shift, n_post), multapses, true,
                         out.j.data() + i * k);
            std::fill_n(out.i.data() + i * k, k, static_cast<int32_t>(i));
        }
    });
    return out;
}

}  // namespace pyspike_connect
