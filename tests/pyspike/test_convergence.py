"""Generated integrators converge at their order, run through the compiled backend."""
import numpy as np
import pytest

import pyspike as ps

# dx/dt = x*(1 - x)/tau + 0.1*cos(t/tau): no closed form; the reference is rk4 at a tiny
# step.  (tau = 1 ms: cos(t/tau) is cos(t), bit for bit, with a dimensionless argument.)
MODEL = "dx/dt = x*(1 - x)/tau + 0.1*cos(t/tau) : 1"


def _final(method, dt, T=4.0):
    net = ps.Network(dt=dt, backend="cpu")
    with net:
        G = ps.NeuronGroup(1, ps.NeuronModel(MODEL, params={"tau": 1.0}, method=method),
                           init={"x": 0.1})
    net.run(T)
    return float(G.x[0])


@pytest.mark.parametrize("method,order", [("euler", 1), ("rk2", 2), ("rk4", 4)])
def test_errors_shrink_at_the_method_order_as_dt_halves(method, order):
    reference = _final("rk4", 0.4 / 2 ** 9)          # error ~1e-15: far below the others
    dts = [0.4 / 2 ** k for k in range(1, 5)]
    errors = np.array([abs(_final(method, dt) - reference) for dt in dts])
    observed = np.log2(errors[:-1] / errors[1:])
    # asymptotic from dt = 0.1 on; the tolerance absorbs higher-order terms
    assert np.all(np.abs(observed[1:] - order) < 0.3), observed
