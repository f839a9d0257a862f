"""Brian2's network_operation: a Python function called at the start of the steps that are
multiples of its dt, between compiled pieces of the run, whose writes are the state the
step starts from, on every backend."""
import importlib.util
import signal
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike import pacing
from pyspike.network_operation import NetworkOperation, network_operation

RAMP = ps.NeuronModel("dv/dt = 1/tau : 1", params={"tau": 1.0})
NOISY = ps.NeuronModel("dv/dt = (1.1 - v)/tau + 0.3*xi/sqrt(tau) : 1", threshold="v > 1",
                       reset="v = 0", params={"tau": 5.0})


def _ramp(backend="numpy", N=2, dt=0.1):
    net = ps.Network(dt=dt, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(N, RAMP)
    return net, G


def _steps(times, dt=0.1):
    return [round(t / dt) for t in times]


def _emulated_cuda(monkeypatch):
    """The CUDA backend's own host code on the emulated device of tests/cuda."""
    path = Path(__file__).resolve().parents[1] / "cuda" / "emulator" / "backend.py"
    spec = importlib.util.spec_from_file_location("network_operation_cuda_emulator", path)
    emulator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(emulator)
    missing = emulator.emulator_missing()
    if missing:
        pytest.skip(missing)
    from pyspike import backends
    monkeypatch.setitem(backends.BACKENDS, "cuda_emulated", emulator.EmulatedBackend)
    return "cuda_emulated"


# --- when operations are called ------------------------------------------------------------


def test_a_bare_decorator_calls_the_function_with_t_before_every_step():
    net, _ = _ramp()
    calls = []
    with net:
        @network_operation
        def record(t):
            calls.append(t)
    net.run(0.5)
    assert isinstance(record, NetworkOperation)
    assert calls == [k * 0.1 for k in range(5)]           # t is net.t at the call


def test_an_operation_with_dt_is_called_at_the_steps_that_are_multiples_of_it():
    net, _ = _ramp()
    calls = []
    with net:
        network_operation(dt=0.5)(lambda t: calls.append(t))
    net.run(2.0)
    assert _steps(calls) == [0, 5, 10, 15]


def test_empty_parentheses_and_a_function_without_t_are_accepted():
    net, _ = _ramp()
    calls = []
    with net:
        @network_operation()
        def count():
            calls.append(net.t)
    net.run(0.3)
    assert _steps(calls) == [0, 1, 2]


def test_an_operation_made_outside_a_with_block_joins_with_add():
    net, _ = _ramp()
    calls = []
    op = network_operation(lambda: calls.append(net.step), dt=0.2)
    net.run(0.4)
    assert calls == []                                     # not in the network yet
    net.add(op)
    net.add(op)                                            # once only
    net.run(0.4)
    assert calls == [4, 6]


def test_several_operations_are_called_each_at_its_own_steps_by_order_then_as_added():
    net, _ = _ramp()
    calls = []
    with net:
        network_operation(lambda t: calls.append(("a", round(t / 0.1))), dt=0.3)
        network_operation(lambda t: calls.append(("b", round(t / 0.1))), dt=0.2)
        network_operation(lambda t: calls.append(("c", round(t / 0.1))), dt=0.6, order=-1)
    net.run(0.7)
    assert calls == [("c", 0), ("a", 0), ("b", 0), ("b", 2), ("a", 3), ("b", 4),
                     ("c", 6), ("a", 6), ("b", 6)]


def test_a_run_shorter_than_dt_calls_only_where_the_steps_it_runs_are_due():
    net, _ = _ramp()
    calls = []
    with net:
        network_operation(lambda t: calls.append(round(t / 0.1)), dt=1.0)
    net.run(0.3)
    assert calls == [0]
    net.run(0.3)
    assert calls == [0]
    net.run(0.4)                 # ends at 1.0 ms: the step at 1.0 ms belongs to the next run
    assert calls == [0]
    net.run(0.1)
    assert calls == [0, 10]


def test_the_monitors_hold_every_step_before_t_when_an_operation_is_called():
    net, G = _ramp()
    seen = []
    with net:
        mon = ps.StateMonitor(G, "v", record=[0])
        network_operation(lambda: seen.append(len(mon.t)), dt=0.5)
    net.run(1.5)
    assert seen == [0, 5, 10]


# --- what operations write -----------------------------------------------------------------


def _write_then_step(backend):
    net, G = _ramp(backend)
    with net:
        mon = ps.StateMonitor(G, "v", record=[0, 1])

        @network_operation(dt=1.0)
        def reset():
            G.v[0] = -1.0
    net.run(1.5)
    return G, mon


@pytest.mark.parametrize("backend", ["numpy", "cpu", "emulated"])
def test_a_write_is_what_the_monitors_record_at_t_and_what_the_step_from_t_starts_from(
        backend, monkeypatch):
    if backend == "emulated":
        backend = _emulated_cuda(monkeypatch)
    G, mon = _write_then_step(backend)
    k = _steps([1.0])[0]
    np.testing.assert_allclose(mon.v[0, [k - 1, k, k + 1]], [-0.1, -1.0, -0.9], atol=1e-12)
    np.testing.assert_allclose(mon.v[1, k], 1.0, atol=1e-12)          # not written
    np.testing.assert_allclose(G.v, [-0.5, 1.5], atol=1e-12)


def _weights_from_python(backend):
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        src = ps.SpikeGeneratorGroup(1, indices=[0, 0, 0], times=[0.5, 1.5, 2.5])
        G = ps.NeuronGroup(1, ps.NeuronModel("v : 1"))
        S = ps.Synapses(src, G, model="w : 1", on_pre="v_post += w")
        S.connect(i=[0], j=[0])

        @network_operation(dt=1.0)
        def ramp_weight(t):
            S.w = t                       # 0, then 1 and 2: the spikes bring 0 + 1 + 2
    net.run(3.0)
    return float(G.v[0])


@pytest.mark.parametrize("backend", ["numpy", "cpu", "emulated"])
def test_a_synaptic_variable_written_by_an_operation_is_what_later_spikes_use(
        backend, monkeypatch):
    if backend == "emulated":
        backend = _emulated_cuda(monkeypatch)
    assert _weights_from_python(backend) == 3.0


def _driven(backend):
    net = ps.Network(dt=0.1, seed=11, backend=backend)
    with net:
        G = ps.NeuronGroup(20, NOISY, init={"v": "rand()"})
        spikes = ps.SpikeMonitor(G)

        @network_operation(dt=0.5)
        def kick(t):
            G.v[: int(t) + 1] += 0.2
    net.run(10.0)
    return G.v.copy(), spikes.count.copy()


def test_the_emulated_cuda_backend_gives_the_cpu_backends_numbers_with_operations(
        monkeypatch):
    emulated = _emulated_cuda(monkeypatch)
    v_cpu, count_cpu = _driven("cpu")
    v_emu, count_emu = _driven(emulated)
    assert count_cpu.sum() > 0
    np.testing.assert_array_equal(count_emu, count_cpu)
    np.testing.assert_allclose(v_emu, v_cpu, rtol=1e-12, atol=1e-12)


# --- runs in pieces, snapshots, errors -----------------------------------------------------


def _noisy_with_operation(calls):
    net = ps.Network(dt=0.1, seed=5, backend="cpu")
    with net:
        G = ps.NeuronGroup(10, NOISY)
        spikes = ps.SpikeMonitor(G)
        volts = ps.StateMonitor(G, "v", record=[0, 9])

        @network_operation(dt=0.7)
        def push(t):
            calls.append(round(t / 0.1))
            G.v[int(t) % 10] += 0.5
    return net, G, spikes, volts


def test_a_run_continued_in_pieces_makes_the_calls_and_numbers_of_one_run():
    one, pieces = [], []
    net, G, spikes, volts = _noisy_with_operation(one)
    net.run(5.0)
    net2, G2, spikes2, volts2 = _noisy_with_operation(pieces)
    for duration in (0.7, 0.3, 1.4, 0.1, 2.5):
        net2.run(duration)
    assert pieces == one == list(range(0, 50, 7))
    np.testing.assert_array_equal(G2.v, G.v)
    np.testing.assert_array_equal(spikes2.i, spikes.i)
    np.testing.assert_array_equal(spikes2.t, spikes.t)
    np.testing.assert_array_equal(volts2.v, volts.v)


def test_store_and_restore_around_operations_repeat_the_calls_and_the_numbers():
    calls = []
    net, G, spikes, _ = _noisy_with_operation(calls)
    net.run(1.0)
    net.store()
    net.run(2.0)
    first, v = list(calls), G.v.copy()
    net.restore()
    del calls[:]
    net.run(2.0)
    assert calls == [c for c in first if c >= 10]
    np.testing.assert_array_equal(G.v, v)


def test_an_exception_in_an_operation_stops_the_run_before_its_step_and_propagates():
    net, G = _ramp()
    with net:
        mon = ps.StateMonitor(G, "v", record=[0])

        @network_operation(dt=0.5)
        def fail(t):
            if t > 0.7:
                raise RuntimeError("stop here")
    with pytest.raises(RuntimeError, match="stop here") as err:
        net.run(2.0)
    assert net.step == 10
    assert "'fail' at t = 1 ms" in "".join(err.value.__notes__)
    np.testing.assert_allclose(G.v, [1.0, 1.0], atol=1e-12)   # 10 steps, not 11
    assert len(mon.t) == 10


def test_after_an_exception_the_next_run_calls_that_steps_operations_again():
    calls, fail = [], [True]
    net, G = _ramp()
    with net:
        @network_operation(dt=0.5)
        def once(t):
            calls.append(round(t / 0.1))
            if t > 0.7 and fail:
                fail.pop()
                raise RuntimeError("once")
    with pytest.raises(RuntimeError):
        net.run(2.0)
    net.run(1.0)
    assert calls == [0, 5, 10, 10, 15]
    np.testing.assert_allclose(G.v, [2.0, 2.0], atol=1e-12)


def test_an_interrupt_between_operations_counts_the_steps_of_the_whole_run(monkeypatch):
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: min(left, 2))
    net, G = _ramp("cpu")
    with net:
        network_operation(lambda: None, dt=0.5)
    net.build()
    run, calls = net.backend.run, []

    def wrapped(*args):
        done = run(*args)
        calls.append(done)
        if len(calls) == 5:        # pieces of 2, 2, 1 steps: [0, 5), then [5, 9) of [5, 10)
            signal.raise_signal(signal.SIGINT)
        return done
    monkeypatch.setattr(net.backend, "run", wrapped)
    with pytest.raises(KeyboardInterrupt, match="at t = 0.9 ms, after 9 of 30 steps"):
        net.run(3.0)
    assert net.step == 9


def test_an_operation_cannot_run_its_own_network():
    net, _ = _ramp()
    with net:
        network_operation(lambda: net.run(0.1))
    with pytest.raises(ps.ModelError, match="cannot run its own network"):
        net.run(0.2)
    assert net.step == 0


def test_a_network_with_operations_runs_its_compiled_code_in_pieces_between_them(
        monkeypatch):
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: left)
    net, _ = _ramp("cpu")
    pieces = []
    run = net.backend.run
    monkeypatch.setattr(net.backend, "run", lambda *a: pieces.append(a[-1]) or run(*a))
    net.run(1.0)
    with net:
        network_operation(lambda: None, dt=0.4)
    net.run(1.9)
    assert pieces == [10, 2, 4, 4, 4, 4, 1]


# --- what is refused -----------------------------------------------------------------------


def test_a_dt_that_is_not_a_whole_number_of_network_steps_is_refused_naming_it():
    net, _ = _ramp()
    op = network_operation(lambda: None, dt=0.25)
    with pytest.raises(ps.ModelError, match="dt of 0.25 ms is not a whole number") as err:
        net.add(op)
    assert err.value.symbol == "dt" and "'<lambda>'" in str(err.value)
    assert net.operations == []


def test_a_dt_smaller_than_the_networks_is_refused_in_a_with_block():
    net, _ = _ramp()
    with pytest.raises(ps.ModelError, match="whole number of steps"):
        with net:
            @network_operation(dt=0.05)
            def too_often():
                pass


def test_a_function_of_two_arguments_is_refused():
    with pytest.raises(ps.ModelError, match=r"f\(\) or f\(t\)"):
        network_operation(lambda t, u: None)


def test_a_number_where_the_function_belongs_is_refused():
    with pytest.raises(ps.ModelError, match="keyword arguments such as dt=1.0"):
        network_operation(1.0)


def test_a_slot_other_than_the_start_of_the_step_is_refused_with_the_equivalent():
    with pytest.raises(ps.ModelError, match="start of the step at t \\+ dt") as err:
        network_operation(lambda: None, when="end")
    assert err.value.symbol == "when"


def _ramp_network(backend="cpu"):
    net = ps.Network(dt=1.0, backend=backend)
    with net:
        G = ps.NeuronGroup(1, ps.NeuronModel("dv/dt = 1/ms : 1"))
    return net, G


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_stop_ends_the_run_after_the_current_step(backend):
    net, G = _ramp_network(backend)

    @network_operation(dt=2.0)
    def check():
        if G.v[0] >= 4:
            ps.stop()
    net.add(check)
    net.run(10.0)
    assert (net.t, float(G.v[0])) == (5.0, 5.0)     # Brian2: the step of the call completes


def test_a_stopped_network_runs_on_from_where_it_stopped():
    net, G = _ramp_network()
    calls = []

    @network_operation(dt=1.0)
    def once(t):
        calls.append(t)
        if t == 2.0:
            net.stop()
    net.add(once)
    net.run(5.0)
    net.run(2.0)
    assert net.t == 5.0 and calls == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_stop_outside_a_run_is_refused():
    with pytest.raises(ps.ModelError, match="no run is in progress"):
        ps.stop()
