"""pyspike/synapse_delays.py: per-synapse delays that are whole steps of dt are kept as
steps (1-4 bytes), read back bit for bit as given, and give the spikes of delays kept as
doubles; other delays stay doubles."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import _native
from pyspike.synapse_delays import StepDelays, compact, decimal_of

DT = 0.1


def _network(delay, backend="cpu"):
    """Four sources fire at 1 ms; each reaches one of eight targets after its delay."""
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        src = ps.SpikeGeneratorGroup(4, [0, 1, 2, 3], [1.0, 1.0, 1.0, 1.0])
        G = ps.NeuronGroup(8, ps.NeuronModel("dv/dt = -v/(10*ms) : 1",
                                             threshold="v > 0.5", reset="v = 0"))
        S = ps.Synapses(src, G, model="w : 1", on_pre="v += w")
        S.connect(i=np.repeat(np.arange(4), 2), j=np.arange(8))
        S.w = 1.0
        S.delay = delay
        mon = ps.SpikeMonitor(G)
    return net, S, mon


def test_delays_of_whole_steps_are_kept_as_bytes_and_read_back_as_given():
    delay = np.arange(8) * DT                     # k * dt
    _, S, _ = _network(delay)
    assert isinstance(S.state.delay, StepDelays) and S.state.delay.steps.dtype == np.uint8
    assert S.delay.tobytes() == delay.tobytes()


def test_delays_typed_in_decimals_are_whole_steps_too():
    delay = np.array([0.3, 0.7, 1.1, 1.5, 2.2, 0.0, 0.1, 2.9])   # 0.3 is not 3 * 0.1
    assert 0.3 != 3 * DT
    _, S, _ = _network(delay)
    assert isinstance(S.state.delay, StepDelays)
    assert S.delay.tobytes() == delay.tobytes()


def test_delays_between_steps_stay_doubles():
    delay = np.arange(8) * DT + 0.01
    _, S, _ = _network(delay)
    assert S.state.delay.dtype == np.float64
    assert S.delay.tobytes() == delay.tobytes()


def test_delays_kept_as_steps_give_the_spikes_of_delays_kept_as_doubles():
    steps = np.array([3, 5, 8, 13, 21, 0, 1, 2])
    runs = []
    # the same steps: exact multiples of dt (kept as steps), and a hair above (doubles)
    for delay in (steps * DT, steps * DT + 1e-9):
        net, S, mon = _network(delay)
        net.run(5.0)
        runs.append((mon.i.tolist(), mon.t.tolist(), type(S.state.delay).__name__))
    assert runs[0][:2] == runs[1][:2] and len(runs[0][0]) == 8
    assert (runs[0][2], runs[1][2]) == ("StepDelays", "ndarray")


def test_a_delay_read_back_from_steps_cannot_be_changed_in_place():
    _, S, _ = _network(np.arange(8) * DT)
    with pytest.raises(ValueError, match="read-only"):
        S.delay[0] = 5.0


def test_synapses_made_later_get_delays_of_zero_and_stay_steps():
    _, S, _ = _network(np.arange(8) * DT)
    S.connect(i=[0], j=[7])                      # (the third synapse in the rows' order)
    assert isinstance(S.state.delay, StepDelays)
    assert S.delay.tolist() == np.insert(np.arange(8) * DT, 2, 0.0).tolist()


def test_a_stored_file_holds_delays_in_ms_and_restores_them_as_steps(tmp_path):
    delay = np.array([0.3, 0.7, 1.1, 1.5, 2.2, 0.0, 0.1, 2.9])
    net, S, mon = _network(delay)
    net.store("start", filename=tmp_path / "snap.npz")
    S.delay = 0.5
    net.restore("start", filename=tmp_path / "snap.npz")
    assert isinstance(S.state.delay, StepDelays)
    assert S.delay.tobytes() == delay.tobytes()


def test_a_restored_run_continues_with_the_spikes_of_an_uninterrupted_one(tmp_path):
    delay = np.arange(8) * DT * 3
    net, _, mon = _network(delay)
    net.run(5.0)
    whole = (mon.i.tolist(), mon.t.tolist())
    net, _, mon = _network(delay)
    net.run(1.5)                                   # spikes in flight
    net.store("mid", filename=tmp_path / "mid.npz")
    net2, _, mon2 = _network(delay)
    net2.restore("mid", filename=tmp_path / "mid.npz")
    net2.run(3.5)
    assert (mon2.i.tolist(), mon2.t.tolist()) == whole


@pytest.mark.parametrize("largest, dtype", [(255, np.uint8), (256, np.uint16),
                                            (65535, np.uint16), (65536, np.uint32)])
def test_the_steps_take_the_smallest_unsigned_type_that_holds_them(largest, dtype):
    d = compact(np.array([0.0, largest * DT]), DT)
    assert d.steps.dtype == dtype and d.steps.tolist() == [0, largest]


@pytest.mark.parametrize("bad", [-DT, np.nan, np.inf, 2.0 ** 33 * DT])
def test_negative_missing_or_huge_delays_are_not_made_steps(bad):
    values = np.array([DT, bad])
    assert _native.compact_delays(values, DT, 0.0, 0.0) is None
    assert compact(values, DT) is values


def reference_steps(values, dt, m, q):
    """compact_delays in NumPy: the steps floor(d / dt + 0.5) of delays that are all >= 0,
    at most 2**32 - 1 steps and read back exactly (k * dt, or k * m / q where q > 0), in
    the smallest unsigned type that holds them; else None."""
    k = np.floor(values / dt + 0.5)
    ms = k * m / q if q > 0 else k * dt
    with np.errstate(invalid="ignore"):
        whole = (values >= 0) & np.isfinite(values) & (k <= 2.0**32 - 1) & (ms == values)
    if not whole.all():
        return None
    largest = k.max(initial=0)
    dtype = np.uint8 if largest < 2**8 else np.uint16 if largest < 2**16 else np.uint32
    return k.astype(dtype)


def _delay_cases():
    rng = np.random.default_rng(11)
    for n in (0, 1, 3, 4, 5, 7, 8, 9, 1000, 300_001):   # the four-at-a-time path and the rest
        steps = np.floor(np.clip(rng.normal(15, 7.5, n), 1, None) + 0.5)
        yield f"bytes{n}", steps * DT
        yield f"decimal{n}", np.array([float(f"{s / 10:.1f}") for s in steps[:2000]])
        for at in {0, n // 2, n - 1} if n else ():
            for name, value in [("short", 300), ("long", 70_000), ("huge", 2**32 - 1),
                                ("too_long", 2**32), ("between", 0.05), ("nan", np.nan),
                                ("neg", -DT), ("neg_zero", -0.0), ("inf", np.inf)]:
                changed = steps * DT
                changed[at] = value * DT if isinstance(value, int) else value
                yield f"{name}{n}@{at}", changed


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_compact_delays_equals_its_numpy_reference_on_any_threads(threads):
    for name, values in _delay_cases():
        for dt, m, q in [(DT, 0.0, 0.0), (DT, 1.0, 10.0), (0.25, 0.0, 0.0)]:
            got = _native.compact_delays(values, dt, m, q, threads=threads)
            expected = reference_steps(values, dt, m, q)
            if expected is None:
                assert got is None, name
            else:
                assert got is not None and got.dtype == expected.dtype, name
                np.testing.assert_array_equal(got, expected, err_msg=name)


def test_compact_delays_refuses_a_number_of_threads_below_one():
    with pytest.raises(ValueError, match="threads must"):
        _native.compact_delays(np.zeros(3), DT, 0.0, 0.0, threads=0)


def test_dt_is_read_as_its_shortest_decimal():
    assert decimal_of(0.1) == (1, 10) and decimal_of(0.025) == (1, 40)
    assert decimal_of(1 / 3) == (0, 0)          # not a short decimal


def test_the_index_from_steps_equals_the_index_from_doubles():
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 9, 50)
    row = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    steps = rng.integers(0, 40, int(row[-1])).astype(np.uint16)
    from_steps = _native.step_index(row, steps)
    from_doubles = _native.delay_index(row, steps * DT, DT)
    for a, b in zip(from_steps[:2], from_doubles[:2]):
        np.testing.assert_array_equal(a, b)
    assert from_steps[2] == from_doubles[2] == int(steps.max()) + 1


def test_the_order_within_rows_is_the_order_of_synapse_numbers_less_the_row_starts():
    rng = np.random.default_rng(6)
    row = np.concatenate([[0], np.cumsum(rng.integers(0, 30, 40))]).astype(np.int64)
    steps = rng.integers(0, 12, int(row[-1])).astype(np.uint8)
    numbers, doff, R = _native.step_index(row, steps)
    places, doff2, R2 = _native.step_index(row, steps, True)
    assert places.dtype == np.uint16 and (R, doff.tolist()) == (R2, doff2.tolist())
    rows = np.repeat(np.arange(40), np.diff(row))[numbers]     # each entry's row
    np.testing.assert_array_equal(row[rows] + places, numbers)


def test_a_row_beyond_2_byte_places_is_refused_in_row():
    row = np.array([0, 65537], dtype=np.int64)
    with pytest.raises(ValueError, match="65537 synapses"):
        _native.step_index(row, np.zeros(65537, np.uint8), True)


@pytest.mark.parametrize("per_row", [3, 65537])
def test_rows_short_and_long_give_the_numpy_references_spikes(per_row):
    """A row of 65,537 synapses keeps synapse numbers (4 bytes), shorter ones places."""
    def run(backend):
        net = ps.Network(dt=DT, seed=3, backend=backend)
        with net:
            src = ps.SpikeGeneratorGroup(2, [0, 1, 0], [0.5, 0.7, 2.0])
            G = ps.NeuronGroup(4, ps.NeuronModel("dv/dt = -v/(10*ms) : 1",
                                                 threshold="v > 0.5", reset="v = 0"))
            S = ps.Synapses(src, G, model="w : 1", on_pre="v += w")
            S.connect(i=np.zeros(per_row, int), j=np.arange(per_row) % 4)
            S.connect(i=[1, 1], j=[0, 3])
            S.w = 0.3 / max(1, per_row // 4)
            S.delay = (np.arange(S.n) % 7) * DT
            mon = ps.SpikeMonitor(G)
        net.run(4.0)
        return S, mon.i.tolist(), mon.t.tolist(), np.asarray(G.v).tolist()
    S, *cpu = run("cpu")
    _, *reference = run("numpy")
    assert cpu == reference and len(cpu[0]) > 0
    assert S._spec().short_rows == (per_row <= 65536)
