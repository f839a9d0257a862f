"""The network of tests/pyspike/test_partition.py and test_partition_mpi.py: noise,
refractoriness, random initial values, per-synapse random delays and weights, STDP, a
Poisson group, given spikes, a group of 10 neurons (blocks of none on some ranks) and
every kind of monitor a split network gathers.  The tests read this file as text and run it."""
import numpy as np
import pyspike as ps

#: Pair-based STDP on the recurrent excitatory synapses (on_post runs on the rank of the
#: postsynaptic neuron, where the synapse is).
STDP = """
    w : 1
    dapre/dt = -apre/taupre : 1 (event-driven)
    dapost/dt = -apost/taupost : 1 (event-driven)
"""


def build(partition, seed=5, dt=0.1):
    net = ps.Network(dt=dt, seed=seed, partition=partition, threads=1)
    lif = ps.NeuronModel("dv/dt = (1.05 - v)/tau + 0.3*xi/sqrt(tau) : 1", threshold="v > 1",
                         reset="v = 0", refractory=2.0, params={"tau": 10.0})
    with net:
        exc = ps.NeuronGroup(300, lif, name="exc", init={"v": "rand()"})
        inh = ps.NeuronGroup(100, lif, name="inh", init={"v": "rand()"})
        poisson = ps.PoissonGroup(50, rates=40.0, name="poisson")
        given = ps.SpikeGeneratorGroup(20, np.arange(20), np.linspace(1.0, 30.0, 20),
                                       name="given")
        small = ps.NeuronGroup(10, ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 0.5",
                                                 reset="v = 0", params={"tau": 5.0}),
                               name="small")
        ee = ps.Synapses(exc, exc, STDP, on_pre="v_post += w; apre += 0.01; "
                         "w = clip(w + apost, 0, 0.06)", on_post="apost -= 0.012; "
                         "w = clip(w + apre, 0, 0.06)", params={"taupre": 20.0,
                                                               "taupost": 20.0}, name="ee")
        ee.connect(p=0.05)
        ee.w = "0.02 + 0.02*rand()"
        ee.delay = "0.1 + 2*rand()"
        ei = ps.Synapses(exc, inh, on_pre="v_post += 0.03", delay=0.3, name="ei")
        ei.connect(p=0.1)
        ie = ps.Synapses(inh, exc, on_pre="v_post -= 0.05", delay=0.1, name="ie")
        ie.connect(p=0.1)
        pe = ps.Synapses(poisson, exc, on_pre="v_post += 0.05", delay=0.2, name="pe")
        pe.connect(p=0.2)
        gs = ps.Synapses(given, small, on_pre="v_post += 1", delay=0.5, name="gs")
        gs.connect(j="i % 10")
        es = ps.Synapses(exc[100:200], small, on_pre="v_post += 0.01", delay=1.0, name="es")
        es.connect(p=0.3)
        monitors = [ps.SpikeMonitor(exc), ps.SpikeMonitor(small),
                    ps.StateMonitor(exc, "v", record=[299, 0, 150]),
                    ps.StateMonitor(small, "v", record=True, every=3),
                    ps.PopulationRateMonitor(inh[20:80])]
    return net, monitors

def results(net, monitors):
    """Everything a run leaves: spikes, recordings, state."""
    spikes, small, v_exc, v_small, rate = monitors
    exc, ee = [o for o in net.objects if getattr(o, "name", "") in ("exc", "ee")]
    return {"i": spikes.i, "t": spikes.t, "count": spikes.count, "small_i": small.i,
            "small_t": small.t, "v_exc": v_exc.v, "t_exc": v_exc.t, "v_small": v_small.v,
            "rate": rate.rate, "v": exc.v, "lastspike": exc.lastspike,
            "w": ee.w, "t_end": np.array(net.t)}

def run(partition):
    """Two runs, the first ending within an interval of the exchange (D = 1 step here,
    so a run of 5.05 ms would not be whole: 50.5 steps; 3 steps of 0.1 ms is one)."""
    net, monitors = build(partition)
    net.run(30.0)
    net.run(20.3)
    return results(net, monitors)
