"""The bitmask of pairs that a GPU tests for dense enough connections (one bit per pair)."""
import numpy as np

import pyspike as ps
from pyspike.synapses_runtime import bitmask_of


def _synapses(p, n_pre=50, n_post=70, **connect):
    net = ps.Network(seed=4, backend="numpy")
    with net:
        a = ps.NeuronGroup(n_pre, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 5.0}))
        b = ps.NeuronGroup(n_post, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 5.0}))
        S = ps.Synapses(a, b, on_pre="v_post += 1")
        S.connect(p=p, **connect)
    return S


def test_the_bitmask_holds_exactly_the_connected_pairs():
    S = _synapses(0.3)
    words = (S.n_post + 31) // 32
    mask = bitmask_of(S).reshape(S.n_pre, words)
    bits = np.unpackbits(mask.view(np.uint8).reshape(S.n_pre, -1), axis=1, bitorder="little")
    dense = np.zeros((S.n_pre, S.n_post), dtype=np.uint8)
    dense[S.i, S.j] = 1
    np.testing.assert_array_equal(bits[:, :S.n_post], dense)
    assert not bits[:, S.n_post:].any()                   # padding bits stay clear


def test_connections_dense_enough_and_without_repeated_pairs_may_use_a_bitmask():
    assert _synapses(0.3)._spec().bitmask
    assert not _synapses(0.01)._spec().bitmask            # sparse: rows are cheaper
    assert not _synapses(0.3, n=2)._spec().bitmask        # a pair twice needs two events


def test_all_to_all_connections_are_stored_densely_not_as_bits():
    assert not _synapses(1.0)._spec().bitmask


def test_the_bitmask_is_built_once_until_the_connections_change():
    S = _synapses(0.3)
    first = bitmask_of(S)
    assert bitmask_of(S) is first                 # runs reuse it (and a GPU keeps it)
    S.connect(i=[0], j=[0])                        # one more synapse: built anew
    assert bitmask_of(S) is not first
