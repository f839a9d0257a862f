"""The feature networks that the GPU tests compare against the C++ backend give the C++
backend's spikes on the NumPy reference too: the comparison stands on checked ground."""
import numpy as np
import pytest

import pyspike as ps

from . import networks


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_a_feature_network_gives_the_same_spikes_on_the_cpu_and_the_numpy_reference(name):
    runs = {}
    for backend in ("numpy", "cpu"):
        net, objects = networks.build(name, backend)
        net.run(20.0)
        runs[backend] = objects
    for a, b in zip(runs["numpy"], runs["cpu"]):
        if isinstance(a, ps.SpikeMonitor):
            np.testing.assert_array_equal(b.i, a.i)
            np.testing.assert_array_equal(b.t, a.t)
        elif isinstance(a, ps.StateMonitor):
            for var in a.variables:
                # libm and NumPy may round exp/log/cos differently in the last ulp
                np.testing.assert_allclose(getattr(b, var), getattr(a, var), rtol=1e-10,
                                           atol=1e-10)
