"""From one traced step of a BrainPy model to a pyspike Network.

The trace says which neurons ``update()`` calls, with which input, and which
projections, in which order.  BrainPy's timing depends on that order, and pyspike's step
has one fixed order (every group's update, then the step's spikes delivered, then the
resets), so each projection gets the delay and weight that give BrainPy's currents:

- A projection called before its presynaptic group's update reads the spikes of
  ``K = max(1, ceil(delay/dt))`` steps ago (BrainPy 2.4.3 counts a delay of dt or less as
  one step); called after it, the spikes of the same step (BrainPy then ignores its
  delay: K = 0).  Its target reads what it adds in the same step if the target is updated
  after the call, in the next step otherwise.  So a spike first reaches the target's
  update ``lag = K`` (or ``K + 1``) steps later; in pyspike a spike of step n with a
  delay of D steps reaches the update of step n + 1 + D: ``D = lag - 1``.  A lag of 0 (a
  spike reaching its target within the step) cannot be had in pyspike's step and is
  refused.
- BrainPy's align-post ``Expon`` decays before the target reads it, pyspike's state
  after; weights scaled by ``exp(-dt/tau)`` give BrainPy's conductance at every step
  (exactly, for any spike train: both follow g_n = d*(g_{n-1} + W*s)).  ``ProjAlignPreMg1``
  projects the presynaptic trace before it decays: its weights stay as given.
"""
from __future__ import annotations

import math
from typing import Callable, List, Optional, Tuple

import numpy as np

import pyspike as ps
from ..codegen.errors import ModelError
from .. import checks
from .context import Trace
from .core import Series, Variable, random, settings
from .projections import AlignProjection


def delay_steps(delay: Optional[float], dt: float) -> int:
    """BrainPy's steps for a delay read before the presynaptic update: at least one."""
    if delay is None or delay == 0:
        return 1
    return max(1, math.ceil(delay / dt - 1e-9))


def timing(proj: AlignProjection, trace: Trace, dt: float) -> Tuple[int, float]:
    """(pyspike delay in steps, weight scale) giving BrainPy's currents for ``proj``."""
    where = f"projection '{proj.name}'"
    at = trace.position(proj)
    for group, side in ((proj.pre, "presynaptic"), (proj.post, "postsynaptic")):
        if trace.position(group) is None:
            raise ModelError(f"update() calls the projection '{proj.name}' but never the "
                             f"{side} neurons '{group.name}'", where=where, symbol=group.name)
    before_pre = at < trace.position(proj.pre)
    post_before = trace.position(proj.post) < at
    if proj.align == "pre" and post_before:
        raise ModelError(f"update() calls the neurons '{proj.post.name}' before the "
                         f"projection '{proj.name}' that feeds them: BrainPy's "
                         f"{type(proj).__name__} has no conductance for them yet (BrainPy "
                         "raises 'Please first pack conductance data'); call the "
                         "projection first", where=where, symbol=proj.name)
    lag = (delay_steps(proj.delay, dt) if before_pre else 0) + (1 if post_before else 0)
    if lag == 0:
        raise ModelError(f"update() calls '{proj.pre.name}', then the projection "
                         f"'{proj.name}', then '{proj.post.name}': in BrainPy the spikes of "
                         "a step then reach their target within that step, which pyspike's "
                         "step (all groups updated, then the spikes delivered) cannot do; "
                         "call the projections before the neurons, as BrainPy's examples "
                         "do", where=where, symbol=proj.name)
    scale = math.exp(-dt / proj.syn.tau) if proj.align == "post" else 1.0
    return lag - 1, scale


def neuron_input(neurons, x, where: str):
    """A neuron's input in update(): a constant array of its size, or a Series."""
    if x is None:
        return np.zeros(neurons.num)
    if isinstance(x, Series):
        if x.values.ndim == 1 or x.values.shape[1:] in ((1,), (neurons.num,)):
            return x
    elif not isinstance(x, Variable):
        value = np.asarray(x, dtype=float) if not isinstance(x, str) else None
        if value is not None and value.shape in ((), (1,), (neurons.num,)):
            return np.broadcast_to(value, (neurons.num,)).astype(float)
    raise ModelError(f"the input of '{neurons.name}' in update() must be a number, "
                     f"{neurons.num} numbers or a per-step array, not {checks.show(x)}",
                     where=where, symbol=neurons.name)


class Simulation:
    """The pyspike network of one BrainPy model, built from the trace of its first run;
    later runs must trace the same structure (their inputs may change)."""

    def __init__(self, trace: Trace):
        conf = settings()
        self.dt = float(conf["dt"])
        self.net = ps.Network(dt=self.dt, seed=random.network_seed(),
                              backend=conf["backend"], precision=conf["precision"])
        self.neurons = [obj for kind, obj, _ in trace.events if kind == "neuron"]
        self.signature = self._signature(trace)
        for neurons in self.neurons:
            if neurons.group.network is not None:
                raise ModelError(f"the neurons '{neurons.name}' belong to another model "
                                 "that has run already; make them anew for this one",
                                 where="DSRunner", symbol=neurons.name)
            self.net.add(neurons.group)
        self.synapses = []
        for kind, proj, _ in trace.events:
            if kind == "projection":
                self.synapses.append(self._synapses(proj, trace))
        self._operation = ps.NetworkOperation(self._apply_inputs, name="brainpy_inputs")
        self._inputs: List[Tuple[object, str, str, Callable[[int], object]]] = []
        self._start = 0
        #: the monitors made for this network, by (neurons, variable, indices)
        self.recorders: dict = {}
        self.net.store("brainpy_initial")
        self._built_objects = len(self.net.objects)

    def _signature(self, trace: Trace) -> tuple:
        return tuple((kind, id(obj), timing(obj, trace, self.dt) if kind == "projection"
                      else None) for kind, obj, _ in trace.events)

    def _synapses(self, proj: AlignProjection, trace: Trace):
        steps, scale = timing(proj, trace, self.dt)
        out = proj.out.kind
        voltage = proj.post.voltage if out != "CUBA" else None
        S = ps.Synapses(proj.pre.group, proj.post.group,
                        model=ps.models.synapses["Expon"], output=out,
                        params={**proj.syn.params(), **proj.out.params()},
                        delay=steps * self.dt, name=proj.name,
                        **({"voltage": voltage} if voltage else {}))
        self.net.add(S)
        proj.comm.make(S, scale)
        return S

    def check(self, trace: Trace) -> None:
        if self._signature(trace) != self.signature:
            raise ModelError("update() calls other neurons or projections, or in another "
                             "order, than in the model's first run: pyspike.brainpy compiles "
                             "the step of the first run; make the model anew",
                             where="update()")

    def run(self, trace: Trace, n_steps: int,
            extra: List[Tuple[object, str, str, Callable[[int], object]]]) -> None:
        """Run ``n_steps`` with this run's inputs: constant inputs set once, per-step
        arrays given to update() set where their values change (the run goes in pieces
        between those steps), runner inputs that act at every step applied from Python
        at the start of each step (a network operation)."""
        self._inputs = list(extra)
        rows = []
        for kind, neurons, x in trace.events:
            if kind != "neuron":
                continue
            value = neuron_input(neurons, x, "update()")
            if not isinstance(value, Series):
                neurons.group.I = value
            elif len(value) < n_steps:
                raise ModelError(f"the per-step input of '{neurons.name}' has "
                                 f"{len(value)} steps, fewer than the run's {n_steps}",
                                 where="update()", symbol=neurons.name)
            else:
                rows.append((neurons.group, value.values[:n_steps]))
        self._start = self.net.step
        ops = self.net.operations
        attached = any(op is self._operation for op in ops)
        if self._inputs and not attached:
            self.net.add(self._operation)
        elif not self._inputs and attached:
            ops.remove(self._operation)
        if self._inputs:
            self._inputs += [(G, "I", "=", lambda k, r=r: r[k]) for G, r in rows]
            self.net.run(n_steps * self.dt)
            return
        changes = {0, n_steps}
        for _, r in rows:
            differs = np.any((r[1:] != r[:-1]).reshape(len(r) - 1, -1), axis=1)
            changes.update((np.flatnonzero(differs) + 1).tolist())
        bounds = sorted(changes)
        for start, stop in zip(bounds[:-1], bounds[1:]):
            for G, r in rows:
                G.I = np.broadcast_to(r[start], (G.N,))
            self.net.run((stop - start) * self.dt)

    def _apply_inputs(self) -> None:
        k = self.net.step - self._start
        for group, var, op, value_at in self._inputs:
            value = np.asarray(value_at(k), dtype=float)
            current = getattr(group, var)
            new = {"=": lambda: value + 0 * current, "+": lambda: current + value,
                   "-": lambda: current - value, "*": lambda: current * value,
                   "/": lambda: current / value}[op]()
            setattr(group, var, new)

    def reset(self) -> None:
        """Back to the state stored when the network was built.  Monitors added since
        are set aside meanwhile: they keep what they recorded (each run's monitors
        start from where the run starts)."""
        objects = self.net.objects
        later = objects[self._built_objects:]
        del objects[self._built_objects:]
        try:
            self.net.restore("brainpy_initial")
        finally:
            objects.extend(later)
