"""Kernel IR -> C++ source, through the Jinja templates in ``templates/``.

Python decides every statement, its type and its order (printed here with
:class:`CPrinter`); the templates only lay them out in loops and blocks.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", params=("tau",))
>>> src = render_cpp(build_network(NetworkSpec(groups=(g,))))
>>> "pyspike_run" in src
True
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, List, Optional

import jinja2
import sympy as sp

from . import linked, render_events, render_operations
from .contexts import GroupContext, OperationContext
from .ir import (SPIKE, Array, Assign, Draw, GroupKernel, NetworkKernel, RateMonitorIR,
                 StateMonitorIR)
from .layout import c_string
from .printing import CPrinter, c_name, draw_line
from .render_synapses import synapses_context

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Neurons per block of the fused update loop: the block's state stays in L1.  A multiple
#: of 64, where the normals' fills start (csrc/pyspike/philox.h, ps_randn_fill_*).
BLOCK = 256
assert BLOCK % 64 == 0

_CTYPES = {"real": "real_t", "int64": "int64_t", "int32": "int32_t", "uint16": "uint16_t",
           "uint8": "uint8_t",
           "bool": "bool"}


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The Jinja environment shared by all targets, one per process: it keeps each
    template compiled to Python (a new environment compiled the templates at every render,
    more time than the rest of a network's generation; Jinja still reloads a template
    whose file changed)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def render_cpp(net: NetworkKernel) -> str:
    """The complete C++ translation unit of a network."""
    printer = CPrinter(net.real)
    operations = operation_contexts(net, printer)
    groups = [group_context(g, printer, net.real, operations, paired=True)
              for g in net.groups]
    synapses = [synapses_context(s, net, printer) for s in net.synapses]
    checks = [{"fill": m.fill, "capacity": m.capacity, "N": g.N}
              for g in net.groups for m in g.spike_monitors]
    checks += [c for g in net.groups for c in render_events.capacity_checks(g)]
    return environment().get_template("cpp/network.cpp.j2").render(
        real=net.real, block=BLOCK, groups=groups, split_pathways=True,
        synapses=synapses, capacity_checks=checks,
        pair_fills=any(g.draw_blocks for g in groups), schedule=schedule_context(net),
        syn_operations=render_operations.syn_operation_contexts(net, printer),
        **instances(net))


def instances(net: NetworkKernel) -> Dict[str, int]:
    """Where a batch's instances find their parts of the arrays (see pyspike.runtime)."""
    return {"batch": net.spec.batch, "n_iargs": net.n_iargs, "n_slots": net.n_slots,
            "n_rargs": len(net.manifest.reals), "manifest": c_string(net.manifest.to_json())}


def schedule_context(net: NetworkKernel) -> List[dict]:
    """The calls of a step in order (codegen/schedule.py), with the operations' names."""
    return [{"kind": c.kind, "owner": c.owner, "number": c.number,
             "name": net.operations[c.number].name if c.kind == "operation" else None}
            for c in net.schedule]


def pointer(name: str) -> str:
    return "p_" + c_name(name)


def _array(a: Array) -> Dict[str, str]:
    return {"ptr": pointer(a.name), "ctype": _CTYPES[a.ctype], "slot": a.slot}


def _load(name: str, k: GroupKernel, written: List[str]) -> str:
    a = k.arrays[name]
    source = _linked(k, name)                  # another group's array (never written)
    if source is not None:
        return f"const real_t {c_name(name)} = {source};"
    const = "" if name in written else "const "
    # the last spike's step is int32 in memory (see StepBound for the refractory test)
    ctype = {"not_refractory": "bool", "lastspike": "int32_t"}.get(a.role, _CTYPES[a.ctype])
    return f"{const}{ctype} {c_name(name)} = {pointer(name)}[i];"


def _store(name: str, k: GroupKernel) -> str:
    cast = {"not_refractory": "(uint8_t)", "lastspike": "(int32_t)"}.get(k.arrays[name].role, "")
    return f"{pointer(name)}[i] = {cast}{c_name(name)};"


def _assign(a: Assign, printer: CPrinter, *, const: bool = True) -> str:
    code = printer.doprint(a.expr)
    name = c_name(a.target.name)
    if not a.declare:
        return f"{name} = {code};"
    ctype = _CTYPES[a.ctype]
    return f"{'const ' if const else ''}{ctype} {name} = {code};"


def element(k: GroupKernel, index: str) -> str:
    """The element of the draws of group ``k``'s neuron ``index`` (a C expression): the
    neuron's index in the whole group, ``index + first`` for a block of a group split
    over ranks; ``index`` itself when first is 0, so that the sources of every other
    group stay as they were."""
    return f"({index} + {k.first})" if k.first else index


def _draw(d: Draw, k: GroupKernel, real: str) -> str:
    return draw_line(d.symbol.name, d.kind, d.stream, real, element(k, "i"))


def _draws(k: GroupKernel, real: str, paired: bool) -> dict:
    """The draw statements of the update.  ``paired``: in the C++ update loop (blocks of
    BLOCK neurons) they read buffers filled before the loop (``draw_blocks``), two
    uniforms or four normals per Philox block: the same numbers as one draw per neuron,
    for a half or a quarter of the blocks."""
    if not paired:
        return {"draw_blocks": [], "draws": [_draw(d, k, real) for d in k.update.draws]}
    suffix = "f32" if real == "float" else "f64"
    blocks = []

    def buffered(d: Draw) -> str:
        buf = f"_rb{len(blocks)}"
        fn = {"uniform": "ps_rand_pairs", "normal": "ps_randn_fill"}[d.kind]
        blocks.append({"buf": buf, "fill": (
            f"{fn}_{suffix}(seed, (uint64_t)step, (uint32_t){element(k, 'b0')}, "
            f"{d.stream}u, b1 - b0, {buf});")})
        return f"const real_t {c_name(d.symbol.name)} = {buf}[i - b0];"
    return {"draw_blocks": blocks, "draws": [buffered(d) for d in k.update.draws]}


def group_context(k: GroupKernel, printer: CPrinter, real: str,
                  operations: List[OperationContext], paired: bool = False) -> GroupContext:
    """The record the templates lay a group out from (``operations``: the network's, of
    which the group's own are kept; ``paired``: the C++ loop's block draws)."""
    arrays = [_array(a) for a in k.arrays.values()] + [_array(a) for _, a in k.run_arrays]
    run_array_loads = sorted({s.name for assign, _ in k.run_arrays
                              for s in assign.expr.free_symbols if s.name in k.arrays})
    update, reset = k.update, k.reset
    used = set(update.loads + update.stores + k.on_spike.loads + k.on_spike.stores)
    used |= {linked.index_name(n) for n in used} & set(k.arrays)
    exprs = [a.expr for a in update.code + k.on_spike.code]
    read = {s.name for e in exprs for s in e.free_symbols}
    read |= {v for m in k.state_monitors if m.synapses is None for v in m.variables}
    locals_ = ([{"name": c_name(a.target.name), "ctype": _CTYPES[a.ctype],
                 "used": a.target.name in read} for a in k.run_scalars]
               + [{"name": c_name(n), "ctype": "real_t", "used": n in read} for n in k.shared])
    step_arrays = [_array(a) for a in k.arrays.values() if a.name in used] + \
        [_array(a) for _, a in k.run_arrays]
    extra = []
    if k.spike_list is not None:
        extra.append({"ptr": "p_spikes", "ctype": "int32_t", "slot": k.spike_list.slot})
    if k.generator is not None:
        extra += [{"ptr": "p_gen_step", "ctype": "int64_t", "slot": k.generator.step_slot},
                  {"ptr": "p_gen_index", "ctype": "int32_t",
                   "slot": k.generator.index_slot}]
    arrays += extra + render_events.event_pointers(k)
    step_arrays += extra
    return GroupContext(**{
        "index": k.index,
        "N": k.N,
        "name": k.name,
        "has_threshold": k.threshold is not None,
        "operations": [op for op in operations if op.group == k.index],
        "spike_list": k.spike_list is not None,
        "timed": [{"name": c_name(ta.name), "slot": ta.slot, "n_iarg": ta.n_iarg,
                   "m_iarg": ta.m_iarg, "rarg": ta.rarg} for ta in k.timed],
        "spike_count": k.spike_list.count if k.spike_list is not None else None,
        "generator": k.generator,
        "arrays": arrays,
        "step_arrays": step_arrays,
        "shared": [{"name": c_name(n), "rarg": r} for n, r in k.shared.items()],
        "run_scalars": [{"name": c_name(a.target.name), "code": _cast(a, printer)}
                        for a in k.run_scalars],
        "run_arrays": [{"ptr": pointer(arr.name), "code": printer.doprint(assign.expr),
                        "loads": [_load(n, k, []) for n in run_array_loads],
                        "locals": [v for v in locals_ if v["name"] in
                                   {c_name(s.name) for s in assign.expr.free_symbols}]}
                       for assign, arr in k.run_arrays],
        "locals": locals_,
        "step_locals": [v for v in locals_ if v["used"]],
        "loads": [_load(n, k, update.stores) for n in update.loads]
                 + [f"const real_t {c_name(a.target.name)} = {pointer(arr.name)}[i];"
                    for a, arr in k.run_arrays],
        **_draws(k, real, paired),
        "compute": [_assign(a, printer) for a in update.code],
        "stores": [_store(n, k) for n in update.stores],
        # the spike statement's local, which the flag of the neuron keeps
        "spike": None if k.threshold is None else c_name(SPIKE.name),
        "on_spike": _block_lines(k.on_spike, k, printer, real),
        "reset": _block_lines(reset, k, printer, real),
        "state_monitors": [{
            "every": m.every, "fill": m.fill, "stride": m.stride, "n_record": m.n_record,
            "index_ptr": f"p_smon{m.index}_idx", "index_slot": m.index_slot,
            "vars": [_recorded(m, n, var, slot, k) for n, (var, slot) in
                     enumerate(zip(m.variables, m.buffer_slots))],
        } for m in k.state_monitors],
        "spike_monitors": [{"i_ptr": f"p_spmon{m.index}_i", "i_slot": m.i_slot,
                            "step_ptr": f"p_spmon{m.index}_step", "step_slot": m.step_slot,
                            "fill": m.fill, "vars": [
                                {"buf": f"p_spmon{m.index}_{n}", "slot": slot,
                                 "local": f"_spmon{m.index}_{n}", **_value(k, var)}
                                for n, (var, slot) in enumerate(zip(m.variables,
                                                                    m.value_slots))]}
                           for m in k.spike_monitors],
        "rate_monitors": [_rate_monitor(m) for m in k.rate_monitors],
        "events": render_events.event_contexts(k, printer, (_load, _assign, _store, _value)),
    })


def _block_lines(block, k: GroupKernel, printer: CPrinter, real: str) -> List[str]:
    """A block of statements on spiking neuron i: loads, draws, statements, stores."""
    return ([_load(n, k, block.stores) for n in block.loads]
            + [f"const real_t {c_name(a.target.name)} = {pointer(arr.name)}[i];"
               for a, arr in k.run_arrays if _uses(block.code, a.target)]
            + [_draw(d, k, real) for d in block.draws]
            + [_assign(a, printer) for a in block.code]
            + [_store(n, k) for n in block.stores])


def operation_contexts(net: NetworkKernel, printer: CPrinter) -> List[OperationContext]:
    """The Operation kernels, in the order they run (their groups' structs hold them)."""
    out = []
    for op in net.operations:
        k = net.groups[op.group]
        out.append(OperationContext(
            op.name, op.group, k.N, op.every, op.when,
            [_load(n, k, op.body.stores) for n in op.body.loads]
            + [_draw(d, k, net.real) for d in op.body.draws]
            + [_assign(a, printer) for a in op.body.code]
            + [_store(n, k) for n in op.body.stores]))
    return out


def _recorded(m: StateMonitorIR, n: int, var: str, slot: int, k: GroupKernel) -> dict:
    """Variable ``n`` of state monitor ``m`` of group ``k``: a per-neuron array, a shared
    value, or a Synapses' array (``src_slot``, a pointer of the group's own)."""
    ctx = {"buf": f"p_smon{m.index}_{n}", "slot": slot, "src_slot": None, **_value(k, var)}
    if m.synapses is not None:
        ctx.update(per_neuron=True, source=f"p_smon{m.index}_src{n}",
                   src_slot=m.source_slots[n])
    return ctx


def _linked(k: GroupKernel, name: str) -> Optional[str]:
    """Neuron i's value of ``name`` if it is a linked variable read from its source's
    array (codegen/linked.py), else None."""
    a = k.arrays.get(name)
    if a is None or not linked.is_linked(a):
        return None
    if a.role == linked.ROLES["one"]:
        return f"{pointer(name)}[0]"
    if a.role == linked.ROLES["index"]:
        return f"{pointer(name)}[{pointer(linked.index_name(name))}[i]]"
    return f"{pointer(name)}[i]"


def _value(k: GroupKernel, var: str) -> dict:
    """Where a monitor finds neuron i's value of ``var``: ``source[i]`` (per_neuron), or
    the expression ``source`` (a shared value; a linked variable's read)."""
    read = _linked(k, var)
    if read is not None:
        return {"per_neuron": False, "source": read}
    return {"per_neuron": var in k.arrays,
            "source": pointer(var) if var in k.arrays else c_name(var)}


def _rate_monitor(m: RateMonitorIR) -> dict:
    """A rate monitor over part of a group counts its own spikes; over the whole group
    it takes the group's count."""
    ctx = {"ptr": f"p_rmon{m.index}", "slot": m.slot, "fill": m.fill,
           "ranged": m.neurons is not None, "count": "n_spikes"}
    if m.neurons is not None:
        ctx.update(start=m.neurons[0], stop=m.neurons[1], count=f"n_rmon{m.index}")
    return ctx


def _cast(a: Assign, printer: CPrinter) -> str:
    code = printer.doprint(a.expr)
    return f"(int64_t)({code})" if a.ctype == "int64" else code


def _uses(stmts: List[Assign], sym: sp.Symbol) -> bool:
    return any(sym in a.expr.free_symbols for a in stmts)
