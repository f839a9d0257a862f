"""Brian2's ``examples/frompapers/Jansen_Rit_1995_single_column.py``, at the scale of
examples/brian2/Jansen_Rit_1995_single_column.py, returning the quantities that example
returns (run with the peer venv's python only).  Brian2's example draws its input from
NumPy's global generator unseeded; here NumPy is seeded with ``seed`` first, which gives
the numbers the port draws from numpy.random.RandomState(seed)."""
import numpy as np

_C1 = (68, 128, 135, 270, 675, 1350)
#: How each compared result must agree (keys returned by both sides' main()):
#: the same input numbers and deterministic Euler: to rounding (seen: 1e-12 relative on
#: the means and spreads; the spectral peak on the same 0.33 Hz grid)
COMPARE = {
    **{f"C_{c}_{what}": ("rel", 1e-9) for c in _C1
       for what in ("mean", "std", "peak_to_peak", "dominant_Hz")},
}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from numpy import random as rnd

    from brian2 import NeuronGroup, StateMonitor, TimedArray, defaultclock, ms, run, \
        second, start_scope
    start_scope()
    rnd.seed(seed)

    defaultclock.dt = .1*ms   # default time step

    te, ti = 10.*ms, 20.*ms   # taus for excitatory and inhibitory populations
    e0 = 5.                   # max firing rate  # noqa: F841 (read by Brian2's namespace)
    v0 = 6.                   # (max FR)/2 input  # noqa: F841
    r0 = 0.56                 # gain rate  # noqa: F841
    A, B, C = 3.25, 22., 135  # standard parameters as in the set (7) of the original paper
    P, deltaP = 120, 320.-120  # random input uniformly distributed between 120 and 320

    nstim = TimedArray(rnd.rand(70000), 2*ms)  # noqa: F841

    equs = """
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

    n = NeuronGroup(6, equs, method='euler')  # creates 6 JR models

    n.C1[0] = 68
    n.C1[1] = 128
    n.C1[2] = C
    n.C1[3] = 270
    n.C1[4] = 675
    n.C1[5] = 1350
    n.P0 = P
    n.dlP = deltaP

    sm = StateMonitor(n, ['y4', 'y1', 'y3', 'y0', 'y5', 'y2'], record=True)

    run(5*second)

    dt = 0.1
    out = (np.asarray(sm.y1) - np.asarray(sm.y2))[:, int(round(2000.0 / dt)):]
    results = {"duration_ms": 5000.0}
    for k, c1 in enumerate(_C1):
        x = out[k]
        power = np.abs(np.fft.rfft(x - x.mean())) ** 2
        f = np.fft.rfftfreq(x.size, dt / 1000.0)
        above = f > 1.0
        results[f"C_{c1}_mean"] = float(x.mean())
        results[f"C_{c1}_std"] = float(x.std())
        results[f"C_{c1}_peak_to_peak"] = float(np.ptp(x))
        results[f"C_{c1}_dominant_Hz"] = float(f[above][np.argmax(power[above])])
    return results
