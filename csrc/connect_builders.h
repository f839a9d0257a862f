// The connectivity builders of pyspike._native (connect.cpp), without Python: what the
// bindings (connect_bindings.cpp) call once they have checked the arguments.
#pragma once
#include <cstdint>
#include <vector>

namespace pyspike_connect {

constexpr int64_t kMaxSize = int64_t(1) << 31;  // indices and degrees must fit in int32
// self_offset is clamped to +-kFar: beyond 2^31 no pair is excluded either way, and the
// clamp keeps row + offset from overflowing.  "No self_offset" is an offset of kFar.
constexpr int64_t kFar = int64_t(1) << 40;

struct Key {
    uint64_t seed;
    uint32_t stream;
};

struct Pairs {
    std::vector<int32_t> i, j;
};

// How many rows in [0, n_rows) lose a column, i.e. have row + shift in [0, n_cols).
int64_t excluded_count(int64_t n_rows, int64_t n_cols, int64_t shift);

Pairs build_fixed_probability(Key key, int64_t n_pre, int64_t n_post, double p,
                              int64_t shift, int64_t per_pair);
Pairs build_fixed_indegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                           bool multapses, int threads);
Pairs build_fixed_outdegree(Key key, int64_t n_pre, int64_t n_post, int64_t k, int64_t shift,
                            bool multapses, int threads);

}  // namespace pyspike_connect
