"""Brian2's ``examples/frompapers/Hindmarsh_Rose_1984.py``: burst generation in the
Hindmarsh-Rose model (Hindmarsh & Rose 1984, Proc R Soc Lond B 221:87, Fig. 6).

Brian2's model text and numbers: three coupled equations in arbitrary time units (one
unit = 1 ms, dt = 0.1 units), a = 1, b = 3, c = 1, d = 5, r = 0.001, s = 4, x_1 = -1.6,
RK4, each variable starting at the equilibrium of the model without adaptation, three
neurons driven by I = 0.4, 2 and 4 for 2100 units.  Brian2's example plots x; this port
counts its spikes (upward crossings of x = 1 between recorded samples) and groups them
into bursts (a silence longer than 50 units ends a burst): I = 0.4 gives one burst and
then rest, I = 2 periodic bursts, I = 4 tonic firing that slows down, as in the paper's
figure.  Prints, for each current, the number of spikes and bursts, the last spike
time, the shortest and longest inter-spike interval, and x at the end; for I = 2 also the
spikes in the last complete burst and the period of the bursts.  The samples are those of
Brian2's StateMonitor (values at the start of each step), so the numbers equal Brian2's.

    python examples/brian2/Hindmarsh_Rose_1984.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

EQS = """
dx/dt = (y - a*x**3 + b*x**2 + I - z)/time_unit : 1
dy/dt = (c - d*x**2 - y)/time_unit : 1
dz/dt = r*(s*(x - x_1) - z)/time_unit : 1
I : 1 (constant)
"""
# In the original model, time is measured in arbitrary time units
PARAMS = {"time_unit": 1 * ms, "x_1": -1.6, "a": 1.0, "b": 3.0, "c": 1.0, "d": 5.0,
          "r": 0.001, "s": 4.0}
CURRENTS = (0.4, 2.0, 4.0)
BURST_GAP = 50.0          # time units of silence that end a burst


def spike_times(x: np.ndarray, dt: float) -> np.ndarray:
    """Times of the samples just after x crosses 1 upward."""
    return (np.flatnonzero((x[:-1] <= 1.0) & (x[1:] > 1.0)) + 1) * dt


def bursts(times: np.ndarray) -> list:
    """The spike times split where the silence is longer than BURST_GAP."""
    if times.size == 0:
        return []
    return np.split(times, np.flatnonzero(np.diff(times) > BURST_GAP) + 1)


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    # the bursts of I = 2 repeat every ~400 units: the whole figure is needed (and cheap)
    duration = 2100.0 if duration is None else float(duration)
    dt = 0.1
    model = ps.NeuronModel(equations=EQS, method="rk4", params=PARAMS)
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        # Set all variables to their equilibrium point
        neuron = ps.NeuronGroup(3, model, init={"x": PARAMS["x_1"], "y": "c - d*x**2",
                                                "z": "r*(s*(x - x_1))",
                                                "I": np.array(CURRENTS)})
        mon = ps.StateMonitor(neuron, "x", record=True)
    net.run(duration)
    x = np.asarray(mon.x)
    results: Dict[str, object] = {"duration_ms": duration}
    for k, current in enumerate(CURRENTS):
        t = spike_times(x[k], dt)
        isi = np.diff(t)
        key = f"I_{current:g}"
        results[f"n_spikes_{key}"] = int(t.size)
        results[f"n_bursts_{key}"] = len(bursts(t))
        results[f"last_spike_{key}"] = float(t[-1]) if t.size else float("nan")
        results[f"min_isi_{key}"] = float(isi.min()) if isi.size else float("nan")
        results[f"max_isi_{key}"] = float(isi.max()) if isi.size else float("nan")
        results[f"x_end_{key}"] = float(x[k, -1])
    trains = bursts(spike_times(x[1], dt))
    starts = np.array([b[0] for b in trains])
    # the last burst may be cut by the end of the run: count the one before it
    results["spikes_per_burst_I_2"] = int(trains[-2].size) if len(trains) > 1 else 0
    results["burst_period_I_2"] = float(np.diff(starts[1:]).mean()) if starts.size > 2 \
        else float("nan")
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
