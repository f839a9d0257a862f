"""Brian2's ``examples/IF_curve_LIF.py``, at the scale of examples/brian2/IF_curve_LIF.py,
returning the quantities that example returns (run with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model
#: is deterministic and integrated exactly, so every neuron's spike count must be equal.
COMPARE = {"n_firing": ("exact",), "total_spikes": ("exact",), "counts": ("exact",),
           "rheobase_mV": ("rel", 1e-9), "rate_at_20mV_Hz": ("rel", 1e-9),
           "monotonic": ("exact",)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, mV, ms, run, second

    n = 200 if quick else 1000
    duration = (0.3 if quick else 1) * second
    tau = 10*ms
    eqs = '''
    dv/dt = (v0 - v) / tau : volt (unless refractory)
    v0 : volt
    '''
    group = NeuronGroup(n, eqs, threshold='v > 10*mV', reset='v = 0*mV',
                        refractory=5*ms, method='exact')
    group.v = 0*mV
    group.v0 = '20*mV * i / (n-1)'

    monitor = SpikeMonitor(group)

    run(duration)
    v0 = np.asarray(group.v0 / mV)
    count = np.asarray(monitor.count)
    rate = count / float(duration / second)
    firing = np.flatnonzero(count > 0)
    return {
        "n_neurons": n, "duration_ms": float(duration / ms),
        "n_firing": int(firing.size),
        "rheobase_mV": float(v0[firing[0]]) if firing.size else float("nan"),
        "rate_at_20mV_Hz": float(rate[-1]),
        "monotonic": bool(np.all(np.diff(count) >= 0)),
        "total_spikes": int(count.sum()),
        "counts": count,
    }
