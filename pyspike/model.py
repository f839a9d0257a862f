"""Neuron models: equations, threshold, reset and refractoriness, with default parameters."""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Union

import numpy as np

from .codegen.equations import parse_equations, symbol
from .codegen.errors import ModelError
from .codegen.expressions import (IDENTIFIER, Context, is_condition, parse_condition,
                                  parse_expression, timed_function)
from .codegen.statements import parse_statements
from .codegen.integrators import ALL_METHODS
from .codegen.extensions import extend, own_params
from .codegen.kernels import model_variables
from .codegen.linked import names as linked_names, refuse_writes
from .codegen.unit_check import (check_condition, check_duration, check_statements,
                                 equation_units, known_dim)
from .codegen.units import dimension, pretty
from . import checks, units


class NeuronModel:
    """A neuron model written as equation strings (times in ms, voltages in mV).

    Either continuous (``equations`` with ``dx/dt = ...``, integrated with ``method``) or
    discrete-time (``update`` statements applied once per step, as SPAIC models are
    written), or both.  Errors in the text are reported here, with the line and symbol.

    >>> lif = NeuronModel(
    ...     equations="dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)\\nI : pA",
    ...     threshold="v > v_th", reset="v = v_reset", refractory=2.0,
    ...     params={"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0, "v_reset": -65.0})
    >>> lif.variables
    ['v', 'I']
    """

    def __init__(self, equations: str = "", threshold: str = "", reset: str = "",
                 refractory: Union[float, str, None] = None,
                 params: Optional[Mapping[str, object]] = None, method: Optional[str] = None,
                 update: str = "", init: Optional[Mapping[str, object]] = None,
                 name: str = "", doc: str = "", extensions: tuple = (),
                 events: Optional[Mapping[str, str]] = None):
        #: the library name (``"AdExIF"``), empty for a user's own model
        self.name = checks.text(name, "name", "NeuronModel")
        #: what the model is, where it comes from, and how it departs from its source
        self.doc = checks.text(doc, "doc", "NeuronModel")
        self.equations = checks.text(equations, "equations", "NeuronModel")
        self.threshold = checks.text(threshold, "threshold", "NeuronModel")
        self.reset = checks.text(reset, "reset", "NeuronModel")
        self.update = checks.text(update, "update", "NeuronModel")
        #: custom events (Brian2's events=): name -> condition (codegen/events.py)
        self.events = _events(events)
        self.refractory = _refractory(refractory)
        from .timedarray import TimedArray
        quantities = units.dims_given(params)
        given = checks.params(params, "params", "G", (TimedArray,))
        #: TimedArrays the equations call, by name
        self.functions = {k: v for k, v in given.items() if isinstance(v, TimedArray)}
        self.params: Dict[str, object] = {k: v for k, v in given.items()
                                          if k not in self.functions}
        self.method = method
        if method is not None and (not isinstance(method, str) or method not in ALL_METHODS):
            raise ModelError(f"unknown integration method {checks.show(method)}: choose one "
                             "of " + ", ".join(ALL_METHODS), where="method",
                             symbol=str(method))
        #: synaptic state library synapse kinds keep in the model (codegen/extensions.py)
        self.extensions = tuple(extensions)
        self.variables, self.param_names = model_variables(
            self.equations, list(self.params), self.update,
            [(n, f.ndim) for n, f in self.functions.items()], self.extensions)
        eqs, self.units = self._check_text()
        for key, d in quantities.items():
            if self.dims.get(key) is not None and self.dims[key] != d:
                raise ModelError(f"the parameter '{key}' is given in {pretty(d)}, but the "
                                 f"model uses it in {pretty(self.dims[key])}",
                                 where=self.name or "NeuronModel", symbol=key)
        self.flags = {n: v.flags for n, v in eqs.variables.items()}
        #: variables declared (linked): views of another group's (pyspike.linked)
        self.linked = linked_names(eqs)
        #: initial values (numbers or expression strings) a NeuronGroup starts from
        self.init: Dict[str, object] = _init(init, self.variables)

    def _check_text(self):
        """Parse threshold and reset now, so mistakes show where the model is defined."""
        eqs = extend(parse_equations(
            self.equations, own_params(self.param_names, self.extensions), functions={
                n: timed_function(n, f.ndim) for n, f in self.functions.items()}),
            self.extensions, "the model")
        names = eqs.names()
        names.update({v: symbol(v) for v in self.variables if v not in names})   # update=
        units = equation_units(eqs)
        if self.threshold:
            check_condition(units, parse_condition(self.threshold, names, Context(
                where="the threshold", line=self.threshold, lineno=1)), self.threshold,
                "the threshold")
        if self.reset:
            refuse_writes(self.reset, linked_names(eqs), "the reset")
            stmts = parse_statements(self.reset, names, {v: names[v] for v in self.variables},
                                     "the reset")
            check_statements(units, [(symbol(st.target), st.value(symbol(st.target)))
                                     for st in stmts], self.reset, "the reset")
        for event, condition in self.events.items():
            check_condition(units, parse_condition(condition, names, Context(
                where=f"the condition of the event '{event}'", line=condition, lineno=1)),
                condition, f"the condition of the event '{event}'")
        if isinstance(self.refractory, str):
            ctx = Context(where="the refractory period", line=self.refractory, lineno=1)
            if is_condition(self.refractory):
                check_condition(units, parse_condition(self.refractory, names, ctx),
                                self.refractory, "the refractory condition")
            else:
                duration = parse_expression(self.refractory, names, ctx)
                check_duration(units, duration, self.refractory, "the refractory period")
                if not duration.free_symbols and not ctx.random_sites:
                    # a constant in a string is a duration that was meant as a number
                    raise ModelError(f"refractory={self.refractory!r} is a constant: give "
                                     "the number of ms itself (refractory=2.0), or a "
                                     "condition such as 'v > -60', or an expression over "
                                     "parameters", where="refractory", symbol="refractory")
        #: the dimension of each name, declared or, for parameters given as numbers, as
        #: the text fixes it (None where it does not): synapses are checked against them
        self.dims = {n: dimension(v.unit) if v.unit is not None else known_dim(units, n)
                     for n, v in eqs.variables.items()}
        return eqs, {n: v.unit if v.unit is not None else
                     None if self.dims[n] is None else pretty(self.dims[n])
                     for n, v in eqs.variables.items()}

    def __repr__(self) -> str:
        named = f"{self.name!r}, " if self.name else ""
        return f"NeuronModel({named}variables={self.variables}, params={list(self.params)})"

    def with_params(self, params: Mapping[str, object]) -> "NeuronModel":
        """The same model with some parameter values replaced.

        >>> m = NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
        >>> m.with_params({"tau": 20.0}).params
        {'tau': 20.0}
        """
        if not isinstance(params, Mapping):
            raise ModelError(f"params must be a dict of parameter names to values, not "
                             f"{checks.show(params)}", where=self.name or "NeuronModel",
                             symbol="params")
        for key in params:
            if key not in self.param_names:
                raise ModelError(f"{checks.show(key)} is not a parameter of the model "
                                 f"{self.name or ''}; its parameters are "
                                 f"{', '.join(self.param_names)}",
                                 where=self.name or "NeuronModel", symbol=checks.label(key))
        return self._copy({**self.params, **self.functions, **params}, self.extensions)

    def extended(self, ext, values: Mapping[str, float]) -> "NeuronModel":
        """The model with the synaptic state ``ext`` added (``values``: its parameters, as
        named in the model)."""
        return self._copy({**self.params, **self.functions, **values},
                          self.extensions + (ext,))

    def _copy(self, params: Mapping[str, object], extensions: tuple) -> "NeuronModel":
        """The same model text with other parameter values and synaptic state."""
        return NeuronModel(self.equations, self.threshold, self.reset, self.refractory,
                           params, self.method, self.update, self.init, self.name, self.doc,
                           extensions, self.events)

    def __str__(self) -> str:
        from .model_doc import describe
        return describe(self)


def _init(values, variables: List[str]) -> Dict[str, object]:
    """Initial values by variable: numbers or expression strings, checked by name."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ModelError(f"init must be a dict of variable names to values, not "
                         f"{checks.show(values)}", where="NeuronModel", symbol="init")
    for key, value in values.items():
        if key not in variables:
            raise ModelError(f"init gives a value to {checks.show(key)}, which is not a "
                             f"variable of the model ({', '.join(variables)})",
                             where="NeuronModel", symbol=checks.label(key))
        if not (isinstance(value, (str, bool, np.bool_)) or checks.is_number(value)):
            raise ModelError(f"the initial value of '{key}' must be a number or an "
                             f"expression string, not {checks.show(value)}",
                             where="NeuronModel", symbol=key)
    return dict(values)


def _refractory(value) -> Union[float, str, None]:
    """None, a duration in ms, or a string (a condition or an expression over parameters)."""
    value = checks.unitless(value, "refractory", "refractory", "ms")
    if value is None or isinstance(value, str):
        return value
    if not checks.is_number(value):
        raise ModelError(f"refractory must be a duration in ms, a condition string or None, "
                         f"not {checks.show(value)}", where="refractory", symbol="refractory")
    return checks.number(value, "refractory", "refractory", minimum=0.0, unit="ms")


def neuron_variables(group) -> Dict[str, bool]:
    """The variables of ``group``'s neuron model that a synapse may use: name -> is it a
    parameter (none for a group without a model: PoissonGroup, SpikeGeneratorGroup)."""
    model = getattr(group, "model", None)
    if isinstance(model, str):     # a Synapses target: its state variables (no parameters)
        return dict.fromkeys(group.variables, False)
    if model is None:
        return {}
    out = {v: False for v in model.variables}
    out.update({p: True for p in model.param_names + model.linked})   # (read only)
    return out


def neuron_dims(group) -> Dict[str, object]:
    """The dimensions of ``group``'s variables and parameters where its model fixes them
    (none for a group without a model)."""
    model = getattr(group, "model", None)
    if isinstance(model, str):     # a Synapses target
        return {v: group.dims.get(v) for v in group.variables}
    return {} if model is None else dict(model.dims)


def default_params(model: NeuronModel) -> List[str]:
    """Parameters the model declares but gives no value for."""
    return [p for p in model.param_names if p not in model.params]


def _events(events) -> Dict[str, str]:
    """``events=``: a dict of event names (plain names, not 'spike') to conditions."""
    if events is None:
        return {}
    if not isinstance(events, Mapping):
        raise ModelError(f"events must be a dict of event names to conditions, not "
                         f"{checks.show(events)}", where="NeuronModel", symbol="events")
    for name, condition in events.items():
        if not isinstance(name, str) or not IDENTIFIER.match(name) or name == "spike":
            raise ModelError(f"an event's name must be a plain name other than 'spike' (the "
                             f"threshold's event), not {checks.show(name)}",
                             where="NeuronModel", symbol="events")
        checks.text(condition, f"events['{name}']", "NeuronModel", empty_if_none=False)
    return dict(events)
