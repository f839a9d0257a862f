"""A synapse's postsynaptic index takes 2 bytes where the target has at most 65,536 neurons
(codegen.layout.column_type), 4 bytes otherwise; both give the NumPy reference's results,
and what users read of it (``S.j``) is int32, so that arithmetic on it never wraps."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import snapshot_file
from pyspike.codegen.kernels import build_network
from pyspike.codegen.layout import column_type
from pyspike.codegen.render import render_cpp


def test_targets_of_up_to_65536_neurons_get_2_byte_indices():
    assert [column_type(n) for n in (1, 65536, 65537)] == ["uint16", "uint16", "int32"]


def _network(n_post: int, backend: str = "cpu", seed: int = 4):
    """Sources firing at random onto the last neurons of a target of n_post."""
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        src = ps.PoissonGroup(20, rates=200.0)
        G = ps.NeuronGroup(n_post, ps.NeuronModel("dv/dt = -v/(5*ms) : 1",
                                                  threshold="v > 1", reset="v = 0"))
        S = ps.Synapses(src, G, model="w : 1", on_pre="v += w")
        rng = np.random.default_rng(1)
        S.connect(i=rng.integers(0, 20, 300), j=n_post - 1 - rng.integers(0, 40, 300))
        S.w = rng.uniform(0.1, 0.6, S.n)
        mon = ps.SpikeMonitor(G)
    return net, S, G, mon


@pytest.mark.parametrize("n_post, dtype", [(100, np.uint16), (70000, np.int32)])
def test_the_indices_are_kept_in_their_type_and_read_as_int32(n_post, dtype):
    _, S, _, _ = _network(n_post)
    assert S.state.col.dtype == dtype
    assert S.j.dtype == np.int32 and (S.j - n_post).max() < 0     # no wrap-around


@pytest.mark.parametrize("n_post", [100, 70000])
def test_both_index_types_give_the_numpy_references_spikes_and_states(n_post):
    runs = []
    for backend in ("cpu", "numpy"):
        net, _, G, mon = _network(n_post, backend)
        net.run(20.0)
        runs.append((mon.i.copy(), mon.t.copy(), np.asarray(G.v)[-40:].copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    # the same operations in the same order: within a few ulps (libmvec's exp in the loop)
    np.testing.assert_allclose(runs[0][2], runs[1][2], rtol=1e-12, atol=1e-12)
    assert runs[0][0].size > 0


def test_the_generated_code_reads_2_byte_indices_for_a_small_target():
    net, _, _, _ = _network(100)
    source = render_cpp(build_network(net._spec()))
    assert "uint16_t* p_col;" in source and "p_col = (uint16_t*)arrays[" in source


def test_a_file_with_4_byte_indices_of_a_small_target_is_restored_and_runs_on(tmp_path):
    """(as a file stored before the 2-byte indices holds them)"""
    net, S, _, mon = _network(100)
    net.run(10.0)
    path = tmp_path / "snap.npz"
    net.store("mid", filename=path)
    net.run(10.0)
    whole = (mon.i.copy(), mon.t.copy())
    stored = snapshot_file.read(str(path), "test")
    for entries in stored["mid"]["objects"]:
        if isinstance(entries.get("col"), np.ndarray):
            entries["col"] = entries["col"].astype(np.int32)
    snapshot_file.write(str(path), stored, "test")
    net2, S2, _, mon2 = _network(100)
    net2.restore("mid", filename=path)
    assert S2.state.col.dtype == np.int32
    net2.run(10.0)
    assert S2.state.col.dtype == np.uint16            # converted when laid out
    np.testing.assert_array_equal(mon2.i, whole[0])
    np.testing.assert_array_equal(mon2.t, whole[1])
