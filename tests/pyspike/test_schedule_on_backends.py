"""Every backend runs a step as the schedule says (codegen/schedule.py): the order is data.

A schedule changed on purpose (a state monitor recording after its group's update, not
before it) changes what every backend records, in the same way."""
import numpy as np

import pyspike as ps
from pyspike.codegen import kernels
from pyspike.codegen.schedule import build_schedule

MODEL = ps.NeuronModel("dv/dt = 1/tau : 1", params={"tau": 1.0})


def _recorded(backend, tmp_path):
    net = ps.Network(dt=0.1, seed=1, backend=backend, cache_dir=str(tmp_path))
    with net:
        G = ps.NeuronGroup(2, MODEL)
        mon = ps.StateMonitor(G, "v")
    net.run(0.3)
    return mon.v


def _record_after_update(groups, synapses, operations):
    calls = list(build_schedule(groups, synapses, operations))
    record = next(c for c in calls if c.kind == "record")
    calls.remove(record)
    calls.insert(calls.index(next(c for c in calls if c.kind == "neurons")) + 1, record)
    return tuple(calls)


def test_by_default_a_state_monitor_records_the_state_at_the_start_of_the_step(
        backend, tmp_path):
    assert np.allclose(_recorded(backend, tmp_path), [[0.0, 0.1, 0.2]] * 2)


def test_a_monitor_scheduled_after_the_update_records_the_state_at_its_end(
        backend, tmp_path, monkeypatch):
    # (a cache folder of its own: the changed schedule must not reach other tests' cache)
    monkeypatch.setattr(kernels, "build_schedule", _record_after_update)
    assert np.allclose(_recorded(backend, tmp_path), [[0.1, 0.2, 0.3]] * 2)
