"""TimedArray: values over time read by models as functions I(t) (1-d) or I(t, i) (2-d).

Documented rule under test: value k holds over [k*dt_ta, (k+1)*dt_ta), the first and last
values hold before and after the array; the value is read at the start of each simulation
step (time t_n) and held over the step.  So with exact integration of
dv/dt = (I(t) - v)/tau the trace is the analytic piecewise-exponential solution whenever
dt_ta is a multiple of dt.
"""
import numpy as np
import pytest

import pyspike as ps

DT = 0.1
TAU = 2.0


def held_values(values, dt_ta, times):
    """The documented rule: row floor(t/dt_ta), clipped to the array."""
    values = np.asarray(values, dtype=np.float64)
    rows = np.clip(np.floor(np.asarray(times) / dt_ta + 1e-9).astype(int), 0,
                   values.shape[0] - 1)
    return values[rows]


def analytic_relaxation(values, dt_ta, tau, t_end, dt_out, v0=0.0):
    """v(t) of dv/dt = (I(t) - v)/tau, I piecewise constant on [k dt_ta, (k+1) dt_ta),
    evaluated in closed form at the sample times 0, dt_out, ... (< t_end)."""
    values = np.asarray(values, dtype=np.float64)
    times = np.arange(int(round(t_end / dt_out))) * dt_out
    out = np.empty((times.size,) + values.shape[1:])
    for n, t in enumerate(times):
        v, start = np.full(values.shape[1:], v0, dtype=np.float64), 0.0
        k = 0
        while start < t - 1e-12:
            end = min(t, (k + 1) * dt_ta) if k < values.shape[0] - 1 else t
            I = values[min(k, values.shape[0] - 1)]
            v = I + (v - I) * np.exp(-(end - start) / tau)
            start, k = end, k + 1
        out[n] = v
    return times, out


def _relax(backend, stim, duration, N=1, dt=DT, precision="double", pieces=None,
           call="I(t)"):
    model = ps.NeuronModel(f"dv/dt = ({call} - v)/tau : 1", params={"I": stim, "tau": TAU},
                           method="exact")
    net = ps.Network(dt=dt, seed=1, backend=backend, precision=precision)
    with net:
        G = ps.NeuronGroup(N, model)
        mon = ps.StateMonitor(G, "v", record=True)
    for piece in (pieces or [duration]):
        net.run(piece)
    return net, G, mon


def _sample(backend, stim, duration, N=1, dt=DT, call="I(t)"):
    """The value each step reads: a discrete update ``v = I(t)`` stores what the step at
    t_n reads, and the StateMonitor shows it in the next sample."""
    model = ps.NeuronModel("v : 1", update=f"v = {call}", params={"I": stim})
    net = ps.Network(dt=dt, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(N, model)
        mon = ps.StateMonitor(G, "v", record=True)
    net.run(duration)
    # sample n + 1 holds what the update of step n (at t_n) read
    return mon.t[:-1], mon.v[:, 1:]


# --- the values a model sees -------------------------------------------------------------

VALUES_1D = [1.0, 3.0, -2.0, 0.5]


def test_1d_values_seen_per_step_follow_the_hold_rule_with_first_and_last_held(backend):
    stim = ps.TimedArray(VALUES_1D, dt=0.5)
    # 3 ms: the array covers 0..2 ms; the last value must hold after 2 ms
    times, seen = _sample(backend, stim, 3.0)
    np.testing.assert_array_equal(seen[0], held_values(VALUES_1D, 0.5, times))
    assert np.all(seen[0][times >= 2.0 - 1e-9] == 0.5)


def test_a_value_changes_exactly_at_a_multiple_of_the_array_dt(backend):
    # t_n = n*0.1 computed in floating point lands a hair below k*0.3 for some n; the
    # documented rule still puts t = k*dt_ta on row k
    values = np.arange(20, dtype=np.float64)
    stim = ps.TimedArray(values, dt=0.3)
    times, seen = _sample(backend, stim, 6.0)
    np.testing.assert_array_equal(seen[0], np.minimum(np.round(times * 10) // 3, 19))


def test_an_array_dt_that_is_not_a_multiple_of_dt_is_read_at_each_step_start(backend):
    values = [0.0, 1.0, 2.0, 3.0, 4.0]
    stim = ps.TimedArray(values, dt=0.25)
    times, seen = _sample(backend, stim, 1.5)
    # t_n = 0.0 0.1 0.2 | 0.3 0.4 | 0.5 0.6 0.7 | 0.8 0.9 | 1.0 ... (rows 0,0,0,1,1,2,2,2,3,3,4)
    np.testing.assert_array_equal(seen[0][:11], [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4])
    np.testing.assert_array_equal(seen[0], held_values(values, 0.25, times))


def test_2d_values_give_each_neuron_its_own_column(backend):
    values = np.array([[1.0, 2.0, 3.0],
                       [0.0, -1.0, 4.0],
                       [2.0, 2.5, 2.0]])
    stim = ps.TimedArray(values, dt=0.5)
    times, seen = _sample(backend, stim, 2.0, N=3, call="I(t, i)")
    for i in range(3):
        np.testing.assert_array_equal(seen[i], held_values(values[:, i], 0.5, times))


def test_2d_column_may_be_any_expression_of_the_neuron_index(backend):
    values = np.array([[10.0, 20.0, 30.0, 40.0]])
    stim = ps.TimedArray(values, dt=1.0)
    _, seen = _sample(backend, stim, 0.5, N=4, call="I(t, N - 1 - i)")
    np.testing.assert_array_equal(seen[:, 0], [40.0, 30.0, 20.0, 10.0])


def test_the_time_argument_may_be_shifted(backend):
    stim = ps.TimedArray([1.0, 2.0, 3.0], dt=1.0)
    times, seen = _sample(backend, stim, 3.0, call="I(t - 1.0)")
    np.testing.assert_array_equal(seen[0], held_values([1.0, 2.0, 3.0], 1.0, times - 1.0))


# --- traces against the analytic solution ------------------------------------------------

@pytest.mark.parametrize("dt_ta", [0.5, 1.0, 0.1])
def test_exact_integration_of_a_1d_input_equals_the_analytic_piecewise_solution(
        backend, dt_ta):
    _, _, mon = _relax(backend, ps.TimedArray(VALUES_1D, dt=dt_ta), 6.0)
    times, expected = analytic_relaxation(VALUES_1D, dt_ta, TAU, 6.0, DT)
    np.testing.assert_allclose(mon.t, times, rtol=0, atol=1e-12)
    # dt_ta is a multiple of dt: the held value is the true input over every step, so the
    # only error is the rounding of 60 exact-exponential steps (~60 ulp of O(1) values)
    np.testing.assert_allclose(mon.v[0], expected, rtol=0, atol=1e-12)


def test_exact_integration_of_a_2d_input_equals_the_analytic_solution_per_neuron(backend):
    values = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])
    _, _, mon = _relax(backend, ps.TimedArray(values, dt=0.5), 3.0, N=2, call="I(t, i)")
    _, expected = analytic_relaxation(values, 0.5, TAU, 3.0, DT)
    # as for 1-d: only the rounding of 30 exact steps (tolerance as above)
    np.testing.assert_allclose(mon.v, expected.T, rtol=0, atol=1e-12)


def test_cpu_equals_numpy_reference():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(40, 5))
    ref = _relax("numpy", ps.TimedArray(values, dt=0.3), 15.0, N=5, call="I(t, i)")[2]
    cpu = _relax("cpu", ps.TimedArray(values, dt=0.3), 15.0, N=5, call="I(t, i)")[2]
    # the same table lookups and the same exact update; exp may differ in the last ulp
    np.testing.assert_allclose(cpu.v, ref.v, rtol=0, atol=1e-13)


def test_float32_build_follows_the_float64_trace(backend):
    stim = ps.TimedArray(VALUES_1D, dt=0.5)
    _, G32, single = _relax(backend, stim, 6.0, precision="single")
    _, _, double = _relax(backend, stim, 6.0)
    assert G32.v.dtype == np.float32
    # float32 keeps ~7 digits; 60 steps of O(1) values accumulate below 1e-5
    np.testing.assert_allclose(single.v, double.v, rtol=0, atol=1e-5)


def test_a_run_in_pieces_reads_the_array_as_one_run_does(backend):
    stim = ps.TimedArray(VALUES_1D, dt=0.5)
    _, whole_G, whole = _relax(backend, stim, 6.0)
    # pieces ending inside and at the boundaries of the array's intervals
    _, parts_G, parts = _relax(backend, stim, 6.0, pieces=[0.3, 0.2, 1.7, 0.1, 3.7])
    np.testing.assert_array_equal(parts.v, whole.v)
    np.testing.assert_array_equal(parts_G.v, whole_G.v)


def test_the_documented_example_values():
    stim = ps.TimedArray([0.0, 2.0, 0.0], dt=10.0)
    m = ps.NeuronModel("dv/dt = (I(t) - v)/tau : mV", params={"I": stim, "tau": 5.0})
    net = ps.Network(dt=0.5, backend="numpy")
    with net:
        G = ps.NeuronGroup(1, m)
    net.run(10.0)
    assert G.v[0] == 0.0
    net.run(10.0)
    # exact integration over 10 ms of a constant input: 2*(1 - exp(-2)); 20 rounded steps
    assert G.v[0] == pytest.approx(2 * (1 - np.exp(-2.0)), rel=1e-12)


# --- TimedArrays outside the differential equations -------------------------------------

def test_a_timed_array_in_a_threshold_is_read_at_the_step_start(backend):
    # 1 over [1, 2) ms: the thresholds of steps at t_n = 1.0 and 1.5 pass, and a spike of
    # step n is stamped t_(n+1)
    stim = ps.TimedArray([0.0, 1.0, 0.0], dt=1.0)
    model = ps.NeuronModel("v : 1", threshold="on(t) > 0.5", params={"on": stim})
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        G = ps.NeuronGroup(2, model)
        mon = ps.SpikeMonitor(G)
    net.run(3.0)
    np.testing.assert_array_equal(mon.i, [0, 1, 0, 1])
    np.testing.assert_allclose(mon.t, [1.5, 1.5, 2.0, 2.0], rtol=0, atol=1e-12)


def test_a_timed_array_rate_in_a_poisson_like_threshold(backend):
    # a PoissonGroup written by hand, with a rate of 0 Hz over [0, 10) ms, 2000 Hz after
    stim = ps.TimedArray([0.0, 2000.0], dt=10.0)
    model = ps.NeuronModel("v : 1", threshold="rand() < rate(t)*dt*0.001",
                           params={"rate": stim})
    net = ps.Network(dt=DT, seed=4, backend=backend)
    with net:
        G = ps.NeuronGroup(100, model)
        mon = ps.SpikeMonitor(G)
    net.run(20.0)
    # the first step that reads 2000 Hz is at t = 10.0, its spikes stamped 10.1
    assert mon.t.min() == pytest.approx(10.1, abs=1e-9)
    # 100 neurons * 100 steps * p = 0.2: 2000 expected, sd sqrt(2000*0.8) = 40; 5 sd
    assert abs(mon.num_spikes - 2000) < 5 * 40


def test_a_timed_array_in_a_threshold_gives_the_same_spikes_on_both_backends():
    stim = ps.TimedArray([0.0, 500.0, 2000.0, 100.0], dt=5.0)
    model = ps.NeuronModel("v : 1", threshold="rand() < rate(t)*dt*0.001",
                           params={"rate": stim})
    out = []
    for backend in ("numpy", "cpu"):
        net = ps.Network(dt=DT, seed=4, backend=backend)
        with net:
            G = ps.NeuronGroup(50, model)
            mon = ps.SpikeMonitor(G)
        net.run(25.0)
        out.append(mon)
    assert out[0].num_spikes > 100
    np.testing.assert_array_equal(out[1].i, out[0].i)
    np.testing.assert_array_equal(out[1].t, out[0].t)


def test_a_timed_array_in_a_subexpression(backend):
    stim = ps.TimedArray(VALUES_1D, dt=0.5)
    model = ps.NeuronModel("dv/dt = (J - v)/tau : 1\nJ = I(t) : 1",
                           params={"I": stim, "tau": TAU}, method="exact")
    net = ps.Network(dt=DT, backend=backend)
    with net:
        G = ps.NeuronGroup(1, model)
        mon = ps.StateMonitor(G, "v")
    net.run(3.0)
    _, expected = analytic_relaxation(VALUES_1D, 0.5, TAU, 3.0, DT)
    # as in the exact-integration tests: rounding of 30 steps only
    np.testing.assert_allclose(mon.v[0], expected, rtol=0, atol=1e-12)


def test_a_timed_array_in_a_reset(backend):
    stim = ps.TimedArray([0.0, 0.25], dt=1.0)
    model = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 0.9", reset="v = I(t)",
                           params={"I": stim, "tau": 1.0}, method="euler")
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        G = ps.NeuronGroup(1, model)
        mon = ps.StateMonitor(G, "v")
    net.run(3.0)
    # v: 0, 0.5, 1.0 -> spike at step 1 (t_1 = 0.5, I = 0) -> 0; then 0.5, 1.0 -> spike at
    # step 3 (t_3 = 1.5, I = 0.25) -> 0.25; then 0.75, 1.25 -> spike at t_5 = 2.5 -> 0.25
    np.testing.assert_array_equal(mon.v[0], [0.0, 0.5, 0.0, 0.5, 0.25, 0.75])


# --- errors ------------------------------------------------------------------------------

def test_a_2d_array_called_with_one_argument_is_an_error_naming_it():
    stim = ps.TimedArray(np.ones((3, 2)), dt=1.0)
    with pytest.raises(ps.ModelError, match="stim") as err:
        ps.NeuronModel("dv/dt = stim(t) : 1", params={"stim": stim})
    assert err.value.symbol == "stim"


def test_a_1d_array_called_with_two_arguments_is_an_error_naming_it():
    stim = ps.TimedArray([1.0, 2.0], dt=1.0)
    with pytest.raises(ps.ModelError, match="stim") as err:
        ps.NeuronModel("dv/dt = stim(t, i) : 1", params={"stim": stim})
    assert err.value.symbol == "stim"


def test_an_array_not_called_is_an_error_naming_it():
    stim = ps.TimedArray([1.0, 2.0], dt=1.0)
    with pytest.raises(ps.ModelError, match="stim") as err:
        ps.NeuronModel("dv/dt = stim : 1", params={"stim": stim})
    assert err.value.symbol == "stim"


def test_an_array_not_called_in_a_threshold_is_an_error_naming_it():
    stim = ps.TimedArray([1.0, 2.0], dt=1.0)
    with pytest.raises(ps.ModelError, match="stim"):
        ps.NeuronModel("v : 1", threshold="stim > 1", params={"stim": stim})


@pytest.mark.parametrize("values", [[], np.zeros((3, 0)), np.zeros((0, 2)),
                                    np.zeros((2, 2, 2)), 3.0],
                         ids=["empty", "no_columns", "no_rows", "3d", "scalar"])
def test_values_of_a_bad_shape_are_rejected(values):
    with pytest.raises(ps.ModelError):
        ps.TimedArray(values, dt=1.0)


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan"), "x"])
def test_a_bad_dt_is_rejected(dt):
    with pytest.raises(ps.ModelError):
        ps.TimedArray([1.0, 2.0], dt=dt)


def test_a_2d_array_with_fewer_columns_than_neurons_is_rejected(backend):
    # "2-d values give one column per neuron": 3 columns for 4 neurons leaves neuron 3
    # without a column; it must not silently read another neuron's
    stim = ps.TimedArray(np.ones((2, 3)), dt=1.0)
    model = ps.NeuronModel("dv/dt = stim(t, i) : 1", params={"stim": stim})
    net = ps.Network(dt=DT, backend=backend)
    with net:
        ps.NeuronGroup(4, model)
    with pytest.raises(ps.ModelError, match="stim"):
        net.run(1.0)
