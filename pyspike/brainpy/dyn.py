"""``brainpy.dyn``: BrainPy 2.4.3's integrate-and-fire neurons, the ``Expon`` synapse, the
``COBA``/``CUBA``/``MgBlock`` outputs and the projections, each standing for pyspike's
model library (``ps.models.neurons["LifRef"]``, ``ps.models.synapses["Expon"]``).

Each neuron class ``X`` comes in BrainPy's four forms: ``X`` and ``XRef`` (with a
refractory period ``tau_ref``) read their synaptic currents with V at the start of the
step, ``XLTC`` and ``XRefLTC`` inside the integrator (the conductance joins the linear
term of exp_auto).  A neuron group is a pyspike NeuronGroup made at construction, with
the library's equations and BrainPy's defaults; its input is the argument of its call in
``update()`` (``self.E(20.)``): a number, one per neuron, or a per-step array.
"""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np

import pyspike as ps
from ..codegen.errors import ModelError
from ..models import neurons as library
from .context import current_trace
from .core import Variable, missing
from .dynsys import Dynamic
from . import init as _init
from .projections import (COBA, CUBA, Expon, MgBlock, ProjAlignPost2, ProjAlignPostMg2,
                          ProjAlignPreMg1)

__all__ = ["COBA", "CUBA", "Expon", "MgBlock", "ProjAlignPost2", "ProjAlignPostMg2",
           "ProjAlignPreMg1", "NeuDyn"]

#: BrainPy's initializer arguments: argument -> variable of the library model.
_INITIALIZERS = {"V_initializer": "V", "w_initializer": "w", "u_initializer": "u",
                 "I1_initializer": "I1", "I2_initializer": "I2", "Vth_initializer": "V_th"}
#: BrainPy's integration methods that pyspike integrates the same way.
_METHODS = {"exp_auto": "exp_auto", "exp_euler": "exp_auto", "exp_euler_auto": "exp_auto",
            "euler": "euler", "rk4": "rk4"}
#: What pyspike's step holds fixed for a neuron that reads its synaptic current with V at
#: the start of the step (BrainPy's forms without LTC).
HELD_V = "V_step"


class StateVariable(Variable):
    """A neuron group's variable (``E.V``): the group's current values."""

    def __init__(self, neurons: "NeuDyn", name: str):
        self.neurons, self.var = neurons, name

    @property
    def value(self) -> np.ndarray:
        return np.array(getattr(self.neurons.group, self.var))

    @value.setter
    def value(self, new) -> None:
        Variable.value.fset(self, new)

    def _store(self, array: np.ndarray) -> None:
        setattr(self.neurons.group, self.var, array)


class SpikeVariable(Variable):
    """``E.spike``: which neurons spiked in the last step run (all False before a run)."""

    def __init__(self, neurons: "NeuDyn"):
        self.neurons, self.var = neurons, "spike"

    @property
    def value(self) -> np.ndarray:
        G = self.neurons.group
        net = G.network
        if net is None or net.step == 0:
            return np.zeros(G.N, dtype=bool)
        return np.abs(G.lastspike - net.t) < 0.5 * net.dt

    def _store(self, array: np.ndarray) -> None:
        raise ModelError("E.spike is what the neurons did in the last step; it cannot be "
                         "written", where=self.neurons.name, symbol="spike")


class NeuDyn(Dynamic):
    """A group of BrainPy neurons as a pyspike NeuronGroup of the library model
    ``library_name``; ``ltc`` says whether synaptic currents enter the integrator."""
    library_name = ""
    ltc = True

    def __init__(self, size, sharding=None, keep_size: bool = False, mode=None,
                 name: Optional[str] = None, spk_fun=None, spk_type=None,
                 spk_reset: str = "soft", detach_spk: bool = False,
                 method: str = "exp_auto", init_var: bool = True, ref_var: bool = False,
                 **params):
        super().__init__(size, keep_size=keep_size, name=name, mode=mode, method=method)
        where = type(self).__name__
        if method not in _METHODS:
            raise missing(f"{where}(method={method!r})", "the methods here are "
                          f"{', '.join(_METHODS)}", where=where)
        if ref_var:
            raise missing(f"{where}(ref_var=True)", where=where)
        base = library[self.library_name]
        inits = {_INITIALIZERS[k]: params.pop(k) for k in list(params) if k in _INITIALIZERS}
        unknown = sorted(set(params) - set(base.param_names))
        if unknown or any(v not in base.variables for v in inits):
            bad = unknown[0] if unknown else next(v for v in inits if v not in base.variables)
            raise ModelError(f"{where} has no parameter {bad!r} (its parameters are "
                             f"{', '.join(base.param_names)})", where=where, symbol=bad)
        values = {k: _init.values(v, self.num, k, where) for k, v in params.items()}
        model = self._model(base, _METHODS[method])
        self.group = ps.NeuronGroup(self.num, model, name=self.name, params={
            k: float(v[0]) if np.all(v == v[0]) else v for k, v in values.items()})
        for var, value in inits.items():
            setattr(self.group, var, _init.values(value, self.num, f"{var} initializer", where))
        self.spike = SpikeVariable(self)
        for var in model.variables:
            if var not in ("I", HELD_V):
                setattr(self, var, StateVariable(self, var))

    def _model(self, base, method: str):
        """The library model, integrated with ``method``, with V held over the step for
        the synaptic currents of the forms without LTC."""
        equations = base.equations if self.ltc else \
            base.equations + f"\n{HELD_V} = V : mV (constant over dt)\n"
        return ps.NeuronModel(equations, base.threshold, base.reset, base.refractory,
                              {**base.params, **base.functions}, method, base.update,
                              base.init, base.name, base.doc, base.extensions, base.events)

    @property
    def voltage(self) -> Optional[str]:
        """The variable a conductance-based output reads as V (None: the model's V)."""
        return None if self.ltc else HELD_V

    def update(self, x=None):
        trace = current_trace()
        if trace is None:
            raise missing(f"calling {type(self).__name__} outside a run",
                          "run the model with bp.DSRunner or bm.for_loop",
                          where=type(self).__name__)
        trace.neuron(self, x)
        return self.spike

    def __getattr__(self, name: str):
        group = self.__dict__.get("group")
        if group is not None and name in group.model.param_names:
            return getattr(group, name)
        raise AttributeError(f"{type(self).__name__} '{self.__dict__.get('name')}' has no "
                             f"attribute {name!r}" + (
                                 ": bp.dyn neurons take their input as the argument of their"
                                 " call in update() (self.E(inp))" if name == "input" else ""))


def _family(name: str) -> Dict[str, type]:
    classes = {}
    for ref in ("", "Ref"):
        for ltc in ("", "LTC"):
            cls_name = f"{name}{ref}{ltc}"
            classes[cls_name] = type(cls_name, (NeuDyn,), {
                "library_name": name + ref, "ltc": bool(ltc), "__doc__":
                f"BrainPy's ``{cls_name}``: pyspike's library model "
                f"``ps.models.neurons[{name + ref!r}]``, with the synaptic currents read "
                + ("inside the integrator (LTC)." if ltc else "with V at the step's start.")})
    return classes


for _name in ("Lif", "ExpIF", "AdExIF", "QuaIF", "AdQuaIF", "Gif", "Izhikevich"):
    globals().update(_family(_name))
    __all__ += [_name + r + c for r in ("", "Ref") for c in ("", "LTC")]

_HINTS = {
    "ProjAlignPreMg2": "BrainPy 2.4.3's ProjAlignPreMg2 ignores its delay; use "
                       "ProjAlignPreMg1 or ProjAlignPostMg2",
    "ProjAlignPostMg1": "give the presynaptic group and delay with ProjAlignPostMg2",
    "ProjAlignPost1": "give the presynaptic group and delay with ProjAlignPost2",
    "VanillaProj": "use ProjAlignPostMg2 with Expon",
}


def __getattr__(name: str):
    raise missing(f"brainpy.dyn.{name}", _HINTS.get(
        name, "bp.dyn offers the integrate-and-fire neurons (Lif, ExpIF, AdExIF, QuaIF, "
              "AdQuaIF, Gif, Izhikevich, each with Ref and LTC forms), Expon, COBA, CUBA, "
              "MgBlock, ProjAlignPostMg2, ProjAlignPost2 and ProjAlignPreMg1"),
        where="brainpy.dyn")

