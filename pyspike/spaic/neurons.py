"""SPAIC's NeuronGroup: a layer of neurons of one model of the library, by SPAIC's name.

>>> import pyspike.spaic as spaic
>>> layer = spaic.NeuronGroup(100, model="clif", tau_m=10.0)
>>> layer.num, layer.shape, layer.params
(100, (100,), {'tau_m': 10.0})
"""
from __future__ import annotations

import difflib
import re
from typing import Mapping, Optional, Sequence, Tuple

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from ..models import neurons as library
from .assembly import Assembly

#: Variables SPAIC tags ``[stay]``: a new ``Net.run`` keeps them (the adaptive thresholds).
STAY = {"lifstdp_ex": ("theta",), "alifstdp_ex": ("theta",), "aclif": ("Vth1",)}
#: The models' trainable parameters that SPAIC 0.6.3 bounds to [0, 1] and clamps at every
#: run (``NeuronGroup.build``: min 0, max 1 for each ``_parameter_variables`` entry):
#: clif's and aclif's V0 (6.75 at the defaults) runs as 1.
CLAMPED = {"clif": ("V0",), "aclif": ("V0",)}


def shape_and_num(num, shape, where: str) -> Tuple[int, Tuple[int, ...]]:
    """(num, shape) from SPAIC's ``num`` and/or ``shape`` (num is the product of shape)."""
    if shape is not None:
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        if not shape or any(s < 1 for s in shape):
            raise ModelError(f"shape must be a list of sizes >= 1, not {shape}", where=where,
                             symbol="shape")
        size = int(np.prod(shape))
        if num is not None and int(num) != size:
            raise ModelError(f"num={num} does not match shape {shape} ({size} neurons)",
                             where=where, symbol="num")
        return size, shape
    if num is None or isinstance(num, bool) or int(num) != num or num < 1:
        raise ModelError(f"num must be a whole number of neurons >= 1, not {num!r}",
                         where=where, symbol="num")
    return int(num), (int(num),)


class NeuronGroup(Assembly):
    """``num`` neurons (or ``shape``) of ``model``: a name of ``pyspike.models.neurons``
    (SPAIC's lower-case names: ``"lif"``, ``"if"``, ``"clif"``, ``"aclif"``, ``"izh"``,
    ``"aeif"``, ``"glif"``, ``"hh"``, ``"lifstdp_ex"``, ``"lifstdp_ih"``, ``"null"``, ...)
    or a :class:`pyspike.NeuronModel`.  Further keyword arguments (or ``param=``) change
    the model's parameters.  ``parameter_variables`` names parameters a gradient learner
    may train; ``variable_ranges`` (SPAIC's ``varible_ranges`` too) clamps variables to
    ``(low, high)`` after every step.  ``neuron_position`` gives each neuron its
    coordinates (one row per neuron, or one number each), which ``dist_depd`` links read.
    ``neuron_model=`` is SPAIC's older name for ``model``.
    """

    _class_label = "<neg>"
    is_terminal = True

    def __init__(self, num: Optional[int] = None, model=None, shape: Optional[Sequence[int]] = None,
                 name: Optional[str] = None, neuron_model=None,
                 param: Optional[Mapping[str, float]] = None,
                 parameter_variables: Sequence[str] = (),
                 variable_ranges: Optional[Mapping[str, Tuple[float, float]]] = None,
                 varible_ranges: Optional[Mapping[str, Tuple[float, float]]] = None,
                 prefer_device=None, neuron_position=None, **kwargs):
        where = "NeuronGroup"
        num, shape = shape_and_num(num, shape, where)
        if model is None:
            model = neuron_model
        if model is None:
            raise ModelError("a NeuronGroup needs model= (e.g. model='lif')", where=where,
                             symbol="model")
        base = _clamped(_model(model), CLAMPED.get(model if isinstance(model, str) else "", ()))
        params = {**dict(param or {}), **kwargs}
        for key in params:
            if key not in base.param_names:
                close = difflib.get_close_matches(key, base.param_names, n=3)
                raise ModelError(f"the model '{base.name}' has no parameter '{key}'"
                                 + (f" (did you mean {', '.join(close)}?)" if close else
                                    f"; it has {', '.join(base.param_names) or 'none'}"),
                                 where=where, symbol=key)
        ranges = dict(variable_ranges or varible_ranges or {})
        for var, bounds in ranges.items():
            if var not in base.variables or len(tuple(bounds)) != 2:
                raise ModelError(f"variable_ranges gives (low, high) for variables of the "
                                 f"model ({', '.join(base.variables)}), not {var!r}: "
                                 f"{bounds!r}", where=where, symbol=str(var))
        for p in parameter_variables:
            if p not in base.param_names:
                raise ModelError(f"parameter_variables names '{p}', not a parameter of "
                                 f"'{base.name}'", where=where, symbol=str(p))
        super().__init__(name)
        for key, value in (("model", base), ("model_name", model if isinstance(model, str)
                                              else base.name),
                           ("params", params), ("shape", shape), ("_num", num),
                           ("parameter_variables", tuple(parameter_variables)),
                           ("variable_ranges", {k: tuple(map(float, v))
                                                for k, v in ranges.items()}),
                           ("prefer_device", prefer_device),
                           ("position", _positions(neuron_position, num))):
            object.__setattr__(self, key, value)

    @property
    def num(self) -> int:
        return self._num

    @property
    def stay(self) -> Tuple[str, ...]:
        """The variables a new run keeps (SPAIC's ``[stay]``)."""
        return STAY.get(self.model_name, ())

    @property
    def kept(self):
        """The ``[stay]`` values a rebuilt network starts from (None: the model's)."""
        return self.__dict__.get("_kept")

    def keep(self, values) -> None:
        """Keep ``[stay]`` values (one per neuron) for the next build."""
        object.__setattr__(self, "_kept", dict(values))

    def structure_copy(self, name: Optional[str] = None) -> "NeuronGroup":
        return NeuronGroup(self.num, self.model, shape=self.shape, name=name,
                           param=self.params, parameter_variables=self.parameter_variables,
                           variable_ranges=self.variable_ranges, neuron_position=self.position)


def _positions(given, num: int) -> Optional[np.ndarray]:
    """SPAIC's ``neuron_position`` as (num, coordinates) floats; None where not given."""
    if given is None or (isinstance(given, str) and given == "x, y, z"):   # SPAIC's default
        return None
    p = np.array(given, dtype=np.float64)
    p = p[:, None] if p.ndim == 1 else p
    if p.ndim != 2 or p.shape[0] != num or not np.all(np.isfinite(p)):
        raise ModelError(f"neuron_position gives one row of finite coordinates per neuron "
                         f"({num}), not an array of shape {np.shape(given)}",
                         where="NeuronGroup", symbol="neuron_position")
    return p


def _clamped(model: NeuronModel, names: Sequence[str]) -> NeuronModel:
    """``model`` with each subexpression of ``names`` (``V0 = ... : 1``) clipped to
    [0, 1], as SPAIC 0.6.3 clamps its trainable parameters."""
    if not names:
        return model
    lines = []
    for line in model.equations.splitlines():
        m = re.match(r"(\s*)(\w+)\s*=\s*(.*?)\s*:\s*(.*)$", line)
        if m and m.group(2) in names:
            line = f"{m.group(1)}{m.group(2)} = clip({m.group(3)}, 0, 1) : {m.group(4)}"
        lines.append(line)
    return NeuronModel("\n".join(lines), model.threshold, model.reset, model.refractory,
                       {**model.params, **model.functions}, model.method, model.update,
                       model.init, model.name, model.doc, model.extensions, model.events)


def _model(model) -> NeuronModel:
    if isinstance(model, NeuronModel):
        return model
    if isinstance(model, str):
        return library[model]          # a misspelt name gives the closest names
    raise ModelError(f"model must be the name of a library model or a NeuronModel, not "
                     f"{type(model).__name__}", where="NeuronGroup", symbol="model")
