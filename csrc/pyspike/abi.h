// The version of the C ABI between pyspike's generated libraries and their loaders: the
// one definition of it.  Generated libraries return it from pyspike_abi_version(); the
// pybind11 loader (csrc/module.cpp) and the Python side (pyspike/backends/library.py,
// which reads this line) refuse a library of another version.
//
// Version 3: pyspike_manifest() describes every slot and entry pyspike_run receives.
// Version 4: a CPU library runs on threads (csrc/pyspike/threads.h: POSIX threads started
// and joined within each pyspike_run), their number chosen at run time, the results the
// same for every number of threads, bit for bit:
//   void    pyspike_set_threads(int32_t threads);   /* the threads of the next runs (>= 1) */
//   void    pyspike_set_parallel_neurons(int64_t n); /* from n neurons per instance on the
//                                                       threads share each step; below, a
//                                                       batch of n neurons in all shares its
//                                                       instances; else one thread
//                                                       (PS_PARALLEL_NEURONS) */
//   int32_t pyspike_threads_used(void);              /* the threads the last run used */
// A program that links the generated source calls pyspike_set_threads before pyspike_run
// (without it, one thread); the library is compiled with -pthread.
#pragma once
#define PYSPIKE_ABI_VERSION 4
