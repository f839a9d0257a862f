"""TimedArray: values given in time steps of their own, read by models as functions."""
from __future__ import annotations

import numpy as np

from .codegen.errors import ModelError
from . import checks


class TimedArray:
    """Values over time, ``values[k]`` holding over [k*dt, (k+1)*dt) ms (the first and last
    values hold before and after); 2-d values give one column per neuron (column
    indices outside the array read its first or last column, so ``stim(t, i)`` needs at
    least as many columns as the group has neurons, which is checked).

    A model reads it as a function of time: give it in ``params`` under the name the
    equations call, ``stim(t)`` for 1-d values or ``stim(t, i)`` for 2-d ones.  It is
    read at the start of each step and held over the step.

    >>> import pyspike as ps
    >>> stim = ps.TimedArray([0.0, 2.0, 0.0], dt=10.0)
    >>> m = ps.NeuronModel("dv/dt = (I(t) - v)/tau : mV", params={"I": stim, "tau": 5.0})
    >>> net = ps.Network(dt=0.5, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(1, m)
    >>> net.run(10.0); a = float(G.v[0])
    >>> net.run(10.0); b = float(G.v[0])
    >>> a, round(b, 4)          # 2*(1 - exp(-10/5))
    (0.0, 1.7293)
    """

    def __init__(self, values, dt: float):
        array = checks.reals(values, "values", "TimedArray", finite=True)
        if array.ndim not in (1, 2) or array.shape[0] == 0 or 0 in array.shape:
            raise ModelError(f"TimedArray values must be a non-empty 1-d (time) or 2-d "
                             f"(time x neuron) array, not of shape {array.shape}",
                             where="TimedArray", symbol="values")
        dt = checks.duration(dt, "dt", "TimedArray", positive=True)
        if not np.isfinite(1.0 / dt):          # models read it through 1/dt
            raise ModelError(f"TimedArray dt must be a usable number of ms, not {dt!r}",
                             where="TimedArray", symbol="dt")
        self.ndim = array.ndim
        #: the values as given: (steps,) or (steps, columns)
        self.values = array
        #: the values as a (steps, columns) table, as the kernels read them
        self.table = array.reshape(array.shape[0], -1)
        self.dt = float(dt)

    def __repr__(self) -> str:
        return f"TimedArray(shape={self.values.shape}, dt={self.dt})"
