// The version of the C ABI between pyspike's generated libraries and their loaders: the
// one definition of it.  Generated libraries return it from pyspike_abi_version(); the
// pybind11 loader (csrc/module.cpp) and the Python side (pyspike/backends/library.py,
// which reads this line) refuse a library of another version.
//
// Version 3: pyspike_manifest() describes every slot and entry pyspike_run receives.
#pragma once
#define PYSPIKE_ABI_VERSION 3
