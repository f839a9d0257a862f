// Work split over threads for the native module's builders, delays and draws: one place
// that starts them, joins them and carries an error back.
#pragma once
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace pyspike_native {

// body(w) for w = 0 .. t - 1, each on a thread of its own (the last on the calling one).
// An exception in any (no memory, a value refused) is thrown here once all have stopped:
// the first by w, so the same one for any timing.
template <typename Body>
void on_threads(int64_t t, Body body) {
    std::vector<std::exception_ptr> errors(t);
    auto run = [&](int64_t w) {
        try {
            body(w);
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

}  // namespace pyspike_native
