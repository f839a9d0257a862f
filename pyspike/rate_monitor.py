"""The population rate monitor: a group's spike count per step, as a rate."""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.spec import RateMonitorSpec
from . import _context, checks
from .group import NeuronGroup
from .monitors import check_group, instances, sample_times, split_group
from .state import StateTable


class PopulationRateMonitor:
    """The group's spike count per step as a rate in Hz: ``mon.t`` (ms), ``mon.rate``
    (shape (K, n_steps) in a batched network).

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 1", reset="v = 0",
    ...                    params={"tau": 1.0})
    >>> net = ps.Network(dt=0.5, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(10, m)
    ...     r = ps.PopulationRateMonitor(G)
    >>> net.run(2.0)
    >>> r.rate    # all 10 neurons spike at once every 3 steps = 1.5 ms
    array([   0.,    0., 2000.,    0.])
    >>> r.smooth_rate("flat", width=2.5)      # equal weights over 5 steps
    array([400., 400., 400., 400.])
    """

    def __init__(self, group: NeuronGroup):
        check_group(group, "PopulationRateMonitor", subgroups=True)
        self.source = group
        self.group, self._start, self._n = split_group(group)
        # spikes per step and the steps, one array per run
        self.state = StateTable(counts=[], steps=[])
        _context.register(self)

    def _spec(self) -> RateMonitorSpec:
        if self._n == self.group.N:
            return RateMonitorSpec(self.group.name)
        return RateMonitorSpec(self.group.name, self._start, self._start + self._n)

    def append(self, counts: np.ndarray, steps: np.ndarray) -> None:
        """Keep one run's spike counts per step (the runtime's call)."""
        self.state.counts.append(counts)
        self.state.steps.append(steps)

    t = property(lambda self: sample_times(self), doc="The times of the steps (ms).")

    @property
    def rate(self) -> np.ndarray:
        K, counts = instances(self.group), self.state.counts
        counts = np.concatenate(counts, axis=-1) if counts else \
            np.zeros(0 if K is None else (K, 0))
        return counts / (self._n * self.group.network.dt * 1e-3)

    def smooth_rate(self, window: Union[str, Sequence[float]] = "gaussian",
                    width=None) -> np.ndarray:
        """``rate`` (Hz) convolved with a window of weights summing to 1, as Brian2's
        ``smooth_rate``: as long as ``rate``, (K, n_steps) in a batch; the rate is taken
        as 0 beyond the recording, so it dips within a window's reach of either end.

        ``window="gaussian"``: a Gaussian of standard deviation ``width`` (ms), cut at
        2 standard deviations (round(2*width/dt) steps on either side); ``"flat"``: equal
        weights over int(width/(2*dt))*2 + 1 steps (an odd number, so that the rate is not
        shifted); or an array of an odd number of weights (and no ``width``).
        """
        weights = _window(window, width, self.group.network.dt)
        rate = self.rate
        half, n = (len(weights) - 1) // 2, rate.shape[-1]
        # np.convolve's mode "same" where the rate is at least as long as the window
        rows = [np.convolve(r, weights)[half:half + n] for r in rate.reshape(-1, n)] if n \
            else rate
        return np.reshape(rows, rate.shape)


def _window(window, width, dt: float) -> np.ndarray:
    """smooth_rate's weights (see there), summing to 1."""
    where = "PopulationRateMonitor.smooth_rate"
    if isinstance(window, str):
        if window not in ("gaussian", "flat"):
            raise ModelError(f"unknown window {checks.show(window)}: choose 'gaussian' or "
                             "'flat', or give an array of weights", where=where, symbol="window")
        if width is None:
            raise ModelError(f"the {window} window needs its width= (ms)", where=where,
                             symbol="width")
        width = checks.duration(width, "width", where, positive=True)
        if width < dt:
            raise ModelError(f"width must be at least the time step dt = {dt:g} ms, not "
                             f"{width:g} ms", where=where, symbol="width")
        # in seconds, as Brian2 2.9 computes it: a width on the edge of a rounding (5 ms
        # at dt = 0.01 ms) gives Brian2's number of steps
        width, dt = width * 1e-3, dt * 1e-3
        half = int(np.round(2 * width / dt))
        weights = np.exp(-np.arange(-half, half + 1) ** 2 * 1.0 / (2 * (width / dt) ** 2)) \
            if window == "gaussian" else np.ones(int(width / 2 / dt) * 2 + 1)
    else:
        if width is not None:
            raise ModelError("width= sizes the 'gaussian' and 'flat' windows only: an array "
                             "of weights is its own width", where=where, symbol="width")
        weights = checks.reals(window, "window", where, finite=True, ndim=1)
        if len(weights) % 2 != 1 or weights.sum() == 0:
            raise ModelError(f"a window must have an odd number of weights with a sum other "
                             f"than 0, not {checks.show(window)}", where=where, symbol="window")
    return weights / weights.sum()
