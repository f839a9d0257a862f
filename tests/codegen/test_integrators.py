"""Integrators against analytic solutions and their orders of convergence."""
import numpy as np
import pytest
import sympy as sp

from pyspike.backends.numpy_ref import evaluate
from pyspike.codegen.equations import parse_equations
from pyspike.codegen.integrators import choose_method, integrate


def stepper(equations, params, method):
    """A function advancing a dict of state by one step with the generated statements."""
    eqs = parse_equations(equations, list(params))
    statements = integrate(eqs.odes, method, eqs.noise)

    def step(state, t, dt, xi=0.0):
        env = dict(params, t=t, dt=dt, **state)
        env.update({s.name: xi for s in eqs.noise})
        for target, expr in statements:
            env[target] = evaluate(expr, env)
        return {v: env[f"_new_{v}"] for v in state}
    return step


def run(step, state, dt, T):
    n = int(round(T / dt))
    for k in range(n):
        state = step(state, k * dt, dt)
    return state


def test_exact_solves_a_leaky_integrator_to_rounding():
    step = stepper("dv/dt = (a - v)/tau : mV", {"a": 3.0, "tau": 7.0}, "exact")
    v = run(step, {"v": -2.0}, 0.25, 10.0)["v"]
    # 40 steps of an exact propagator: only rounding (~1e-16 per step) separates them
    assert v == pytest.approx(3.0 + (-2.0 - 3.0) * np.exp(-10.0 / 7.0), rel=1e-14)


def test_exact_solves_a_coupled_linear_system_to_rounding():
    # dv/dt = (g - v)/tm, dg/dt = -g/te: v(t) = g0*te/(te - tm)*(e^-t/te - e^-t/tm) + v0 e^-t/tm
    step = stepper("dv/dt = (g - v)/tm : mV\ndg/dt = -g/te : mV", {"tm": 10.0, "te": 3.0},
                   "exact")
    s = run(step, {"v": 1.0, "g": 2.0}, 0.1, 20.0)
    t, tm, te = 20.0, 10.0, 3.0
    v = 2.0 * te / (te - tm) * (np.exp(-t / te) - np.exp(-t / tm)) + np.exp(-t / tm)
    assert s["v"] == pytest.approx(v, rel=1e-12)
    assert s["g"] == pytest.approx(2.0 * np.exp(-t / te), rel=1e-13)


def test_exponential_euler_is_exact_for_a_linear_equation():
    step = stepper("dv/dt = (a - v)/tau : mV", {"a": 3.0, "tau": 7.0}, "exponential_euler")
    v = run(step, {"v": -2.0}, 0.5, 10.0)["v"]
    assert v == pytest.approx(3.0 - 5.0 * np.exp(-10.0 / 7.0), rel=1e-13)


def test_exponential_euler_handles_a_vanishing_decay_rate():
    # dv/dt = -g*v + 1 with g = 0: exprel(0) = 1, so v grows by dt per step, no 0/0
    step = stepper("dv/dt = -g*v + 1 : 1", {"g": 0.0}, "exponential_euler")
    assert run(step, {"v": 0.0}, 0.5, 2.0)["v"] == pytest.approx(2.0, rel=1e-15)


LOGISTIC = "dx/dt = x*(1 - x)/tau : 1"


def logistic_error(method, dt):
    step = stepper(LOGISTIC, {"tau": 1.0}, method)
    x = run(step, {"x": 0.1}, dt, 2.0)["x"]
    exact = 1.0 / (1.0 + 9.0 * np.exp(-2.0))
    return abs(x - exact)


@pytest.mark.parametrize("method,order", [("euler", 1), ("rk2", 2), ("rk4", 4), ("heun", 2)])
def test_errors_shrink_at_the_order_of_the_method(method, order):
    errors = [logistic_error(method, 0.2 / 2 ** k) for k in range(4)]
    observed = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # the asymptotic regime is reached from dt = 0.1 on; +-0.3 absorbs the
    # higher-order terms at these step sizes
    assert np.all(np.abs(observed[1:] - order) < 0.3), observed


def test_euler_maruyama_adds_the_noise_term_times_sqrt_dt():
    step = stepper("dv/dt = -v/tau + s*xi : 1", {"tau": 10.0, "s": 2.0}, "euler")
    v = step({"v": 1.0}, 0.0, 0.04, xi=0.5)["v"]
    assert v == pytest.approx(1.0 - 0.04 / 10.0 + 2.0 * 0.2 * 0.5, rel=1e-15)


def test_heun_with_multiplicative_noise_uses_the_supporting_value():
    # dv/dt = v*xi (Stratonovich); Heun: v1 = v(1 + h) with h = sqrt(dt)*xi,
    # v_new = v + (h/2)*(v + v1)
    step = stepper("dv/dt = v*xi : 1", {}, "heun")
    h = 0.1 ** 0.5 * 0.7
    v = step({"v": 2.0}, 0.0, 0.1, xi=0.7)["v"]
    assert v == pytest.approx(2.0 + h / 2 * (2.0 + 2.0 * (1 + h)), rel=1e-14)


@pytest.mark.parametrize("equations,params,method", [
    ("dv/dt = (El - v)/tau : mV", ["El", "tau"], "exact"),
    ("dv/dt = (ge - v)/tau : mV\ndge/dt = -ge/te : mV", ["tau", "te"], "exact"),
    ("dv/dt = (gna*m**3*(ENa - v) + El - v)/C : mV\n"
     "dm/dt = a*(1 - m) - b*m*exp(v/20) : 1", ["gna", "ENa", "El", "C", "a", "b"],
     "exponential_euler"),
    ("dv/dt = 0.04*v**2 + 5*v + 140 - u : 1\ndu/dt = a*(b*v - u) : 1", ["a", "b"], "rk4"),
    ("dv/dt = cos(t/tau)/tau : 1", ["tau"], "rk4"),
    ("dv/dt = -v/tau + s*xi/sqrt(tau) : mV", ["tau", "s"], "euler"),
    ("dv/dt = -v/tau + v*s*xi : mV", ["tau", "s"], "heun"),
])
def test_the_automatic_choice_of_method(equations, params, method):
    eqs = parse_equations(equations, params)
    assert choose_method(eqs.odes, eqs.noise) == method
