"""BrainPy's E/I balanced network (COBA, Brette et al. 2007), written as a BrainPy 2.4.3
script: ``bp.dyn.LifRef`` neurons and four ``bp.dyn.ProjAlignPostMg2`` projections with
``Expon`` kinetics and a ``COBA`` output, run by ``bp.DSRunner``.  The same text runs
under BrainPy with the two imports below changed back (``import brainpy as bp``,
``import brainpy.math as bm``); ``brainpy_reference.py`` does that to make the numbers
the tests compare with.

    python examples/brainpy/EI_balanced_COBA.py            # 3200 + 800 neurons, 1.1 s
    python examples/brainpy/EI_balanced_COBA.py --quick    # 0.5 s
"""
import sys
import time

import numpy as np

import pyspike.brainpy as bp
import pyspike.brainpy.math as bm


class EINet(bp.DynSysGroup):
    """3200 excitatory and 800 inhibitory LIF neurons, each pair joined with probability
    2% (a fixed number of targets per neuron, BrainPy's CSR connectivity)."""

    def __init__(self, num_exc=3200, num_inh=800, inp=20., ltc=True):
        super().__init__()
        self.inp = inp
        kind = bp.dyn.LifRefLTC if ltc else bp.dyn.LifRef
        pars = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.,
                    V_initializer=bp.init.Normal(-55., 2.))
        self.E = kind(num_exc, **pars)
        self.I = kind(num_inh, **pars)

        def expon(pre, post, weight, tau, E):
            return bp.dyn.ProjAlignPostMg2(
                pre=pre, delay=None,
                comm=bp.dnn.EventCSRLinear(bp.conn.FixedProb(0.02, pre=pre.num, post=post.num),
                                           weight),
                syn=bp.dyn.Expon.desc(post.varshape, tau=tau),
                out=bp.dyn.COBA.desc(E=E), post=post)

        self.E2E = expon(self.E, self.E, 0.6, 5., 0.)
        self.E2I = expon(self.E, self.I, 0.6, 5., 0.)
        self.I2E = expon(self.I, self.E, 6.7, 10., -80.)
        self.I2I = expon(self.I, self.I, 6.7, 10., -80.)

    def update(self):
        self.E2I()
        self.I2I()
        self.I2E()
        self.E2E()
        self.E(self.inp)
        self.I(self.inp)


def rates(seed, dt=0.1, ltc=True, durations=(100., 1000.)):
    """The mean rates (Hz) of E and I in each run of ``durations`` (ms), one after the
    other, and the wall time of the runs."""
    bm.set_dt(dt)
    bm.random.seed(seed)
    np.random.seed(seed)                 # (BrainPy's FixedProb draws from NumPy's)
    net = EINet(ltc=ltc)
    runner = bp.DSRunner(net, monitors={'E.spike': net.E.spike, 'I.spike': net.I.spike},
                         progress_bar=False)
    out, t0 = [], time.time()
    for duration in durations:
        runner.run(duration)
        for key in ('E.spike', 'I.spike'):
            spikes = runner.mon[key]
            out.append(float(spikes.sum()) / spikes.shape[1] / duration * 1000.)
    return out, time.time() - t0


def main(quick=False):
    durations = (100., 400.) if quick else (100., 1000.)
    values, seconds = rates(seed=1, durations=durations)
    for k, duration in enumerate(durations):
        print(f"run {k + 1} ({duration:g} ms): E {values[2 * k]:.2f} Hz, "
              f"I {values[2 * k + 1]:.2f} Hz")
    print(f"{seconds:.2f} s (build and runs)")
    return values


if __name__ == '__main__':
    main(quick='--quick' in sys.argv)
