"""The manifest read from each compiled library describes the arrays Python passes it,
for every feature network (tests/cuda/networks.py)."""
import json

import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.layout import Manifest, extent_value
from pyspike.manifest import check_arrays

from . import networks

_DTYPES = {"int64": np.int64, "int32": np.int32, "uint16": np.uint16, "uint8": np.uint8,
           "uint32": np.uint32}


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


def _sizes(manifest, arrays, iargs, steps):
    """The sizes extents name, per owner (and per TimedArray), from the run's iargs and
    counters and the connectivity's row pointers: not from the arrays they describe."""
    roles = {"ring": "ring", "stride": "samples", "timed_rows": "rows",
             "timed_columns": "columns", "kernel": "kernel"}
    sizes = {}
    for e in manifest.ints:
        if e.role in roles:
            key = (e.owner, e.index) + ((e.name,) if e.role.startswith("timed") else ())
            sizes.setdefault(key, {})[roles[e.role]] = int(iargs[e.position])
    for e in manifest.counters:
        if e.role == "capacity":
            sizes.setdefault((e.owner, e.index), {})["capacity"] = int(arrays[0][0, e.position])
        if e.name == "given_count":
            sizes.setdefault((e.owner, e.index), {})["given"] = int(arrays[0][0, e.position])
    for b in manifest.buffers:
        if b.name == "row":
            sizes.setdefault((b.owner, b.index), {})["synapses"] = int(arrays[b.slot][-1])
        if b.owner == "rate_monitor":
            sizes.setdefault((b.owner, b.index), {})["steps"] = steps
    return sizes


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_every_array_passed_is_as_long_as_its_extent(name):
    net, _ = networks.build(name, "cpu")
    arrays, iargs, _ = _run_capturing(net, ms=2.0)[0]
    manifest = net._kernel.manifest
    sizes = _sizes(manifest, arrays, iargs, steps=20)
    for b in manifest.buffers:
        known = {**sizes.get((b.owner, b.index), {}),
                 **sizes.get((b.owner, b.index, b.name), {})}
        assert arrays[b.slot].shape[-1] == extent_value(b.extent, known), b


def _passed(name):
    """The manifest and the arguments of a 1 ms run of feature network ``name``."""
    net, _ = networks.build(name, "cpu")
    arrays, iargs, rargs = _run_capturing(net, ms=1.0)[0]
    manifest = net._kernel.manifest
    return manifest, list(arrays), iargs[:len(manifest.ints)], rargs.reshape(1, -1)


def test_a_neuron_array_shorter_than_its_extent_is_refused():
    manifest, arrays, iargs, rargs = _passed("lif_monitors")
    slot = manifest.find("group", 0, "v").slot
    arrays[slot] = arrays[slot][:, :-1].copy()
    with pytest.raises(RuntimeError, match=r"v of group 0\) should hold 40 values per "
                                           r"instance \(extent 40\), not 39"):
        check_arrays(manifest, arrays, iargs, rargs)


def test_a_synaptic_array_of_another_length_than_the_connectivitys_is_refused():
    manifest, arrays, iargs, rargs = _passed("stdp_sparse")
    slot = manifest.find("synapses", 0, "col").slot
    arrays[slot] = arrays[slot][:-1].copy()
    with pytest.raises(RuntimeError, match="col of synapses 0.*extent synapses"):
        check_arrays(manifest, arrays, iargs, rargs)


def test_a_ring_shorter_than_its_length_in_iargs_is_refused():
    manifest, arrays, iargs, rargs = _passed("generator_delays")
    slot = manifest.find("synapses", 0, "ring_spikes").slot
    arrays[slot] = arrays[slot][:, :-5].copy()
    with pytest.raises(RuntimeError, match=r"ring_spikes of synapses 0.*extent ring\*5"):
        check_arrays(manifest, arrays, iargs, rargs)


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


def test_arrays_that_passed_and_then_change_their_type_are_refused():
    manifest, arrays, iargs, rargs = _passed("lif_monitors")
    check_arrays(manifest, arrays, iargs, rargs)       # (passes: remembered as passed)
    slot = manifest.find("group", 0, "v").slot
    arrays[slot] = arrays[slot].astype(np.float32)
    with pytest.raises(RuntimeError, match=r"v of group 0\) should hold float64"):
        check_arrays(manifest, arrays, iargs, rargs)
