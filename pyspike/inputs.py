"""Input groups: Poisson spike trains and given spike times.

Both are groups like any other: synapses start from them and monitors record them.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import sympy as sp

from .codegen.equations import DT, I_INDEX, N_SIZE, T
from .codegen.errors import ModelError
from .codegen.expressions import Context, Rand, Randn, exprel, parse_expression
from .codegen.spec import GroupSpec
from . import checks
from .group import NeuronGroup
from .input_currents import (constant_input, ou_process, ramp_input, section_input,  # noqa: F401
                             sinusoidal_input, spike_input, square_input, wiener_process)
from .model import NeuronModel


class PoissonGroup(NeuronGroup):
    """``N`` independent Poisson spike trains at ``rates`` Hz: a number, one value per
    neuron, or an expression over ``t`` (ms), ``i``, ``N`` and ``dt`` evaluated every step.

    In every step a neuron spikes with probability ``rates * dt`` (dt in seconds).
    Negative, NaN and infinite rates are refused wherever they can be known: numbers,
    arrays, and the constant parts of an expression.

    >>> import pyspike as ps
    >>> net = ps.Network(dt=0.1, seed=3, backend="numpy")
    >>> with net:
    ...     P = ps.PoissonGroup(200, rates=50.0)
    ...     mon = ps.SpikeMonitor(P)
    >>> net.run(100.0)
    >>> 600 < mon.num_spikes < 1400     # 200 * 50 Hz * 0.1 s = 1000 expected
    True
    """

    def __init__(self, N: int, rates: Union[float, Sequence[float], str],
                 name: Optional[str] = None):
        if isinstance(rates, str):
            try:
                model = NeuronModel(threshold=f"rand() < {rate_text(rates)}*dt*0.001")
            except ModelError as err:        # (the units of the rates: t is in ms)
                raise ModelError(f"rates={rates!r} is no rate in Hz: {err}",
                                 where="PoissonGroup", symbol="rates") from None
        else:
            rates = checks.reals(rates, "rates", "PoissonGroup", minimum=0.0, finite=True,
                                 unit="Hz")
            model = NeuronModel(threshold="rand() < rates*dt*0.001", params={"rates": rates})
        super().__init__(N, model, name=name)

    def _set(self, name: str, value) -> None:
        if name == "rates" and not (isinstance(value, str) and self.network is None
                                    and "rand" in value):
            if isinstance(value, str):
                value = self.value_of(name, value)
            value = checks.reals(value, "rates", f"PoissonGroup '{self.name}'", unit="Hz",
                                 minimum=0.0, finite=True)
        super()._set(name, value)


#: The names a rate expression may read, each with the one text that stands for it.
_RATE_NAMES = {"t": T, "i": I_INDEX, "N": N_SIZE, "dt": DT}
_RATE_TEXT = {sym: text for text, sym in _RATE_NAMES.items()}
_RATE_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sp.Abs: "abs", sp.sin: "sin",
                   sp.cos: "cos", sp.tan: "tan", sp.tanh: "tanh", sp.floor: "floor",
                   sp.ceiling: "ceil", exprel: "exprel"}


def rate_text(text: str) -> str:
    """The rate expression ``text``, parsed, checked, and printed back as model text.

    No character of ``text`` reaches the model: ``text`` is parsed into a sympy tree (one
    expression over t, i, N and dt, or a ModelError), and the text returned is printed
    from that tree by :func:`_print_rate`, which knows a closed list of node kinds (numbers
    printed by Python, the four names above spelled from their own table, arithmetic,
    the whitelisted functions), wraps every node in parentheses, and refuses anything
    else.  So the threshold composed from it is one comparison whatever the user wrote,
    and a rate cannot close a parenthesis, comment out the rest, or add a condition.
    Printing it again and parsing the print gives the same tree (checked below).
    """
    where = "the rates of a PoissonGroup"
    ctx = Context(where=where, line=text, lineno=1)
    expr = parse_expression(text, _RATE_NAMES, ctx)
    _check_rate_constants(expr, text)
    printed = _print_rate(expr, text)
    again = parse_expression(printed, _RATE_NAMES, Context(where=where, line=printed))
    if _without_sites(again) != _without_sites(expr):   # pragma: no cover - a printer bug
        raise ModelError(f"the rate expression {text!r} could not be printed back exactly "
                         f"({printed!r}): please report this", where="PoissonGroup",
                         symbol="rates")
    return printed


def _without_sites(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its random call sites unnumbered (numbers follow the text's order)."""
    return expr.replace(lambda e: isinstance(e, (Rand, Randn)),
                        lambda e: sp.Symbol("_randn" if isinstance(e, Randn) else "_rand"))


def _refuse(text: str, why: str) -> ModelError:
    return ModelError(f"rates={text!r}: {why}", where="PoissonGroup", symbol="rates")


def _constant(expr: sp.Expr) -> bool:
    return not expr.free_symbols and not expr.has(Rand, Randn)


def _check_rate_constants(expr: sp.Expr, text: str) -> None:
    """Every constant part of the rate is a finite real number, and the rate is not
    negative where that can be known (a constant, or sympy proves it for every t, i)."""
    for node in sp.preorder_traversal(expr):
        if not _constant(node):
            continue
        try:
            value = complex(node.evalf())
        except (TypeError, ValueError, OverflowError):
            value = complex(float("nan"))
        if value.imag != 0 or not np.isfinite(value.real):
            raise _refuse(text, f"the part '{node}' is not a finite real number")
        if value.real == 0 and not node.is_zero:
            raise _refuse(text, f"the part '{node}' is too small for a double")
    if _constant(expr):
        try:
            rate = float(expr)
        except OverflowError:
            rate = float("inf")
        if not np.isfinite(rate):
            raise _refuse(text, f"the rate is {rate} Hz, not a finite number")
        if rate < 0:
            raise _refuse(text, f"the rate is {rate:g} Hz; rates must be >= 0 Hz")
    elif expr.is_negative:
        raise _refuse(text, "the rate is negative for every t and i; rates must be >= 0 Hz")


def _print_rate(expr: sp.Basic, text: str) -> str:
    """Model text for a checked rate tree (see :func:`rate_text`)."""
    def p(e) -> str:
        if isinstance(e, sp.Integer):
            return f"({int(e)})"
        if isinstance(e, sp.Rational):
            return f"({int(e.p)}/{int(e.q)})"
        if isinstance(e, sp.Float):
            return f"({float(e)!r})"
        if e is sp.pi or e is sp.E:
            return "(pi)" if e is sp.pi else "(e)"
        if e in _RATE_TEXT:
            return _RATE_TEXT[e]
        if isinstance(e, (sp.Add, sp.Mul)):
            return "(" + (" + " if isinstance(e, sp.Add) else " * ").join(map(p, e.args)) + ")"
        if isinstance(e, sp.Pow):
            return f"({p(e.base)} ** {p(e.exp)})"
        if isinstance(e, sp.Mod):
            return f"({p(e.args[0])} % {p(e.args[1])})"
        if isinstance(e, (sp.Min, sp.Max)):           # min/max take two arguments
            name = "min" if isinstance(e, sp.Min) else "max"
            out = p(e.args[-1])
            for a in reversed(e.args[:-1]):
                out = f"{name}({p(a)}, {out})"
            return out
        if isinstance(e, (Rand, Randn)):
            return "rand()" if isinstance(e, Rand) else "randn()"
        if e.func in _RATE_FUNCTIONS and len(e.args) == 1:
            return f"{_RATE_FUNCTIONS[e.func]}({p(e.args[0])})"
        raise _refuse(text, f"'{e}' is not a finite real expression pyspike can use as a "
                            "rate")
    return p(expr)


class PoissonInput:
    """``N`` independent Poisson sources at ``rate`` Hz, each adding ``weight`` to the
    variable ``var`` of every neuron of ``target`` when it fires, without synapses: per
    step and neuron, ``var += weight * k`` with k ~ Poisson(N * rate * dt), drawn after
    the threshold (as Brian2's PoissonInput).  ``rate`` and ``weight`` may change
    between runs without a rebuild; in a batched network either may be a list of one
    value per instance.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
    >>> net = ps.Network(dt=0.1, seed=4, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(500, m)
    >>> drive = ps.PoissonInput(G, "v", N=100, rate=10.0, weight=0.5)
    >>> net.run(200.0)
    >>> 4.0 < float(G.v.mean()) < 6.0     # mean N*rate*weight*tau = 100*0.01*0.5*10 = 5 mV
    True
    """

    def __init__(self, target: NeuronGroup, var: str, N: int, rate: float, weight: float):
        if not isinstance(target, NeuronGroup):
            raise ModelError("a PoissonInput drives a NeuronGroup", where="PoissonInput")
        if not isinstance(var, str) or var not in target.model.variables:
            raise ModelError(f"{checks.show(var)} is not a variable of group '{target.name}' "
                             f"(it has {', '.join(target.model.variables) or 'none'})",
                             where="PoissonInput", symbol=checks.label(var))
        self.target, self.var = target, var
        self.N = checks.count(N, "N", "PoissonInput", minimum=0, maximum=2 ** 31 - 1)
        # plain attributes, which may change between runs: checked here and by every run
        self.rate = _number(rate, "rate", minimum=0.0, unit="Hz")
        self.weight = _number(weight, "weight", dim=target.model.dims.get(var))
        target.poisson_inputs.append(self)

    def value(self, what: str, dt: float, limit: float = 500.0) -> float:
        """The weight, or the mean count per step (at most ``limit``, the backend's),
        checked as a run takes it."""
        if what == "weight":
            return _number(self.weight, "weight", dim=self.target.model.dims.get(self.var))
        rate = _number(self.rate, "rate", minimum=0.0, unit="Hz")
        mean = self.N * np.asarray(rate) * dt * 1e-3
        if np.max(mean) > limit:
            why = "" if limit >= 500 else (
                " in float32 on the GPU, whose float arithmetic cannot hold exp(-mean) much "
                "beyond; split it into several PoissonInputs, or use precision='double'")
            raise ModelError(f"a PoissonInput of {self.N} sources at {np.max(rate)} Hz gives "
                             f"{np.max(mean):.0f} spikes per step on average; at most "
                             f"{limit:g} are supported{why} (or use a smaller dt)",
                             where="PoissonInput")
        return mean if np.ndim(mean) else float(mean)


def _number(value, what: str, minimum: Optional[float] = None, unit: str = "", dim=None):
    """A finite float, or (for a batch) a 1-d float array of one value per instance."""
    array = checks.reals(value, what, "PoissonInput", minimum=minimum, finite=True,
                         unit=unit, dim=dim)
    if array.ndim > 1 or (array.ndim == 1 and array.size == 0):
        raise ModelError(f"a PoissonInput takes one number as {what}, or a list of one per "
                         f"instance of a batch, not {checks.show(value)}",
                         where="PoissonInput", symbol=what)
    return float(array) if array.ndim == 0 else array


class SpikeGeneratorGroup(NeuronGroup):
    """``N`` neurons that spike exactly at given times: neuron ``indices[k]`` at
    ``times[k]`` ms.  As in Brian2, a spike at time t belongs to the step that starts at
    floor(t/dt + 0.001)*dt (Brian2's ``timestep``), where its synaptic events run, so that
    its effect is first seen in the state at the end of that step; like every spike found
    in a step, it is stamped with the step's end (one step later than Brian2's stamp).

    >>> import pyspike as ps
    >>> net = ps.Network(dt=0.1, backend="numpy")
    >>> with net:
    ...     G = ps.SpikeGeneratorGroup(3, indices=[0, 2, 1], times=[1.0, 1.0, 2.5])
    ...     mon = ps.SpikeMonitor(G)
    >>> net.run(5.0)
    >>> mon.i, mon.t
    (array([0, 2, 1], dtype=int32), array([1.1, 1.1, 2.6]))
    """

    def __init__(self, N: int, indices: Sequence[int], times: Sequence[float],
                 name: Optional[str] = None):
        super().__init__(N, NeuronModel(), name=name)
        self.set_spikes(indices, times)

    def _initial_state(self) -> dict:
        return {"given": None}       # (indices int32, times): set by set_spikes

    def set_spikes(self, indices: Sequence[int], times: Sequence[float],
                   instances: Optional[Sequence[int]] = None) -> None:
        """Replace the given spikes (takes effect at the next run).  In a batched network
        ``instances`` (one per spike) gives each spike to one instance only, so that each
        instance of the batch receives its own input (None: every instance gets every
        spike)."""
        where = f"SpikeGeneratorGroup '{self.name}'"
        indices = checks.indices(indices, "indices", where, self.N)
        times = np.atleast_1d(checks.reals(times, "times", where, minimum=0.0, finite=True,
                                           unit="ms"))
        if indices.shape != times.shape or times.ndim != 1:
            raise ModelError(f"indices and times must be 1-d and of equal length (got "
                             f"{indices.shape} and {times.shape})", where=where,
                             symbol="times")
        given = (indices.astype(np.int32), times)
        if instances is not None:
            instances = np.atleast_1d(checks.indices(instances, "instances", where,
                                                     2 ** 31 - 1))
            if instances.shape != times.shape:
                raise ModelError(f"instances gives one instance per spike: {instances.size} "
                                 f"for {times.size} spikes", where=where, symbol="instances")
            given += (instances.astype(np.int32),)
        self.state.given = given
        if self.network is not None:       # the step is known: check the times now
            self.given_steps(self.network.dt)

    def given_steps(self, dt: float):
        """The given spikes as (stamps int64, indices int32, offsets), sorted by stamp, at
        steps of ``dt`` ms (a ModelError for two spikes of one neuron in one step, or times
        too far in the future).  ``offsets`` is None when every instance gets every spike;
        with spikes given per instance, the spikes are sorted by instance first and
        instance b's are ``[offsets[b], offsets[b + 1])``."""
        found = self.state.derived.get("given_steps")
        if found is None or found[0] != dt:
            indices, times = self.state.given[:2]
            where = f"SpikeGeneratorGroup '{self.name}'"
            owner = self._instances_of_spikes(where)
            if times.size and times.max() / dt >= 2.0 ** 62:
                raise ModelError(f"the spike time {times.max()!r} ms is too far in the "
                                 f"future for steps of dt = {dt} ms", where=where,
                                 symbol="times")
            # Brian2's timestep(): the spike belongs to the step that starts at or just
            # before it (floor, with a tolerance of 1e-3 steps), and it is stamped, as a
            # spike found in that step is, with the step's end: its effect is first seen in
            # the state at the end of that step, as in Brian2
            stamps = np.floor(times / dt + 1e-3).astype(np.int64) + 1
            order = np.lexsort((indices, stamps, owner))
            stamps, indices, owner = stamps[order], indices[order], owner[order]
            same = (stamps[1:] == stamps[:-1]) & (indices[1:] == indices[:-1]) \
                & (owner[1:] == owner[:-1])
            if same.any():
                k = int(np.argmax(same))
                raise ModelError(f"neuron {indices[k]} is given two spikes in the step from "
                                 f"{(stamps[k] - 1) * dt:g} ms", where=where, symbol="times")
            offsets = None
            if len(self.state.given) == 3:
                offsets = np.searchsorted(owner, np.arange(self.network.K + 1))
            found = self.state.derived["given_steps"] = (dt, stamps, indices, offsets)
        return found[1], found[2], found[3]

    def _instances_of_spikes(self, where: str) -> np.ndarray:
        """The instance of each given spike (all 0 where every instance gets them)."""
        given = self.state.given
        if len(given) == 2:
            return np.zeros(given[1].shape, dtype=np.int32)
        K = None if self.network is None else self.network.batch
        if K is None or (given[2].size and given[2].max() >= K):
            raise ModelError("spikes given per instance need a batched network with an "
                             "instance for each (Network(batch=K), instances < K)",
                             where=where, symbol="instances")
        return given[2]

    def _attach(self, network, index: int) -> None:
        if self.state.given is not None:       # (not yet set while the constructor runs)
            self.given_steps(network.dt)       # refused times join no network
        super()._attach(network, index)

    def _spec(self) -> GroupSpec:
        return GroupSpec(self.name, self.N, generator=True)
