"""Brian2's generator syntax for ``Synapses.connect``.

``S.connect(j="k for k in range(i-3, i+4) if k != i", skip_if_invalid=True)`` makes, for
every presynaptic neuron i, a synapse to each target the generator yields;
``i="k for k in sample(N_pre, p=0.1)"`` does the same over presynaptic partners for each
postsynaptic neuron j.  Python's ``ast`` takes the text apart into one fixed shape,
``EXPR for VAR in range(...)|sample(...) [if COND]``, and pyspike's expression parser
parses each part: nothing is evaluated as Python.  Candidates are evaluated with NumPy, a
block of rows at a time, on the host: the same synapses on every backend.

Random numbers (``sample``, ``rand()`` in the condition) are Philox draws of the counter
(k, outer index, word, stream of the connect() call), keyed by the network's seed: one
number per candidate value k, whatever the block sizes or the other candidates.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import numpy as np
import sympy as sp

from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.expressions import (Context, Randn, check_identifier, parse_condition,
                                  parse_expression, parse_text)
from .codegen.streams import CONNECT_WORD
from .codegen.synaptic import alias_dims
from .codegen.unit_check import check_condition, check_statements, checker_for
from .codegen.units import DIMENSIONLESS
from . import random as ps_random
from .evaluate import evaluate
from .model import neuron_dims, neuron_variables

#: Candidates evaluated per block: bounded memory for any network and range.
BLOCK = 1 << 21
#: Step-high words of the counter: sample() draws at CONNECT_WORD (as p= does for pairs),
#: the s-th rand() of the condition at CONNECT_WORD + 1 + s; within the connect() call's
#: own stream no other rule draws, and no run reaches these steps.
SAMPLE_WORD = CONNECT_WORD
#: Range arguments and sample sizes beyond this are refused: exact in a double, and the
#: positions they give stay far from int64's limits.
_LIMIT = 2 ** 52
_FOR = re.compile(r"\bfor\b")
_source = ast.get_source_segment


def is_generator(text: str) -> bool:
    """Whether ``text`` is meant as generator syntax (it has a ``for``), as Brian2 tells."""
    return bool(_FOR.search(text))


@dataclass(frozen=True)
class Generator:
    """One parsed generator.  ``target`` is the index it yields ("j": j=..., for every i)."""
    text: str
    target: str
    var: str
    source: str                      # "range" or "sample"
    bounds: Tuple[sp.Expr, sp.Expr, sp.Expr]      # low, high, step over the outer index
    p: Optional[sp.Expr]
    size: Optional[sp.Expr]
    element: sp.Expr
    condition: Optional[sp.Basic]    # rand() calls replaced by the symbols _rand<s>
    rand_sites: int
    whole: bool                      # a generator's EXPR must be whole; j='expr' rounds
    skip: bool
    reads_result: bool               # the condition reads the result side's variables
    sides: tuple                     # (alias, side, group, variable, start) of neuron values


class _Sides:
    """Who is outer and who is yielded: names and sizes of both sides."""

    def __init__(self, syn, target: str):
        self.result, self.outer = target, "i" if target == "j" else "j"
        self.result_side, self.outer_side = ("post", "pre") if target == "j" else ("pre", "post")
        self.n_outer, self.n_result = ((syn.n_pre, syn.n_post) if target == "j"
                                       else (syn.n_post, syn.n_pre))
        self.word = "postsynaptic" if target == "j" else "presynaptic"


def parse(syn, text: str, target: str, skip: bool, known: tuple) -> Generator:
    """``j=text`` (target "j") or ``i=text`` as a Generator; ModelError if it is not one.
    ``known``: the names a connect condition reads, and (alias, side, group, variable,
    first neuron) of its neuron variables.  Text without ``for`` is one target per outer
    neuron, as ``j='i'``: rounded, and a target outside the group makes no synapse."""
    side = _Sides(syn, target)
    names, sides = known
    names = {**names, **{n: symbol(n) for n in ("N_pre", "N_post") if n not in names}}
    outer_names = {n: s for n, s in names.items()
                   if n in (side.outer, "N_pre", "N_post") or n in syn.param_names
                   or any(a == n and sd == side.outer_side for a, sd, *_ in sides)}
    ctx = Context(where=f"the generator {target}= of Synapses '{syn.name}'", line=text,
                  lineno=1)
    lead = len(text) - len(text.lstrip())
    if not is_generator(text):                  # j='i + 1': range(1) of one target
        element = _part(syn, ctx, text, 0, outer_names, names, side, "the target expression",
                        side.result)
        one = sp.Integer(1)
        return Generator(text, target, "_", "range", (sp.Integer(0), one, one), None, None,
                         element, None, 0, False, True, False, tuple(sides))
    ctx.offset = lead - 1                       # positions in "[" + text + "]"
    wrapped = "[" + text.strip() + "]"
    tree = parse_text(wrapped, "eval", ctx).body
    if not isinstance(tree, ast.ListComp):
        raise ctx.error(f"{target}='{text.strip()}' is not a generator: write "
                        f"'EXPR for k in range(...)' or 'EXPR for k in sample(..., p=...)', "
                        "optionally followed by 'if CONDITION'")
    if len(tree.generators) != 1:
        raise ctx.error("a generator takes one 'for' clause (nested generators are not "
                        "supported)", tree.generators[1].target.col_offset)
    gen = tree.generators[0]
    if not isinstance(gen.target, ast.Name):
        raise ctx.error("the generator must iterate over one name, as in 'for k in ...'",
                        gen.target.col_offset)
    var = gen.target.id
    if var != "_":
        check_identifier(var, ctx, "generator variable", gen.target.col_offset)
    if var in names:
        raise ctx.error(f"the generator variable '{var}' would hide the name '{var}' of this "
                        "connect() (an index, a size or a neuron variable): choose another "
                        "name, such as k", gen.target.col_offset, var)
    call = gen.iter
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id in ("range", "sample")):
        raise ctx.error(f"the generator iterates over '{_source(wrapped, call)}'"
                        ": only range(...) and sample(..., p=...) or sample(..., size=...) "
                        "are supported", call.col_offset)
    source = call.func.id
    args = [_part(syn, ctx, _source(wrapped, a), a.col_offset, outer_names, names, side,
                  f"the arguments of {source}()", var) for a in _arguments(ctx, call)]
    bounds = ((sp.Integer(0), args[0], sp.Integer(1)) if len(args) == 1 else
              (args[0], args[1], sp.Integer(1)) if len(args) == 2 else tuple(args))
    drawn = {}
    for kw in call.keywords:
        if kw.arg not in ("p", "size") or source == "range" or kw.arg in drawn:
            raise ctx.error(f"'{_source(wrapped, kw) or '**'}' is not an "
                            f"argument of {source}(): range() takes 1 to 3 numbers, sample() "
                            "1 to 3 numbers and one of p= or size=", kw.value.col_offset)
        drawn[kw.arg] = _part(syn, ctx, _source(wrapped, kw.value), kw.value.col_offset,
                              outer_names, names, side, f"{kw.arg}= of sample()", kw.arg + "=")
    if source == "sample" and len(drawn) != 1:
        raise ctx.error("sample() takes one of p= (each candidate with probability p) or "
                        "size= (that many distinct candidates)", call.col_offset)
    element = _part(syn, ctx, _source(wrapped, tree.elt), tree.elt.col_offset,
                    {**outer_names, var: symbol(var)}, {**names, var: symbol(var)}, side,
                    "the generator's expression", side.result, var)
    condition, sites, reads = _condition(syn, ctx, wrapped, gen.ifs,
                                         {**names, var: symbol(var)}, side, sides, var)
    return Generator(text, target, var, source, bounds, drawn.get("p"), drawn.get("size"),
                     element, condition, sites, True, bool(skip), reads, tuple(sides))


def _arguments(ctx: Context, call: ast.Call):
    args = call.args
    for a in args:
        if isinstance(a, ast.Starred):
            raise ctx.error("star arguments are not supported", a.col_offset)
    if not 1 <= len(args) <= 3:
        raise ctx.error(f"{call.func.id}() takes 1 to 3 numbers (low, high, step), got "
                        f"{len(args)}", call.col_offset)
    return args


def _dims(syn, extra) -> dict:
    """Dimensions of the names generator text reads: indices and sizes are numbers."""
    dims = alias_dims(neuron_variables(syn.source), neuron_variables(syn.target),
                      (neuron_dims(syn.source), neuron_dims(syn.target)))
    return {**dims, **{n: DIMENSIONLESS for n in ("i", "j", "N_pre", "N_post", *extra)}}


def _part(syn, ctx, segment, col, allowed, names, side, what, *dimensionless) -> sp.Expr:
    """One number of the generator (an index, a bound, p, size), parsed from its own text
    (``segment``, at column ``col`` of the parsed text): it may read the outer index and its
    side's neuron variables, nothing that depends on the neuron it yields."""
    part = Context(where=ctx.where, line=ctx.line, lineno=1, offset=ctx.offset + col)
    try:
        expr = parse_expression(segment, allowed, part)
    except ModelError as err:
        if err.symbol in names and err.symbol not in allowed:
            raise ModelError(f"{what} can use {side.outer}, N_pre, N_post and "
                             f"{'pre' if side.outer == 'i' else 'post'}synaptic variables, "
                             f"not '{err.symbol}' (that depends on the {side.word} neuron "
                             "being chosen): test it in the 'if' condition",
                             source=err.source, where=err.where, lineno=err.lineno,
                             col=err.col, symbol=err.symbol) from None
        raise
    if part.random_sites:
        raise part.error(f"random numbers in {what}: draw with sample(..., p=...) or with "
                         "rand() in the 'if' condition", 0, "rand")
    check_statements(checker_for(_dims(syn, dimensionless)),
                     [(symbol(dimensionless[0]), expr)], ctx.line, ctx.where)
    return expr


def _condition(syn, ctx, wrapped, ifs, names, side, sides, var):
    """The 'if' clauses (several are and-ed), their rand() calls as symbols _rand<s>."""
    if not ifs:
        return None, 0, False
    part = Context(where=ctx.where, line=ctx.line, lineno=1)
    conds = []
    for clause in ifs:            # one Context: the clauses number their rand() calls on
        part.offset = ctx.offset + clause.col_offset
        segment = _source(wrapped, clause)
        conds.append(parse_condition(segment, names, part))
        check_condition(checker_for(_dims(syn, [var])), conds[-1], ctx.line, ctx.where)
    if any(isinstance(s, Randn) for s in part.random_sites):
        raise part.error("randn() in a connection condition is not supported: use rand()",
                         None, "randn")
    cond = sp.And(*conds) if len(conds) > 1 else conds[0]
    sites = part.random_sites
    cond = cond.xreplace({s: symbol(f"_rand{int(s.args[0])}") for s in sites})
    result_aliases = {a for a, sd, *_ in sides if sd == side.result_side}
    reads = any(s.name in result_aliases for s in cond.free_symbols)
    return cond, len(sites), reads


def draws(text) -> bool:
    """Whether a generator draws random numbers (sample(), rand()): it needs the seed."""
    if not isinstance(text, str) or not is_generator(text):
        return False
    try:
        tree = parse_text("[" + text.strip() + "]", "eval", Context())
    except ModelError:
        return False
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id in ("sample", "rand") for n in ast.walk(tree))


def build(syn, gen: Generator, seed: int, stream: int, self_offset: Optional[int],
          multapses: bool) -> Tuple[np.ndarray, np.ndarray]:
    """(i, j) of the synapses the generator makes, in CSR order (sorted by i)."""
    side = _Sides(syn, gen.target)
    where = f"Synapses '{syn.name}'.connect"
    outer = np.arange(side.n_outer, dtype=np.int64)
    base = {side.outer: outer, "N_pre": syn.n_pre, "N_post": syn.n_post,
            **_values(gen.sides, side.outer_side, outer), **shared_values(syn)}
    low, high, step = (_whole(gen, np.broadcast_to(np.asarray(evaluate(e, base)), outer.shape),
                              outer, f"a bound of {gen.source}()", where, side, True)
                       for e in gen.bounds)
    if np.any(step == 0):
        o = int(np.argmax(step == 0))
        raise ModelError(f"{gen.target}='{gen.text.strip()}': the step of {gen.source}() is 0"
                         f" for {side.outer} = {o}", where=where, symbol=gen.target)
    count = np.maximum(0, np.where(step > 0, (high - low + step - 1) // np.maximum(step, 1),
                                   (low - high - step - 1) // np.maximum(-step, 1)))
    p = size = None
    if gen.p is not None:
        p = np.broadcast_to(np.asarray(evaluate(gen.p, base), dtype=np.float64), outer.shape)
        if (bad := ~((p >= 0) & (p <= 1))).any():
            o = int(np.argmax(bad))
            raise ModelError(f"{gen.target}='{gen.text.strip()}': p of sample() is {p[o]} for "
                             f"{side.outer} = {o}; a probability is between 0 and 1",
                             where=where, symbol="p")
    if gen.size is not None:
        size = np.broadcast_to(np.asarray(evaluate(gen.size, base)), outer.shape)
        size = _sizes(gen, _whole(gen, size, outer, "size", where, side, True), count, where,
                      side)
    out_i, out_j = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for rows, first, n in _chunks(count, split=size is None):
        row = np.repeat(rows, n)
        pos = np.arange(row.size, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n) \
            + np.repeat(first, n)
        k = low[row] + pos * step[row]
        if p is not None or size is not None:
            u = _uniform(seed, stream, k, row, SAMPLE_WORD)
            keep = u < p[row] if p is not None else _smallest(u, row, size)
            k, row = k[keep], row[keep]
        pre, post = _pairs(syn, gen, side, seed, stream, k, row, where)
        keep = post != pre + self_offset if self_offset is not None else slice(None)
        out_i.append(pre[keep])
        out_j.append(post[keep])
    i, j = np.concatenate(out_i), np.concatenate(out_j)
    if gen.target == "i":                     # rows were postsynaptic: sort by i
        order = np.argsort(i, kind="stable")
        i, j = i[order], j[order]
    if not multapses:                         # each pair once, the first one kept
        _, first = np.unique(i * syn.n_post + j, return_index=True)
        first.sort()
        i, j = i[first], j[first]
    return i.astype(np.int32), j.astype(np.int32)


def _pairs(syn, gen: Generator, side: _Sides, seed: int, stream: int, k, row, where):
    """The pairs one block of candidates (value k of outer neuron row) makes."""
    env = {side.outer: row, "N_pre": syn.n_pre, "N_post": syn.n_post, gen.var: k,
           **_values(gen.sides, side.outer_side, row), **shared_values(syn)}
    value = np.broadcast_to(np.asarray(evaluate(gen.element, env)), row.shape)
    if gen.whole:
        r = _whole(gen, value, row, side.result, where, side, False)
    else:                                     # i='expr': the nearest neuron, as j='expr'
        real = np.asarray(value, dtype=np.float64)
        r = np.floor(np.where(np.abs(real) < _LIMIT, real, -1.0) + 0.5).astype(np.int64)
    valid = (r >= 0) & (r < side.n_result)
    cond = np.ones(r.shape, dtype=bool)
    if gen.condition is not None:
        env[side.result] = r
        env.update(_values(gen.sides, side.result_side, np.where(valid, r, 0)))
        for s in range(gen.rand_sites):
            env[f"_rand{s}"] = _uniform(seed, stream, k, row, SAMPLE_WORD + 1 + s)
        cond = np.broadcast_to(evaluate(gen.condition, env), r.shape)
    # Brian2's order: a condition that reads the target's variables needs a valid target;
    # any other condition is asked first, and only targets it accepts must be valid.
    bad = ~valid if gen.reads_result else ~valid & cond
    if not gen.skip and bad.any():
        b = int(np.argmax(bad))
        var = "" if gen.var == "_" else f", {gen.var} = {int(k[b])}"
        raise ModelError(
            f"the generator {gen.target}='{gen.text.strip()}' gives {side.result} = {value[b]}"
            f" for {side.outer} = {int(row[b])}{var}, outside the {side.word} neurons 0 to "
            f"{side.n_result - 1}: pass skip_if_invalid=True to leave such pairs out",
            where=where, symbol=side.result)
    keep = valid & cond
    row, r = row[keep], r[keep]
    return (row, r) if gen.target == "j" else (r, row)


def _values(sides, side: str, index: np.ndarray) -> Dict[str, np.ndarray]:
    """The neuron values of one side (``v_pre``, or ``v_post`` and ``v``) at ``index``."""
    out = {}
    for alias, _, g, var, start in (s for s in sides if s[1] == side):
        values = np.asarray(getattr(g, var), dtype=np.float64)
        if values.ndim == 2:      # a batch shares its connectivity: instance 0's values
            values = values[0]
        out[alias] = np.broadcast_to(values, (g.N,))[start + index]
    return out


def _whole(gen, value, row, what: str, where: str, side, bounded: bool) -> np.ndarray:
    """Whole numbers (a range bound, a sample size, the yielded index) as int64; values
    beyond 2**52 are refused where ``bounded``, an invalid index (-1) otherwise."""
    real = value.astype(np.float64)
    bad = ~np.isfinite(real) | (real != np.floor(real)) | bounded & (np.abs(real) > _LIMIT)
    if bad.any():
        b = int(np.argmax(bad))
        raise ModelError(f"{gen.target}='{gen.text.strip()}': {what} is {value[b]} for "
                         f"{side.outer} = {int(row[b])}; it must be a whole number"
                         f"{' of size at most 2**52' if bounded else ''} (use floor() or "
                         "int())", where=where, symbol=side.result)
    return np.where(np.abs(real) < _LIMIT, real, -1).astype(np.int64)


def _sizes(gen, size, count, where, side) -> np.ndarray:
    """sample(size=): Brian2's rules for a size beyond the candidates or below zero."""
    for bad, why in ((size < 0, "negative"), (size > count, "more than the candidates")):
        if bad.any() and not gen.skip:
            o = int(np.argmax(bad))
            raise ModelError(f"{gen.target}='{gen.text.strip()}': size={size[o]} for "
                             f"{side.outer} = {o} is {why} ({count[o]} there); pass "
                             "skip_if_invalid=True to take what there is", where=where,
                             symbol="size")
    return np.clip(size, 0, count)


def _uniform(seed: int, stream: int, k, row, word: int) -> np.ndarray:
    x, y, _, _ = ps_random.philox4x32_10(k, row, word, stream, seed & 0xFFFFFFFF,
                                         (seed >> 32) & 0xFFFFFFFF)
    return ps_random.u01_f64(x, y)


def _smallest(u: np.ndarray, row: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Each row's size[row] candidates of smallest u: a uniform sample without replacement
    (rows are whole in a block when sampling by size)."""
    order = np.lexsort((u, row))
    starts = np.searchsorted(row[order], row[order], side="left")
    keep = np.zeros(u.size, dtype=bool)
    keep[order] = np.arange(u.size) - starts < size[row[order]]
    return keep


def _chunks(count: np.ndarray, split: bool):
    """(rows, first position, number of candidates) of blocks of at most BLOCK candidates;
    a row longer than that is split into parts unless ``split`` is False."""
    ends = np.cumsum(count)
    r0, done = 0, 0
    while r0 < count.size:
        r1 = max(r0 + 1, int(np.searchsorted(ends, done + BLOCK, side="right")))
        if r1 == r0 + 1 and count[r0] > BLOCK and split:
            for t in range(0, int(count[r0]), BLOCK):
                yield (np.array([r0]), np.array([t], dtype=np.int64),
                       np.array([min(BLOCK, int(count[r0]) - t)], dtype=np.int64))
        else:
            yield (np.arange(r0, r1, dtype=np.int64), np.zeros(r1 - r0, dtype=np.int64),
                   count[r0:r1])
        done, r0 = int(ends[r1 - 1]), r1


def shared_values(syn) -> dict:
    """The synapses' parameters that hold one number (``params={"group_size": 100}``),
    which a connect condition or generator may read as Brian2's read the namespace."""
    out = {}
    for p in syn.param_names:
        value = syn.state.value(p)
        if value is not None and np.ndim(value) == 0:
            out[p] = np.float64(value)
    return out
