"""codegen.streams: the one table of random stream words."""
import itertools
import os
import re
from pathlib import Path

import pytest

import pyspike
from pyspike.codegen import streams
from pyspike.codegen.errors import ModelError

PACKAGE = Path(pyspike.__file__).parent


def test_stream_words_keep_the_values_seeded_results_depend_on():
    # the values the code before the table computed by hand (users' seeds depend on them)
    assert streams.neuron(3, "update", 2) == (3 << 16) | 2
    assert streams.neuron(3, "reset", 2) == (3 << 16) | (1 << 12) | 2
    assert streams.neuron(3, "threshold", 2) == (3 << 16) | (2 << 12) | 2
    assert streams.noise(3, 1) == (3 << 16) | 0x801
    assert streams.poisson_input(3, 4) == (3 << 16) | (3 << 12) | 4
    assert streams.synapse_pathway(5, "on_post", 7) == ((0x4000 + 5) << 16) | (1 << 12) | 7
    assert streams.operation(3, 2, 1) == (3 << 16) | (6 << 12) | 1      # (new in issue 13)
    assert streams.connect(0x1234567) == 0x4C000000 | 0x234567
    assert streams.group_init(3, 2) == (3 << 16) | 2
    assert streams.synapse_init(5, 7) == 0x70000000 | (5 << 8) | 7
    assert streams.INIT_STEP == 2 ** 63 - 1


def _run_words():
    """Stream words of sites drawn at run steps, over a corner of every range."""
    groups, sites = (0, 1, 0x3FFF), (0, 1, 0x7FF)
    for g, s in itertools.product(groups, sites):
        for part in ("update", "reset", "threshold"):
            yield ("neuron", g, part, s), streams.neuron(g, part, s)
        yield ("noise", g, s), streams.noise(g, s)
        yield ("input", g, s), streams.poisson_input(g, s)
        for k in (0, 11):
            yield ("operation", g, k, s), streams.operation(g, k, s)
    for p, s in itertools.product((0, 1, 0xBFF), (0, 1, 0xFFF)):
        for path in ("on_pre", "on_post", "clock", "summed"):
            yield ("pathway", p, path, s), streams.synapse_pathway(p, path, s)
    for c in (0, 1, 0xFFFFFF):
        yield ("connect", c), streams.connect(c)


def test_no_two_call_sites_drawn_at_run_steps_share_a_stream():
    seen = {}
    for site, word in _run_words():
        assert 0 <= word < 2 ** 32
        assert word not in seen, f"{site} and {seen[word]} share the stream {word:#x}"
        seen[word] = site


def test_initial_values_of_two_objects_never_share_a_stream():
    words = [streams.group_init(g, s) for g in (0, 1, 0x3FFF) for s in (0, 0x7FF)]
    words += [streams.synapse_init(p, s) for p in (0, 1, 2 ** 20 - 1) for s in (0, 0xFF)]
    assert len(set(words)) == len(words)


@pytest.mark.parametrize("call, what", [
    (lambda: streams.neuron(0x4000, "update", 0), "16384 neuron groups"),
    (lambda: streams.neuron(0, "reset", 0x800), "random calls in one group's reset"),
    (lambda: streams.noise(0, 0x800), "noise terms"),
    (lambda: streams.poisson_input(0, 4096), "PoissonInputs per group"),
    (lambda: streams.synapse_pathway(0xC00, "on_pre", 0), "3072 Synapses objects"),
    (lambda: streams.operation(0, 12, 0), "12 run_regularly operations per group"),
    (lambda: streams.synapse_init(0, 256), "random calls in one initial value"),
    (lambda: streams.group_init(-1, 0), "neuron groups"),
])
def test_a_network_too_large_for_the_table_is_refused(call, what):
    with pytest.raises(ModelError, match=what):
        call()


def test_stream_words_are_made_nowhere_else():
    # bit-packed ids by hand (index << 16, 0x4C000000, ...) outside the table
    packed = re.compile(r"<< 16|<< 12|0x4C0|0x4E0|0x7000|_STREAM_BASE|2 \*\* 63 - 1")
    paths = sorted(Path(d) / f for d, _, files in os.walk(PACKAGE, followlinks=True)
                   for f in files if f.endswith(".py"))
    assert len(paths) > 40                   # the whole package, codegen included
    for path in paths:
        if path.name == "streams.py":
            continue
        found = [line for line in path.read_text().splitlines() if packed.search(line)]
        assert not found, f"{path.name} packs stream words by hand: {found}"
