"""Connectivity rules: which synapses ``Synapses.connect`` makes.

Random rules run in compiled code (``pyspike._native``: Philox-driven builders, O(number
of synapses)); condition strings are evaluated with NumPy over blocks of candidate pairs;
Brian2's generator syntax (j='k for k in range(i-3, i+4)', i='...') is connect_generator's.
Every rule returns presynaptic and postsynaptic indices in CSR order (sorted by i).
A rule's random numbers depend only on the network's seed and the order of connect()
calls, never on the backend.  A batch's instances share one connectivity, drawn from the
first instance's seed (and its neuron values, where a condition reads them).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.expressions import Context, parse_condition, parse_expression
from .codegen import streams
from .codegen.layout import column_type
from .codegen.synaptic import alias_dims, aliases
from .codegen.unit_check import check_condition, checker_for
from . import checks
from . import random as ps_random
from .evaluate import evaluate
from .model import neuron_dims, neuron_variables
from . import connect_generator as generator

#: Pairs evaluated per block by condition strings: bounded memory for any network size.
_BLOCK_PAIRS = 1 << 21


def check_call(syn, condition=None, i=None, j=None, p=1.0, n=1, n_pre=None, n_post=None,
               autapses=True, multapses=True, skip_if_invalid=False) -> None:
    """Reject malformed connect() arguments before anything is built."""
    where = f"Synapses '{syn.name}'.connect"
    checks.probability(p, "p", where)
    checks.count(n, "n", where, minimum=1, maximum=2 ** 31 - 1)
    checks.flag(autapses, "autapses", where)
    checks.flag(multapses, "multapses", where)
    checks.flag(skip_if_invalid, "skip_if_invalid", where)
    if isinstance(i, str) and j is not None:
        raise ModelError("i='...' yields the presynaptic neurons of every postsynaptic neuron "
                         "j: give it no j", where=where, symbol="j")
    if j is not None and not isinstance(j, str) and i is None:
        raise ModelError("j alone is an expression such as j='i'; give explicit pairs as i "
                         "and j together", where=where, symbol="j")
    explicit = i is not None and not isinstance(i, str)
    if explicit and (j is None or isinstance(j, str)):
        raise ModelError("give i and j together as arrays of equal length, or j alone as an "
                         "expression such as j='i'", where=where, symbol="i")
    if explicit:
        pre = checks.indices(i, "i", where, syn.n_pre)
        post = checks.indices(j, "j", where, syn.n_post)
        if pre.shape != post.shape:
            raise ModelError(f"i and j must be of equal length (got {pre.size} and "
                             f"{post.size})", where=where, symbol="i")
    rules = [explicit, isinstance(j, str), isinstance(i, str), n_pre is not None,
             n_post is not None]
    if sum(rules) > 1:
        raise ModelError("choose one rule: explicit i/j, j='expression', i='expression', "
                         "n_pre= or n_post=", where=where)
    for name, k in (("n_pre", n_pre), ("n_post", n_post)):
        if k is not None:
            checks.count(k, name, where, minimum=0, maximum=2 ** 31 - 1)
    if (n_pre is not None or n_post is not None) and (condition or p != 1.0):
        raise ModelError("fixed-degree rules (n_pre=, n_post=) take no condition or p",
                         where=where)
    if skip_if_invalid and (explicit or n_pre is not None or n_post is not None):
        raise ModelError("skip_if_invalid=True applies to rules given as text (j='k for k in "
                         "range(i-3, i+4)'), not to explicit pairs or n_pre=/n_post=",
                         where=where, symbol="skip_if_invalid")
    if condition is not None and not isinstance(condition, str):
        raise ModelError("condition must be a string such as 'i != j'", where=where,
                         symbol="condition")
    if condition is not None:
        _parse_condition(syn, condition)
    text, target = _generator(i, j)
    if text is not None:
        if condition is not None or p != 1.0:
            raise ModelError(f"{target}='{text}' takes no condition= or p= (as in Brian2): "
                             "write the condition after 'if' in the generator and draw with "
                             "sample(..., p=...)", where=where,
                             symbol="condition" if condition is not None else "p")
        generator.parse(syn, text, target, skip_if_invalid, _names(syn))
    elif isinstance(j, str):
        _parse_target(syn, j)


def _generator(i, j):
    """(text, "i" or "j") of a rule the generator module builds: Brian2's generator
    syntax, or i='expression'; (None, None) otherwise."""
    if isinstance(i, str):
        return i, "i"
    if isinstance(j, str) and generator.is_generator(j):
        return j, "j"
    return None, None


def is_random(condition=None, i=None, j=None, p=1.0, n=1, n_pre=None, n_post=None,
              autapses=True, multapses=True, skip_if_invalid=False) -> bool:
    """Whether a rule draws random numbers (and so needs the network's seed)."""
    return p < 1.0 or n_pre is not None or n_post is not None or \
        generator.draws(_generator(i, j)[0])


def merged(row: np.ndarray, col: Optional[np.ndarray], n_pre: int, n_post: int,
           i: np.ndarray, j: Optional[np.ndarray], where: str):
    """(row, col, order): the connectivity ``row``/``col`` (CSR by presynaptic neuron; col
    None: all-to-all, stored densely) with the synapses (i, j) added, and the order that
    puts the old synapses followed by the new ones into CSR order (None: they are in it).
    j None: all-to-all pairs, stored densely if they are the only synapses."""
    old = int(row[-1])
    if j is None and old == 0:
        return np.arange(n_pre + 1, dtype=np.int64) * n_post, None, None
    if j is None:
        i = np.repeat(np.arange(n_pre, dtype=np.int32), n_post)
        j = np.tile(np.arange(n_post, dtype=np.int32), n_pre)
    if old + i.size >= 2 ** 31:
        raise ModelError(f"{where} would have {old + i.size} synapses; at most 2**31 - 1 are "
                         "supported", where=where)
    order = None                             # every rule returns CSR order: no copy
    if old:
        old_i = np.repeat(np.arange(n_pre, dtype=np.int32), np.diff(row))
        old_j = col if col is not None else np.tile(np.arange(n_post, dtype=np.int32), n_pre)
        i = np.concatenate([old_i, i.astype(np.int32)])
        j = np.concatenate([old_j, j])
        order = np.argsort(i, kind="stable")
        i, j = i[order], j[order]
    # i is sorted: row r starts at the first synapse with i >= r
    row = np.searchsorted(i, np.arange(n_pre + 1, dtype=np.int32), side="left")
    return row.astype(np.int64), columns(j, n_post), order


def columns(j: np.ndarray, n_post: int) -> np.ndarray:
    """Postsynaptic indices in the type the compiled code reads them in (2 bytes for
    targets of up to 65,536 neurons: codegen.layout.column_type)."""
    return np.ascontiguousarray(j, dtype=column_type(n_post))


def build(syn, seed: int, stream: int, condition=None, i=None, j=None, p=1.0, n=1,
          n_pre=None, n_post=None, autapses=True, multapses=True, skip_if_invalid=False
          ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """(i, j) of the new synapses in CSR order; j is None for a dense all-to-all block."""
    from . import _native

    self_offset = _self_offset(syn) if not autapses else None
    stream = streams.connect(stream)
    text, target = _generator(i, j)
    if text is not None:
        rule = generator.parse(syn, text, target, skip_if_invalid, _names(syn))
        return _repeat(*generator.build(syn, rule, seed, stream, self_offset, multapses), n)
    if i is not None:
        return _explicit(syn, i, j, n, self_offset, multapses)
    if isinstance(j, str):
        return _repeat(*_one_per_row(syn, j, condition, p, seed, stream, self_offset), n)
    threads = syn.network.threads if syn.network is not None else 1
    if n_pre is not None:
        return _repeat(*_native.connect_fixed_indegree(
            seed, stream, syn.n_pre, syn.n_post, int(n_pre), self_offset, bool(multapses),
            threads), n)
    if n_post is not None:
        return _repeat(*_native.connect_fixed_outdegree(
            seed, stream, syn.n_pre, syn.n_post, int(n_post), self_offset, bool(multapses),
            threads), n)
    if condition is not None:
        return _repeat(*_by_condition(syn, condition, p, seed, stream, self_offset), n)
    if p == 1.0 and n == 1 and self_offset is None:
        return np.zeros(0, dtype=np.int32), None      # all-to-all
    return _native.connect_fixed_probability(seed, stream, syn.n_pre, syn.n_post, float(p),
                                             self_offset, int(n))


def _self_offset(syn) -> Optional[int]:
    """j == i + offset marks a neuron's synapse onto itself (None: the groups differ)."""
    if syn.source is not syn.target:
        return None
    return syn.pre_range[0] - syn.post_range[0]


def _repeat(i: np.ndarray, j: np.ndarray, n: int):
    if n == 1:
        return i, j
    return np.repeat(i, n), np.repeat(j, n)


def _explicit(syn, i, j, n: int, self_offset, multapses: bool):
    where = f"Synapses '{syn.name}'.connect"
    i = checks.indices(i, "i", where, syn.n_pre)        # (checked in check_call too)
    j = checks.indices(j, "j", where, syn.n_post)
    keep = np.ones(i.size, dtype=bool)
    if self_offset is not None:
        keep &= j != i + self_offset
    i, j = i[keep].astype(np.int32), j[keep].astype(np.int32)
    if not multapses:
        pairs = np.unique(i.astype(np.int64) * syn.n_post + j)
        i, j = (pairs // syn.n_post).astype(np.int32), (pairs % syn.n_post).astype(np.int32)
    order = np.argsort(i, kind="stable")
    return _repeat(i[order], j[order], n)


def _names(syn):
    """Names a connection condition may use, and (alias, side, group, variable, first
    neuron) of each neuron variable among them."""
    names = {"i": symbol("i"), "j": symbol("j"), "N_pre": symbol("N_pre"),
             "N_post": symbol("N_post")}
    names.update({p: symbol(p) for p in generator.shared_values(syn)})
    sides = []
    groups = {"pre": (syn.source, syn.pre_range[0]), "post": (syn.target, syn.post_range[0])}
    pairs = aliases(neuron_variables(syn.source), neuron_variables(syn.target))
    for alias, (side, var, _) in pairs.items():
        if alias not in names:
            names[alias] = symbol(alias)
            sides.append((alias, side, groups[side][0], var, groups[side][1]))
    return names, sides


def _read(syn, cond) -> list:
    """The neuron variables (as _names gives them) that the condition reads: only those
    are gathered for each block of candidate pairs."""
    read = {s.name for s in cond.free_symbols}
    return [side for side in _names(syn)[1] if side[0] in read]


def _parse_condition(syn, text: str):
    names, _ = _names(syn)
    ctx = Context(where=f"the connection condition of Synapses '{syn.name}'", line=text,
                  lineno=1)
    cond = parse_condition(text, names, ctx)
    check_condition(checker_for(alias_dims(
        neuron_variables(syn.source), neuron_variables(syn.target),
        (neuron_dims(syn.source), neuron_dims(syn.target)))), cond, text, ctx.where)
    if ctx.random_sites:
        raise ctx.error("random numbers in a condition: use p= for random connections",
                        None, "rand")
    return cond


def _parse_target(syn, text: str):
    names = {"i": symbol("i")}
    ctx = Context(where=f"the target expression j of Synapses '{syn.name}'", line=text,
                  lineno=1)
    expr = parse_expression(text, names, ctx)
    if ctx.random_sites:
        raise ctx.error("random numbers in j=: use p= or n_post= for random connections",
                        None, "rand")
    return expr


def _env(syn, sides, i: np.ndarray, j: np.ndarray) -> dict:
    env = {"i": i, "j": j, "N_pre": np.float64(syn.n_pre), "N_post": np.float64(syn.n_post),
           **generator.shared_values(syn)}
    for alias, side, g, var, start in sides:
        values = np.asarray(getattr(g, var), dtype=np.float64)
        if values.ndim == 2:      # a batch shares its connectivity: instance 0's values
            values = values[0]
        values = np.broadcast_to(values, (g.N,))
        env[alias] = values[start + (i if side == "pre" else j)]
    return env


def _uniform(seed: int, stream: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    x, y, _, _ = ps_random.philox4x32_10(j, i, streams.CONNECT_WORD, stream, seed & 0xFFFFFFFF,
                                         (seed >> 32) & 0xFFFFFFFF)
    return ps_random.u01_f64(x, y)


def _by_condition(syn, text: str, p: float, seed: int, stream: int, self_offset):
    """All pairs meeting the condition, each kept with probability p; block by block."""
    cond = _parse_condition(syn, text)
    sides = _read(syn, cond)
    rows = max(1, _BLOCK_PAIRS // max(1, syn.n_post))
    out_i, out_j = [], []
    for r0 in range(0, syn.n_pre, rows):
        r1 = min(syn.n_pre, r0 + rows)
        i = np.repeat(np.arange(r0, r1, dtype=np.int64), syn.n_post)
        j = np.tile(np.arange(syn.n_post, dtype=np.int64), r1 - r0)
        keep = np.broadcast_to(evaluate(cond, _env(syn, sides, i, j)), i.shape).copy()
        if self_offset is not None:
            keep &= j != i + self_offset
        if p < 1.0:                  # (drawn for the pairs that pass only: keyed by (i, j))
            passed = np.flatnonzero(keep)
            keep[passed] = _uniform(seed, stream, i[passed], j[passed]) < p
        out_i.append(i[keep].astype(np.int32))
        out_j.append(j[keep].astype(np.int32))
    return np.concatenate(out_i), np.concatenate(out_j)


def _one_per_row(syn, text: str, condition, p: float, seed: int, stream: int, self_offset):
    """j = f(i): one candidate target per presynaptic neuron (out of range: none)."""
    expr = _parse_target(syn, text)
    i = np.arange(syn.n_pre, dtype=np.int64)
    value = np.broadcast_to(evaluate(expr, {"i": i}), i.shape)
    j = np.floor(np.asarray(value, dtype=np.float64) + 0.5).astype(np.int64)
    keep = (j >= 0) & (j < syn.n_post)
    if condition is not None:
        cond = _parse_condition(syn, condition)
        sides = _read(syn, cond)
        jj = np.where(keep, j, 0)
        keep &= np.broadcast_to(evaluate(cond, _env(syn, sides, i, jj)), i.shape)
    if self_offset is not None:
        keep &= j != i + self_offset
    if p < 1.0:
        keep &= _uniform(seed, stream, i, np.where(keep, j, 0)) < p
    return i[keep].astype(np.int32), j[keep].astype(np.int32)
