"""Non-finite state found and reported: which group, variable, neuron and step.

After every chunk of a run (see :mod:`pyspike.pacing`; chunks that end within
``CHECK_EVERY_S`` of wall time of the last check, as the short pieces of a network split
over MPI ranks do, are checked together with a later one, and the last chunk always) the
neuron variables are checked for inf and NaN, on the backend's own arrays (on the GPU,
without copying them); a value that has become non-finite stops the run with a
:class:`NonFiniteError` that names it.  Synaptic variables that the model writes
(plasticity) may be many more: up to ``SYNAPSE_ALWAYS`` values they are checked after
every chunk too, beyond that only while their checks have cost under 1% of the run's
time so far.
``ps.Network(..., check_finite=False)`` turns all of it off.
"""
from __future__ import annotations

import time
from typing import List, Optional, Tuple

import numpy as np

from .codegen.synaptic import LASTUPDATE

#: The share of a run's wall time that checking many synaptic variables may take.
SYNAPSE_BUDGET = 0.01
#: Synaptic values checked after every chunk regardless (about 0.1 ms of checking).
SYNAPSE_ALWAYS = 2 ** 18
#: Chunks of a run shorter than this (s of wall time) since the last check wait for the
#: next: a check of 10**5 values takes ~0.1 ms, as long as a step of such a network.
CHECK_EVERY_S = 0.02


class NonFiniteError(FloatingPointError):
    """A state variable became inf or NaN during a run.

    The run stopped after the chunk in which it was found: ``net.t``, the state and the
    monitors hold everything up to that point.  Attributes: ``owner`` (group or synapses
    name), ``variable``, ``index`` (neuron or synapse), ``instance`` (of a batch), ``value``,
    ``step`` (where it was found) and ``last_finite_step`` (the check before, or None when
    the value was there before the run).
    """

    def __init__(self, owner: str, kind: str, variable: str, index: int, instance: int,
                 value: float, step: int, last_finite_step: Optional[int], dt: float,
                 batched: bool):
        self.owner, self.variable, self.index = owner, variable, index
        self.instance, self.value, self.step = instance, value, step
        self.last_finite_step = last_finite_step
        element = "neuron" if kind == "group" else "synapse"
        where = f"{kind} '{owner}'" + (f", instance {instance}" if batched else "")
        if last_finite_step is None:
            when = (f"before the run (t = {step * dt:g} ms): an initial value or a value "
                    "set from Python")
        else:
            when = (f"between t = {last_finite_step * dt:g} ms, when it was finite, and "
                    f"t = {step * dt:g} ms (steps {last_finite_step} to {step})")
        super().__init__(
            f"In {where}: {variable} of {element} {index} is {value} {when}. The network "
            f"stopped there, its state and monitors kept. Look for a division by a variable "
            f"that reaches 0, a log or sqrt of a negative value, an exponential growth, a "
            f"NaN parameter or a time step too large for the method; "
            f"ps.Network(..., check_finite=False) runs on regardless.")


class FiniteCheck:
    """The arrays to check in one run and when each was last known finite."""

    def __init__(self, net, kernel, arrays: List[np.ndarray]):
        self.net, self.arrays = net, arrays
        #: (kind, owner name, variable, slot)
        self.neurons: List[Tuple[str, str, str, int]] = [
            ("group", g.name, name, a.slot) for g in kernel.groups
            for name, a in g.arrays.items() if a.role == "state" and a.ctype == "real"]
        self.synapses: List[Tuple[str, str, str, int]] = []
        for s in kernel.synapses:
            written = {n for path in s.paths() for n in path.stores}
            self.synapses += [("synapses", s.name, name, a.slot) for name, a in s.arrays.items()
                              if a.role == "state" and name in written
                              and name != LASTUPDATE.name]
        self._syn_values = sum(arrays[e[3]].size for e in self.synapses)
        self.checked_step: Optional[int] = None
        self._syn_checked_step: Optional[int] = None
        self._syn_seconds = 0.0
        self._run_seconds = 0.0
        self._unchecked_seconds = 0.0

    def before_run(self) -> None:
        """Refuse to start from a state that is not finite."""
        self._check(self.neurons + self.synapses, None)
        self.checked_step = self._syn_checked_step = self.net.step

    def after_chunk(self, step: int, chunk_seconds: float, last: bool = True) -> None:
        """Check the neuron variables, and the synaptic ones while within their budget
        (``last``: the run's last chunk; others only once CHECK_EVERY_S have passed)."""
        self._run_seconds += chunk_seconds
        self._unchecked_seconds += chunk_seconds
        if not last and self._unchecked_seconds < CHECK_EVERY_S:
            return
        self._unchecked_seconds = 0.0
        self._check(self.neurons, self.checked_step, step)
        self.checked_step = step
        if self.synapses and (self._syn_values <= SYNAPSE_ALWAYS or
                              self._syn_seconds <= SYNAPSE_BUDGET * self._run_seconds):
            t0 = time.perf_counter()
            self._check(self.synapses, self._syn_checked_step, step)
            self._syn_seconds += time.perf_counter() - t0
            self._syn_checked_step = step

    def _check(self, entries, last: Optional[int], step: Optional[int] = None) -> None:
        if not entries:
            return
        bad = self.net.backend.nonfinite_slots(self.arrays, [e[3] for e in entries])
        if not bad:
            return
        self.net._sync()          # the values themselves, from the GPU where they are
        kind, owner, variable, slot = next(e for e in entries if e[3] == bad[0])
        values = self.arrays[slot].reshape(self.net.K, -1)
        instance, index = (int(x) for x in np.argwhere(~np.isfinite(values))[0])
        raise NonFiniteError(owner, kind, variable, index, instance,
                             float(values[instance, index]),
                             self.net.step if step is None else step, last, self.net.dt,
                             self.net.batch is not None)

