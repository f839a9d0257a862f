"""Input groups: Poisson spike trains and given spike times.

Both are groups like any other: synapses start from them and monitors record them.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.spec import GroupSpec
from .group import NeuronGroup
from .model import NeuronModel


class PoissonGroup(NeuronGroup):
    """``N`` independent Poisson spike trains at ``rates`` Hz: a number, one value per
    neuron, or an expression over ``t`` (ms), ``i`` and ``N`` evaluated every step.

    In every step a neuron spikes with probability ``rates * dt`` (dt in seconds).

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
            model = NeuronModel(threshold=f"rand() < ({rates})*dt*0.001")
        else:
            model = NeuronModel(threshold="rand() < rates*dt*0.001", params={"rates": rates})
            if np.any(np.asarray(rates, dtype=np.float64) < 0):
                raise ModelError("Poisson rates must be >= 0 Hz", where="PoissonGroup",
                                 symbol="rates")
        super().__init__(N, model, name=name)


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
        if var not in target.model.variables:
            raise ModelError(f"'{var}' is not a variable of group '{target.name}' (it has "
                             f"{', '.join(target.model.variables) or 'none'})",
                             where="PoissonInput", symbol=var)
        if int(N) != N or N < 0:
            raise ModelError(f"N must be a whole number of sources >= 0, not {N!r}",
                             where="PoissonInput", symbol="N")
        self.target, self.var, self.N = target, var, int(N)
        self.rate, self.weight = _number(rate), _number(weight)
        if np.any(np.asarray(self.rate) < 0):
            raise ModelError("a PoissonInput rate must be >= 0 Hz", where="PoissonInput",
                             symbol="rate")
        target._poisson_inputs.append(self)

    def _value(self, what: str, dt: float, limit: float = 500.0) -> float:
        """The weight, or the mean count per step (at most ``limit``, the backend's)."""
        if what == "weight":
            return _number(self.weight)
        rate = _number(self.rate)
        if not np.all(np.asarray(rate) >= 0):
            raise ModelError(f"a PoissonInput rate must be >= 0 Hz, not {self.rate!r}",
                             where="PoissonInput", symbol="rate")
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


def _number(value):
    """A float, or (for a batch) a 1-d float array of one value per instance."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 1 or (array.ndim == 1 and array.size == 0):
        raise ModelError(f"a PoissonInput takes one number, or a list of one per instance "
                         f"of a batch, not {value!r}", where="PoissonInput")
    return float(array) if array.ndim == 0 else array


class SpikeGeneratorGroup(NeuronGroup):
    """``N`` neurons that spike exactly at given times: neuron ``indices[k]`` at
    ``times[k]`` ms.  A spike at time t is the spike of step round(t/dt), the same step
    as a neuron whose state crossed its threshold at t, so t must round to step 1 or
    later (t >= dt/2): the state at t = 0 is the initial state.

    >>> import pyspike as ps
    >>> net = ps.Network(dt=0.1, backend="numpy")
    >>> with net:
    ...     G = ps.SpikeGeneratorGroup(3, indices=[0, 2, 1], times=[1.0, 1.0, 2.5])
    ...     mon = ps.SpikeMonitor(G)
    >>> net.run(5.0)
    >>> mon.i, mon.t
    (array([0, 2, 1], dtype=int32), array([1. , 1. , 2.5]))
    """

    def __init__(self, N: int, indices: Sequence[int], times: Sequence[float],
                 name: Optional[str] = None):
        super().__init__(N, NeuronModel(), name=name)
        self.set_spikes(indices, times)

    def set_spikes(self, indices: Sequence[int], times: Sequence[float]) -> None:
        """Replace the given spikes (takes effect at the next run)."""
        indices = np.atleast_1d(np.asarray(indices))
        times = np.atleast_1d(np.asarray(times, dtype=np.float64))
        where = f"SpikeGeneratorGroup '{self.name}'"
        if indices.shape != times.shape or indices.ndim != 1:
            raise ModelError(f"indices and times must be 1-d and of equal length (got "
                             f"{indices.shape} and {times.shape})", where=where)
        if indices.size and (indices.dtype.kind not in "iu" or indices.min() < 0
                             or indices.max() >= self.N):
            raise ModelError(f"indices must be whole numbers in 0..{self.N - 1}", where=where,
                             symbol="indices")
        if not np.all(np.isfinite(times)):
            raise ModelError("spike times must be finite numbers of ms", where=where,
                             symbol="times")
        self.__dict__["_given"] = (indices.astype(np.int32), times)
        self.__dict__["_gen"] = None
        if self.network is not None:       # the step is known: check the times now
            self._generator_arrays(self.network.dt)

    def _generator_arrays(self, dt: float):
        """(stamps int64, indices int32) sorted by stamp, checked against dt."""
        if self._gen is None or self._gen[0] != dt:
            indices, times = self._given
            stamps = np.round(times / dt).astype(np.int64)
            where = f"SpikeGeneratorGroup '{self.name}'"
            if stamps.size and stamps.min() < 1:
                raise ModelError(f"spike times must be at least one time step (dt = {dt} ms):"
                                 " the state at t = 0 is the initial state", where=where,
                                 symbol="times")
            order = np.lexsort((indices, stamps))
            stamps, indices = stamps[order], indices[order]
            same = (stamps[1:] == stamps[:-1]) & (indices[1:] == indices[:-1])
            if same.any():
                k = int(np.argmax(same))
                raise ModelError(f"neuron {indices[k]} is given two spikes in the step at "
                                 f"{stamps[k] * dt} ms", where=where, symbol="times")
            self.__dict__["_gen"] = (dt, stamps, indices)
        return self._gen[1], self._gen[2]

    def _attach(self, network, index: int) -> None:
        super()._attach(network, index)
        if "_given" in self.__dict__:      # (not yet set while the constructor runs)
            self._generator_arrays(network.dt)

    def _spec(self) -> GroupSpec:
        return GroupSpec(self.name, self.N, generator=True)
