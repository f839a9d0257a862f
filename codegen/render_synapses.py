"""The template context of one Synapses object: pointers, scalars and event statements.

Python writes every statement of a synaptic event here; ``templates/cpp/synapses.j2``
only places them in the loops over spikes, ring slots and rows.
"""
from __future__ import annotations

from typing import FrozenSet, List, Optional, Set, Tuple

from .contexts import PathContext, SynapsesContext
from .events import source_list
from .ir import Access, Assign, Draw, NetworkKernel, Pathway, SynapsesKernel
from .layout import column_type
from .printing import CPrinter, c_name, draw_line
from .synaptic import POST_INDEX, PRE_INDEX, uses_index

_TITLES = {"pre": "on_pre", "post": "on_post", "clock": "clock_driven", "summed": "summed"}


def access_pointer(a: Access) -> str:
    """The C pointer of an array a synapse reads: its own (p_w) or a group's (p_post_ge)."""
    prefix = {"syn": "p_", "kernel": "p_", "pre": "p_pre_", "post": "p_post_"}[a.where]
    return prefix + c_name(a.name)


def _index(a: Access) -> str:
    return {"syn": "_s", "kernel": "p_kernel_index[_s]", "pre": "PRE0 + _i",
            "post": "POST0 + _j"}[a.where]


def _statement(a: Assign, printer: CPrinter) -> str:
    code = printer.doprint(a.expr)
    if a.declare:
        return f"const real_t {c_name(a.target.name)} = {code};"
    return f"{c_name(a.target.name)} {a.op} {code};"


def _draw(d: Draw, real: str) -> str:
    return draw_line(d.symbol.name, d.kind, d.stream, real, "_s")


def event_lines(path: Pathway, k: SynapsesKernel, printer: CPrinter, real: str,
                 accumulate: FrozenSet[Tuple[str, str]] = frozenset()) -> List[str]:
    """The statements of one event.  Neuron variables in ``accumulate`` (as (where, name))
    are only ever added to: on the GPU such a ``+=`` becomes one atomicAdd."""
    lines = []
    for sym, name in ((PRE_INDEX, "_i"), (POST_INDEX, "_j")):
        if uses_index(path, sym):
            lines.append(f"const real_t {sym.name} = (real_t){name};")
    # References, not copies: two names of one neuron variable (ge and ge_post, or v_pre
    # and v_post of an autapse) then see each other's writes at once.
    for name in path.loads:
        a = k.access[name]
        if (a.where, a.name) in accumulate:
            continue
        const = "" if name in path.stores else "const "
        ctype = {"uint8": "uint8_t"}.get(a.ctype, "real_t")     # (a refractory flag)
        lines.append(f"{const}{ctype}& {c_name(name)} = {access_pointer(a)}[{_index(a)}];")
    lines += [_draw(d, real) for d in path.draws]
    for st in path.code:
        a = k.access.get(st.target.name)
        if st.declare or a is None or (a.where, a.name) not in accumulate:
            lines.append(_statement(st, printer))
            continue
        sign = "-" if st.op == "-=" else ""
        lines.append(f"atomicAdd(&{access_pointer(a)}[{_index(a)}], "
                     f"{sign}(real_t)({printer.doprint(st.expr)}));")
    return lines


def synapses_context(k: SynapsesKernel, net: NetworkKernel,
                     printer: CPrinter) -> SynapsesContext:
    """What ``cpp/synapses.j2`` needs to lay out one Synapses object."""
    pre = net.groups[k.pre]
    post = None if k.post_synapses else net.groups[k.post]     # (synapses fire no spikes)
    arrays = [{"ptr": "p_row", "ctype": "int64_t", "slot": k.row_slot}]
    if k.col_slot is not None:
        arrays.append({"ptr": "p_col", "ctype": f"{column_type(k.n_post)}_t",
                       "slot": k.col_slot})
    spikes = source_list(k, pre)              # its spikes, or a custom event's neurons
    arrays.append({"ptr": "p_pre_spikes", "ctype": "int32_t", "slot": spikes.slot})
    if post is not None:
        arrays.append({"ptr": "p_post_spikes", "ctype": "int32_t",
                       "slot": post.spike_list.slot})
    if k.ring is not None:
        arrays += [{"ptr": "p_hist", "ctype": "int32_t", "slot": k.ring.spikes_slot},
                   {"ptr": "p_hstamp", "ctype": "int64_t", "slot": k.ring.step_slot},
                   {"ptr": "p_hcount", "ctype": "int32_t", "slot": k.ring.count_slot}]
    if k.delay_order is not None:
        arrays += [{"ptr": "p_order", "ctype": "uint16_t" if k.delay_order.in_row else
                    "int32_t", "slot": k.delay_order.order_slot},
                   {"ptr": "p_doff", "ctype": "int32_t", "slot": k.delay_order.start_slot}]
    if k.columns is not None:
        arrays += [{"ptr": "p_colptr", "ctype": "int64_t", "slot": k.columns.start_slot},
                   {"ptr": "p_colsyn", "ctype": "int32_t", "slot": k.columns.synapse_slot}]
    if k.bitmask_slot is not None:
        arrays.append({"ptr": "p_bitmask", "ctype": "uint32_t", "slot": k.bitmask_slot})
    if k.kernel is not None:
        arrays.append({"ptr": "p_kernel_index", "ctype": "int32_t", "slot": k.kernel.slot})
    seen = set()
    scalars = []
    for name, a in k.access.items():
        if a.where == "scalar":
            scalars.append({"name": c_name(name), "rarg": a.rarg})
            continue
        ptr = access_pointer(a)
        if ptr not in seen:
            seen.add(ptr)
            arrays.append({"ptr": ptr, "ctype": {"uint8": "uint8_t"}.get(a.ctype, "real_t"),
                           "slot": a.slot})
    paths = {}
    for path in k.paths():
        paths[path.kind] = PathContext(_TITLES[path.kind], _TITLES[path.kind],
                                       event_lines(path, k, printer, net.real),
                                       split=splittable(path, k))
    zero = summed_inits(k)
    # per-synapse arrays on_post reads: prefetched for the columns of coming spikes
    column = _synapse_arrays(k, k.post_path)
    arrays = [dict(a, column=a["ptr"] in column) for a in arrays]
    return SynapsesContext(**{
        "index": k.index, "n_pre": k.n_pre, "n_post": k.n_post,
        "pre_start": k.pre_start, "post_start": k.post_start,
        "arrays": arrays, "scalars": scalars, "dense": k.dense, "delay": k.delay,
        "order_in_row": k.delay_order is not None and k.delay_order.in_row,
        # a ring of one slot and no delay when on_pre has none
        "ring_length": "1" if k.ring is None else f"iargs[{k.ring.length_iarg}]",
        "delay_steps": "0" if k.delay_steps_iarg is None else f"iargs[{k.delay_steps_iarg}]",
        "pre_count": spikes.count,
        "post_count": None if post is None else post.spike_list.count,
        "pre_path": paths.get("pre"), "post_path": paths.get("post"),
        "clock_path": paths.get("clock"), "summed_path": paths.get("summed"),
        "summed_zero": zero,
        # per-synapse arrays on_pre reads: prefetched with the rows of coming spikes
        "row_arrays": sorted(_synapse_arrays(k, k.pre_path)),
    })


def splittable(path: Pathway, k: SynapsesKernel) -> bool:
    """Whether threads may share a pathway's events by postsynaptic neuron (or, for
    clock-driven equations, by row) with the serial results: sparse synapses (a dense
    row's loop may be vectorised, its libmvec functions then rounding by position), a
    pathway that writes only its synapse's variables and its postsynaptic neuron's, and
    reads no presynaptic array it writes (an autapse's v_pre and v_post are one array).
    Else thread 0 runs it."""
    if k.dense:
        return False
    stores = [k.access[n] for n in path.stores if n in k.access]
    if any(a.where not in ("syn", "post") for a in stores):
        return False
    if path.kind == "clock" and any(a.where != "syn" for a in stores):
        return False
    written = {a.slot for a in stores if a.where == "post"}
    return not any(k.access[n].where == "pre" and k.access[n].slot in written
                   for n in path.loads if n in k.access)


def summed_inits(k: SynapsesKernel) -> List[dict]:
    """Each (summed) target's pointer and the value it starts each step from: 0, or
    -INFINITY for a (max) one (whose targets no synapse reached are set to 0 after)."""
    return [{"ptr": access_pointer(k.access[a.target.name]), "max": a.op == "=",
             "init": "-INFINITY" if a.op == "=" else "0"}
            for a in (k.summed_path.code if k.summed_path else [])]


def _synapse_arrays(k: SynapsesKernel, path: Optional[Pathway]) -> Set[str]:
    """The pointers of the per-synapse arrays a pathway's events read."""
    return {access_pointer(k.access[n]) for n in (path.loads if path else [])
            if k.access[n].where == "syn"}
