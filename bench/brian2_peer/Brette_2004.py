"""Brian2's ``examples/frompapers/Brette_2004.py``, at the scale of
examples/brian2/Brette_2004.py, returning the quantities that example returns (run with the
peer venv's python only). Spike times are given as pyspike stamps them (README, timing
conventions: one step after Brian2's stamp), computed as pyspike computes them, (step + 1)
* dt, before their phases are taken."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic (Euler, a periodic drive: no chaos), so spike counts and locking are equal.
COMPARE = {"total_spikes": ("exact",), "locked_fraction_a_below_3": ("exact",),
           "locked_fraction_a_above_3": ("exact",), "rotation_number_at_a_2": ("exact",),
           "rotation_number_at_a_4": ("exact",), "rotation_monotonic": ("exact",)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = False


def locked(phases: np.ndarray, max_phases: int = 20, resolution: float = 0.005) -> bool:
    """True if the phases fall on at most ``max_phases`` points (circularly): the port's."""
    if phases.size < 2:
        return False
    p = np.sort(phases)
    gaps = np.diff(np.concatenate([p, p[:1] + 1.0]))
    return int(np.count_nonzero(gaps > resolution)) <= max_phases


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, defaultclock, linspace, ms, run, second

    N = 2000
    tau = 100*ms
    half = (2 if quick else 5)*second       # Brian2: 5 s to converge, 5 s recorded

    eqs = '''
    dv/dt = (-v + a + 2*sin(2*pi*t/tau))/tau : 1
    a : 1
    '''

    neurons = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', method='euler')
    neurons.a = linspace(2, 4, N)

    run(half)  # discard the first spikes (wait for convergence)
    S = SpikeMonitor(neurons)
    run(half)

    i = np.asarray(S.i)
    t = (np.round(np.asarray(S.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    a = np.asarray(neurons.a[:])
    tau_ms = float(tau / ms)
    phase = (t % tau_ms) / tau_ms
    is_locked = np.array([locked(phase[i == k]) for k in range(N)])
    periods = float(half / tau)
    rotation = np.asarray(S.count) / periods
    below = a < 3
    return {
        "n_neurons": N, "duration_ms": 2 * float(half / ms),
        "locked_fraction_a_below_3": float(is_locked[below].mean()),
        "locked_fraction_a_above_3": float(is_locked[~below].mean()),
        "rotation_number_at_a_2": float(rotation[0]),
        "rotation_number_at_a_4": float(rotation[-1]),
        "rotation_monotonic": bool(np.all(np.diff(rotation) >= -1.0 / periods)),
        "total_spikes": int(i.size),
    }
