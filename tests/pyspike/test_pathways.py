"""Several pathways in one Synapses object (Brian2's ``on_pre={"pre": ..., "gpath":
...}``), each with its own delay, compiled on every backend; store/restore keeps each
pathway's spikes in flight; malformed pathways are refused with a ModelError."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike
import pyspike as ps
from pyspike.codegen.errors import ModelError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED, pytest.param("cuda", marks=pytest.mark.gpu)]
TARGET = ps.NeuronModel("x : 1\ny : 1\nz : 1")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _network(backend="numpy", batch=None, **synapses):
    """Spikes of 3 sources at 1, 2 and 3 ms, onto 2 targets through S (dt 0.5 ms)."""
    net = ps.Network(dt=0.5, backend=backend, batch=batch)
    with net:
        P = ps.SpikeGeneratorGroup(3, [0, 1, 2], [1.0, 2.0, 3.0])
        H = ps.NeuronGroup(2, TARGET)
        S = ps.Synapses(P, H, **synapses)
    S.connect()
    return net, H, S


def _trace(net, H, steps=12):
    """(x, y) of target 0 after each step."""
    out = []
    for _ in range(steps):
        net.run(0.5)
        out.append((float(np.ravel(H.x)[0]), float(np.ravel(H.y)[0])))
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_pathway_runs_its_own_code(backend):
    net, H, S = _network(backend, model="w : 1", on_pre={"pre": "x += w", "gpath": "y += 2*w"})
    S.w = 1.0
    net.run(5.0)
    np.testing.assert_array_equal(H.x, [3, 3])
    np.testing.assert_array_equal(H.y, [6, 6])


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_pathway_has_its_own_delay(backend):
    net, H, S = _network(backend, on_pre={"pre": "x += 1", "gpath": "y += 1"},
                         delay={"pre": 0.5, "gpath": 2.0})
    trace = _trace(net, H)
    first_x = next(k for k, (x, _) in enumerate(trace) if x > 0)
    first_y = next(k for k, (_, y) in enumerate(trace) if y > 0)
    assert first_y - first_x == 3          # 2.0 ms against 0.5 ms: 3 steps later
    assert trace[-1] == (3.0, 3.0)


@pytest.mark.parametrize("backend", ["cpu", EMULATED])
def test_every_backend_gives_the_reference_trace(backend):
    kwargs = dict(model="w : 1", on_pre={"pre": "x += w", "late": "y += w"},
                  delay={"late": "0.5 + 0.5*j"})
    net, H, S = _network(backend, **kwargs)
    ref, H_ref, S_ref = _network("numpy", **kwargs)
    S.w = S_ref.w = "1.0 + i"
    assert _trace(net, H) == _trace(ref, H_ref)


def test_a_pathways_delay_may_be_set_later_and_read():
    net, H, S = _network(on_pre={"pre": "x += 1", "gpath": "y += 1"})
    S.gpath.delay = 1.0
    S.pre.delay = 0.5
    np.testing.assert_array_equal(S.gpath.delay, [1.0] * 6)
    np.testing.assert_array_equal(S.delay, [0.5] * 6)


def test_a_per_synapse_delay_of_a_pathway_reaches_each_synapse_at_its_time():
    net, H, S = _network(on_pre={"pre": "x += 0", "late": "y += 1"})
    S.late.delay = "0.5 * j"          # target 0 at once, target 1 one step later
    net.run(1.5)                       # (source 0's spike acts in step 2)
    np.testing.assert_array_equal(H.y, [1, 0])
    net.run(0.5)
    np.testing.assert_array_equal(H.y, [1, 1])


def test_on_post_may_have_several_pathways():
    net = ps.Network(dt=0.5, backend="cpu")
    with net:
        P = ps.SpikeGeneratorGroup(1, [0], [1.0])
        H = ps.NeuronGroup(1, ps.NeuronModel("dv/dt = 2/ms : 1\nc : 1", threshold="v > 1",
                                             reset="v = 0"))
        S = ps.Synapses(P, H, model="a : 1\nb : 1",
                        on_post={"post": "a += 1", "other": "b += 2"})
    S.connect()
    net.run(3.0)
    assert S.a[0] > 0 and S.b[0] == 2 * S.a[0]


def test_event_driven_variables_are_shared_by_the_pathways():
    # apre decays between events, whichever pathway brings it up to date
    model = "dapre/dt = -apre/(10*ms) : 1 (event-driven)"
    net, H, S = _network("cpu", model=model,
                         on_pre={"pre": "apre += 1", "read": "y = apre"},
                         delay={"read": 1.0})
    net.run(6.0)
    # each synapse's "read" comes 1 ms after its "pre" set apre to 1; the last to arrive
    # (source 2's) finds it decayed over that 1 ms: e^-0.1 (exactly solved, to rounding)
    np.testing.assert_allclose(H.y, np.exp(-0.1), rtol=1e-12)


def test_a_batch_runs_each_instances_pathways():
    net, H, S = _network("cpu", batch=2, model="w : 1",
                         on_pre={"pre": "x += w", "gpath": "y -= w"}, delay={"gpath": 1.0})
    S.w = np.array([[1.0] * 6, [2.0] * 6])
    net.run(6.0)
    np.testing.assert_array_equal(H.x, [[3, 3], [6, 6]])
    np.testing.assert_array_equal(H.y, [[-3, -3], [-6, -6]])


def test_restore_brings_back_the_spikes_in_flight_of_each_pathway(tmp_path):
    net, H, S = _network("cpu", on_pre={"pre": "x += 1", "late": "y += 1"},
                         delay={"late": 2.0})
    net.run(2.5)                       # source 0's spike is in flight on "late"
    net.store("mid", filename=tmp_path / "mid.npz")
    net.run(3.5)
    after = (H.x.copy(), H.y.copy())
    net.restore("mid", filename=tmp_path / "mid.npz")
    net.run(3.5)
    np.testing.assert_array_equal((H.x, H.y), after)


def test_a_dict_on_pre_with_one_pathway_is_the_main_pathway():
    net, H, S = _network(on_pre={"pre": "x += 1"}, delay=1.0)
    net.run(5.0)
    np.testing.assert_array_equal(H.x, [3, 3])
    assert S.pathways == {}


@pytest.mark.parametrize("on_pre, message", [
    ({}, "empty dict"),
    ({"pre": "x += 1", "2nd": "y += 1"}, "plain name"),
    ({"pre": "x += 1", "gpath": 3}, "must be a string"),
    ({"pre": "x += 1", "gpath": "  "}, "has no code"),
    ({"pre": "x += 1", "w": "y += 1"}, "name of a variable"),
    ({"pre": "x += 1", "delay": "y += 1"}, "attribute"),
])
def test_a_malformed_pathway_is_refused(on_pre, message):
    with pytest.raises(ModelError, match=message):
        _network(model="w : 1", on_pre=on_pre)


def test_the_same_name_for_a_pre_and_a_post_pathway_is_refused():
    with pytest.raises(ModelError, match="two pathways are named 'pre'"):
        _network(on_pre="x += 1", on_post={"post": "y += 1", "pre": "z += 1"})


def test_a_mistake_in_a_further_pathway_names_it():
    with pytest.raises(ModelError, match="(?s)pathway 'gpath'.*q_post"):
        _network(on_pre={"pre": "x += 1", "gpath": "q_post += 1"})


def test_a_delay_for_a_pathway_the_synapses_lack_is_refused():
    with pytest.raises(ModelError, match="pathway 'other'"):
        _network(on_pre={"pre": "x += 1", "gpath": "y += 1"}, delay={"other": 1.0})


@pytest.mark.parametrize("tamper", ["drop", "ring"])
def test_a_file_whose_pathways_do_not_fit_the_synapses_is_refused(tmp_path, tamper):
    from pyspike import snapshot_file
    net, H, S = _network("cpu", on_pre={"pre": "x += 1", "late": "y += 1"},
                         delay={"late": 2.0})
    net.run(2.5)
    path = str(tmp_path / "snap.npz")
    net.store("s", filename=path)
    content = snapshot_file.read(path, where="test")
    entries = content["s"]["objects"][2]
    if tamper == "drop":
        del entries["pathways"]["late"]
    else:             # spikes of a neuron the source does not have
        entries["pathways"]["late"]["ring"][0][:] = 7
    snapshot_file.write(path, content, where="test")
    with pytest.raises(ModelError, match="pathways|outside the source"):
        net.restore("s", filename=path)
