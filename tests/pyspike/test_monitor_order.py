"""StateMonitor(..., order=) as Brian2's: within the "start" slot objects run by ascending
order, ties broken by name (Brian2's default names put ``neurongroup_run_regularly``
before ``statemonitor``), so a monitor of order < 0 records the state before the step's
run_regularly statements and one of order 0 (the default) or more the state after them.
On NumPy, C++ and the emulated CUDA backend."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
import pyspike.backends
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.spec import GroupSpec, NetworkSpec, StateMonitorSpec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED]
#: v grows by 1 per ms; run_regularly adds 10 at every step of 0.5 ms
MODEL = ps.NeuronModel("dv/dt = 1/tau : 1", params={"tau": 1.0})


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _recorded(backend, **monitor):
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        G = ps.NeuronGroup(2, MODEL)
        mon = ps.StateMonitor(G, "v", record=[1], **monitor)
    G.run_regularly("v += 10")
    net.run(2.0)
    return mon.v[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_monitor_of_order_minus_one_records_before_run_regularly_changes_the_state(
        backend):
    # at step n, v = n*(10 + 0.5) before the operation adds 10
    np.testing.assert_allclose(_recorded(backend, order=-1), [0.0, 10.5, 21.0, 31.5])


@pytest.mark.parametrize("order", [0, 3])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_monitor_of_order_zero_or_more_records_after_run_regularly(backend, order):
    np.testing.assert_allclose(_recorded(backend, order=order), [10.0, 20.5, 31.0, 41.5])


def test_order_sorts_only_the_start_slot_so_it_changes_nothing_at_the_end():
    np.testing.assert_array_equal(_recorded("numpy", when="end", order=-1),
                                  _recorded("numpy", when="end"))


@pytest.mark.parametrize("order", [0.5, "1", None, True])
def test_an_order_that_is_not_a_whole_number_is_refused(order):
    net = ps.Network(dt=0.5, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, MODEL)
        with pytest.raises(ModelError, match="order") as err:
            ps.StateMonitor(G, "v", order=order)
    assert err.value.symbol == "order"


def test_the_schedule_puts_monitors_of_negative_order_first_in_the_step_by_order():
    g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
                  operations=(("v = 0", 1),))
    net = build_network(NetworkSpec(groups=(g,), state_monitors=(
        StateMonitorSpec("g", ("v",), 1, order=-1),
        StateMonitorSpec("g", ("v",), 1),
        StateMonitorSpec("g", ("v",), 1, order=-2))))
    assert [str(c) for c in net.schedule] == [
        "start: record 2 of group 0", "start: record 0 of group 0",
        "start: operation 0 of group 0", "update: record 1 of group 0",
        "update: neurons 0 of group 0"]
