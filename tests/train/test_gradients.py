"""The generated backward pass gives the gradients torch autograd gives through the same
unrolled step equations with the same surrogate, for every library neuron model with a
threshold and an input (refractory ones too: the flag that holds a neuron is a number
without derivative, in both) and for a user's own model; and, for a smooth spike
function, the gradients of finite differences.

Tolerances: float64 throughout.  Against autograd, 1e-8 relative (the issue's bound):
both evaluate the same expressions, in another order (sympy's common subexpressions
against torch's graph), so they differ by rounding only.  Against central finite
differences of step 1e-6, 1e-5 relative: the truncation error of the difference
quotient.
"""
import numpy as np
import pytest
import sympy as sp

import pyspike as ps
import pyspike.models  # noqa: F401
from pyspike.codegen.functions import exprel
from pyspike.codegen.grad_step import INPUT
from pyspike.codegen.surrogates import ALPHA, SURROGATES, U
from pyspike.models import registry
from pyspike.train import NeuronKernels

torch = pytest.importorskip("torch")

T, B, N = 12, 2, 5


def _trainable_models():
    out = []
    for name in registry.neurons.names():
        m = registry.neurons[name]
        if m.threshold and {"Isyn", "I"} & set(m.variables):
            out.append(name)
    return out


MODELS = _trainable_models()
#: initial values instead of the model's random ones (MorrisLecar draws V)
START = {"MorrisLecar": {"V": -70.0}}


def _fn(expr, names):
    """``expr`` as a function of the values of ``names`` (torch tensors)."""
    return lambda *values: evaluate(expr, dict(zip(names, values)))


_UNARY = {sp.exp: torch.exp, sp.log: torch.log, sp.atan: torch.atan, sp.sin: torch.sin,
          sp.cos: torch.cos, sp.tanh: torch.tanh, sp.Abs: torch.abs, sp.sqrt: torch.sqrt,
          exprel: lambda z: torch.where(z == 0, torch.ones_like(z), torch.expm1(z) / z),
          sp.floor: torch.floor}
_COMPARE = {sp.StrictGreaterThan: torch.gt, sp.GreaterThan: torch.ge,
            sp.StrictLessThan: torch.lt, sp.LessThan: torch.le}


def evaluate(expr, env):
    """A sympy expression evaluated on torch tensors, node by node (so that autograd
    differentiates it on its own, not from sympy's derivatives)."""
    if expr.is_Symbol:
        return env[expr.name]
    if expr is sp.true or expr is sp.false:
        return torch.tensor(bool(expr))
    if expr.is_Number or expr is sp.pi:
        return torch.tensor(float(expr), dtype=torch.float64)
    args = [evaluate(a, env) for a in expr.args] if not isinstance(expr, sp.Piecewise) \
        else None
    if expr.is_Add:
        return sum(args[1:], args[0])
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if expr.is_Pow:
        return args[0] ** args[1]
    if expr.func in _UNARY:
        return _UNARY[expr.func](args[0])
    if expr.func in (sp.Max, sp.Min):
        out = args[0]
        for a in args[1:]:
            out = (torch.maximum if expr.func is sp.Max else torch.minimum)(out, a)
        return out
    if expr.func in (sp.Or, sp.And):
        out = args[0]
        for a in args[1:]:
            out = (out | a) if expr.func is sp.Or else (out & a)
        return out
    if expr.func is sp.Not:
        return ~args[0]
    if expr.func in _COMPARE:
        return _COMPARE[expr.func](args[0], args[1])
    if isinstance(expr, sp.Piecewise):
        (value, cond), *rest = expr.args
        other = evaluate(sp.Piecewise(*rest), env) if rest else torch.tensor(float("nan"))
        if cond is sp.true:
            return evaluate(value, env)
        return torch.where(evaluate(cond, env), evaluate(value, env), other)
    raise NotImplementedError(f"no torch evaluation of {expr.func}")


def _spike_function(surrogate: str, strict: bool):
    derivative = SURROGATES[surrogate].derivative.xreplace({ALPHA: sp.Symbol("a", real=True),
                                                            U: sp.Symbol("u", real=True)})
    d = _fn(derivative, ["u", "a"])

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u, a):
            ctx.save_for_backward(u, a)
            return ((u > 0) if strict else (u >= 0)).to(u.dtype)

        @staticmethod
        def backward(ctx, g):
            u, a = ctx.saved_tensors
            return g * torch.as_tensor(d(u, a), dtype=u.dtype), None

    return Spike.apply


def torch_gradients(k: NeuronKernels, x: np.ndarray, gout: np.ndarray):
    """(input gradient, parameter gradients) by autograd through the unrolled step."""
    step = k.kernel.step
    params = {p: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True)
              for p, v in k.values.items()}
    names = list(step.states) + list(step.params) + [INPUT.name, "_h__refr"]
    F = {n: _fn(e, names) for n, e in step.update}
    g = _fn(step.threshold, names)
    r = {n: _fn(e, names) for n, e in step.reset}
    spike = _spike_function(k.kernel.surrogate, step.strict)
    xt = torch.tensor(x, requires_grad=True)
    state = {n: torch.full((B, N), float(v), dtype=torch.float64)
             for n, v in zip(step.carried, k.init)}
    total = 0
    for t in range(T):
        args = lambda env: [env.get(n, torch.zeros(())) for n in names]  # noqa: E731
        env = dict(state, **params, **{INPUT.name: xt[t]})
        nr = None
        if step.refractory is not None:     # a number per neuron, no derivative
            nr = evaluate(step.refractory, env).detach() * torch.ones((B, N),
                                                                      dtype=torch.float64)
            env["_h__refr"] = nr
        h = {n: F[n](*args(env)) * torch.ones((B, N), dtype=torch.float64) for n in F}
        henv = dict(env, **h)
        s = spike(g(*args(henv)), params["_alpha"])
        if nr is not None:
            s = s * nr
        sr = s.detach() if k.kernel.detach_reset else s
        reset = {n: r[n](*args(henv)) for n in r}
        state = {n: h[n] + sr * (reset[n] - h[n]) if n in reset else h[n]
                 for n in step.carried}
        out = s if step.output == "spike" else h[step.output]
        total = total + (out * torch.tensor(gout[t])).sum()
    total.backward()
    return xt.grad.numpy(), {p: (params[p].grad.numpy() if params[p].grad is not None
                                 else 0.0) for p in k.kernel.trained}


def _spiking_input(k: NeuronKernels, rng) -> np.ndarray:
    """A random input under which the model spikes at some steps (and stays finite)."""
    # (refractory models: over 12 steps of 0.1 ms, a neuron spikes once at most)
    for scale in np.geomspace(0.01, 1e6, 50):
        x = rng.normal(0.3, 1.0, (T, B, N)) * scale
        with np.errstate(all="ignore"):
            out, ctx = k.forward(x)
        spiking = out.max(axis=0).mean() if k.kernel.step.refractory is not None \
            else out.mean()
        if 0.03 < spiking < 0.6 and np.isfinite(ctx.saved).all():
            return x
    pytest.fail(f"no input scale makes {k.model.name} spike")


def _trained(step_params):
    return tuple(p for p in step_params if p != "dt")


def _compare(k: NeuronKernels, rng):
    _compare_on(k, _spiking_input(k, rng), rng)


def _compare_on(k: NeuronKernels, x: np.ndarray, rng):
    gout = rng.normal(size=(T, B, N))
    out, ctx = k.forward(x)
    gin, gp = k.backward(gout, ctx)
    tin, tp = torch_gradients(k, x, gout)
    # (an element much smaller than the largest is held to 1e-8 of the largest: the
    # rounding of the large terms it is the difference of)
    np.testing.assert_allclose(gin, tin, rtol=1e-8, atol=1e-8 * np.abs(tin).max())
    largest = max([np.abs(v).max() for v in tp.values()] + [1e-300])
    for p in k.kernel.trained:       # (the same rule, over the parameters)
        np.testing.assert_allclose(gp[p], tp[p], rtol=1e-8, atol=1e-8 * largest,
                                   err_msg=p)


@pytest.mark.parametrize("name", MODELS)
def test_a_library_model_gets_the_gradients_of_autograd(name):
    probe = NeuronKernels(name, dtype="float64", backend="numpy", init=START.get(name))
    trained = _trained(probe.kernel.step.params)
    # (the library's models are written for steps of 0.1 ms or less)
    # BrainPy's exponential models start at V = 0, far above their threshold, and
    # diverge at once: these start at rest
    rest = registry.neurons[name].params.get("V_rest")
    init = {"V": rest} if rest is not None else {}
    init.update(START.get(name, {}))
    k = NeuronKernels(name, dtype="float64", trainable=trained, dt=0.1, init=init)
    _compare(k, np.random.default_rng(len(name)))


@pytest.mark.parametrize("surrogate", sorted(SURROGATES))
def test_every_surrogate_gives_the_gradients_of_autograd(surrogate):
    k = NeuronKernels("lif", dtype="float64", surrogate=surrogate,
                      trainable=("tau_m", "v_th"))
    _compare(k, np.random.default_rng(3))


def test_a_detached_reset_gives_the_gradients_of_autograd_with_a_detached_spike():
    k = NeuronKernels("clif", dtype="float64", detach_reset=True, trainable=("tau_m",))
    _compare(k, np.random.default_rng(4))


USER = ps.NeuronModel(
    equations="dv/dt = (-v + R*I)/tau + a*v**2 : 1\nI : 1",
    threshold="v > theta", reset="v = v - theta",
    params={"R": 1.5, "tau": 5.0, "a": 0.01, "theta": 1.0}, method="rk4")


def test_a_users_own_model_gets_the_gradients_of_autograd():
    k = NeuronKernels(USER, dtype="float64", trainable=("R", "tau", "a", "theta"))
    _compare(k, np.random.default_rng(5))


def _loss(k, x, gout):
    out, _ = k.forward(x)
    return float((out * gout).sum())


def test_smooth_spikes_give_the_gradients_of_finite_differences():
    k = NeuronKernels(USER, dtype="float64", smooth=True, surrogate="sigmoid",
                      trainable=("R", "tau", "a", "theta"))
    rng = np.random.default_rng(6)
    x = rng.normal(0.8, 0.5, (T, B, N))
    gout = rng.normal(size=(T, B, N))
    out, ctx = k.forward(x)
    gin, gp = k.backward(gout, ctx)
    eps = 1e-6
    for p in k.kernel.trained:
        v = k.values[p]
        k.values[p] = v + eps
        up = _loss(k, x, gout)
        k.values[p] = v - eps
        down = _loss(k, x, gout)
        k.values[p] = v
        assert gp[p] == pytest.approx((up - down) / (2 * eps), rel=1e-5), p
    for idx in [(0, 0, 0), (5, 1, 3), (T - 1, 0, 4)]:
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        fd = (_loss(k, xp, gout) - _loss(k, xm, gout)) / (2 * eps)
        assert gin[idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_a_refractory_period_gets_the_gradients_of_autograd():
    # 0.3 ms at dt 0.1: a neuron that spikes is held for 3 updates (the default, 0, none)
    k = NeuronKernels("LifRef", dtype="float64", dt=0.1, params={"tau_ref": 0.3},
                      trainable=("tau", "V_th", "R"))
    rng = np.random.default_rng(7)
    x = np.abs(rng.normal(3000, 1500, (T, B, N)))
    out, _ = k.forward(x)
    assert (out.sum(axis=0) > 1).any()        # spikes after a refractory period
    _compare_on(k, x, rng)


def test_parameters_per_neuron_get_the_gradients_of_autograd():
    k = NeuronKernels("clif", dtype="float64", per_neuron=("tau_m", "v_th", "tau_p"),
                      trainable=("tau_m", "v_th", "tau_p", "tau_q"))
    k.values["tau_m"] = np.linspace(10, 30, N)
    k.values["v_th"] = np.linspace(0.6, 1.2, N)
    k.values["tau_p"] = np.linspace(10, 14, N)
    _compare(k, np.random.default_rng(9))
