"""Brian2's ``examples/adaptive_threshold.py``, at the scale of
examples/brian2/adaptive_threshold.py, returning the quantities that example returns (run
with the peer venv's python only). Monitors as the port has them: vt, v at each threshold
crossing, and the input spikes (Brian2's text also records v at every step, for a plot)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): Poisson input,
#: so over 3 seeds per side within 4 standard deviations of the seeds.
COMPARE = {"input_spikes": ("spread", 4), "rate_Hz": ("spread", 4),
           "mean_v_at_crossing_mV": ("spread", 4), "mean_vt_mV": ("spread", 4)}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses,
                        mV, ms, run, second)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    duration = (0.5 if quick else 2)*second
    eqs = '''
    dv/dt = -v/(10*ms) : volt
    dvt/dt = (10*mV-vt)/(15*ms) : volt
    '''

    reset = '''
    v = 0*mV
    vt += 3*mV
    '''

    IF = NeuronGroup(1, model=eqs, reset=reset, threshold='v>vt',
                     method='exact')
    IF.vt = 10*mV
    PG = PoissonGroup(1, 500 * Hz)

    C = Synapses(PG, IF, on_pre='v += 3*mV')
    C.connect()

    Mvt = StateMonitor(IF, 'vt', record=True)
    # Record the value of v when the threshold is crossed
    M_crossings = SpikeMonitor(IF, variables='v')
    inputs = SpikeMonitor(PG)
    run(duration)

    v = np.asarray(M_crossings.v / mV)
    n_out = int(np.asarray(M_crossings.count).sum())
    return {
        "duration_ms": float(duration / ms),
        "input_spikes": int(np.asarray(inputs.count).sum()),
        "n_spikes": n_out,
        "rate_Hz": float(n_out / float(duration / second)),
        "mean_v_at_crossing_mV": float(v.mean()) if v.size else float("nan"),
        "min_v_at_crossing_mV": float(v.min()) if v.size else float("nan"),
        "max_v_at_crossing_mV": float(v.max()) if v.size else float("nan"),
        "mean_vt_mV": float(np.mean(Mvt.vt / mV)),
    }
