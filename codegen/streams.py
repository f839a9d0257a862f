"""Every random stream of a network, from one table.

A random number in pyspike is Philox-4x32-10 of the key (seed) and the counter
(element, step low word, step high word, stream): the same bits on every backend, for
any order of evaluation.  The 32-bit *stream* word says which call site drew it, so two
sites never share numbers.  This module is the only place that assigns stream words;
each function checks its ranges, so that a network too large for the table is refused
with a message instead of silently reusing another site's numbers.

The table (bits of the stream word; values fixed: users' seeded results depend on them)::

    0x0000_0000 + (g << 16)         neuron group g < 0x4000, its model code:
                   | (0 << 12) | s    update, random call site s < 0x800
                   | (0 << 12) | 0x800 + k   update, the k-th noise term (xi) < 0x800
                   | (1 << 12) | s    reset
                   | (2 << 12) | s    threshold
                   | (3 << 12) | n    PoissonInput n < 0x1000
                   | ((4 + k) << 12) | s   operation k < 12 (run_regularly), call site s
    0x4000_0000 + (p << 16)         Synapses p < 0x0C00, its pathways:
                   | (0 << 12) | s    on_pre     (1: on_post, 2: clock-driven, 3: summed)
                   | ((4 + k) << 12) | s   operation k < 12 (run_regularly), call site s
    0x4C00_0000 | c                 connect() call number c < 2**24 (step word: 0, 1, ...)
    0x7000_0000 | (p << 8) | s      initial values of Synapses p < 2**20, call site s < 0x100
    (g << 16) | s                   initial values of group g, call site s < 0x800

Initial values are drawn at the steps ``INIT_STEP - k`` (k: the how-manieth value set in
the network), which no run reaches, so they share no numbers with the update of the same
group.  Random connectivity given by a condition string uses its own step word,
``CONNECT_WORD``, in the counter position of the step's high word; a connect() generator
draws its ``sample()`` there too and the s-th ``rand()`` of its condition at
``CONNECT_WORD + 1 + s`` (pyspike/connect_generator.py), in the connect() call's stream.

>>> hex(neuron(2, "reset", 5)), hex(synapse_pathway(1, "on_post", 0))
('0x21005', '0x40011000')
>>> try:
...     neuron(0x4000, "update", 0)
... except ModelError as err:
...     print(err.message)
a network holds at most 16384 neuron groups (this is group 16384)
"""
from __future__ import annotations

from .errors import ModelError

#: The step of the first initial value drawn (later ones count down from it).
INIT_STEP = 2 ** 63 - 1
#: The counter's step-high word of connect() conditions' random numbers.
CONNECT_WORD = 0x4E000000

_GROUPS = 0x4000
_SYNAPSES = 0x0C00           # (0x4000 + p) << 16 stays below the connect streams
_SITES = 0x800               # call sites of one statement list; noise terms after them
_PARTS = {"update": 0, "reset": 1, "threshold": 2, "input": 3}
_PATHWAYS = {"on_pre": 0, "on_post": 1, "clock": 2, "summed": 3}


def _check(value: int, limit: int, what: str, this: str) -> int:
    if not 0 <= value < limit:
        raise ModelError(f"a network holds at most {limit} {what} (this is {this} {value})",
                         where="the network")
    return value


def neuron(group: int, part: str, site: int) -> int:
    """A random call site of group ``group``'s update, reset or threshold."""
    _check(group, _GROUPS, "neuron groups", "group")
    _check(site, _SITES, "random calls in one group's " + part, "call")
    return (group << 16) | (_PARTS[part] << 12) | site


def noise(group: int, k: int) -> int:
    """The k-th stochastic term (xi) of group ``group``'s differential equations."""
    _check(group, _GROUPS, "neuron groups", "group")
    _check(k, _SITES, "noise terms and random calls in one update", "term")
    return (group << 16) | (_SITES + k)


def poisson_input(group: int, n: int) -> int:
    """The n-th PoissonInput of group ``group``."""
    _check(group, _GROUPS, "neuron groups", "group")
    _check(n, 1 << 12, "PoissonInputs per group", "input")
    return (group << 16) | (_PARTS["input"] << 12) | n


def operation(group: int, k: int, site: int) -> int:
    """A random call site of the k-th operation (run_regularly) of group ``group``."""
    _check(group, _GROUPS, "neuron groups", "group")
    _check(k, 12, "run_regularly operations per group", "operation")
    _check(site, _SITES, "random calls in one operation", "call")
    return (group << 16) | ((4 + k) << 12) | site


def synapse_pathway(synapses: int, pathway: str, site: int) -> int:
    """A random call site of one pathway of Synapses number ``synapses``."""
    _check(synapses, _SYNAPSES, "Synapses objects", "Synapses")
    _check(site, 1 << 12, "random calls in one pathway", "call")
    return ((0x4000 + synapses) << 16) | (_PATHWAYS[pathway] << 12) | site


def synapse_operation(synapses: int, k: int, site: int) -> int:
    """A random call site of the k-th operation (run_regularly) of Synapses ``synapses``."""
    _check(synapses, _SYNAPSES, "Synapses objects", "Synapses")
    _check(k, 12, "run_regularly operations per Synapses object", "operation")
    _check(site, 1 << 12, "random calls in one operation", "call")
    return ((0x4000 + synapses) << 16) | ((4 + k) << 12) | site


def connect(call: int) -> int:
    """The c-th connect() call of the network (any number: the low 24 bits count)."""
    return 0x4C000000 | (call & 0xFFFFFF)


def group_init(group: int, site: int) -> int:
    """A random call site in an initial value of a group's variable."""
    _check(group, _GROUPS, "neuron groups", "group")
    _check(site, _SITES, "random calls in one initial value", "call")
    return (group << 16) | site


def synapse_init(synapses: int, site: int) -> int:
    """A random call site in an initial value of a synaptic variable."""
    _check(synapses, 1 << 20, "Synapses objects", "Synapses")
    _check(site, 1 << 8, "random calls in one initial value", "call")
    return 0x70000000 | (synapses << 8) | site
