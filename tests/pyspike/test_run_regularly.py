"""NeuronGroup.run_regularly: statements on every neuron every dt, in the compiled loop,
first in the step (Brian2's run_regularly), the same on every backend."""
import pytest

import pyspike as ps

COUNTER = ps.NeuronModel("v : 1\nx : 1", params={"a": 2.0})


def _net(backend, seed=1, **kw):
    return ps.Network(dt=0.1, seed=seed, backend=backend, **kw)


def test_statements_run_every_step_by_default(backend):
    net = _net(backend)
    with net:
        G = ps.NeuronGroup(3, COUNTER)
    G.run_regularly("v += 1")
    net.run(1.0)
    assert (G.v == 10.0).all()


def test_statements_run_on_the_steps_that_are_multiples_of_their_dt(backend):
    net = _net(backend)
    with net:
        G = ps.NeuronGroup(3, COUNTER)
    G.run_regularly("v += 1", dt=0.3)          # steps 0, 3, 6, 9 of 10
    net.run(1.0)
    assert (G.v == 4.0).all()


def test_they_run_before_a_state_monitor_records_the_step(backend):
    net = _net(backend)
    with net:
        G = ps.NeuronGroup(2, COUNTER)
        mon = ps.StateMonitor(G, "v")
    G.run_regularly("v += 1")
    net.run(0.3)
    assert mon.v.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_they_run_before_the_update_and_the_threshold(backend):
    m = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 1e9})
    net = _net(backend)
    with net:
        G = ps.NeuronGroup(1, m)
        mon = ps.SpikeMonitor(G)
    G.run_regularly("v = 2", dt=0.5)           # set at steps 0 and 5: a spike each
    net.run(1.0)
    assert mon.t.tolist() == pytest.approx([0.1, 0.6])


def test_they_read_parameters_and_the_neuron_index(backend):
    net = _net(backend)
    with net:
        G = ps.NeuronGroup(3, COUNTER)
    G.run_regularly("x = a*i + t")
    net.run(0.5)
    assert G.x == pytest.approx([0.4, 2.4, 4.4])


def _random_run(backend, seed=5, chunks=(2.0,)):
    m = ps.NeuronModel("dv/dt = (1.2 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 10.0})
    net = _net(backend, seed=seed)
    with net:
        G = ps.NeuronGroup(20, m, init={"v": "rand()"})
        mon = ps.SpikeMonitor(G)
    G.run_regularly("v = v + 0.2*randn()", dt=0.5)
    for c in chunks:
        net.run(c)
    return G.v.copy(), mon.i.copy(), mon.t.copy()


def test_random_numbers_in_them_are_the_same_on_every_backend():
    v, i, t = _random_run("numpy")
    v2, i2, t2 = _random_run("cpu")
    # float64 on both, one expression evaluated in the same order: equal to rounding
    assert v2 == pytest.approx(v, abs=1e-12)
    assert (i2 == i).all() and (t2 == t).all()


def test_a_run_in_pieces_runs_them_on_the_same_steps_as_one_run():
    whole = _random_run("cpu")
    pieces = _random_run("cpu", chunks=(0.7, 0.4, 0.9))
    assert all((a == b).all() for a, b in zip(whole, pieces))


def test_their_random_numbers_are_their_own_stream():
    v, _, _ = _random_run("cpu")
    other, _, _ = _random_run("cpu", seed=6)
    assert not (v == other).all()


def test_a_batch_instance_equals_the_network_of_its_seed():
    m = ps.NeuronModel("v : 1")
    net = ps.Network(dt=0.1, seed=[3, 4], batch=2, backend="cpu")
    with net:
        G = ps.NeuronGroup(4, m)
    G.run_regularly("v += rand()", dt=0.2)
    net.run(1.0)
    for b, seed in enumerate((3, 4)):
        one = ps.Network(dt=0.1, seed=seed, backend="cpu")
        with one:
            H = ps.NeuronGroup(4, m)
        H.run_regularly("v += rand()", dt=0.2)
        one.run(1.0)
        assert (G.v[b] == H.v).all()


def test_assigning_a_parameter_is_refused_naming_it():
    G = ps.NeuronGroup(2, COUNTER)
    with pytest.raises(ps.ModelError, match="cannot assign to 'a'"):
        G.run_regularly("a = 1")


def test_an_unknown_name_is_refused_naming_it():
    G = ps.NeuronGroup(2, COUNTER)
    with pytest.raises(ps.ModelError, match="w"):
        G.run_regularly("v = w")


def test_a_dt_that_is_not_a_whole_number_of_steps_is_refused_at_the_run():
    net = _net("numpy")
    with net:
        G = ps.NeuronGroup(2, COUNTER)
    G.run_regularly("v += 1", dt=0.25)
    with pytest.raises(ps.ModelError, match="0.25 ms is not a whole number of steps"):
        net.run(1.0)


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan"), "1"])
def test_a_dt_that_is_not_a_positive_duration_is_refused(dt):
    G = ps.NeuronGroup(2, COUNTER)
    with pytest.raises(ps.ModelError, match="dt"):
        G.run_regularly("v += 1", dt=dt)


def test_code_without_a_statement_is_refused():
    G = ps.NeuronGroup(2, COUNTER)
    with pytest.raises(ps.ModelError, match="at least one statement"):
        G.run_regularly("  # nothing")


def test_the_statements_reach_the_code_as_printed_names_only():
    net = _net("cpu")
    with net:
        G = ps.NeuronGroup(2, COUNTER)
    G.run_regularly("v = a  # a comment")
    net.build()
    source = open(net.last_build.source).read()
    assert "a comment" not in source and "u_v = u_a;" in source
