"""Brian2's ``examples/frompapers/Jansen_Rit_1995_single_column.py``: the Jansen & Rit
(1995, Biol Cybern 73:357) neural mass model of a cortical column, Fig. 3: the output
y1 - y2 for six connectivity constants C.

Brian2's model text and numbers: equations (6) of the paper with excitatory and
inhibitory time constants te = 10 ms and ti = 20 ms (the paper's a = 100/s and b =
200/s), e0 = 5, v0 = 6, r0 = 0.56, A = 3.25, B = 22 (units removed, as Brian2's), input p
uniform between 120 and 320 pulses/s drawn anew every 2 ms (a TimedArray of 70000
uniform numbers), C = 68, 128, 135, 270, 675 and 1350 for six copies of the model, Euler
at dt = 0.1 ms for 5 s.  Brian2's example plots y1 - y2 after 2 s; this port prints, per
C, its mean, standard deviation, peak-to-peak range and the frequency of the largest
peak of its power spectrum above 1 Hz: noise-like at C = 68 and 1350, alpha activity
(10 Hz) at C = 128 and 135, large periodic spikes at C = 270 and 675 (5.3 and 3 Hz), as
in the paper.  Brian2 draws the input from NumPy's global generator unseeded; here
it comes from numpy.random.RandomState(seed), so with the same seed both give the same
numbers (the model is otherwise deterministic).

    python examples/brian2/Jansen_Rit_1995_single_column.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

te, ti = 10.*ms, 20.*ms       # taus for excitatory and inhibitory populations
e0 = 5.                       # max firing rate
v0 = 6.                       # (max FR)/2 input
r0 = 0.56                     # gain rate
A, B, C = 3.25, 22., 135      # standard parameters as in the set (7) of the original paper
P, deltaP = 120, 320.-120     # random input uniformly distributed between 120 and 320

EQUS = """
dy0/dt = y3                             /second : 1
dy3/dt = (A        * Sp -2*y3 -y0/te*second)/te : 1
dy1/dt = y4                             /second : 1
dy4/dt = (A*(p+ C2 * Se)-2*y4 -y1/te*second)/te : 1
dy2/dt = y5                             /second : 1
dy5/dt = (B   * C4 * Si -2*y5 -y2/ti*second)/ti : 1
p  = P0+nstim(t)*dlP                   : 1
Sp = e0/(1+exp(r0*(v0 - (y1-y2)    ))) : 1
Se = e0/(1+exp(r0*(v0 -  C1*y0     ))) : 1
Si = e0/(1+exp(r0*(v0 -  C3*y0     ))) : 1
C1            : 1
C2 = 0.8 *C1  : 1
C3 = 0.25*C1  : 1
C4 = 0.25*C1  : 1
P0            : 1
dlP           : 1
"""
C1_VALUES = (68, 128, C, 270, 675, 1350)


def dominant_frequency(x: np.ndarray, dt: float, fmin: float = 1.0) -> float:
    """Hz: the largest peak of the power spectrum of ``x`` (sampled every dt ms) above
    fmin."""
    power = np.abs(np.fft.rfft(x - x.mean())) ** 2
    f = np.fft.rfftfreq(x.size, dt / 1000.0)
    above = f > fmin
    return float(f[above][np.argmax(power[above])])


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 5000.0 if duration is None else float(duration)   # 50000 steps: cheap
    dt = 0.1
    nstim = ps.TimedArray(np.random.RandomState(seed).rand(70000), 2*ms)
    model = ps.NeuronModel(equations=EQUS, method="euler",
                           params={"te": te, "ti": ti, "e0": e0, "v0": v0, "r0": r0,
                                   "A": A, "B": B, "nstim": nstim})
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        # creates 6 JR models for different connectivity parameters
        n = ps.NeuronGroup(6, model, init={"C1": np.array(C1_VALUES, dtype=float),
                                           "P0": P, "dlP": deltaP})
        sm = ps.StateMonitor(n, ["y1", "y2"], record=True)
    net.run(duration)
    after = int(round(2000.0 / dt))              # Brian2 plots from 2 s on
    out = (np.asarray(sm.y1) - np.asarray(sm.y2))[:, after:]
    results: Dict[str, object] = {"duration_ms": duration}
    for k, c1 in enumerate(C1_VALUES):
        results[f"C_{c1}_mean"] = float(out[k].mean())
        results[f"C_{c1}_std"] = float(out[k].std())
        results[f"C_{c1}_peak_to_peak"] = float(np.ptp(out[k]))
        results[f"C_{c1}_dominant_Hz"] = dominant_frequency(out[k], dt)
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
