"""``bp.DSRunner`` and ``bm.for_loop``: trace the model's step, build its pyspike network
once (lowering.py), run it compiled and hand back BrainPy's monitors.

Monitors are BrainPy's: ``runner.mon['E.spike']`` is a (steps, neurons) boolean array,
``runner.mon['E.V']`` the values at the end of each step, ``runner.mon.ts`` (also
``mon['ts']``) the time at the start of each step, from ``t0`` and continuing across
runs; each run's monitors hold that run.  Runner inputs ``(target, value, type, op)``
('fix', 'iter' or 'func'; '+', '-', '*', '/' or '=') act on a neuron variable at the start
of each step, before the update, as BrainPy applies them.
"""
from __future__ import annotations

import time
from typing import Dict, List, Optional, Tuple

import numpy as np

import pyspike as ps
from ..codegen.errors import ModelError
from .. import checks
from .context import SIMULATIONS, share, tracing
from .core import missing
from .dyn import SpikeVariable, StateVariable
from .dynsys import DynamicalSystem
from .lowering import Simulation
from .core import Series, get_dt


class Monitors(dict):
    """``mon['E.spike']`` or ``mon.ts``."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no monitor {name!r} (the monitors are "
                                 f"{', '.join(self)})") from None


def _simulation(target: DynamicalSystem, trace) -> Simulation:
    sim = SIMULATIONS.get(target)
    if sim is None:
        sim = Simulation(trace)
        SIMULATIONS[target] = sim
    else:
        sim.check(trace)
    return sim


def _resolve(target, path: str, where: str):
    obj = target
    for part in path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as err:
            raise ModelError(f"{path!r} names nothing in the model: {err}", where=where,
                             symbol=path) from None
    return obj


def _variable(target, key, where: str):
    var = _resolve(target, key, where) if isinstance(key, str) else key
    if not isinstance(var, (StateVariable, SpikeVariable)):
        raise missing(f"monitoring or driving {checks.show(key)}",
                      "only a neuron group's variables (E.V, E.spike, ...) are recorded "
                      "and driven", where=where)
    return var


class _Recorder:
    """One monitored variable: a pyspike monitor added to the network when first run."""

    def __init__(self, var, index):
        self.var, self.index, self.monitor = var, index, None

    def attach(self, sim: Simulation) -> None:
        if self.monitor is not None:
            return
        G = self.var.neurons.group
        if G.network is not sim.net:
            raise ModelError(f"'{self.var.neurons.name}' is not updated by the model's "
                             "update(), so nothing of it can be recorded", where="DSRunner",
                             symbol=self.var.neurons.name)
        if self.var.var == "spike":
            self.monitor = ps.SpikeMonitor(G)
        else:
            record = True if self.index is None else np.asarray(self.index)
            self.monitor = ps.StateMonitor(G, self.var.var, record=record, when="end")
        sim.net.add(self.monitor)
        self.done = 0

    def _count(self) -> int:
        return len(self.monitor.t)

    def start(self) -> None:
        self.done = self._count()

    def values(self, first_step: int, n_steps: int, dt: float) -> np.ndarray:
        M = self.monitor
        if self.var.var != "spike":
            return np.asarray(getattr(M, self.var.var))[:, self.done:].T.copy()
        n = self.var.neurons.num
        out = np.zeros((n_steps, n), dtype=bool)
        steps = np.rint(np.asarray(M.t)[self.done:] / dt).astype(np.int64) - 1 - first_step
        keep = (steps >= 0) & (steps < n_steps)
        out[steps[keep], np.asarray(M.i)[self.done:][keep]] = True
        return out if self.index is None else out[:, np.asarray(self.index)]


def _recorders(target, monitors, where: str) -> Dict[str, _Recorder]:
    if monitors is None:
        return {}
    if isinstance(monitors, dict):
        items = list(monitors.items())
    elif isinstance(monitors, (list, tuple)):
        items = []
        for m in monitors:
            key = m[0] if isinstance(m, (list, tuple)) else m
            if not isinstance(key, str):
                raise ModelError(f"a monitor given in a list is a name such as 'E.spike' or "
                                 f"(name, indices), not {checks.show(m)}", where=where,
                                 symbol="monitors")
            items.append((key, m))
    else:
        raise ModelError(f"monitors must be a list or a dict, not {checks.show(monitors)}",
                         where=where, symbol="monitors")
    out = {}
    for key, spec in items:
        if callable(spec) and not isinstance(spec, (StateVariable, SpikeVariable)):
            raise missing("a function as a monitor", "monitor a neuron group's variable",
                          where=where)
        var, index = (spec[0], spec[1]) if isinstance(spec, (list, tuple)) else (spec, None)
        out[key] = _Recorder(_variable(target, var, where), index)
    return out


def _runner_inputs(target, inputs, where: str) -> List[Tuple]:
    """Runner inputs as (variable, type, op, value)."""
    if inputs is None or (isinstance(inputs, (list, tuple)) and not inputs):
        return []
    if callable(inputs):
        raise missing("a function as DSRunner's inputs", "give (target, value, type, op) "
                      "tuples, or the input as update()'s argument", where=where)
    if isinstance(inputs[0], str) or not isinstance(inputs[0], (list, tuple)):
        inputs = [inputs]
    out = []
    for item in inputs:
        if not 2 <= len(item) <= 4:
            raise ModelError(f"an input is (target, value[, type[, op]]), not "
                             f"{checks.show(item)}", where=where, symbol="inputs")
        kind = item[2] if len(item) > 2 else "fix"
        op = item[3] if len(item) > 3 else "+"
        if kind not in ("fix", "iter", "func") or op not in ("+", "-", "*", "/", "="):
            raise ModelError(f"an input's type is 'fix', 'iter' or 'func' and its operation "
                             f"one of + - * / =, not {kind!r} and {op!r}", where=where,
                             symbol="inputs")
        out.append((_variable(target, item[0], where), kind, op, item[1]))
    return out


def _step_values(kind: str, value, n_steps: int, where: str):
    if kind == "fix":
        return lambda k: value
    if kind == "func":
        return lambda k: value(share.get_shargs())
    rows = np.asarray(value, dtype=float)
    if len(rows) < n_steps:
        raise ModelError(f"an 'iter' input has {len(rows)} steps, fewer than the run's "
                         f"{n_steps}", where=where, symbol="inputs")
    return lambda k: rows[k]


def _stack(value, recorded: Dict[int, np.ndarray]):
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return type(value)(_stack(v, recorded) for v in value)
    return recorded[id(value)]


def _returned(value, where: str) -> List:
    if value is None:
        return []
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _returned(item, where)]
    if isinstance(value, (StateVariable, SpikeVariable)):
        return [value]
    raise missing(f"update() returning {checks.show(value)}", "return a neuron group's "
                  "variables (self.E.spike, self.E.V), or nothing", where=where)


def execute(target, trace, returned, n_steps: int, recorders: Dict[str, "_Recorder"],
            inputs, progress: Optional[bool]):
    """Build or check the network of ``target`` from ``trace`` (one traced step, whose
    update() gave ``returned``) and run ``n_steps`` steps; returns what update() returned,
    stacked over the steps, and the recorded values by key."""
    sim = _simulation(target, trace)
    where = "DSRunner"
    extra = [(var.neurons.group, var.var, op, _step_values(kind, value, n_steps, where))
             for var, kind, op, value in inputs]
    outs = {id(v): _shared(sim, _Recorder(v, None)) for v in _returned(returned, "update()")}
    recorders = {k: _shared(sim, rec) for k, rec in recorders.items()}
    for rec in list(recorders.values()) + list(outs.values()):
        rec.start()
    first = sim.net.step
    sim.net.progress = progress
    sim.run(trace, n_steps, extra)
    share.save(t=(sim.net.step - 1) * sim.dt, i=sim.net.step - 1)
    got = {k: rec.values(first, n_steps, sim.dt) for k, rec in outs.items()}
    recorded = {k: rec.values(first, n_steps, sim.dt) for k, rec in recorders.items()}
    return _stack(returned, got), recorded


def _shared(sim: Simulation, rec: "_Recorder") -> "_Recorder":
    """The network's recorder of the same variable and neurons, made once: a monitor
    added to a built network means a new build, which repeated runs should not pay."""
    key = (id(rec.var.neurons), rec.var.var,
           None if rec.index is None else tuple(np.asarray(rec.index).ravel().tolist()))
    kept = sim.recorders.setdefault(key, rec)
    kept.attach(sim)
    return kept


class DSRunner:
    """BrainPy's runner: ``DSRunner(net, monitors=['E.spike'], inputs=[...]).run(100.)``."""

    def __init__(self, target: DynamicalSystem, inputs=(), monitors=None,
                 numpy_mon_after_run: bool = True, jit=True, dyn_vars=None,
                 memory_efficient: bool = False, dt: Optional[float] = None,
                 t0: float = 0.0, progress_bar: bool = True, data_first_axis=None,
                 fun_inputs=None, fun_monitors=None):
        where = "DSRunner"
        if not isinstance(target, DynamicalSystem):
            raise ModelError(f"target must be a model (bp.DynamicalSystem), not "
                             f"{checks.show(target)}", where=where, symbol="target")
        if fun_inputs is not None or fun_monitors is not None:
            raise missing("DSRunner(fun_inputs=..., fun_monitors=...)", where=where)
        self.target = target
        self.dt = get_dt() if dt is None else checks.number(dt, "dt", where, unit="ms")
        if abs(self.dt - get_dt()) > 1e-12:
            raise missing("DSRunner(dt=...) other than bm.get_dt()", "set the time step "
                          "with bm.set_dt before making the model", where=where)
        self.t0 = checks.number(t0, "t0", where, unit="ms")
        self.progress_bar = checks.flag(progress_bar, "progress_bar", where)
        self._recorders = _recorders(target, monitors, where)
        self._inputs = _runner_inputs(target, inputs, where)
        self.mon = Monitors()
        self.i0 = 0

    def run(self, duration: Optional[float] = None, inputs=None, reset_state: bool = False,
            eval_time: bool = False, shared_args=None):
        """Run ``duration`` ms (or one step per row of ``inputs``, given to update())."""
        where = "DSRunner.run"
        if shared_args:
            raise missing("DSRunner.run(shared_args=...)", where=where)
        args = ()
        if inputs is not None:
            rows = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
            args = tuple(Series(np.asarray(r, dtype=float)) for r in rows)
            n_steps = len(args[0])
            if any(len(a) != n_steps for a in args):
                raise ModelError("the input arrays differ in their number of steps",
                                 where=where, symbol="inputs")
        elif duration is None:
            raise ModelError("give the duration of the run, or inputs with one row per step",
                             where=where, symbol="duration")
        else:
            duration = checks.number(duration, "duration", where, minimum=0.0, unit="ms")
            n_steps = int(duration / self.dt + 1e-9)
        if reset_state:
            self.reset_state()
        t_start = time.time()
        with tracing() as trace:
            returned = self.target(*args)
        out, recorded = execute(self.target, trace, returned, n_steps, self._recorders,
                                self._inputs, None if self.progress_bar else False)
        elapsed = time.time() - t_start
        self.mon = Monitors(recorded)
        self.mon["ts"] = self.t0 + (self.i0 + np.arange(n_steps)) * self.dt
        self.i0 += n_steps
        return (elapsed, out) if eval_time else out

    predict = run
    __call__ = run

    def reset_state(self) -> None:
        """The model back to its initial state, the time back to t0."""
        self.target.reset_state()
        self.i0 = 0


def loop(body_fun, operands, progress_bar: bool):
    """bm.for_loop: see pyspike.brainpy.math.for_loop."""
    rows = operands if isinstance(operands, (tuple, list)) else (operands,)
    series = [Series(np.asarray(r, dtype=float)) for r in rows]
    n_steps = len(series[0]) if series else 0
    if not series or any(len(s) != n_steps for s in series):
        raise ModelError("bm.for_loop runs over arrays of equal length (one row per step)",
                         where="bm.for_loop", symbol="operands")
    with tracing() as trace:
        returned = body_fun(*series)
    if trace.root is None:
        raise missing("bm.for_loop over a function that runs no model",
                      "call the model in it: lambda i: model.step_run(i, 20.)",
                      where="bm.for_loop")
    out, _ = execute(trace.root, trace, returned, n_steps, {}, [],
                     None if progress_bar else False)
    return out
