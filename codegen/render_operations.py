"""The template context of a Synapses' run_regularly (codegen/synaptic_operations.py):
its pointers, scalars and lines.  Python writes every statement here;
``templates/cpp/syn_operation.j2`` (and the CUDA kernels built on it) only place them in
the loops over the synapses.

The lines of one synapse read its synaptic variables through references to its elements,
its neurons' variables and the sums through constants; a sum's term is added to its
postsynaptic neuron's entry, or to the one accumulator of a sum over all the synapses
(``atomic``: with the atomic additions of a GPU's threads).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from .ir import Access, NetworkKernel
from .layout import column_type
from .printing import CPrinter, c_name, draw_line
from .synaptic import POST_INDEX, PRE_INDEX
from .synaptic_operations import Sum, SynapticOperation

_POINTER = {"syn": "p_", "pre": "p_pre_", "post": "p_post_", "sum_post": "p_sum_",
            "sum_all": "p_sum_"}
_INDEX = {"syn": "_s", "pre": "PRE0 + _i", "post": "POST0 + _j", "sum_post": "_j",
          "sum_all": "0"}


@dataclass(frozen=True)
class SynOperationContext:
    """One operation: ``SynOp<index>`` in the source (its struct, its CUDA kernel)."""
    index: int
    synapses: int
    n_pre: int
    n_post: int
    pre_start: int
    post_start: int
    dense: bool
    every: int
    active: int                # rargs entry of its ``active``
    arrays: List[dict]         # ptr, ctype, slot: every array it reads or writes
    scalars: List[dict]        # name, rarg
    post_sums: List[str]       # the buffers of the sums per postsynaptic neuron
    all_sums: List[dict]       # ptr, acc: the buffers of the sums over all, accumulators
    post_lines: List[str]      # one synapse's terms of the sums per postsynaptic neuron
    post_atomic: List[str]     # ... as atomic additions (a GPU's thread per synapse)
    all_lines: List[str]       # one synapse's terms of the sums over all, into the acc
    all_atomic: List[str]      # ... as atomic additions into the buffers
    body: List[str]            # one synapse's statements
    sum_mode: str = "target"   # CUDA: "target" (a thread per postsynaptic neuron walks
                               # its column: sums in the C++ order) or "atomic"
    cuda: bool = False         # the CUDA source: no host loop (run)
    ahead: List[str] = ()      # C++: the lines adding synapse _s's terms of the next
                               # invocation's sums (SynapticOperation.ahead), after its
                               # statements, into the arrays _nxt<k>


def _pointer(a: Access) -> str:
    return _POINTER[a.where] + c_name(a.name)


def _loads(op: SynapticOperation, names: List[str], stores: List[str], code) -> List[str]:
    lines = []
    for sym, var in ((PRE_INDEX, "_i"), (POST_INDEX, "_j")):
        if any(sym in x.free_symbols for x in code):
            lines.append(f"const real_t {sym.name} = (real_t){var};")
    for name in names:
        a = op.access[name]
        ref = f"{_pointer(a)}[{_INDEX[a.where]}]"
        if a.where == "syn" and name in stores:
            lines.append(f"real_t& {c_name(name)} = {ref};")
        elif a.where == "syn":
            lines.append(f"const real_t& {c_name(name)} = {ref};")
        else:
            lines.append(f"const real_t {c_name(name)} = {ref};")
    return lines


def _terms(op: SynapticOperation, over: str, printer: CPrinter, form: str) -> List[str]:
    """One synapse's terms of the sums ``over`` ("post" or "all"), each line ``form``
    filled with the sum's buffer (ptr), accumulator (acc) and term."""
    sums: List[Sum] = [x for x in op.sums if x.over == over]
    if not sums:
        return []
    exprs = [x.expr for x in sums]
    used = {s.name for e in exprs for s in e.free_symbols}
    lines = _loads(op, [n for n in op.sum_loads if n in used], [], exprs)
    for k, x in enumerate(sums):
        lines.append(form.format(ptr=_pointer(op.access[x.name]), acc=f"_acc{k}",
                                 term=printer.doprint(x.expr)))
    return lines


def operation_context(op: SynapticOperation, index: int, net: NetworkKernel,
                      printer: CPrinter, sum_mode: Optional[str] = None
                      ) -> SynOperationContext:
    """What the templates need to lay out ``op``, the network's operation ``index``."""
    sk = net.synapses[op.synapses]
    arrays = [{"ptr": "p_row", "ctype": "int64_t", "slot": sk.row_slot}]
    if sk.col_slot is not None:
        arrays.append({"ptr": "p_col", "ctype": f"{column_type(sk.n_post)}_t",
                       "slot": sk.col_slot})
    scalars, seen = [], set()
    for name, a in op.access.items():
        if a.where == "scalar":
            scalars.append({"name": c_name(name), "rarg": a.rarg})
        elif _pointer(a) not in seen:
            seen.add(_pointer(a))
            arrays.append({"ptr": _pointer(a), "ctype": "real_t", "slot": a.slot})
    body = _loads(op, op.body.loads, op.body.stores, [a.expr for a in op.body.code])
    body += [draw_line(d.symbol.name, d.kind, d.stream, net.real, "_s")
             for d in op.body.draws]
    body += [f"{c_name(a.target.name)} = {printer.doprint(a.expr)};" for a in op.body.code]
    alls = [x for x in op.sums if x.over == "all"]
    ahead = []
    if op.ahead:
        exprs = [x.expr for x in op.sums]
        used = {s.name for e in exprs for s in e.free_symbols}
        ahead = _loads(op, [n for n in op.sum_loads if n in used and n not in op.body.loads],
                       [], exprs)
        ahead += [f"_nxt{k}[_j] += {printer.doprint(x.expr)};" for k, x in enumerate(op.sums)]
    return SynOperationContext(
        index, op.synapses, sk.n_pre, sk.n_post, sk.pre_start, sk.post_start, sk.dense,
        op.every, op.active, arrays, scalars,
        [_pointer(op.access[x.name]) for x in op.sums if x.over == "post"],
        [{"ptr": _pointer(op.access[x.name]), "acc": f"_acc{k}"} for k, x in enumerate(alls)],
        _terms(op, "post", printer, "{ptr}[_j] += {term};"),
        _terms(op, "post", printer, "atomicAdd(&{ptr}[_j], (real_t)({term}));"),
        _terms(op, "all", printer, "{acc} += {term};"),
        _terms(op, "all", printer, "atomicAdd(&{ptr}[0], (real_t)({term}));"),
        body, sum_mode or "target", ahead=ahead)


def syn_operation_contexts(net: NetworkKernel, printer: CPrinter,
                       modes: Optional[Dict[int, str]] = None) -> List[SynOperationContext]:
    """Every operation's context, in the network's order (``modes``: CUDA's sum modes)."""
    return [operation_context(op, n, net, printer, (modes or {}).get(n))
            for n, op in enumerate(net.syn_operations)]
