"""The compiled draws of initial values (csrc/draws.cpp, used by pyspike.batching.draw_into)
are pyspike/random.py's uniforms and normals, bit for bit, and a text value drawn with them
is the value the NumPy twin gives."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import _native, random as ps_random
from pyspike.codegen.streams import INIT_STEP

MASK64 = (1 << 64) - 1
ELEMENTS = np.r_[np.arange(5000), np.arange(2 ** 32 - 300, 2 ** 32)].astype(np.uint32)
# runs of consecutive elements (drawn by whole Philox blocks) and scattered ones (one by
# one): from 0, from an odd start inside a group of 64, up to the last element, shuffled
RUNS = {"from 0": np.arange(1000), "odd start": np.arange(37, 37 + 3001),
        "to the last": np.arange(2 ** 32 - 333, 2 ** 32),
        "scattered": np.random.default_rng(0).permutation(2000)}


@pytest.mark.parametrize("seed, step, stream", [
    (0, 0, 0),
    (1, INIT_STEP - 1, 7),
    (2 ** 40 + 3, 2 ** 33 + 5, 2 ** 31 + 1),
    (MASK64, MASK64, 2 ** 32 - 1),
])
@pytest.mark.parametrize("kind", ["rand", "randn"])
def test_the_compiled_draws_are_the_numpy_twins_bit_for_bit(kind, seed, step, stream):
    numpy_twin = getattr(ps_random, kind)(seed, step, ELEMENTS, stream)
    compiled = getattr(_native, f"philox_{kind}")(seed, step & MASK64, ELEMENTS, stream)
    assert compiled.dtype == np.float64
    np.testing.assert_array_equal(compiled.view(np.uint64), numpy_twin.view(np.uint64))


@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("kind", ["rand", "randn"])
def test_runs_of_elements_drawn_by_whole_blocks_are_the_numpy_twins(kind, run):
    elem = RUNS[run].astype(np.uint32)
    numpy_twin = getattr(ps_random, kind)(9, INIT_STEP - 4, elem, 3)
    compiled = getattr(_native, f"philox_{kind}")(9, (INIT_STEP - 4) & MASK64, elem, 3)
    np.testing.assert_array_equal(compiled.view(np.uint64), numpy_twin.view(np.uint64))


def test_a_negative_step_is_taken_modulo_2_to_the_64_as_the_numpy_twin_takes_it():
    step = INIT_STEP - 3 if INIT_STEP - 3 < 0 else -3
    np.testing.assert_array_equal(_native.philox_randn(5, step & MASK64, ELEMENTS[:64], 1),
                                  ps_random.randn(5, step, ELEMENTS[:64], 1))


def test_elements_must_be_one_dimensional():
    with pytest.raises(ValueError, match="1-d array"):
        _native.philox_rand(1, 0, np.zeros((2, 2), dtype=np.uint32), 0)


def _text_values(seed: int):
    net = ps.Network(dt=0.1, seed=seed)
    m = ps.NeuronModel("dv/dt = -v/10 : 1", threshold="v > 1", reset="v = 0")
    with net:
        G = ps.NeuronGroup(300, m, init={"v": "rand()*randn()"})
        S = ps.Synapses(G, G, "w : 1", on_pre="v += w")
    S.connect(p=0.2)
    S.w = "0.5 + 0.1*randn() + rand()"
    S.delay = "2*rand()"
    return np.asarray(G.v), np.asarray(S.w), np.asarray(S.delay)


def test_random_text_values_are_those_the_numpy_twin_draws(monkeypatch):
    compiled = _text_values(11)
    for kind in ("rand", "randn"):
        twin = getattr(ps_random, kind)
        monkeypatch.setattr(_native, f"philox_{kind}",
                            lambda seed, step, elem, stream, twin=twin: twin(seed, step, elem,
                                                                              stream))
    numpy_twin = _text_values(11)
    for a, b in zip(compiled, numpy_twin):
        np.testing.assert_array_equal(a, b)
