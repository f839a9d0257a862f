"""Integrators against analytic solutions and their orders of convergence.

The generated statements are evaluated here with ``sympy.lambdify`` (no backend is
involved), one assignment after the other, as the kernels execute them.
"""
import math

import numpy as np
import pytest
import sympy as sp

from pyspike.codegen.equations import DT, T, parse_equations, symbol
from pyspike.codegen.integrators import choose_method, integrate


def _exprel(z):
    return math.expm1(z) / z if z != 0 else 1.0


MODULES = [{"exprel": _exprel}, "math"]


class Stepper:
    """Advances a dict of state by one step with the statements ``integrate`` generates."""

    def __init__(self, equations, params, method):
        self.eqs = parse_equations(equations, list(params))
        self.params = dict(params)
        self.statements = integrate(self.eqs.odes, method, self.eqs.noise)
        self._fns = []
        for target, expr in self.statements:
            args = sorted(expr.free_symbols, key=str)
            self._fns.append((target, [a.name for a in args],
                              sp.lambdify(args, expr, modules=MODULES)))

    def __call__(self, state, t, dt, xi=0.0):
        env = dict(self.params, t=t, dt=dt, **state)
        env.update({s.name: xi for s in self.eqs.noise})
        for target, names, fn in self._fns:
            env[target] = fn(*[env[n] for n in names])
        return {v: env[f"_new_{v}"] for v in state}

    def run(self, state, dt, t_end):
        n = int(round(t_end / dt))
        for k in range(n):
            state = self(state, k * dt, dt)
        return state


def new_value(statements, var):
    return dict(statements)[f"_new_{var}"]


v, a, tau = symbol("v"), symbol("a"), symbol("tau")


# --- exact integration -----------------------------------------------------------------

def test_exact_gives_the_closed_form_step_of_a_leaky_integrator():
    # dv/dt = (a - v)/tau  =>  v(t + dt) = a + (v - a)*exp(-dt/tau)
    eqs = parse_equations("dv/dt = (a - v)/tau : mV", ["a", "tau"])
    got = new_value(integrate(eqs.odes, "exact"), "v")
    expected = a + (v - a) * sp.exp(-DT / tau)
    for point in [(-70.0, -65.0, 10.0, 0.1), (1.0, 3.0, 7.0, 0.25), (0.0, 1e-3, 2.0, 5.0)]:
        subs = dict(zip((v, a, tau, DT), point))
        # both are a few operations on doubles: they agree to rounding (a few ulp)
        assert float(got.evalf(subs=subs)) == pytest.approx(
            float(expected.evalf(subs=subs)), rel=1e-14)


def test_exact_without_a_drive_is_a_pure_decay():
    eqs = parse_equations("dv/dt = -v/tau : mV", ["tau"])
    assert new_value(integrate(eqs.odes, "exact"), "v") == v * sp.exp(-DT / tau)


def test_exact_with_zero_decay_is_a_linear_ramp():
    eqs = parse_equations("dv/dt = a : mV", ["a"])
    assert new_value(integrate(eqs.odes, "exact"), "v") == v + DT * a


def test_exact_solves_a_coupled_linear_system_in_closed_form():
    # CUBA: dv/dt = (ge - v)/tm, dge/dt = -ge/te. Over one step h:
    #   ge(h) = ge0*exp(-h/te)
    #   v(h)  = v0*exp(-h/tm) + ge0*te/(te - tm)*(exp(-h/te) - exp(-h/tm))
    step = Stepper("dv/dt = (ge - v)/tm : mV\ndge/dt = -ge/te : mV", {"tm": 20.0, "te": 5.0},
                   "exact")
    tm, te = 20.0, 5.0
    for v0, ge0, h in [(1.0, 2.0, 0.1), (-3.0, 0.5, 1.0), (0.0, 10.0, 7.5)]:
        s = step({"v": v0, "ge": ge0}, 0.0, h)
        ge = ge0 * math.exp(-h / te)
        vv = v0 * math.exp(-h / tm) + ge0 * te / (te - tm) * (math.exp(-h / te)
                                                              - math.exp(-h / tm))
        # different arrangements of the same exponentials: agreement to ~1e-15 relative,
        # 1e-13 leaves room for the cancellation in exp(-h/te) - exp(-h/tm)
        assert s["ge"] == pytest.approx(ge, rel=1e-14)
        assert s["v"] == pytest.approx(vv, rel=1e-13, abs=1e-15)


def test_exact_stays_exact_over_many_steps():
    step = Stepper("dv/dt = (ge - v)/tm : mV\ndge/dt = -ge/te : mV", {"tm": 10.0, "te": 3.0},
                   "exact")
    s = step.run({"v": 1.0, "ge": 2.0}, 0.1, 20.0)
    t, tm, te = 20.0, 10.0, 3.0
    v_exact = 2.0 * te / (te - tm) * (np.exp(-t / te) - np.exp(-t / tm)) + np.exp(-t / tm)
    # 200 exact propagations: only rounding (~1e-16 per step) accumulates
    assert s["v"] == pytest.approx(v_exact, rel=1e-12)
    assert s["ge"] == pytest.approx(2.0 * np.exp(-t / te), rel=1e-13)


# --- exponential Euler -----------------------------------------------------------------

def test_exponential_euler_is_exact_for_a_linear_equation():
    step = Stepper("dv/dt = (a - v)/tau : mV", {"a": 3.0, "tau": 7.0}, "exponential_euler")
    for v0, h in [(-2.0, 0.5), (10.0, 3.0)]:
        # exprel form: v + h*(exp(-h/tau) - 1)/(-h/tau)*(a - v)/tau, equal up to rounding
        assert step({"v": v0}, 0.0, h)["v"] == pytest.approx(
            3.0 + (v0 - 3.0) * math.exp(-h / 7.0), rel=1e-14)


def test_exponential_euler_solves_a_gate_exactly_with_the_voltage_frozen():
    # dm/dt = alpha(v)*(1 - m) - beta*m: with v fixed over the step,
    # m(h) = m_inf + (m - m_inf)*exp(-(alpha + beta)*h), m_inf = alpha/(alpha + beta)
    step = Stepper("dv/dt = -v/tau : mV\ndm/dt = exp(v/20)*(1 - m) - beta*m : 1",
                   {"tau": 10.0, "beta": 0.3}, "exponential_euler")
    v0, m0, h = 4.0, 0.2, 0.7
    alpha = math.exp(v0 / 20)
    m_inf = alpha / (alpha + 0.3)
    s = step({"v": v0, "m": m0}, 0.0, h)
    assert s["m"] == pytest.approx(m_inf + (m0 - m_inf) * math.exp(-(alpha + 0.3) * h),
                                   rel=1e-14)
    assert s["v"] == pytest.approx(v0 * math.exp(-h / 10.0), rel=1e-14)


def test_exponential_euler_handles_a_vanishing_decay_rate():
    # dv/dt = -g*v + 1 with g = 0: exprel(0) = 1, so v grows by dt per step, no 0/0
    step = Stepper("dv/dt = -g*v + 1 : 1", {"g": 0.0}, "exponential_euler")
    assert step.run({"v": 0.0}, 0.5, 2.0)["v"] == pytest.approx(2.0, rel=1e-15)


# --- choice of method ------------------------------------------------------------------

@pytest.mark.parametrize("equations,params,method", [
    ("dv/dt = (El - v)/tau : mV", ["El", "tau"], "exact"),
    ("dv/dt = (ge - v)/taum : mV\ndge/dt = -ge/taue : mV", ["taum", "taue"], "exact"),
    ("dv/dt = (gna*m**3*(ENa - v) + El - v)/C : mV\n"
     "dm/dt = alpha*(1 - m) - beta*m : 1\n"
     "alpha = 0.1*exp(v/20) : 1\nbeta = 4*exp(-v/18) : 1",
     ["gna", "ENa", "El", "C"], "exponential_euler"),
    ("dv/dt = 0.04*v**2 + 5*v + 140 - u + I : 1\ndu/dt = a*(b*v - u) : 1\nI : 1",
     ["a", "b"], "rk4"),
    ("dv/dt = cos(t/tau)/tau : 1", ["tau"], "rk4"),
    ("dv/dt = -v/tau + s*xi/sqrt(tau) : mV", ["tau", "s"], "euler"),
    ("dv/dt = -v/tau + v*s*xi : mV", ["tau", "s"], "heun"),
], ids=["leaky", "cuba", "hh-gating", "izhikevich", "time-dependent", "additive-noise",
        "multiplicative-noise"])
def test_the_automatic_choice_of_method(equations, params, method):
    eqs = parse_equations(equations, params)
    assert choose_method(eqs.odes, eqs.noise) == method


def test_every_method_ends_with_one_new_value_per_variable():
    eqs = parse_equations("dv/dt = -v + w : 1\ndw/dt = -w : 1")
    for method in ("exact", "exponential_euler", "euler", "rk2", "rk4", "heun"):
        targets = [t for t, _ in integrate(eqs.odes, method)]
        assert [t for t in targets if t.startswith("_new_")] == ["_new_v", "_new_w"], method


# --- orders of convergence -------------------------------------------------------------

# dx/dt = x**2*cos(t): nonlinear and time-dependent, with x(t) = 1/(1/x0 - sin(t)).
NONLINEAR = "dx/dt = x**2*cos(t) : 1"
X0, T_END = 0.5, 2.0


def nonlinear_error(method, n):
    x = Stepper(NONLINEAR, {}, method).run({"x": X0}, T_END / n, T_END)["x"]
    return abs(x - 1.0 / (1.0 / X0 - math.sin(T_END)))


@pytest.mark.parametrize("method,order", [("euler", 1), ("rk2", 2), ("rk4", 4), ("heun", 2)])
def test_global_error_shrinks_at_the_order_of_the_method(method, order):
    errors = np.array([nonlinear_error(method, n) for n in (40, 80, 160, 320)])
    observed = np.log2(errors[:-1] / errors[1:])
    # dt = 0.05 ... 0.00625 is in the asymptotic regime (rk2's ratio falls from 2.23 to 2.07
    # here); +-0.3 absorbs the higher-order terms. The smallest rk4 error (~4e-12) is far
    # above the rounding accumulated over 320 steps (~1e-14).
    assert np.all(np.abs(observed - order) < 0.3), observed


@pytest.mark.parametrize("method,order", [("euler", 1), ("rk2", 2), ("rk4", 4)])
def test_logistic_growth_converges_at_the_order_of_the_method(method, order):
    # dx/dt = x*(1 - x): x(t) = 1/(1 + (1/x0 - 1)*exp(-t))
    exact = 1.0 / (1.0 + 9.0 * math.exp(-2.0))
    step = Stepper("dx/dt = x*(1 - x) : 1", {}, method)
    errors = np.array([abs(step.run({"x": 0.1}, 2.0 / n, 2.0)["x"] - exact)
                       for n in (20, 40, 80, 160)])
    observed = np.log2(errors[:-1] / errors[1:])
    assert np.all(np.abs(observed - order) < 0.3), observed


# --- stochastic methods ----------------------------------------------------------------

def test_euler_maruyama_adds_the_noise_term_times_sqrt_dt():
    # x_new = x + dt*f(x) + sqrt(dt)*g(x)*xi with f = -v/tau, g = s
    step = Stepper("dv/dt = -v/tau + s*xi : 1", {"tau": 10.0, "s": 2.0}, "euler")
    h, xi = 0.04, 0.5
    got = step({"v": 1.0}, 0.0, h, xi=xi)["v"]
    assert got == pytest.approx(1.0 + h * (-1.0 / 10.0) + math.sqrt(h) * 2.0 * xi, rel=1e-15)


def test_euler_maruyama_with_multiplicative_noise_uses_the_old_amplitude():
    step = Stepper("dv/dt = -v + s*v*xi : 1", {"s": 0.3}, "euler")
    h, xi, v0 = 0.01, -1.2, 2.0
    assert step({"v": v0}, 0.0, h, xi=xi)["v"] == pytest.approx(
        v0 - h * v0 + math.sqrt(h) * 0.3 * v0 * xi, rel=1e-15)


def test_heun_with_zero_noise_amplitude_is_the_deterministic_heun_step():
    # multiplicative noise selects heun; with s = 0 the step must be
    # x + h/2*(f(x, t) + f(x + h*f(x, t), t + h)) whatever xi is
    step = Stepper("dx/dt = x**2*cos(t) + s*x*xi : 1", {"s": 0.0}, "heun")

    def f(x, t):
        return x * x * math.cos(t)

    x0, t0, h = 0.7, 0.3, 0.05
    expected = x0 + h / 2 * (f(x0, t0) + f(x0 + h * f(x0, t0), t0 + h))
    for xi in (0.0, 1.3, -2.0):
        assert step({"x": x0}, t0, h, xi=xi)["x"] == pytest.approx(expected, rel=1e-15)


def test_heun_with_multiplicative_noise_uses_the_supporting_value():
    # dv/dt = v*xi (Stratonovich); Heun: v1 = v*(1 + k) with k = sqrt(dt)*xi,
    # v_new = v + (k/2)*(v + v1)
    step = Stepper("dv/dt = v*xi : 1", {}, "heun")
    k = math.sqrt(0.1) * 0.7
    assert step({"v": 2.0}, 0.0, 0.1, xi=0.7)["v"] == pytest.approx(
        2.0 + k / 2 * (2.0 + 2.0 * (1 + k)), rel=1e-14)


def test_rk_stages_evaluate_the_drive_at_intermediate_times():
    # dv/dt = cos(t): rk4 integrates it with Simpson's rule over [t, t + h]
    step = Stepper("dv/dt = cos(t) : 1", {}, "rk4")
    t0, h = 0.4, 0.2
    simpson = h / 6 * (math.cos(t0) + 4 * math.cos(t0 + h / 2) + math.cos(t0 + h))
    assert step({"v": 0.0}, t0, h)["v"] == pytest.approx(simpson, rel=1e-14)
    assert T in integrate({"v": sp.cos(T)}, "rk4")[0][1].free_symbols


def test_a_system_met_again_is_integrated_once_and_gives_the_same_statements(monkeypatch):
    from pyspike.codegen import integrators
    monkeypatch.setattr(integrators, "_DONE", {})
    calls = []
    exact = integrators._exact
    monkeypatch.setattr(integrators, "_exact", lambda odes: calls.append(1) or exact(odes))
    v, ge = sp.symbols("v ge", real=True)
    odes = {"v": (ge - v) / 20, "ge": -ge / 5}
    first = integrate(odes, "exact")
    again = integrate({"v": (ge - v) / 20, "ge": -ge / 5}, "exact")
    assert again == first and calls == [1]
    again.append(("_new_x", v))                  # a caller's list is its own
    assert integrate(odes, "exact") == first


def test_systems_that_only_compare_equal_are_integrated_each_for_itself(monkeypatch):
    from pyspike.codegen import integrators
    monkeypatch.setattr(integrators, "_DONE", {})
    v = sp.Symbol("v", real=True)
    plain = sp.Symbol("v")
    decimal = integrate({"v": -v * sp.Float(0.5, 15)}, "euler")
    binary = integrate({"v": -v * sp.Float(0.5, 53)}, "euler")
    loose = integrate({"v": -plain * sp.Float(0.5, 15)}, "euler")
    assert sp.srepr(decimal[-1][1]) != sp.srepr(binary[-1][1])
    assert plain in loose[-1][1].free_symbols and v in decimal[-1][1].free_symbols


def test_a_refused_system_is_refused_again_not_remembered():
    v = sp.Symbol("v", real=True)
    for _ in range(2):
        with pytest.raises(Exception, match="linear"):
            integrate({"v": -v * v}, "exact")
