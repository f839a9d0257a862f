"""The manifest read from each compiled library describes the arrays Python passes it,
for every feature network (tests/cuda/networks.py)."""
import json

import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.layout import Manifest

from . import networks

_DTYPES = {"int64": np.int64, "int32": np.int32, "uint8": np.uint8, "uint32": np.uint32}


def _run_capturing(net, ms=2.0):
    """Run ``net`` and keep the arguments of each call of the backend."""
    calls = []
    run = net.backend.run

    def capture(arrays, iargs, rargs, n_steps):
        calls.append((list(arrays), iargs.copy(), rargs.copy()))
        return run(arrays, iargs, rargs, n_steps)

    net.build()
    net.backend.run = capture
    net.run(ms)
    return calls


@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_the_library_manifest_describes_every_array_passed(name, batch):
    net, _ = networks.build(name, "cpu", batch=batch)
    calls = _run_capturing(net)
    manifest = Manifest.from_json(net.backend.manifest())   # from the compiled library
    assert manifest == net._kernel.manifest
    K = batch or 1
    for arrays, iargs, rargs in calls:
        assert len(arrays) == len(manifest.buffers)
        for b in manifest.buffers:
            a = arrays[b.slot]
            want = np.float64 if b.dtype == "real" else _DTYPES[b.dtype]
            assert a.dtype == want, b
            assert (a.ndim, a.shape[0]) == (2, K) if b.per_instance else a.ndim == 1, b
        assert arrays[0].shape == (K, len(manifest.counters))
        n_ints = len(manifest.ints)
        assert len(iargs) == n_ints + len(manifest.buffers) + K     # + strides, seeds
        assert rargs.size == K * len(manifest.reals)


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_the_manifest_names_the_objects_arrays(name):
    net, _ = networks.build(name, "cpu")
    arrays, _, rargs = _run_capturing(net)[-1]
    manifest = net._kernel.manifest
    for b in manifest.buffers:
        if b.role in ("state", "param") and b.owner in ("group", "synapses") \
                and not b.name.startswith("_"):           # (pyspike's own: _lastupdate)
            owner = (net.groups if b.owner == "group" else net.synapses)[b.index]
            assert np.shares_memory(arrays[b.slot], getattr(owner, b.name)), b
    for e in manifest.reals:
        if e.role == "param":
            owner = (net.groups if e.owner == "group" else net.synapses)[e.index]
            assert rargs[e.position] == getattr(owner, e.name), e
        elif e.role == "dt":
            assert rargs[e.position] == net.dt


def test_a_library_built_for_another_network_is_refused(monkeypatch):
    net, _ = networks.build("lif_monitors", "cpu")
    net.build()
    found = json.loads(net.backend.manifest())
    found["buffers"][1]["dtype"] = "int32"
    other, _ = networks.build("lif_monitors", "cpu", seed=4)
    monkeypatch.setattr(type(other.backend), "manifest", lambda self: json.dumps(found))
    with pytest.raises(ps.BuildError, match="not built for this network"):
        other.build()


def test_a_library_with_an_unreadable_manifest_is_refused(monkeypatch):
    net, _ = networks.build("lif_monitors", "cpu")
    monkeypatch.setattr(type(net.backend), "manifest", lambda self: "{not json")
    with pytest.raises(ps.BuildError, match="cannot read"):
        net.build()


def test_the_reference_backend_describes_its_arrays_the_same_way():
    net, _ = networks.build("stdp_sparse", "numpy")
    calls = _run_capturing(net, ms=0.5)
    assert Manifest.from_json(net.backend.manifest()) == net._kernel.manifest
    assert len(calls[0][0]) == len(net._kernel.manifest.buffers)
