"""The arrays of one Synapses object for a run: CSR, delays, rings, column index, bitmask.

The delay ring (spikes of the last R steps) lives on the Synapses object between runs,
so that a run in pieces continues exactly where it stopped.
"""
from __future__ import annotations

import functools
from typing import Optional

import numpy as np

from .codegen import streams
from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.expressions import Context, parse_expression
from .codegen.ir import SynapsesKernel
from .codegen.layout import column_type
from .connect import columns
from .codegen.synaptic import aliases
from .model import neuron_variables
from . import batching, checks, distributions, pathways, synapse_delays, synapses_kernel
from .distributions import Distribution
from .evaluate import evaluate
from .state import StateTable


#: The longest delay in steps: spikes in flight are kept in a ring of that many steps,
#: and a step number past 2**31 is beyond any run (see runtime.run_steps).
MAX_DELAY_STEPS = 2 ** 31 - 2


def check_delay_steps(delay, dt: float, where: str) -> None:
    """Refuse delays that no ring of spikes in flight could hold at this dt."""
    longest = synapse_delays.longest(delay)
    if longest / dt + 0.5 >= MAX_DELAY_STEPS:
        raise ModelError(f"a delay of {longest!r} ms is {longest / dt:.3g} steps of dt = "
                         f"{dt} ms; at most {MAX_DELAY_STEPS} steps are supported",
                         where=where, symbol="delay")


def checked_delay(value, n: int, network, where: str):
    """A delay in ms as given (not text): one finite number >= 0 for every synapse (a
    float), or one per synapse (a float64 array of n); at most MAX_DELAY_STEPS steps
    where the network, and so dt, is known."""
    if isinstance(value, synapse_delays.StepDelays):        # (drawn: evaluate_value)
        check_delay_steps(value, network.dt, where)
        return value
    value = checks.unitless(value, "delay", where, "ms")
    if checks.is_number(value) or isinstance(value, (bool, np.bool_)) or value is None:
        delay = checks.duration(value, "delay", where)
    else:
        delay = batching.as_values(value, (n,), "delay",
                                   "synapse (shared by the instances of a batch)", where,
                                   minimum=0.0, finite=True, copy=False)
    if network is not None:
        check_delay_steps(delay, network.dt, where)
        delay = synapse_delays.compact(delay, network.dt)    # whole steps: 1-4 bytes each
    if isinstance(delay, np.ndarray) and np.may_share_memory(delay, value):
        delay = delay.copy()        # (kept as given: never the caller's own array)
    return delay


def grow_arrays(syn, old: int, order) -> None:
    """Extend per-synapse arrays to the synapses added after the first ``old`` (their
    parameters' values, else 0), then put them in the CSR order ``order`` (None: kept)."""
    new = syn.n - old
    table = syn.state
    # Variables are kept in the network's precision from the start (as its build would
    # cast them): in single precision, 4 bytes per synapse and variable, not 8.
    real = syn.network.real if syn.network is not None else np.float64
    for arrays in (table.variables, table.per_element):
        for k, v in arrays.items():
            default = table.params.get(k)
            dtype = real if arrays is table.variables else np.float64
            fill = _filled(v.shape[:-1] + (new,), 0.0 if default is None else default, dtype)
            if old == 0 and order is None:    # (the first connect: no copy of the fill)
                arrays[k] = fill
                continue
            grown = np.concatenate([v.astype(dtype, copy=False), fill],
                                   axis=v.ndim - 1)   # (the synapses axis)
            arrays[k] = grown if order is None else grown[..., order]
    table.delay = synapse_delays.grown(table.delay, new, order)
    table.ring = None
    if "pathways" in table.names():
        pathways.grow(syn, new, order)


def _filled(shape: tuple, value: float, dtype) -> np.ndarray:
    """A new array of ``value``: zeros from np.zeros, whose pages the system gives zeroed
    when first written (a value assigned next writes them once, not twice)."""
    return np.zeros(shape, dtype) if value == 0.0 else np.full(shape, value, dtype)


def new_state(syn) -> StateTable:
    """The state table of a Synapses object before any synapse is made."""
    values = {p: syn.params.get(p) for p in syn.param_names}   # declared ones: None
    return StateTable(
        derived_from=("row", "col"),      # a column index, a bitmask (see below)
        variables={v: np.zeros(0) for v in syn.variables if v not in syn.kernel},
        params={p: float(v) if v is not None and np.isscalar(v) else None
                for p, v in values.items()},
        per_element={},
        # CSR by presynaptic neuron: row pointers, postsynaptic indices (None: dense)
        row=np.zeros(syn.n_pre + 1, dtype=np.int64), col=np.zeros(0, dtype=np.int32),
        delay=0.0,         # ms: one for all, or one per synapse (synapse_delays.py)
        ring=None,         # the spikes in flight, kept between runs
        **({"pathways": pathways.state_entry(syn.pathways)} if syn.pathways else {}),
        **({"kernel": synapses_kernel.kernel_entry(syn.kernel)} if syn.kernel else {}))


def lay_out_synapses(sk: SynapsesKernel, syn, arrays, iargs, dt: float, real,
                     K: int = 1, pathway: Optional[str] = None) -> None:
    """Connectivity and delays are shared (1-d); variables and rings per instance; the
    bitmask of pairs where the target's code reads one (codegen.strategy).  ``pathway``:
    a further pathway of ``syn`` (pathways.py), with its own delay and ring."""
    table = syn.state
    own = table if pathway is None else _PathwayState(table.pathways[pathway])
    arrays[sk.row_slot] = table.row
    if sk.col_slot is not None:
        if table.col.dtype != column_type(sk.n_post):    # (read from an older file)
            table.col = columns(table.col, sk.n_post)
        arrays[sk.col_slot] = table.col
    syn._cast(real)
    elements = table.element_arrays()
    for name, arr in sk.arrays.items():    # (one array for all instances: shared)
        if name not in syn.kernel:
            arrays[arr.slot] = elements[name] if name in syn.shared else \
                elements[name].reshape(K, -1)
    if sk.kernel is not None:              # (kernel variables: synapses_kernel.py)
        synapses_kernel.lay_out(sk, syn, arrays, iargs, real)
    ring, order = sk.ring, sk.delay_order
    if ring is not None:
        check_delay_steps(own.delay, dt, f"Synapses '{syn.name}'")
        if order is not None:
            arrays[order.order_slot], arrays[order.start_slot], R = \
                synapse_delays.delay_index(table.row, own.delay, dt, order.in_row,
                                           syn.network.threads if syn.network else 1)
        else:
            steps = synapse_delays.steps_of(own.delay, dt)
            R = int(steps.max()) + 1 if steps.size else 1
        iargs[ring.length_iarg] = R
        if sk.delay_steps_iarg is not None:
            iargs[sk.delay_steps_iarg] = int(steps)
        arrays[ring.spikes_slot], arrays[ring.step_slot], arrays[ring.count_slot] = _ring(
            syn, own, sk.n_pre, R, K)
    if sk.columns is not None:
        arrays[sk.columns.start_slot], arrays[sk.columns.synapse_slot] = _columns(syn)
    if sk.bitmask_slot is not None:
        arrays[sk.bitmask_slot] = bitmask_of(syn)


#: Connections at least this dense, with no pair twice, may be delivered on a GPU by a
#: thread per target testing one bit per pair (GeNN's bitmask): at 1/16 the bits take
#: half the bytes of the rows' indices and each spike reads n_post/8 bytes, not rows of
#: 4-byte indices and atomic additions.
BITMASK_DENSITY = 1 / 16


def _bitmask_cached(syn) -> dict:
    """What bitmask_ok and bitmask_of found for the synapses as they are (both kept until
    the synapses change: a run would otherwise rebuild the bits, and upload them anew)."""
    # (derived from the connectivity: emptied whenever it changes or is restored)
    return syn.state.derived.setdefault("bitmask", {})


def bitmask_ok(syn) -> bool:
    """Dense enough for a bitmask (BITMASK_DENSITY), and no pair twice (rows sorted by
    postsynaptic index, as the connect rules make them)."""
    cached = _bitmask_cached(syn)
    if "ok" not in cached:
        col = syn.state.col
        ok = (col is not None and syn.n > 0
              and syn.n >= BITMASK_DENSITY * syn.n_pre * syn.n_post)
        if ok:
            ok = _rows_strictly_increasing(syn.state.row, col)
        cached["ok"] = ok
    return cached["ok"]


def _rows_strictly_increasing(row: np.ndarray, col: np.ndarray) -> bool:
    """Whether every row's postsynaptic indices increase strictly (no pair twice), read in
    blocks: a temporary of every synapse's pair number took 24 bytes per synapse."""
    starts = np.zeros(col.size + 1, dtype=bool)
    starts[row] = True                       # where a row starts: no step to compare
    block = 1 << 22
    for lo in range(0, max(col.size - 1, 0), block):
        hi = min(col.size, lo + block + 1)
        rising = np.diff(col[lo:hi].astype(np.int32)) > 0     # (2-byte indices would wrap)
        if not (rising | starts[lo + 1:hi]).all():
            return False
    return True


def bitmask_of(syn) -> np.ndarray:
    """Bit j % 32 of word i * ceil(n_post / 32) + j // 32 is set if i -> j (no pair may
    be there twice: see bitmask_ok)."""
    cached = _bitmask_cached(syn)
    if "mask" not in cached:
        cached["mask"] = _bitmask(syn)
    return cached["mask"]


def _bitmask(syn) -> np.ndarray:
    words = (syn.n_post + 31) // 32
    i = syn.pre_index().astype(np.int64)
    j = syn.post_index().astype(np.int64)
    word = i * words + (j >> 5)                     # sorted, as the pairs are
    bits = np.left_shift(np.uint32(1), (j & 31).astype(np.uint32))
    mask = np.zeros(syn.n_pre * words, dtype=np.uint32)
    if word.size:
        starts = np.flatnonzero(np.r_[True, np.diff(word) != 0])
        mask[word[starts]] = np.bitwise_or.reduceat(bits, starts)
    return mask


def _columns(syn):
    """Synapses by postsynaptic neuron, for on_post: (column pointers, synapse numbers)."""
    cached = syn.state.derived.get("columns")
    if cached is not None:
        return cached
    j = syn.post_index()
    order = np.argsort(j, kind="stable").astype(np.int32)
    colptr = np.zeros(syn.n_post + 1, dtype=np.int64)
    np.cumsum(np.bincount(j, minlength=syn.n_post), out=colptr[1:])
    syn.state.derived["columns"] = (colptr, order)
    return colptr, order


class _PathwayState:
    """A further pathway's delay and ring (a dict of the state table) as attributes."""

    def __init__(self, entry: dict):
        self.__dict__["entry"] = entry

    def __getattr__(self, name: str):
        return self.entry[name]

    def __setattr__(self, name: str, value) -> None:
        self.entry[name] = value


def _ring(syn, own, n_pre: int, R: int, K: int = 1):
    """(hist K x (R x n_pre), stamps K x R, counts K x R), one ring per instance, kept in
    ``own`` (the state of ``syn`` or of a pathway); re-laid out if R changed."""
    old = own.ring
    if old is not None and old[1].shape == (K, R):
        return old
    try:
        hist = np.zeros((K, R * n_pre), dtype=np.int32)
        stamp = np.full((K, R), -1, dtype=np.int64)
        count = np.zeros((K, R), dtype=np.int32)
    except (MemoryError, ValueError):
        raise ModelError(f"the longest delay, {synapse_delays.longest(own.delay)!r} ms, is {R - 1} "
                         "steps: the "
                         f"spikes in flight would need {K * R * (n_pre + 3) * 4 / 2**30:.3g} "
                         "GiB; use a shorter delay or a larger dt",
                         where=f"Synapses '{syn.name}'", symbol="delay") from None
    if old is not None:
        # keep the newest R steps of spikes in flight, each in the slot of its stamp
        o_hist, o_stamp, o_count = (a.reshape(K, -1) for a in old)
        for b in range(K):
            for k in np.argsort(o_stamp[b])[-R:]:
                e = int(o_stamp[b, k])
                if e < 0:
                    continue
                slot = e % R
                hist[b, slot * n_pre:(slot + 1) * n_pre] = \
                    o_hist[b, k * n_pre:(k + 1) * n_pre]
                stamp[b, slot], count[b, slot] = e, o_count[b, k]
    own.ring = (hist, stamp, count)
    return own.ring


def environment(syn, b=None, names=None):
    """Values an expression for a synaptic value may use (instance b's values in a
    batch); ``names``: only those (an expression's), so that a value such as
    ``"rand()"`` for 10^8 synapses gathers no index or neuron variable it does not read."""
    def row(value):
        return value[b] if b is not None and np.ndim(value) == 2 else value

    def wanted(name):
        return names is None or name in names
    pairs = {alias: pair for alias, pair in aliases(
        neuron_variables(syn.source), neuron_variables(syn.target)).items()
        if wanted(alias) and alias not in ("i", "j", "t", "dt")
        and alias not in syn.variables and alias not in syn.param_names}
    sides = {pair[0] for pair in pairs.values()}
    env = {"t": np.float64(syn.network.t if syn.network else 0.0),
           "dt": np.float64(syn.network.dt if syn.network else np.nan)}
    if wanted("i") or "pre" in sides:
        env["i"] = syn.pre_index()
    if wanted("j") or "post" in sides:
        env["j"] = syn.post_index()
    for v in syn.variables:
        if wanted(v):
            env[v] = row(syn.state.variables[v])
    for p in syn.param_names:
        if wanted(p):
            env[p] = row(syn.state.value(p))
    for alias, (side, var, _) in pairs.items():   # (synaptic names come first)
        g, start, idx = ((syn.source, syn.pre_range[0], env["i"]) if side == "pre" else
                         (syn.target, syn.post_range[0], env["j"]))
        values = row(getattr(g, var))
        env[alias] = np.broadcast_to(values, (g.N,))[start + idx]
    return env


def evaluate_value(syn, name: str, text, shared: bool = False) -> np.ndarray:
    """A string value: an expression over i, j, synaptic and neuron variables, or a
    distribution (pyspike/distributions.py; a delay's: StepDelays); one row per instance
    in a batch (``shared``: instance 0's only, as for delays)."""
    batched = len(syn.shape) == 2
    instances = 1 if shared or not batched else syn.network.K
    if isinstance(text, Distribution):     # (a variable's drawn in place: state.assign)
        values = distributions.draw(text, name, f"Synapses '{syn.name}'", syn.network, syn.n,
                                    instances if batched and not shared else 0,
                                    streams.synapse_init(syn.index, 0), **_drawn(syn, name),
                                    into=syn.state.variables.get(name))
        dt = syn.network.dt
        return synapse_delays.StepDelays(values, dt, *synapse_delays.decimal_of(dt)) \
            if name == "delay" else values
    expr, ctx = parse_value(syn, name, text)
    for p in syn.param_names:
        if syn.state.value(p) is None and symbol(p) in expr.free_symbols:
            raise ctx.error(f"the parameter '{p}' has no value yet", None, p)
    expr, draws = batching.init_draws(expr, ctx, syn.network)
    used = {str(s) for s in expr.free_symbols}
    elem = np.arange(syn.n, dtype=np.uint32)
    rows = []
    for b in range(instances):
        env = environment(syn, b if batched else None, used)
        if draws:                    # (then the synapses have a network and an index)
            batching.draw_into(env, draws, syn.network, b, elem,
                               functools.partial(streams.synapse_init, syn.index))
        with np.errstate(all="ignore"):          # NaN is reported below instead
            rows.append(np.broadcast_to(evaluate(expr, env), (syn.n,)).astype(float))
    return checks.reals(np.stack(rows) if batched and not shared else rows[0],
                        f"the value {text!r} of '{name}'", f"Synapses '{syn.name}'")


def _drawn(syn, name: str) -> dict:
    """How a distribution is drawn for ``name``: its dimension; delays in ms, >= 0, and
    rounded to whole steps of dt."""
    if name != "delay":
        return {"dim": syn.dims.get(name)}
    return {"unit": "ms", "least": 0.0, "dt": syn.network.dt if syn.network else 0.0}


def parse_value(syn, name: str, text):
    """The expression ``text`` given as the value of ``name`` of synapses ``syn``, and
    its context (a distribution: checked, and None)."""
    if isinstance(text, Distribution):
        args = {k: v for k, v in _drawn(syn, name).items() if k != "dt"}
        return distributions.numbers(text, name, f"Synapses '{syn.name}'", **args), None
    ctx = Context(where=f"the value of '{name}' in Synapses '{syn.name}'", line=text,
                  lineno=1)
    return parse_expression(text, syn.value_names(), ctx), ctx
