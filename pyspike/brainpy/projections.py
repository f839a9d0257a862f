"""BrainPy's synaptic parts and the projections that join them (``bp.dyn.Expon``,
``bp.dyn.COBA``, ``bp.dyn.ProjAlignPostMg2``, ...), lowered onto pyspike's library
synapses: ``ps.Synapses(pre, post, model=ps.models.synapses["Expon"], output="COBA")``,
whose exponential state is kept once per postsynaptic neuron and merged across
projections of the same parameters, as BrainPy's align-post projections merge it.

``ProjAlignPreMg1`` keeps BrainPy's trace per presynaptic neuron and projects it through
the weights at each step; for a linear kinetics that is the same sum as a post-aligned
state fed with the same spikes, which is how it runs here.

How a projection's timing (BrainPy's order of calls in ``update()`` and its delay) maps
onto pyspike's step is in ``timing.py``.
"""
from __future__ import annotations

from typing import Dict, Optional

from ..codegen.errors import ModelError
from .. import checks
from .context import current_trace
from .core import missing
from .dnn import Layer
from .dynsys import Projection


class Part:
    """A synapse model or an output of BrainPy's; ``Cls.desc(...)`` describes one to
    make later (BrainPy's ParamDesc), which here is the part itself."""

    @classmethod
    def desc(cls, *args, **kwargs) -> "Part":
        return cls(*args, **kwargs)

    def __call__(self) -> "Part":          # (a description, called, makes the part)
        return self


class Expon(Part):
    """The exponential synapse: ``dg/dt = -g/tau``, each spike adds its weight to g."""
    kind = "Expon"

    def __init__(self, size, keep_size: bool = False, sharding=None, method: str = "exp_auto",
                 name: Optional[str] = None, mode=None, tau: float = 8.0):
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        self.num = 1
        for s in sizes:
            self.num *= checks.count(s, "size", "bp.dyn.Expon", minimum=1)
        self.tau = checks.number(tau, "tau", "bp.dyn.Expon", minimum=0.0, strict=True,
                                 unit="ms")

    def params(self) -> Dict[str, float]:
        return {"tau": self.tau}


class Output(Part):
    kind = ""

    def params(self) -> Dict[str, float]:
        return {}


class CUBA(Output):
    """The current is the conductance itself: I = g."""
    kind = "CUBA"

    def __init__(self, name: Optional[str] = None):
        pass


class COBA(Output):
    """A conductance-based current: I = g*(E - V)."""
    kind = "COBA"

    def __init__(self, E: float, sharding=None, name: Optional[str] = None):
        self.E = checks.number(E, "E", "bp.dyn.COBA", unit="mV")

    def params(self) -> Dict[str, float]:
        return {"E": self.E}


class MgBlock(Output):
    """I = g*(E - V)/(1 + cc_Mg/beta*exp(-alpha*V)).  (BrainPy 2.4.3 stores alpha where
    beta belongs; the formula here is Jahr & Stevens', as its documentation writes it.)"""
    kind = "MgBlock"

    def __init__(self, E: float = 0.0, cc_Mg: float = 1.2, alpha: float = 0.062,
                 beta: float = 3.57, sharding=None, name: Optional[str] = None):
        where = "bp.dyn.MgBlock"
        self.values = {"E": checks.number(E, "E", where, unit="mV"),
                       "cc_Mg": checks.number(cc_Mg, "cc_Mg", where),
                       "alpha": checks.number(alpha, "alpha", where),
                       "beta": checks.number(beta, "beta", where)}

    def params(self) -> Dict[str, float]:
        return dict(self.values)


class AlignProjection(Projection):
    """A projection from the neurons ``pre`` to ``post`` through ``comm``, its kinetics
    ``syn`` and output ``out``, its spikes delayed by ``delay`` ms (None: none).
    ``align`` is where BrainPy keeps the synaptic state: 'post' or 'pre'."""
    align = "post"

    def __init__(self, pre, delay, comm, syn, out, post, name: Optional[str] = None,
                 mode=None):
        super().__init__(name=name, mode=mode)
        where = f"bp.dyn.{type(self).__name__}"
        for value, what in ((pre, "pre"), (post, "post")):
            if getattr(value, "library_name", "") == "":      # (a bp.dyn neuron group)
                raise ModelError(f"{what} must be a neuron group of bp.dyn (LifRef, ...), "
                                 f"not {checks.show(value)}", where=where, symbol=what)
        if not isinstance(comm, Layer):
            raise ModelError(f"comm must be a layer of bp.dnn (EventCSRLinear, ...), not "
                             f"{checks.show(comm)}", where=where, symbol="comm")
        syn = syn() if isinstance(syn, Part) else syn
        out = out() if isinstance(out, Part) else out
        if not isinstance(syn, Expon):
            raise missing(f"{where} with syn={checks.show(syn)}",
                          "the synapse model here is bp.dyn.Expon", where=where)
        if not isinstance(out, Output):
            raise ModelError(f"out must be bp.dyn.COBA, CUBA or MgBlock (or its .desc()), "
                             f"not {checks.show(out)}", where=where, symbol="out")
        side = post if self.align == "post" else pre
        if syn.num != side.num:
            raise ModelError(f"syn has {syn.num} units, but it is aligned with the "
                             f"{self.align}synaptic group '{side.name}' of {side.num}",
                             where=where, symbol="syn")
        comm.check(pre.num, post.num, where)
        if delay is not None:
            delay = checks.number(delay, "delay", where, minimum=0.0, unit="ms")
        self.pre, self.post, self.comm, self.syn, self.out = pre, post, comm, syn, out
        self.delay = delay

    def update(self, *args, **kwargs):
        trace = current_trace()
        if trace is None:
            raise missing(f"calling {type(self).__name__} outside a run",
                          "run the model with bp.DSRunner or bm.for_loop",
                          where=type(self).__name__)
        if args or kwargs:
            raise missing(f"{type(self).__name__}(x) with an input",
                          "the projection reads its presynaptic spikes itself",
                          where=type(self).__name__)
        trace.projection(self)

    def children(self):
        return []


class ProjAlignPostMg2(AlignProjection):
    """BrainPy's ``ProjAlignPostMg2(pre, delay, comm, syn, out, post)``."""


class ProjAlignPost2(AlignProjection):
    """BrainPy's ``ProjAlignPost2``: as ProjAlignPostMg2 without merging states in
    BrainPy; pyspike merges identical linear states, which gives the same currents."""


class ProjAlignPreMg1(AlignProjection):
    """BrainPy's ``ProjAlignPreMg1(pre, syn, delay, comm, out, post)``."""
    align = "pre"

    def __init__(self, pre, syn, delay, comm, out, post, name: Optional[str] = None,
                 mode=None):
        super().__init__(pre, delay, comm, syn, out, post, name=name, mode=mode)
