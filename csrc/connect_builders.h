// The connectivity builders of pyspike._native (connect.cpp), without Python: what the
// bindings (connect_bindings.cpp) call once they have checked the arguments.
#pragma once
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
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

// An allocator whose resize leaves new ints unwritten: the builders write every element,
// and zeroing hundreds of MB first took a pass over them of its own.
template <typename T>
struct Unwritten : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = Unwritten<U>;
    };
    Unwritten() = default;
    template <typename U>
    Unwritten(const Unwritten<U>&) noexcept {}
    template <typename U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
using Column = std::vector<int32_t, Unwritten<int32_t>>;

struct Pairs {
    Column i, j;
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
