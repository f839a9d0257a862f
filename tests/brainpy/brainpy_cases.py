"""Small BrainPy models written once for both simulators: each function takes the
``bp`` and ``bm`` modules (pyspike.brainpy's, or BrainPy 2.4.3's when
examples/brainpy/brainpy_reference.py makes the reference numbers the tests hold)."""
import numpy as np

#: The steps at which the tests compare the target neurons' V with BrainPy's.
STEPS = (80, 82, 83, 90, 101, 104, 130, 220, 300, 450, 599)


def two_layer(bp, bm, ltc=True, order="proj_first", delay=None, align="post", steps=600):
    """Two driven neurons A project onto three neurons B through an excitatory and an
    inhibitory exponential COBA projection (weights from a matrix); ``order`` is the
    order of the calls in update(): 'proj_first' (projections, then A, then B) or
    'neu_first' (A, B, then the projections).  Returns A's spike steps, B's spike steps
    and B's V at STEPS."""
    bm.set_dt(0.1)

    class TwoLayer(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            cls = bp.dyn.LifRefLTC if ltc else bp.dyn.LifRef
            # (tau_ref = 5.05, not 5: BrainPy compares t - t_last_spike <= tau_ref in float32,
            # which at exactly 50 steps of 0.1 ms goes either way)
            pars = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.05)
            self.A = cls(2, V_initializer=bp.init.OneInit(-60.), **pars)
            self.B = cls(3, V_initializer=bp.init.OneInit(-58.), **pars)
            W = np.array([[1.5, 2.0, 0.2], [0.9, 0.0, 3.0]])
            if align == "post":
                self.P = bp.dyn.ProjAlignPostMg2(
                    pre=self.A, delay=delay, comm=bp.dnn.AllToAll(2, 3, W),
                    syn=bp.dyn.Expon.desc(3, tau=5.), out=bp.dyn.COBA.desc(E=0.),
                    post=self.B)
                self.Q = bp.dyn.ProjAlignPostMg2(
                    pre=self.A, delay=delay, comm=bp.dnn.AllToAll(2, 3, 0.4 * W),
                    syn=bp.dyn.Expon.desc(3, tau=10.), out=bp.dyn.COBA.desc(E=-80.),
                    post=self.B)
            else:
                self.P = bp.dyn.ProjAlignPreMg1(
                    pre=self.A, syn=bp.dyn.Expon.desc(2, tau=5.), delay=delay,
                    comm=bp.dnn.AllToAll(2, 3, W), out=bp.dyn.COBA(E=0.), post=self.B)
                self.Q = bp.dyn.ProjAlignPreMg1(
                    pre=self.A, syn=bp.dyn.Expon.desc(2, tau=10.), delay=delay,
                    comm=bp.dnn.AllToAll(2, 3, 0.4 * W), out=bp.dyn.COBA(E=-80.),
                    post=self.B)

        def update(self):
            if order == "proj_first":
                self.P()
                self.Q()
                self.A(np.array([30., 25.]))
                self.B(9.)
            else:
                self.A(np.array([30., 25.]))
                self.B(9.)
                self.P()
                self.Q()

    net = TwoLayer()
    runner = bp.DSRunner(net, monitors=['A.spike', 'B.spike', 'B.V'], progress_bar=False)
    runner.run(steps * 0.1)
    return {"A": [int(k) for k in np.nonzero(runner.mon['A.spike'][:, 0])[0][:5]],
            "B": [[int(k) for k in np.nonzero(runner.mon['B.spike'][:, n])[0][:4]]
                  for n in range(3)],
            "V": [[round(float(v), 4) for v in row]
                  for row in np.asarray(runner.mon['B.V'])[list(STEPS)]]}


def driven(bp, bm, cls="LifRef", inp=25., steps=400, dt=0.1, **pars):
    """One neuron of ``bp.dyn.<cls>`` driven by a constant input: its spike steps."""
    bm.set_dt(dt)

    class One(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.N = getattr(bp.dyn, cls)(1, **pars)

        def update(self):
            self.N(inp)

    net = One()
    runner = bp.DSRunner(net, monitors=['N.spike'], progress_bar=False)
    runner.run(steps * dt)
    return [int(k) for k in np.nonzero(runner.mon['N.spike'][:, 0])[0]]


def jit_einet(bp, bm, seed, steps=1000):
    """The E/I network of BrainPy's ProjAlignPostMg2 documentation: LifRef neurons,
    just-in-time random connectivity (EventJitFPHomoLinear), a delay of 0.1 ms, run by
    bm.for_loop over step_run; the rates (Hz) of E over the steps."""
    bm.set_dt(0.1)
    bm.random.seed(seed)
    np.random.seed(seed)                  # (BrainPy's jit layers draw their seed from it)
    ne, ni = 3200, 800
    pars = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.,
                V_initializer=bp.init.Normal(-55., 2.))

    class EINet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.E = bp.dyn.LifRef(ne, **pars)
            self.I = bp.dyn.LifRef(ni, **pars)
            for name, pre, post, w, tau, E in (("E2E", self.E, self.E, 0.6, 5., 0.),
                                               ("E2I", self.E, self.I, 0.6, 5., 0.),
                                               ("I2E", self.I, self.E, 6.7, 10., -80.),
                                               ("I2I", self.I, self.I, 6.7, 10., -80.)):
                comm = bp.dnn.EventJitFPHomoLinear(pre.num, post.num, prob=0.02, weight=w,
                                                   seed=None)
                setattr(self, name, bp.dyn.ProjAlignPostMg2(
                    pre=pre, delay=0.1, comm=comm, syn=bp.dyn.Expon.desc(size=post.num, tau=tau),
                    out=bp.dyn.COBA.desc(E=E), post=post))

        def update(self, inp):
            self.E2E()
            self.E2I()
            self.I2E()
            self.I2I()
            self.E(inp)
            self.I(inp)
            return self.E.spike

    model = EINet()
    spikes = np.asarray(bm.for_loop(lambda i: model.step_run(i, 20.), bm.arange(steps)))
    return float(spikes.sum()) / ne / (steps * 0.1) * 1000.
