"""Brian2's ``examples/frompapers/Platkiewicz_Brette_2011.py``, at the scale of
examples/brian2/Platkiewicz_Brette_2011.py, returning the quantities that example returns
(run with the peer venv's python only).  The peer venv has no scipy: the fit is
numpy.polyfit (as scipy's linregress, a least-squares line) and the exact relation is
solved by Newton's method, as in the port, instead of scipy's fsolve."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: stochastic (Ornstein-Uhlenbeck input): means over 3 seeds within 3 spreads
COMPARE = {
    "rate_Hz": ("spread", 3), "mean_slope_mV_per_ms": ("spread", 3),
    "mean_threshold_mV": ("spread", 3), "slope_threshold_correlation": ("spread", 3),
    "mean_threshold_minus_exact_mV": ("spread", 3),
}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, StateMonitor, mV, ms, run, second, \
        start_scope
    from brian2 import seed as brian2_seed
    from brian2 import sqrt as b2sqrt
    start_scope()
    brian2_seed(seed)

    N = 200  # 200 neurons to get more statistics, only one is shown
    duration = (0.5 if quick else 1) * second
    # --Biophysical parameters
    EL = -70*mV
    vT = -55*mV
    Vi = -63*mV  # noqa: F841 (read by Brian2's namespace)
    tauh = 5*ms  # noqa: F841
    tau = 5*ms
    ka = 5*mV
    ki = 6*mV
    a = ka / ki  # noqa: F841
    tauI = 5*ms
    mu = 15*mV  # noqa: F841
    sigma = 6*mV / b2sqrt(tauI / (tauI + tau))  # noqa: F841

    eqs = """
    dv/dt=(EL-v+mu+sigma*I)/tau : volt
    dtheta/dt=(vT+a*clip(v-Vi, 0*mV, inf*mV)-theta)/tauh : volt
    dI/dt=-I/tauI+(2/tauI)**.5*xi : 1 # Ornstein-Uhlenbeck
    """
    neurons = NeuronGroup(N, eqs, threshold="v>theta", reset='v=EL',
                          refractory=5*ms)
    neurons.v = EL
    neurons.theta = vT
    neurons.I = 0
    S = SpikeMonitor(neurons)
    M = StateMonitor(neurons, 'v', record=True)
    Mt = StateMonitor(neurons, 'theta', record=0)  # noqa: F841 (as Brian2's)

    run(duration)

    # Linear regression gives depolarization slope before spikes: the samples strictly
    # inside (t - tauh, t), taken by step as in the port
    dt = 0.1
    v = np.asarray(M.v / mV)
    n = 50
    tx = np.arange(1, n) * dt
    slope, threshold = [], []
    for i, k in zip(np.asarray(S.i), np.rint(np.asarray(S.t / ms) / dt).astype(int)):
        mx = v[i, max(k - n + 1, 0):k]
        if mx.size >= 2:
            slope.append(np.polyfit(tx[:mx.size], mx, 1)[0])
            threshold.append(mx[-1])
    slope, threshold = np.array(slope), np.array(threshold)

    # Exact slope-threshold relation (Newton's method from the paper's approximation)
    vi, vt, t_h, ratio = -63.0, -55.0, 5.0, 5 / 6
    shown = (slope > 0.5) & (slope < 4.0)
    s = slope[shown] * t_h
    th = vi - s * np.log(1 + (vi - vt / ratio) / s)
    for _ in range(100):
        e = np.exp((vi - th) / s)
        th = th - (ratio * s * e - th * (1 - ratio) - ratio * (s + vi) + vt) \
            / (-ratio * e - (1 - ratio))
    return {
        "n_neurons": N, "duration_ms": float(duration / ms),
        "rate_Hz": float(np.asarray(S.i).size / N / float(duration / second)),
        "mean_slope_mV_per_ms": float(slope.mean()),
        "mean_threshold_mV": float(threshold.mean()),
        "slope_threshold_correlation": float(np.corrcoef(slope, threshold)[0, 1]),
        "mean_threshold_minus_exact_mV": float(np.mean(threshold[shown] - th)),
    }
