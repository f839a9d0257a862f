"""The lines of a group's event kernels (codegen/events.py), the same for C++ and CUDA:
a serial walk over the neurons in order, so that each event's list is ascending (the
synapses that read it sum in a fixed order) and its monitors record in neuron order.

Python writes every line here; the templates place them in a member function of the
group's struct (``event<k>``) and, on the GPU, in a one-thread kernel per instance.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Tuple

from .ir import EventIR, GroupKernel
from .printing import CPrinter, c_name


def event_pointers(k: GroupKernel) -> List[Dict[str, object]]:
    """The arrays only the event kernels use: each event's list and its monitors'
    buffers (declared and set up with the group's arrays)."""
    out: List[Dict[str, object]] = []
    for ev in k.events:
        out.append({"ptr": _list(ev), "ctype": "int32_t", "slot": ev.events.slot})
        for m in ev.monitors:
            out += [{"ptr": f"p_evmon{m.index}_i", "ctype": "int32_t", "slot": m.i_slot},
                    {"ptr": f"p_evmon{m.index}_step", "ctype": "int64_t",
                     "slot": m.step_slot}]
            out += [{"ptr": f"p_evmon{m.index}_{n}", "ctype": "real_t", "slot": slot}
                    for n, slot in enumerate(m.value_slots)]
    return out


def event_contexts(k: GroupKernel, printer: CPrinter,
                   helpers: Tuple[Callable, Callable, Callable, Callable]) -> List[dict]:
    """For each event: its number, the lines of its kernel (the list and the monitors)
    and of its statements' kernel (run after the resets; none without statements).
    ``helpers`` are the group renderer's (load, assign, store, value of a recorded
    variable)."""
    return [{"number": n, "lines": _lines(ev, k, helpers),
             "body_lines": _body_lines(ev, k, printer, helpers)}
            for n, ev in enumerate(k.events)]


def capacity_checks(k: GroupKernel) -> List[dict]:
    """Room an event monitor needs before a step: one entry per neuron."""
    return [{"fill": m.fill, "capacity": m.capacity, "N": k.N}
            for ev in k.events for m in ev.monitors]


def _list(ev: EventIR) -> str:
    return f"p_events_{c_name(ev.name)}"


def _lines(ev: EventIR, k: GroupKernel, helpers) -> List[str]:
    value = helpers[3]
    inner = [f"{_list(ev)}[n_events] = i;"]
    for m in ev.monitors:
        at = f"counters[{m.fill}]"
        inner += [f"p_evmon{m.index}_i[{at}] = i;", f"p_evmon{m.index}_step[{at}] = step + 1;"]
        for n, var in enumerate(m.variables):
            v = value(k, var)
            source = f"(real_t){v['source']}[i]" if v["per_neuron"] else v["source"]
            inner.append(f"p_evmon{m.index}_{n}[{at}] = {source};")
        inner.append(f"++{at};")
    return (["int32_t n_events = 0;",
             "for (int32_t i = 0; i < N; ++i) {",
             f"    if (!{_pointer(ev.flag)}[i]) continue;"]
            + ["    " + line for line in inner]
            + ["    ++n_events;", "}", f"counters[{ev.events.count}] = n_events;"])


def _body_lines(ev: EventIR, k: GroupKernel, printer: CPrinter, helpers) -> List[str]:
    """The event's statements on the neurons of its list, in order (Brian2's
    ``run_on_event``, in its ``after_resets`` slot)."""
    load, assign, store, _ = helpers
    body = ev.body
    if not body.code:
        return []
    inner = ([load(n, k, body.stores) for n in body.loads]
             + [assign(a, printer) for a in body.code]
             + [store(n, k) for n in body.stores])
    return ([f"const int64_t n_events = counters[{ev.events.count}];",
             "for (int64_t q = 0; q < n_events; ++q) {",
             f"    const int32_t i = {_list(ev)}[q];"]
            + ["    " + line for line in inner] + ["}"])


def _pointer(name: str) -> str:
    return "p_" + c_name(name)
