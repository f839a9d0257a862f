"""Brian2's ``examples/frompapers/Platkiewicz_Brette_2011.py``: the slope-threshold
relationship with noisy inputs in the adaptive threshold model (Platkiewicz & Brette 2011,
PLoS Comput Biol 7:e1001129, Fig. 5E,F).

Brian2's model text and numbers: 200 neurons, dv/dt = (EL - v + mu + sigma I)/tau with an
Ornstein-Uhlenbeck input I (tauI 5 ms), a threshold theta relaxing (tauh 5 ms) to vT +
a*max(v - Vi, 0) (sodium inactivation: EL -70 mV, vT -55 mV, Vi -63 mV, a = ka/ki =
5/6, mu 15 mV, sigma 6 mV/sqrt(tauI/(tauI + tau))), threshold v > theta, reset v = EL,
refractory 5 ms, Euler-Maruyama at dt = 0.1 ms (Brian2's choice for this model) for 1 s.
For each spike, the slope of a linear fit to v over the tauh before it and the last v
before it (the threshold) are taken, as Brian2's example does.  Brian2 plots them with
the exact slope-threshold relation of the paper (the root th of a s tauh
exp((Vi - th)/(s tauh)) - th (1 - a) - a (s tauh + Vi) + vT = 0, which Brian2 finds with
scipy's fsolve and this port with Newton's method); this port prints the rate, the mean
slope and threshold, their correlation (negative: fast depolarisations meet a lower
threshold) and the mean difference between the thresholds and the exact relation at
their slopes (for slopes from 0.5 to 4 mV/ms, the range of Brian2's figure).  Brian2
stamps a spike at the start of the step whose update crossed; the fit windows here use
that time (pyspike's stamp minus dt, README timing conventions), so they hold the same
samples as Brian2's.

    python examples/brian2/Platkiewicz_Brette_2011.py [--quick]
"""
import sys
from typing import Dict, Optional, Tuple

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

N = 200  # 200 neurons to get more statistics, only one is shown
# --Biophysical parameters
ENa = 60*mV
EL = -70*mV
vT = -55*mV
Vi = -63*mV
tauh = 5*ms
tau = 5*ms
ka = 5*mV
ki = 6*mV
a = ka / ki
tauI = 5*ms
mu = 15*mV
sigma = 6*mV / np.sqrt(tauI / (tauI + tau))

EQS = """
dv/dt=(EL-v+mu+sigma*I)/tau : volt
dtheta/dt=(vT+a*clip(v-Vi, 0*mV, inf*mV)-theta)/tauh : volt
dI/dt=-I/tauI+(2/tauI)**.5*xi : 1 # Ornstein-Uhlenbeck
"""
PARAMS = {"EL": EL, "mu": mu, "sigma": sigma, "tau": tau, "vT": vT, "a": a, "Vi": Vi,
          "tauh": tauh, "tauI": tauI}


def thresh_ex(slope: np.ndarray, vi: float = -63.0, vt: float = -55.0, t_h: float = 5.0,
              ratio: float = 5 / 6) -> np.ndarray:
    """mV: the exact threshold at depolarisation slope ``slope`` (mV/ms), by Newton's
    method from the paper's approximation (the function decreases strictly in th, so
    the root is unique)."""
    s = np.asarray(slope, dtype=float) * t_h
    th = vi - s * np.log(1 + (vi - vt / ratio) / s)
    for _ in range(100):
        e = np.exp((vi - th) / s)
        th = th - (ratio * s * e - th * (1 - ratio) - ratio * (s + vi) + vt) \
            / (-ratio * e - (1 - ratio))
    return th


def slopes_and_thresholds(v: np.ndarray, i: np.ndarray, step: np.ndarray, dt: float,
                          window: float) -> Tuple[np.ndarray, np.ndarray]:
    """For each spike (neuron i, Brian2's stamp at ``step``): the slope (mV/ms) of a linear
    fit to the recorded v strictly inside (t - window, t), and the last of those values."""
    n = int(round(window / dt))
    tx = np.arange(1, n) * dt
    slope, threshold = [], []
    for neuron, k in zip(i, step):
        mx = v[neuron, max(k - n + 1, 0):k]
        if mx.size >= 2:
            slope.append(np.polyfit(tx[:mx.size], mx, 1)[0])
            threshold.append(mx[-1])
    return np.array(slope), np.array(threshold)


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = (500.0 if quick else 1000.0) if duration is None else float(duration)
    dt = 0.1
    model = ps.NeuronModel(equations=EQS, threshold="v>theta", reset="v=EL",
                           refractory=5*ms, method="euler", params=PARAMS)
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(N, model, init={"v": EL, "theta": vT, "I": 0})
        S = ps.SpikeMonitor(neurons)
        M = ps.StateMonitor(neurons, "v", record=True)
    net.run(duration)
    brian2_step = np.rint(np.asarray(S.t) / dt).astype(int) - 1
    slope, threshold = slopes_and_thresholds(np.asarray(M.v), np.asarray(S.i), brian2_step,
                                             dt, 5.0)
    shown = (slope > 0.5) & (slope < 4.0)
    results = {
        "n_neurons": N, "duration_ms": duration,
        "rate_Hz": float(np.asarray(S.i).size / N / (duration / 1000.0)),
        "mean_slope_mV_per_ms": float(slope.mean()),
        "mean_threshold_mV": float(threshold.mean()),
        "slope_threshold_correlation": float(np.corrcoef(slope, threshold)[0, 1]),
        "mean_threshold_minus_exact_mV": float(np.mean(threshold[shown]
                                                       - thresh_ex(slope[shown]))),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
