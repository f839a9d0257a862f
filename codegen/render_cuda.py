"""Kernel IR -> CUDA C++ source, through ``templates/cuda/``.

The statements are the C++ backend's (the same group and synapse contexts, the same
printer); what differs is layout and strategy, decided here:

* every neuron group is one fused kernel per step, a thread per neuron;
* each synaptic pathway runs in parallel where that cannot change its result —
  ``"atomic"``: a warp per spike over its row, additions to neuron variables as atomics;
  ``"target"``: for dense (all-to-all) connections, a thread per postsynaptic neuron
  visits every spike, no atomics at all; ``"parallel"``: a thread per synapse (clock-driven
  equations) — and otherwise, when an event writes a neuron variable in any other way
  than adding to it, ``"serial"``: one thread runs the C++ backend's loop unchanged.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", params=("tau",))
>>> src = render_cuda(build_network(NetworkSpec(groups=(g,))))
>>> "__global__" in src and "cudaGraphLaunch" in src
True
"""
from __future__ import annotations

from typing import Dict, List

import sympy as sp

from .errors import ModelError
from .ir import NetworkKernel, SynapsesKernel
from .printing import CPrinter, c_name
from .render import (environment, group_context, instances, operation_contexts,
                     schedule_context)
from .render_synapses import event_lines, accumulated, synapses_context
from .synaptic import reads_what_it_writes_elsewhere

#: Threads per block of every kernel (a multiple of the warp size).
THREADS = 256


class CudaPrinter(CPrinter):
    """The C++ printer, with float-only helpers in float32 builds: no double instruction
    may reach a float32 kernel."""

    def _print_TimedArrayCall(self, expr):
        if not self._f:
            return super()._print_TimedArrayCall(expr)
        name = c_name(expr.func.array_name)
        t, col = (self._print(a) for a in expr.args)
        return (f"ps_timed(p_ta_{name}, ta_n_{name}, ta_m_{name}, ta_idt_{name}, "
                f"(real_t)({t}), (int64_t)({col}))")

    def _print_Max(self, expr):
        return super()._print_Max(_real_numbers(expr))

    def _print_Min(self, expr):
        return super()._print_Min(_real_numbers(expr))

    def _print_PoissonCount(self, expr):
        if not self._f:
            return super()._print_PoissonCount(expr)
        u, lam = (self._print(a) for a in expr.args)
        return f"ps_poisson((float)({u}), (float)({lam}))"


def _real_numbers(expr):
    """Min/Max with integer arguments as reals: CUDA has no fmax(int, double) on the device."""
    return expr.func(*[sp.Float(a) if a.is_Number else a for a in expr.args], evaluate=False)


#: Instances of a batch are the rows of every launch's grid (gridDim.y <= 65535).
MAX_BATCH = 65535


def render_cuda(net: NetworkKernel) -> str:
    """The complete CUDA translation unit of a network: kernels and the host loop."""
    if net.spec.batch > MAX_BATCH:
        raise ModelError(f"a batch of {net.spec.batch} instances is more than the "
                         f"{MAX_BATCH} the CUDA backend launches at once (one grid row "
                         "each)", where="Network", symbol="batch")
    printer = CudaPrinter(net.real)
    groups = [group_context(g, printer, net.real) for g in net.groups]
    for ctx, g in zip(groups, net.groups):
        ctx["name_"] = g.name
        ctx["has_threshold"] = g.threshold is not None
    operations = operation_contexts(net, groups, printer)
    synapses = [_synapses(s, net, printer) for s in net.synapses]
    scratch = _order_spikes(net, groups, synapses)
    checks = [{"fill": m.fill, "capacity": m.capacity, "N": g.N}
              for g in net.groups for m in g.spike_monitors]
    return environment().get_template("cuda/network.cu.j2").render(
        real=net.real, threads=THREADS, groups=groups, synapses=synapses, operations=operations,
        capacity_checks=checks, step_counter=_device_clock(net), scratch_words=scratch,
        n_counters=net.n_counters, schedule=schedule_context(net), **instances(net))


def _device_clock(net: NetworkKernel) -> int:
    """The counter holding the step the device has reached."""
    return next(c.position for c in net.manifest.counters if c.role == "clock")


def _order_spikes(net: NetworkKernel, groups: List[Dict], synapses: List[Dict]) -> int:
    """Which spike lists are put in ascending order after the group's step, as the C++
    backend makes them: those read in list order by events whose result depends on it
    (serial events, a thread per target or per bit, delays pushed into their ring).
    The warps of a group kernel append their spikes in whatever order their atomics land,
    which is all that events of atomic additions need.  Each ordered group gets a bitmap
    of (K, ceil(N/32)) words in one scratch allocation; returns its size in words."""
    ordered = set()
    for k, ctx in zip(net.synapses, synapses):
        pre, post = ctx["pre_path"], ctx["post_path"]
        if pre is not None and pre["mode"] in ("serial", "target", "bitmask"):
            ordered.add(k.pre)
        if post is not None and post["mode"] == "serial":
            ordered.add(k.post)
    words = 0
    for index, (ctx, g) in enumerate(zip(groups, net.groups)):
        ctx["order"] = None
        if index in ordered and g.threshold is not None and g.spike_list is not None:
            ctx["order"] = {"offset": words, "words": (g.N + 31) // 32}
            words += net.spec.batch * ctx["order"]["words"]
    for k, ctx in zip(net.synapses, synapses):
        ctx["pre_ordered"] = groups[k.pre]["order"] is not None or \
            net.groups[k.pre].generator is not None
    return words


def _synapses(k: SynapsesKernel, net: NetworkKernel, printer: CPrinter) -> Dict:
    """The C++ context, plus the strategy of each pathway and its parallel statements."""
    ctx = synapses_context(k, net, printer)
    for path in k.paths():
        entry = ctx[f"{path.kind}_path"]
        adds = accumulated(path, k)
        writes_pre = any(k.access.get(a.target.name) is not None
                         and k.access[a.target.name].where == "pre" for a in path.code)
        if path.kind == "pre" and k.dense and k.delay != "per_synapse" and not writes_pre \
                and not reads_what_it_writes_elsewhere(path, k):
            entry["mode"] = "target"          # a thread per target: plain statements
        elif path.kind == "pre" and k.bitmask_slot is not None:
            entry["mode"] = "bitmask"         # a thread per target, one bit per pair
        elif path.kind == "clock" and adds == frozenset():
            entry["mode"] = "parallel"        # synaptic state only: a thread per synapse
        elif adds is not None:
            entry["mode"] = "atomic"
            entry["par_lines"] = event_lines(path, k, printer, net.real, adds)
        else:
            entry["mode"] = "serial"
    summed, clock = ctx["summed_path"], ctx["clock_path"]
    ctx["before_serial"] = any(p is not None and p["mode"] == "serial"
                               for p in (summed, clock))
    return ctx
