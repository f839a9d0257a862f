// Initial values' random numbers, drawn in pyspike._native (see draws.cpp).
#pragma once
#include <pybind11/pybind11.h>

// Adds philox_rand and philox_randn to m.
void register_draws(pybind11::module_& m);
