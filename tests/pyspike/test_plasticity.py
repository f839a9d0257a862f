"""Event-driven synaptic equations (traces for STDP), solved exactly between events."""
import numpy as np
import pytest

import pyspike as ps

TRACE = """
    w : 1
    dapre/dt = -apre/taupre : 1 (event-driven)
"""


def _trace_run(backend, times):
    m = ps.NeuronModel("v : 1")
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0] * len(times), times=times)
        P = ps.NeuronGroup(1, m)
        # w records the trace as the event sees it, before this event's increment
        S = ps.Synapses(gen, P, model=TRACE, on_pre="w = apre; apre += 1.0",
                        params={"taupre": 20.0})
        S.connect(i=[0], j=[0])
    return net, S


def test_an_event_driven_trace_decays_exactly_between_events(backend):
    net, S = _trace_run(backend, [1.0, 11.0])
    net.run(20.0)
    # seen at the second event: 1 * exp(-(11 - 1)/20); exp in libm and NumPy agree to ulps
    np.testing.assert_allclose(S.w, [np.exp(-10.0 / 20.0)], rtol=1e-12)
    np.testing.assert_allclose(S.apre, [1.0 + np.exp(-0.5)], rtol=1e-12)


def test_the_trace_is_not_advanced_between_events(backend):
    net, S = _trace_run(backend, [1.0])
    net.run(20.0)
    # only the event advanced it: its stored value is the one right after that event
    np.testing.assert_allclose(S.apre, [1.0], rtol=0)


def _stdp(backend):
    m = ps.NeuronModel("dv/dt = (ge - v)/tau : mV\ndge/dt = -ge/5.0 : mV", threshold="v > 1",
                       reset="v = 0", params={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=3, backend=backend)
    with net:
        inp = ps.PoissonGroup(40, rates=20.0)
        P = ps.NeuronGroup(4, m)
        S = ps.Synapses(inp, P, model="""w : mV
                dapre/dt = -apre/taupre : mV (event-driven)
                dapost/dt = -apost/taupost : mV (event-driven)""",
            on_pre="ge_post += w; apre += Apre; w = clip(w + apost, 0, wmax)",
            on_post="apost += Apost; w = clip(w + apre, 0, wmax)",
            params={"taupre": 20.0, "taupost": 20.0, "Apre": 0.01, "Apost": -0.0105,
                    "wmax": 1.0})
        S.connect()
        S.w = "rand()*0.5"
        spikes = ps.SpikeMonitor(P)
    net.run(300.0)
    return S, spikes


def test_stdp_gives_the_same_weights_and_spikes_on_both_backends():
    cpu, cpu_spikes = _stdp("cpu")
    ref, ref_spikes = _stdp("numpy")
    assert cpu_spikes.num_spikes > 0
    np.testing.assert_array_equal(cpu_spikes.i, ref_spikes.i)
    np.testing.assert_array_equal(cpu_spikes.t, ref_spikes.t)
    # weights pass through exp() of the traces: libm and NumPy may differ in the last ulp
    np.testing.assert_allclose(cpu.w, ref.w, rtol=1e-12, atol=1e-15)
    assert not np.allclose(cpu.w, _initial_weights())     # plasticity did change them


def _initial_weights():
    net = ps.Network(dt=0.1, seed=3, backend="numpy")
    with net:
        ps.PoissonGroup(40, rates=20.0)
        P = ps.NeuronGroup(4, ps.NeuronModel("ge : 1"))
        S = ps.Synapses(net.groups[0], P, model="w : 1", on_pre="ge_post += w")
        S.connect()
        S.w = "rand()*0.5"
    return S.w


def test_a_nonlinear_event_driven_equation_is_refused():
    m = ps.NeuronModel("v : 1")
    G = ps.NeuronGroup(2, m)
    with pytest.raises(ps.ModelError, match="linear"):
        ps.Synapses(G, G, model="dx/dt = -x*x/tau : 1 (event-driven)", on_pre="v_post += x",
                    params={"tau": 5.0})


def test_the_event_driven_flag_is_refused_in_a_neuron_model():
    with pytest.raises(ps.ModelError, match="synapse models only"):
        ps.NeuronModel("dv/dt = -v/tau : 1 (event-driven)", params={"tau": 5.0})
