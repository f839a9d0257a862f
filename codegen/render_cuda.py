"""Kernel IR -> CUDA C++ source, through ``templates/cuda/``.

The statements are the C++ backend's (the same group and synapse contexts, the same
printer); what differs is layout and strategy.  The strategy (each synaptic pathway's
mode, which spike lists are put in order) is decided by ``strategy.cuda_strategy`` from
the IR, once per network; this module only lays it out for the templates.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", params=("tau",))
>>> src = render_cuda(build_network(NetworkSpec(groups=(g,))))
>>> "__global__" in src and "cudaGraphLaunch" in src
True
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from .contexts import SynapsesContext
from .errors import ModelError
from .ir import NetworkKernel, SynapsesKernel
from .printing import CPrinter, c_name
from .render import (environment, group_context, instances, operation_contexts,
                     schedule_context)
from . import render_events
from .render_synapses import event_lines, synapses_context
from .render_operations import syn_operation_contexts
from .strategy import SynapsesStrategy, cuda_strategy, operation_modes

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
    plan = cuda_strategy(net)
    operations = operation_contexts(net, printer)
    # the CUDA records: the C++ emitter's, with the bitmap that orders a spike list
    groups = [replace(group_context(g, printer, net.real, operations), order=plan.order(n))
              for n, g in enumerate(net.groups)]
    synapses = [_synapses(s, net, printer, p) for s, p in zip(net.synapses, plan.synapses)]
    checks = [{"fill": m.fill, "capacity": m.capacity, "N": g.N}
              for g in net.groups for m in g.spike_monitors]
    checks += [c for g in net.groups for c in render_events.capacity_checks(g)]
    return environment().get_template("cuda/network.cu.j2").render(
        real=net.real, threads=THREADS, groups=groups, synapses=synapses,
        capacity_checks=checks, step_counter=_device_clock(net), scratch_words=plan.scratch_words,
        n_counters=net.n_counters, schedule=schedule_context(net),
        syn_operations=[replace(o, cuda=True) for o in syn_operation_contexts(
            net, printer, operation_modes(net))], **instances(net))


def _device_clock(net: NetworkKernel) -> int:
    """The counter holding the step the device has reached."""
    return next(c.position for c in net.manifest.counters if c.role == "clock")


def _synapses(k: SynapsesKernel, net: NetworkKernel, printer: CPrinter,
              plan: SynapsesStrategy) -> SynapsesContext:
    """The C++ record with the CUDA strategy: each pathway's delivery mode and, for atomic
    delivery, its statements with atomic additions."""
    ctx = synapses_context(k, net, printer)
    paths = {}
    for path, chosen in zip(k.paths(), plan.paths):
        atomic = None if chosen.mode != "atomic" else \
            event_lines(path, k, printer, net.real, chosen.atomic_adds)
        paths[f"{path.kind}_path"] = replace(getattr(ctx, f"{path.kind}_path"),
                                             mode=chosen.mode, par_lines=atomic)
    return replace(ctx, before_serial=plan.before_serial, pre_ordered=plan.pre_ordered,
                   **paths)
