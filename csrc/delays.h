// The order in which a Synapses' delayed pathway visits its synapses, built in pyspike._native
// (see delays.cpp).
#pragma once
#include <pybind11/pybind11.h>

// Adds delay_index to m.
void register_delays(pybind11::module_& m);
