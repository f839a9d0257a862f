"""Brian2's int() and sign() in model text, on every backend."""
import numpy as np
import pytest

import pyspike as ps


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_int_of_a_condition_counts_it(backend):
    m = ps.NeuronModel("dv/dt = int(t < 5)/tau : 1", params={"tau": 1.0}, method="euler")
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        G = ps.NeuronGroup(1, m)
    net.run(10.0)
    assert G.v[0] == pytest.approx(5.0, rel=1e-12)      # 1/ms for 5 ms, then 0


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_int_truncates_toward_zero_and_sign_gives_the_sign(backend):
    m = ps.NeuronModel("x : 1\na : 1\nb : 1", threshold="x > 100",
                       reset="a = int(x); b = sign(x)")
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(4, m, init={"x": np.array([101.7, -2.5, 0.0, 150.2])})
    net.run(0.1)
    np.testing.assert_array_equal(G.a[[0, 3]], [101.0, 150.0])
    np.testing.assert_array_equal(G.b[[0, 3]], [1.0, 1.0])


def test_int_of_a_negative_number_truncates_toward_zero():
    from pyspike.codegen.expressions import Context, parse_expression
    from pyspike.codegen.equations import symbol
    from pyspike.evaluate import evaluate
    e = parse_expression("int(x)", {"x": symbol("x")}, Context(line="int(x)", lineno=1))
    np.testing.assert_array_equal(evaluate(e, {"x": np.array([-2.5, 2.5, -0.5])}),
                                  [-2.0, 2.0, 0.0])
