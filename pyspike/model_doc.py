"""A neuron model as a scientist reads it: its text, defaults with units, and its source."""
from __future__ import annotations

import inspect
from typing import List


def describe(model) -> str:
    """The text ``print(model)`` shows: name, documentation, equations or update rule,
    threshold, reset, refractoriness, integration method, parameters with their default
    values and units, and initial values.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = (v_rest - v)/tau : mV", params={"v_rest": -65.0, "tau": 10.0},
    ...                    init={"v": -65.0}, name="leak", doc="A leaky membrane.")
    >>> print(m)                                              # doctest: +NORMALIZE_WHITESPACE
    leak
      A leaky membrane.
    equations:
      dv/dt = (v_rest - v)/tau : mV
    method: chosen by pyspike
    parameters:
      v_rest = -65.0 mV
      tau = 10.0 ms
    initial values:
      v = -65.0 mV
    """
    out: List[str] = [model.name or "NeuronModel"]
    if model.doc:
        out += ["  " + line for line in inspect.cleandoc(model.doc).splitlines()]
    for title, text in (("equations", model.equations), ("update (once per step)",
                                                         model.update)):
        if text.strip():
            out.append(f"{title}:")
            out += ["  " + line.strip() for line in text.strip().splitlines() if line.strip()]
    for title, text in (("threshold", model.threshold), ("reset", model.reset)):
        if text.strip():
            out.append(f"{title}: " + "; ".join(line.strip() for line in text.splitlines()
                                                if line.strip()))
    if model.refractory is not None:
        refractory = model.refractory
        out.append(f"refractory: {refractory}" + ("" if isinstance(refractory, str) else " ms"))
    if "/dt" in model.equations:
        out.append(f"method: {model.method or 'chosen by pyspike'}")
    if model.params or model.functions:
        out.append("parameters:")
        out += [f"  {name} = {_value(value)}{_unit(model, name)}"
                for name, value in model.params.items()]
        out += [f"  {name} = {value!r}" for name, value in model.functions.items()]
    if model.init:
        out.append("initial values:")
        out += [f"  {name} = {_value(value)}{_unit(model, name)}"
                for name, value in model.init.items()]
    return "\n".join(out)


def _value(value) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return f"one value per neuron ({len(value)})"


def _unit(model, name: str) -> str:
    unit = model.units.get(name)
    return "" if unit in (None, "1") else f" {unit}"
