"""Network.store / Network.restore: a run after a restore repeats the run after the store
bit for bit (noise, rand() in thresholds, Poisson inputs, delayed spikes in flight, on_post
code, monitors), named snapshots, snapshots in files, and errors."""
import numpy as np
import pytest

import pyspike as ps

DT = 0.1
#: A noisy LIF with a random threshold, an exponential synaptic current and refractoriness.
NEURON = ps.NeuronModel(
    equations="""
        dv/dt = (I + ge - v)/tau + sigma*xi/sqrt(tau) : 1 (unless refractory)
        dge/dt = -ge/tau_e : 1
        I : 1
    """,
    threshold="v > 1 + 0.1*rand()", reset="v = 0", refractory=1.0, method="euler",
    params={"tau": 10.0, "tau_e": 3.0, "sigma": 0.3})
STILL = ps.NeuronModel("v : 1")


def _network(backend, seed=5, precision="double", n=30):
    """Poisson inputs -> noisy neurons -> recurrent plastic synapses with per-synapse delays
    (up to 3 ms, so spikes are in flight whenever the network is stored) and on_post code
    that writes synaptic variables; every kind of monitor."""
    net = ps.Network(dt=DT, seed=seed, backend=backend, precision=precision)
    with net:
        inp = ps.PoissonGroup(n, rates=200.0)
        P = ps.NeuronGroup(n, NEURON, init={"I": "0.8 + 0.4*rand()", "v": "rand()"})
        ff = ps.Synapses(inp, P, on_pre="ge_post += 0.5")
        ff.connect(j="i")
        S = ps.Synapses(P, P, model="w : 1\napre : 1",
                        on_pre="ge_post += w; apre += 0.1",
                        on_post="w = clip(w + 0.05*apre, 0, 1); apre *= 0.9")
        S.connect(p=0.2)
        S.w = "0.1 + 0.2*rand()"
        S.delay = "3.0*rand()"
        spikes = ps.SpikeMonitor(P)
        inp_spikes = ps.SpikeMonitor(inp)
        states = ps.StateMonitor(P, ["v", "ge"], record=[0, 5, n - 1])
        rate = ps.PopulationRateMonitor(P)
    return dict(net=net, P=P, S=S, spikes=spikes, inp_spikes=inp_spikes, states=states,
                rate=rate)


def _results(d):
    """Everything a run changes, copied."""
    return {
        "spike_i": d["spikes"].i.copy(), "spike_t": d["spikes"].t.copy(),
        "count": d["spikes"].count.copy(),
        "inp_i": d["inp_spikes"].i.copy(), "inp_t": d["inp_spikes"].t.copy(),
        "v": d["P"].v.copy(), "ge": d["P"].ge.copy(), "lastspike": d["P"].lastspike.copy(),
        "w": d["S"].w.copy(), "apre": d["S"].apre.copy(),
        "mon_v": d["states"].v.copy(), "mon_ge": d["states"].ge.copy(),
        "mon_t": d["states"].t.copy(), "rate": d["rate"].rate.copy(),
        "rate_t": d["rate"].t.copy(), "t": d["net"].t,
    }


def _assert_identical(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(b[key], a[key], err_msg=key)


def test_a_run_after_restore_repeats_the_run_after_store_bit_for_bit(backend):
    d = _network(backend)
    d["net"].run(10.0)
    d["net"].store()
    d["net"].run(20.0)
    first = _results(d)
    d["net"].restore()
    d["net"].run(20.0)
    second = _results(d)
    # the network must have done something for the comparison to mean much
    assert first["spike_i"].size > 20 and np.ptp(first["w"]) > 0
    _assert_identical(first, second)


def test_restore_puts_back_the_state_and_the_monitors_as_they_were_at_store(backend):
    d = _network(backend)
    d["net"].run(10.0)
    at_store = _results(d)
    d["net"].store()
    d["net"].run(20.0)
    d["net"].restore()
    assert d["net"].t == pytest.approx(10.0)
    _assert_identical(at_store, _results(d))


def test_a_run_after_restore_equals_the_same_part_of_an_uninterrupted_run(backend):
    d = _network(backend)
    d["net"].run(10.0)
    d["net"].store()
    d["net"].run(7.0)               # a detour that the restore undoes
    d["net"].restore()
    d["net"].run(20.0)
    whole = _network(backend)
    whole["net"].run(30.0)
    _assert_identical(_results(whole), _results(d))


def test_store_before_the_first_run_and_restore_repeats_the_whole_run(backend):
    d = _network(backend)
    d["net"].store()
    d["net"].run(15.0)
    first = _results(d)
    d["net"].restore()
    assert d["spikes"].num_spikes == 0 and d["states"].v.shape[1] == 0
    d["net"].run(15.0)
    _assert_identical(first, _results(d))


def test_store_before_the_first_run_and_restore_in_single_precision(backend):
    # the snapshot is taken before the build casts the state to float32
    d = _network(backend, precision="single")
    d["net"].store()
    d["net"].run(15.0)
    first = _results(d)
    d["net"].restore()
    d["net"].run(15.0)
    _assert_identical(first, _results(d))
    assert d["P"].v.dtype == np.float32


def test_store_after_a_run_and_restore_in_single_precision(backend):
    d = _network(backend, precision="single")
    d["net"].run(5.0)
    d["net"].store()
    d["net"].run(15.0)
    first = _results(d)
    d["net"].restore()
    d["net"].run(15.0)
    _assert_identical(first, _results(d))


def _delayed(backend):
    """One generator spike at 1 ms through synapses of delay 0.5, 2 and 4 ms."""
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(3, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=[0, 0, 0], j=[0, 1, 2])
        S.delay = [0.5, 2.0, 4.0]
        mon = ps.StateMonitor(P, "v", record=True)
    return net, P, mon


def test_spikes_in_flight_at_store_arrive_once_after_restore(backend):
    net, P, mon = _delayed(backend)
    net.run(2.0)                    # the spike has reached neuron 0 only
    np.testing.assert_array_equal(P.v, [1.0, 0.0, 0.0])
    net.store()
    net.run(6.0)
    np.testing.assert_array_equal(P.v, [1.0, 1.0, 1.0])
    net.restore()
    np.testing.assert_array_equal(P.v, [1.0, 0.0, 0.0])
    net.run(6.0)
    np.testing.assert_array_equal(P.v, [1.0, 1.0, 1.0])
    # arrival samples: stamp 11 (the spike at 1 ms acts at 1.1 ms) + delay steps 5, 20, 40
    first = (mon.v > 0.5).argmax(axis=1)
    np.testing.assert_array_equal(first, [16, 31, 51])


def test_spikes_in_flight_at_store_arrive_after_restore_from_a_file(backend, tmp_path):
    net, _, _ = _delayed(backend)
    net.run(2.0)
    net.store(filename=str(tmp_path / "snap.pkl"))
    fresh, P, mon = _delayed(backend)
    fresh.restore(filename=str(tmp_path / "snap.pkl"))
    fresh.run(6.0)
    np.testing.assert_array_equal(P.v, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal((mon.v > 0.5).argmax(axis=1), [16, 31, 51])


def test_named_snapshots_are_kept_apart(backend):
    d = _network(backend)
    net = d["net"]
    net.run(5.0)
    net.store("a")
    at_a = _results(d)
    net.run(5.0)
    net.store("b")
    at_b = _results(d)
    net.run(5.0)
    net.restore("a")
    _assert_identical(at_a, _results(d))
    net.restore("b")
    _assert_identical(at_b, _results(d))
    net.restore("a")
    net.run(5.0)
    _assert_identical(at_b, _results(d))


def test_a_snapshot_can_be_restored_twice(backend):
    d = _network(backend)
    d["net"].run(5.0)
    d["net"].store()
    runs = []
    for _ in range(3):
        d["net"].restore()
        d["net"].run(10.0)
        runs.append(_results(d))
    _assert_identical(runs[0], runs[1])
    _assert_identical(runs[0], runs[2])


def test_storing_again_under_the_same_name_replaces_the_snapshot(backend):
    d = _network(backend)
    d["net"].run(5.0)
    d["net"].store()
    d["net"].run(5.0)
    d["net"].store()
    at_second = _results(d)
    d["net"].run(5.0)
    d["net"].restore()
    _assert_identical(at_second, _results(d))


def test_a_file_snapshot_restored_into_a_fresh_identical_network(backend, tmp_path):
    filename = str(tmp_path / "network.pkl")
    d = _network(backend)
    d["net"].run(10.0)
    d["net"].store(filename=filename)
    d["net"].run(20.0)
    expected = _results(d)

    fresh = _network(backend)
    fresh["net"].restore(filename=filename)
    assert fresh["net"].t == pytest.approx(10.0)
    fresh["net"].run(20.0)
    _assert_identical(expected, _results(fresh))


def test_a_file_keeps_several_named_snapshots(backend, tmp_path):
    filename = str(tmp_path / "network.pkl")
    d = _network(backend)
    d["net"].run(5.0)
    d["net"].store("early", filename=filename)
    d["net"].run(5.0)
    d["net"].store("late", filename=filename)
    at_late = _results(d)
    d["net"].restore("early", filename=filename)
    assert d["net"].t == pytest.approx(5.0)
    d["net"].restore("late", filename=filename)
    _assert_identical(at_late, _results(d))


def test_a_file_snapshot_does_not_touch_the_snapshots_in_memory(tmp_path):
    d = _network("numpy")
    d["net"].run(2.0)
    d["net"].store(filename=str(tmp_path / "snap.pkl"))
    with pytest.raises(ps.ModelError):
        d["net"].restore()


def test_restoring_an_unknown_name_is_an_error(backend):
    d = _network(backend)
    d["net"].store("a")
    with pytest.raises(ps.ModelError, match="nope") as err:
        d["net"].restore("nope")
    assert err.value.symbol == "nope"


def test_restoring_before_any_store_is_an_error():
    d = _network("numpy")
    with pytest.raises(ps.ModelError):
        d["net"].restore()


def test_restoring_an_unknown_name_from_a_file_is_an_error(tmp_path):
    filename = str(tmp_path / "snap.pkl")
    d = _network("numpy")
    d["net"].store("a", filename=filename)
    with pytest.raises(ps.ModelError, match="b"):
        d["net"].restore("b", filename=filename)


def test_restoring_into_a_network_of_other_objects_is_an_error(tmp_path):
    filename = str(tmp_path / "snap.pkl")
    d = _network("numpy")
    d["net"].store(filename=filename)
    other, _, _ = _delayed("numpy")
    with pytest.raises(ps.ModelError):
        other.restore(filename=filename)


def test_restoring_into_a_network_with_groups_of_another_size_is_an_error(backend, tmp_path):
    # same objects, same order, but 5 neurons where the snapshot has 3: the state arrays
    # do not fit the group (running on regardless reads and writes past their ends)
    model = ps.NeuronModel("dv/dt = (I - v)/tau : 1\nI : 1", threshold="v > 1",
                           reset="v = 0", params={"tau": 10.0})

    def build(n):
        net = ps.Network(dt=DT, seed=1, backend=backend)
        with net:
            ps.NeuronGroup(n, model, init={"I": 2.0})
        return net

    small = build(3)
    small.run(1.0)
    small.store(filename=str(tmp_path / "snap.pkl"))
    with pytest.raises(ps.ModelError):
        build(5).restore(filename=str(tmp_path / "snap.pkl"))


def test_restore_undoes_values_set_after_the_store(backend):
    d = _network(backend)
    d["net"].run(5.0)
    d["net"].store()
    before = _results(d)
    d["P"].I = 5.0
    d["S"].w = 0.0
    d["P"].v = "rand()"
    d["net"].restore()
    _assert_identical(before, _results(d))
    np.testing.assert_array_equal(d["P"].I < 1.3, True)


def test_noise_alone_repeats_after_restore(backend):
    # the documented example: xi continues from the restored step
    m = ps.NeuronModel("dv/dt = xi/sqrt(tau) : mV", params={"tau": 10.0})
    net = ps.Network(dt=DT, seed=2, backend=backend)
    with net:
        G = ps.NeuronGroup(3, m)
    net.store()
    net.run(5.0)
    first = G.v.copy()
    net.restore()
    net.run(5.0)
    assert np.ptp(first) > 0
    np.testing.assert_array_equal(G.v, first)


def test_poisson_input_repeats_after_restore(backend):
    m = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 3", reset="v = 0",
                       params={"tau": 10.0})
    net = ps.Network(dt=DT, seed=6, backend=backend)
    with net:
        G = ps.NeuronGroup(20, m)
        mon = ps.SpikeMonitor(G)
    ps.PoissonInput(G, "v", N=50, rate=40.0, weight=0.4)
    net.run(5.0)
    net.store()
    net.run(20.0)
    first = (G.v.copy(), mon.i.copy(), mon.t.copy())
    net.restore()
    net.run(20.0)
    assert first[1].size > 0
    np.testing.assert_array_equal(G.v, first[0])
    np.testing.assert_array_equal(mon.i, first[1])
    np.testing.assert_array_equal(mon.t, first[2])
