"""Small networks that together use every feature the CUDA templates lay out: the
compile test renders each, the GPU tests run each against the C++ backend."""
from typing import Callable, Dict

import numpy as np

import pyspike as ps

LIF = dict(equations="""
        dv/dt = (v_rest - v + R*I + ge) / tau_m : mV (unless refractory)
        dge/dt = -ge/5.0 : mV
        I : nA
    """, threshold="v > v_th", reset="v = v_reset",
    params={"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0, "v_reset": -65.0})


def _lif(refractory=2.0, **changes) -> ps.NeuronModel:
    spec = dict(LIF, refractory=refractory)
    spec.update(changes)
    return ps.NeuronModel(**spec)


def lif_monitors(net):
    """Timed refractoriness, every kind of monitor, a subgroup rate monitor, a state
    monitor that records no neuron."""
    G = ps.NeuronGroup(40, _lif(), init={"v": "v_rest + rand()*15", "I": "16 + 0.2*i"})
    G.tau_m = np.linspace(8.0, 12.0, 40)
    return [G, ps.SpikeMonitor(G), ps.StateMonitor(G, ["v", "ge"], record=[0, 7, 39], every=2),
            ps.PopulationRateMonitor(G), ps.PopulationRateMonitor(G[10:20]),
            ps.StateMonitor(G, "v", record=False)]


def noisy_condition(net):
    """Noise (xi), a refractory condition, random numbers in the reset, float literals."""
    m = ps.NeuronModel(
        equations="dv/dt = (1.2 - v)/tau + sigma*xi/sqrt(tau) : 1 (unless refractory)",
        threshold="v > 1", reset="v = 0.1*rand()", refractory="v > 0.05 and v < 0.2",
        params={"tau": 10.0, "sigma": 0.3})
    G = ps.NeuronGroup(50, m)
    return [G, ps.SpikeMonitor(G)]


def timed_and_poisson(net):
    """TimedArrays in one and two dimensions, PoissonInput, exprel (exponential Euler)."""
    I1 = ps.TimedArray(np.linspace(0.0, 20.0, 30), dt=1.0)
    I2 = ps.TimedArray(np.random.default_rng(1).uniform(0, 5, (20, 30)), dt=0.5)
    m = ps.NeuronModel(
        equations="""dv/dt = (-65 - v + I1(t) + I2(t, i) + ge)/10.0 + 0.01*exprel(-(ge + 50)/5) : mV
                     dge/dt = -ge/5.0 : mV""",
        threshold="v > -50", reset="v = -65", params={"I1": I1, "I2": I2},
        method="exponential_euler")
    G = ps.NeuronGroup(30, m, init={"v": -65.0})
    ps.PoissonInput(G, "ge", N=50, rate=20.0, weight=0.5)
    return [G, ps.SpikeMonitor(G), ps.StateMonitor(G, "v", record=[0, 29])]


def iterative_no_threshold(net):
    """A discrete-time update (SPAIC style), a group that never spikes, run constants."""
    m = ps.NeuronModel(update="v = beta*v + I; u = u + 0.1*v", params={"beta": 0.9, "I": 1.0})
    G = ps.NeuronGroup(20, m)
    return [G, ps.StateMonitor(G, ["v", "u"], record=True)]


def generator_delays(net):
    """Given spikes into heterogeneous and shared delays, and an explicit connection."""
    src = ps.SpikeGeneratorGroup(5, indices=[0, 1, 2, 3, 4, 0, 2], times=[1, 2, 3, 4, 5, 6, 7])
    G = ps.NeuronGroup(10, _lif(), init={"v": -65.0, "I": 0.0})
    S1 = ps.Synapses(src, G, model="w : mV", on_pre="ge_post += w")
    S1.connect(p=0.6)
    S1.w = "0.5 + 0.25*j"
    S1.delay = "0.1 + 0.3*i + 0.2*j"
    S2 = ps.Synapses(src, G, on_pre="ge_post += 1.5", delay=1.5)
    S2.connect(i=[0, 1, 4], j=[2, 2, 9])
    return [src, G, S1, S2, ps.SpikeMonitor(G), ps.SpikeMonitor(src)]


def stdp_sparse(net):
    """Plastic synapses: on_pre and on_post, event-driven traces, rand() in on_post."""
    inp = ps.PoissonGroup(30, rates="20 + i")
    G = ps.NeuronGroup(20, _lif(), init={"v": -60.0, "I": 14.0})
    S = ps.Synapses(inp, G, model="""w : mV
            dapre/dt = -apre/20.0 : mV (event-driven)
            dapost/dt = -apost/20.0 : mV (event-driven)""",
        on_pre="ge_post += w; apre += 0.01; w = clip(w + apost, 0, 2.0)",
        on_post="apost -= 0.012; w = clip(w + apre + 1e-4*rand(), 0, 2.0)")
    S.connect(p=0.3)
    S.w = "rand()"
    return [inp, G, S, ps.SpikeMonitor(G)]


def dense_and_serial(net):
    """All-to-all (a thread per target), and an on_pre that sets a neuron variable
    (which runs serially: too sparse, at 12 of 480 pairs, for a bitmask)."""
    inp = ps.PoissonGroup(12, rates=40.0)
    # a drive that fires G (the GPU tests compare spikes), the resets notwithstanding
    G = ps.NeuronGroup(40, _lif(), init={"v": -60.0, "I": 17.0})
    dense = ps.Synapses(inp, G, model="w : mV", on_pre="ge_post += w; w = w*0.99")
    dense.connect()
    dense.w = 0.25
    reset_on_spike = ps.Synapses(inp, G, on_pre="v_post = -70.0")
    reset_on_spike.connect(j="i")
    return [inp, G, dense, reset_on_spike, ps.SpikeMonitor(G)]


def summed_gap(net):
    """Clock-driven synaptic equations and a (summed) current: gap junctions."""
    m = ps.NeuronModel("""dv/dt = (I_gap - v + 1.5)/10.0 : 1
                          I_gap : 1""", threshold="v > 1", reset="v = 0")
    G = ps.NeuronGroup(12, m, init={"v": "rand()"})
    S = ps.Synapses(G, G, model="""dg/dt = (0.2 - g)/50.0 : 1 (clock-driven)
                                   I_gap_post = g*(v_pre - v_post) : 1 (summed)""")
    S.connect(condition="i != j", p=0.5)
    return [G, S, ps.SpikeMonitor(G)]


def bitmask_dense(net):
    """Random connections dense enough for a bitmask (a thread per target testing bits),
    with a shared delay and without."""
    inp = ps.PoissonGroup(40, rates=60.0)
    G = ps.NeuronGroup(30, _lif(), init={"v": "v_rest + rand()*10", "I": 12.0})
    feed = ps.Synapses(inp, G, on_pre="ge_post += we", params={"we": 1.5}, delay=1.0)
    feed.connect(p=0.3)
    recurrent = ps.Synapses(G, G, on_pre="v_post -= 0.4*v_pre/v_pre")
    recurrent.connect(condition="i != j", p=0.25)
    return [inp, G, feed, recurrent, ps.SpikeMonitor(G)]


def order_sensitive(net):
    """Events whose result depends on the order of a step's spikes (the last one sets
    ge; v and ge mixed in), from a source of several blocks of threads with several spikes
    a step: a thread per target, serially, and through a delay ring.  The GPU must list
    spikes in ascending order, as the CPU does."""
    inp = ps.PoissonGroup(600, rates=100.0)
    G = ps.NeuronGroup(8, _lif(), init={"v": -60.0, "I": 13.0})
    last = ps.Synapses(inp, G, model="w : mV", on_pre="ge_post = w")
    last.connect()
    last.w = "0.004*i + 0.1*j"
    mix = ps.Synapses(inp, G, on_pre="v_post = 0.95*v_post - 3.0 + 0.002*i")
    mix.connect(p=0.02)
    late = ps.Synapses(inp, G, on_pre="ge_post = 0.5*ge_post + 0.001*i", delay=0.5)
    late.connect()
    return [inp, G, last, mix, late, ps.SpikeMonitor(G),
            ps.StateMonitor(G, ["v", "ge"], record=True)]


def shared_weights(net):
    """Weights one for all instances of a batch (Synapses(shared=...)), all-to-all and
    sparse, read by on_pre."""
    inp = ps.PoissonGroup(12, rates=60.0)
    G = ps.NeuronGroup(20, _lif(), init={"v": -60.0, "I": 15.0})
    dense = ps.Synapses(inp, G, model="w : mV", on_pre="ge_post += w", shared=("w",))
    dense.connect()
    dense.w = np.linspace(0.1, 0.6, dense.n)
    sparse = ps.Synapses(inp, G, model="w : mV", on_pre="ge_post += w", shared=("w",))
    sparse.connect(p=0.3)
    sparse.w = 0.4
    return [inp, G, dense, sparse, ps.SpikeMonitor(G)]


def kernel_weights(net):
    """Weights kept in a kernel that many synapses read (Synapses(kernel=...)): a
    one-dimensional convolution of width 3, read by on_pre (atomic or serial delivery)."""
    inp = ps.PoissonGroup(12, rates=60.0)
    G = ps.NeuronGroup(10, _lif(), init={"v": -60.0, "I": 15.0})
    conv = ps.Synapses(inp, G, model="w : mV", on_pre="ge_post += w", kernel=("w",))
    pre = np.arange(10)[:, None] + np.arange(3)[None, :]
    conv.connect(i=pre.ravel(), j=np.repeat(np.arange(10), 3))
    conv.kernel_index = np.tile(np.arange(3), 10)[np.lexsort((np.repeat(np.arange(10), 3),
                                                              pre.ravel()))]
    conv.w = [0.3, 0.6, 0.2]
    return [inp, G, conv, ps.SpikeMonitor(G)]


def max_pooling(net):
    """A (max) synaptic variable beside a (summed) one: the largest of each target's
    synapses (serial), a target without synapses set to 0."""
    inp = ps.NeuronGroup(12, _lif(), init={"v": "-65 + 14*rand()", "I": 16.0})
    G = ps.NeuronGroup(5, ps.NeuronModel("m : mV\ns : mV"))
    pool = ps.Synapses(inp, G, model="""w : 1
        m_post = w*v_pre : mV (max)
        s_post = w*v_pre : mV (summed)""")
    pool.connect(i=np.arange(12), j=np.arange(12) // 3)
    pool.w = np.linspace(0.5, 1.5, 12)
    return [inp, G, pool, ps.SpikeMonitor(inp), ps.StateMonitor(G, ["m", "s"], record=True)]


NETWORKS: Dict[str, Callable] = {f.__name__: f for f in (
    lif_monitors, noisy_condition, timed_and_poisson, iterative_no_threshold,
    generator_delays, stdp_sparse, dense_and_serial, summed_gap, bitmask_dense,
    order_sensitive, shared_weights, kernel_weights, max_pooling)}


def examples():
    """examples/networks.py (CUBA, COBA, COBAHH, Brunel) as a module."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "examples" / "networks.py"
    spec = importlib.util.spec_from_file_location("example_networks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(name: str, backend: str = "cpu", precision: str = "double", seed: int = 3,
          batch=None):
    """The network ``name`` and its objects (not yet run); ``batch``: that many instances."""
    net = ps.Network(dt=0.1, seed=seed, backend=backend, precision=precision, batch=batch)
    with net:
        objects = NETWORKS[name](net)
    net.add(*objects)
    return net, objects


def assert_reading_the_state_between_runs_changes_nothing(backend: str, whole) -> None:
    """Run ``noisy_condition`` 10 + 10 ms on ``backend``, reading its state and writing it
    back unchanged in between, and compare with ``whole`` (the objects of one 20 ms run)."""
    net, objects = build("noisy_condition", backend)
    net.run(10.0)
    _ = objects[0].v.copy()                 # brings the host copy up to date
    objects[0].v = objects[0].v             # and writes it back unchanged
    net.run(10.0)
    np.testing.assert_array_equal(objects[0].v, whole[0].v)
    np.testing.assert_array_equal(objects[1].t, whole[1].t)
