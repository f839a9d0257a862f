"""State that becomes inf or NaN stops the run with an error that names the group, the
variable, the neuron and when, on every backend; check_finite=False runs on."""
import numpy as np
import pytest

import pyspike as ps
from pyspike.finite import NonFiniteError

BACKENDS = ["numpy", "cpu"]


def _blowup(backend, **net_args):
    """dv/dt = v**2 from v(0) = 1 + i/10: neuron i reaches infinity at t = 1/(1 + i/10) ms."""
    net = ps.Network(dt=0.01, seed=1, backend=backend, **net_args)
    with net:
        G = ps.NeuronGroup(5, ps.NeuronModel("dv/dt = v**2/ms : 1", params={"ms": 1.0},
                                             method="euler"),
                           init={"v": "1 + i/10"})
        mon = ps.StateMonitor(G, "v", record=[0])
    return net, G, mon


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_variable_that_overflows_stops_the_run_with_its_group_variable_and_neuron(backend):
    net, G, mon = _blowup(backend)
    with pytest.raises(NonFiniteError) as err:
        net.run(5.0)
    e = err.value
    assert (e.owner, e.variable) == (G.name, "v")
    assert e.index == int(np.argwhere(~np.isfinite(G.v))[0][0])
    assert not np.isfinite(e.value)
    assert f"'{G.name}'" in str(e) and "v of neuron" in str(e)


@pytest.mark.parametrize("backend", BACKENDS)
def test_after_a_non_finite_stop_the_clock_and_monitors_agree_on_the_step_named(backend):
    net, G, mon = _blowup(backend)
    with pytest.raises(NonFiniteError) as err:
        net.run(5.0)
    assert net.step == err.value.step
    assert len(mon.t) == net.step and mon.t[-1] == pytest.approx(net.t - net.dt)
    assert err.value.last_finite_step < err.value.step


def test_the_error_names_the_steps_between_which_the_value_became_non_finite():
    net, G, mon = _blowup("cpu")
    with pytest.raises(NonFiniteError,
                       match=r"between t = [0-9.]+ ms, when it was finite, and t = 5 ms"):
        net.run(5.0)


def test_a_division_by_a_parameter_of_zero_is_reported_at_that_neuron():
    net = ps.Network(dt=0.1, seed=1, backend="cpu")
    with net:
        G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = (I - v)/tau : 1",
                                             params={"I": 1.0, "tau": 10.0}, method="euler"))
    G.tau = [10.0, 0.0, 10.0]
    with pytest.raises(NonFiniteError) as err:
        net.run(1.0)
    assert (err.value.variable, err.value.index) == ("v", 1)


def test_a_value_set_to_nan_before_the_run_is_refused_as_such():
    net = ps.Network(dt=0.1, seed=1, backend="cpu")
    with net:
        G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    G.v = [0.0, 0.0, np.inf]
    with pytest.raises(NonFiniteError, match="before the run") as err:
        net.run(1.0)
    assert net.step == 0 and err.value.last_finite_step is None


def test_log_of_a_negative_value_is_reported():
    net = ps.Network(dt=0.1, seed=1, backend="cpu")
    with net:
        ps.NeuronGroup(2, ps.NeuronModel("dv/dt = log(v - 2)/tau : 1", params={"tau": 10.0},
                                         method="euler"), init={"v": 1.0})
    with pytest.raises(NonFiniteError, match="is nan"):
        net.run(1.0)


def test_check_finite_false_runs_on_through_inf():
    net, G, _ = _blowup("cpu", check_finite=False)
    net.run(5.0)
    assert net.t == pytest.approx(5.0) and not np.isfinite(G.v).all()


def test_in_a_batch_the_instance_is_named():
    net = ps.Network(dt=0.1, seed=1, backend="cpu", batch=3)
    with net:
        G = ps.NeuronGroup(2, ps.NeuronModel("dv/dt = (I - v)/tau : 1",
                                             params={"I": 1.0, "tau": 10.0}, method="euler"))
    G.tau = [[10.0], [10.0], [0.0]]
    with pytest.raises(NonFiniteError, match="instance 2") as err:
        net.run(1.0)
    assert err.value.instance == 2


def test_a_plastic_synaptic_weight_that_overflows_names_the_synapses():
    m = ps.NeuronModel("dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 2.0})
    net = ps.Network(dt=0.1, seed=1, backend="cpu")
    with net:
        G = ps.NeuronGroup(2, m)
        H = ps.NeuronGroup(2, ps.NeuronModel("x : 1"))
        S = ps.Synapses(G, H, model="w : 1", on_pre="w = w*1e100")
        S.connect()
    S.w = 1.0
    with pytest.raises(NonFiniteError) as err:
        net.run(50.0)
    assert (err.value.owner, err.value.variable) == (S.name, "w")
    assert "synapse" in str(err.value)

