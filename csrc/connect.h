// Connectivity builders of pyspike._native: synapse index pairs (i, j) drawn from the
// project's Philox generator (csrc/pyspike/philox.h), returned in CSR order by i.
#pragma once
#include <pybind11/pybind11.h>

// Adds connect_fixed_probability, connect_fixed_indegree and connect_fixed_outdegree to m.
void register_connect(pybind11::module_& m);
