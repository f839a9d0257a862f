"""``exponential_euler`` on the equations Brian2 accepts although they are not linear in
their own variable: Brian2 multiplies the equation out, collects the terms with the
variable as a factor into A and the rest into B (both may still hold the variable), and
steps x -> (x + B/A)*exp(A*dt) - B/A with A and B at their start-of-step values."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import pyspike as ps
from pyspike.codegen.equations import parse_equations
from pyspike.codegen.errors import ModelError
from pyspike.codegen.integrators import integrate
from pyspike.units import mV

WANG_BUZSAKI = Path(__file__).resolve().parents[2] / "examples" / "brian2" / \
    "Wang_Buszaki_1996.py"


def _exprel(z):
    return math.expm1(z) / z if z != 0 else 1.0


def _one_step(equations, params, state, dt):
    """State after one step, the generated statements evaluated in order."""
    eqs = parse_equations(equations, list(params))
    env = dict(params, dt=dt, t=0.0, **state)
    for target, expr in integrate(eqs.odes, "exponential_euler", eqs.noise):
        args = sorted(expr.free_symbols, key=str)
        fn = sp.lambdify(args, expr, modules=[{"exprel": _exprel}, "math"])
        env[target] = fn(*[env[a.name] for a in args])
    return {v: env[f"_new_{v}"] for v in state}


def test_a_term_nonlinear_in_v_beside_a_linear_one_is_held_over_the_step_as_in_brian2():
    # Brian2: A = -1/tau, B = exp(v)/tau
    v0, tau, dt = 0.3, 10.0, 0.5
    ba = -math.exp(v0)
    expected = (v0 + ba) * math.exp(-dt / tau) - ba
    assert _one_step("dv/dt = -v/tau + exp(v)/tau : 1", {"tau": tau}, {"v": v0}, dt)["v"] \
        == pytest.approx(expected, rel=1e-15)


def test_a_factor_of_v_that_depends_on_v_is_frozen_at_its_start_of_step_value():
    # Brian2: A = -1/(tau + v), B = 0  ->  v*exp(A*dt)
    v0, tau, dt = 2.0, 10.0, 0.5
    assert _one_step("dv/dt = -v/(tau + v) : 1", {"tau": tau}, {"v": v0}, dt)["v"] \
        == pytest.approx(v0 * math.exp(-dt / (tau + v0)), rel=1e-15)


def test_sqrt_of_v_counts_as_a_function_as_in_brian2_not_as_a_power():
    v0, tau, dt = 4.0, 10.0, 0.5
    ba = -math.sqrt(v0)
    expected = (v0 + ba) * math.exp(-dt / tau) - ba
    assert _one_step("dv/dt = -v/tau + sqrt(v)/tau : 1", {"tau": tau}, {"v": v0}, dt)["v"] \
        == pytest.approx(expected, rel=1e-15)


def test_a_second_power_beside_the_linear_term_is_refused_where_brian2_drops_it():
    # Brian2 integrates (-v + v**2)/tau as -v/tau; pyspike refuses rather than drop v**2
    eqs = parse_equations("dv/dt = (-v + v**2)/tau : 1", ["tau"])
    with pytest.raises(ModelError, match="linear in v as Brian2 reads it"):
        integrate(eqs.odes, "exponential_euler")


def test_a_clock_driven_synaptic_equation_may_use_brian2s_reading():
    tau, g0, dt, steps = 5.0, 0.5, 0.1, 20
    net = ps.Network(dt=dt, seed=1, backend="cpu")
    with net:
        P = ps.NeuronGroup(1, ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0}))
        S = ps.Synapses(P, P, model="dg/dt = -g/(taus*(1 + g)) : 1", params={"taus": tau},
                        method="exponential_euler")
        S.connect(i=[0], j=[0])
        S.g = g0
    net.run(steps * dt)
    g = g0
    for _ in range(steps):
        g = g * math.exp(-dt / (tau * (1 + g)))
    np.testing.assert_allclose(S.g, [g], rtol=1e-13)


# Brian2 2.9 (numpy target), its examples/frompapers/Wang_Buszaki_1996.py with 3 neurons,
# v = [-70, -64, -58] mV, h = [1, 0.8, 0.6], n = [0, 0.1, 0.2], method='exponential_euler',
# dt = 0.01 ms, 50 ms, StateMonitor(neuron, 'v', record=True): M.v/mV at these steps, and
# the steps where v first exceeds 0 mV.
BRIAN2_V_MV = {
    1000: [-61.77277395417195, -64.12015715119136, -58.70103033089054],
    2500: [-59.88661361673766, -53.93177243655686, -65.13768253966016],
    4999: [-17.935388989996436, -65.10820244963743, -59.67773399075314],
}
BRIAN2_UPWARD_STEPS = [[893, 1909, 2921, 3934, 4946], [631, 1645, 2658, 3670, 4682],
                       [356, 1360, 2372, 3384, 4397]]


def test_wang_buzsaki_follows_brian2s_exponential_euler_voltage_trace():
    spec = importlib.util.spec_from_file_location("wang_buzsaki", WANG_BUZSAKI)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    model = ps.NeuronModel(equations=example.EQS, method="exponential_euler",
                           params=example.PARAMS)
    net = ps.Network(dt=0.01, seed=1, backend="cpu")
    with net:
        g = ps.NeuronGroup(3, model, init={"v": np.array([-70.0, -64.0, -58.0]) * mV,
                                            "h": np.array([1.0, 0.8, 0.6]),
                                            "n": np.array([0.0, 0.1, 0.2])})
        M = ps.StateMonitor(g, "v", record=True)
    net.run(50.0)
    v = np.asarray(M.v)
    for step, brian2 in BRIAN2_V_MV.items():
        # the same step in a different arrangement of the arithmetic: rounding only, which
        # the upstroke of a spike magnifies (2e-10 mV seen)
        np.testing.assert_allclose(v[:, step], brian2, rtol=0, atol=1e-8)
    for k in range(3):
        up = np.flatnonzero((v[k, :-1] <= 0) & (v[k, 1:] > 0)) + 1
        assert up.tolist() == BRIAN2_UPWARD_STEPS[k]
