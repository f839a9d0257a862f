"""Brian2's ``examples/frompapers/Hindmarsh_Rose_1984.py``, at the scale of
examples/brian2/Hindmarsh_Rose_1984.py, returning the quantities that example returns (run
with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: deterministic RK4 of the same equations: spike counts equal, times and states to rounding
#: (both sides detect crossings in the same recorded samples)
COMPARE = {
    **{f"{what}_I_{current}": ("exact",) for current in ("0.4", "2", "4")
       for what in ("n_spikes", "n_bursts")},
    **{f"{what}_I_{current}": ("rel", 1e-9) for current in ("0.4", "2", "4")
       for what in ("last_spike", "min_isi", "max_isi")},
    # x at the end: rounding of 21000 RK4 steps (seen: 1e-13 relative)
    **{f"x_end_I_{current}": ("abs", 1e-9) for current in ("0.4", "2", "4")},
    "spikes_per_burst_I_2": ("exact",), "burst_period_I_2": ("rel", 1e-9),
}
STOCHASTIC = False
BURST_GAP = 50.0


def _bursts(times):
    if times.size == 0:
        return []
    return np.split(times, np.flatnonzero(np.diff(times) > BURST_GAP) + 1)


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, StateMonitor, defaultclock, ms, run, start_scope
    start_scope()
    # In the original model, time is measured in arbitrary time units
    time_unit = 1*ms
    defaultclock.dt = time_unit/10

    x_1 = -1.6  # leftmost equilibrium point of the model without adaptation
    a = 1; b = 3; c = 1; d = 5  # noqa: E702,F841 (names read by Brian2's namespace)
    r = 0.001; s = 4  # noqa: E702,F841
    eqs = '''
    dx/dt = (y - a*x**3 + b*x**2 + I - z)/time_unit : 1
    dy/dt = (c - d*x**2 - y)/time_unit : 1
    dz/dt = r*(s*(x - x_1) - z)/time_unit : 1
    I : 1 (constant)
    '''

    # We run the model with three different currents
    neuron = NeuronGroup(3, eqs, method='rk4')

    # Set all variables to their equilibrium point
    neuron.x = x_1
    neuron.y = 'c - d*x**2'
    neuron.z = 'r*(s*(x - x_1))'

    # Set the constant current input
    neuron.I = [0.4, 2, 4]

    # Record the "membrane potential"
    mon = StateMonitor(neuron, 'x', record=True)

    run(2100*time_unit)

    dt = 0.1
    x = np.asarray(mon.x)
    results = {"duration_ms": 2100.0}
    for k, current in enumerate((0.4, 2.0, 4.0)):
        t = (np.flatnonzero((x[k, :-1] <= 1.0) & (x[k, 1:] > 1.0)) + 1) * dt
        isi = np.diff(t)
        key = f"I_{current:g}"
        results[f"n_spikes_{key}"] = int(t.size)
        results[f"n_bursts_{key}"] = len(_bursts(t))
        results[f"last_spike_{key}"] = float(t[-1]) if t.size else float("nan")
        results[f"min_isi_{key}"] = float(isi.min()) if isi.size else float("nan")
        results[f"max_isi_{key}"] = float(isi.max()) if isi.size else float("nan")
        results[f"x_end_{key}"] = float(x[k, -1])
    trains = _bursts((np.flatnonzero((x[1, :-1] <= 1.0) & (x[1, 1:] > 1.0)) + 1) * dt)
    starts = np.array([train[0] for train in trains])
    results["spikes_per_burst_I_2"] = int(trains[-2].size) if len(trains) > 1 else 0
    results["burst_period_I_2"] = float(np.diff(starts[1:]).mean()) if starts.size > 2 \
        else float("nan")
    return results
