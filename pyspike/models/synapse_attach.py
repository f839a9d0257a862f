"""How a library synapse kind becomes a Synapses object's model and its target's state."""
from __future__ import annotations

import re
from typing import Dict, Mapping, Optional, Tuple

from ..codegen.errors import ModelError
from ..codegen.expressions import IDENTIFIER
from ..codegen.units import TIME, unit_text
from .. import checks
from .synapse_kind import (OUTPUTS, SynapseKind, current_extension, extension, state_dim,
                           voltage_of)


def kind_synapses(kind: SynapseKind, target, output: Optional[str], post_var: Optional[str],
                  voltage: Optional[str], params: Optional[Mapping[str, object]],
                  where: str) -> Tuple[str, Dict[str, object], tuple]:
    """(model, params, parts) of Synapses of ``kind`` onto ``target`` (a NeuronGroup),
    whose model gains the kind's state (see synapse_kind.py): ``model`` declares the
    weight (and a per-synapse kind's summed current), ``parts`` holds the kind's own
    variables and code as a block of its own (SynapsesSpec.parts), run after any code
    the synapses are given."""
    output = kind.output if output is None else output
    if output not in OUTPUTS:
        raise ModelError(f"output must be one of {', '.join(OUTPUTS)}, not "
                         f"{checks.show(output)}", where=where, symbol="output")
    model = target.model
    post_var = _post_var(model, post_var, where)
    target_dim = model.dims.get(post_var)
    kind_voltage = voltage
    voltage = voltage_of(model, where, voltage) if output != "CUBA" else None
    g_dim = state_dim(kind, output, target_dim)
    given = dict(params or {})
    own = {**kind.params, **OUTPUTS[output][1]}
    known = set(own) | set(kind.synapse_params)
    unknown = sorted(k for k in given if k not in known)
    if unknown:
        raise ModelError(f"'{unknown[0]}' is not a parameter of the synapse model "
                         f"'{kind.name}' with output {output} ({', '.join(sorted(known))})",
                         where=where, symbol=unknown[0])
    values = {k: given.get(k, v) for k, v in own.items()}
    syn_params = {k: given.get(k, v) for k, v in kind.synapse_params.items()}
    label = f"the synapse model '{kind.name}'"
    if kind.align == "delta":
        return f"w : {_unit(target_dim)}", syn_params, ((label, "", f"{post_var}_post += w",
                                                          ""),)
    if kind.align == "post":
        suffix = _post_state(kind, target, output, post_var, voltage, g_dim, values)
        names = {n: f"{n}_{suffix}" for n, _ in kind.powers}
        power = dict(kind.powers)[_spiked_state(kind)]
        return (f"w : {unit_text(g_dim * TIME ** power)}", syn_params,
                ((label, kind.synapse, kind.on_pre.format(**names), ""),))
    # per-synapse kinetics: the pathway's current joins the target's model
    suffix = _free_suffix(kind, target)
    target.adopt(target.model.extended(current_extension(suffix, post_var, target_dim), {}))
    if kind.align == "gap":          # an electrical synapse: w*(V_pre - V_post), no kinetics
        voltage = voltage_of(model, where, kind_voltage)
        return (f"w : {_unit(state_dim(kind, 'COBA', target_dim))}\n"
                f"I_{suffix}_post = w*({voltage}_pre - {voltage}_post) : {_unit(target_dim)}"
                " (summed)"), syn_params, ()
    term, _ = OUTPUTS[output]
    term = re.sub(r"\bV\b", f"{voltage}_post", term) if voltage else term
    model_text = f"w : {_unit(g_dim)}\nI_{suffix}_post = w*({term}) : {_unit(target_dim)} (summed)"
    return model_text, {**syn_params, **values}, ((label, kind.state, kind.on_pre, ""),)


def _spiked_state(kind: SynapseKind) -> str:
    """The post-aligned state a spike adds to: the name in ``{...}_post`` of on_pre."""
    found = re.search(r"\{(\w+)\}_post", kind.on_pre)
    return found.group(1)


def _post_var(model, post_var: Optional[str], where: str) -> str:
    if post_var is None:
        post_var = "I" if "I" in model.variables else "Isyn" if "Isyn" in model.variables \
            else None
    if post_var is None or post_var not in model.variables + model.param_names:
        raise ModelError(f"post_var must name the target's input (one of its variables: "
                         f"{', '.join(model.variables)}), not {checks.show(post_var)}",
                         where=where, symbol="post_var")
    return post_var


def _unit(dim) -> str:
    return "1" if dim is None else unit_text(dim)


def _post_state(kind, target, output, post_var, voltage, g_dim, values) -> str:
    """The suffix of the target's state for this kind: an existing one with the same kind,
    output, target, units and parameter values (merged), else a new one."""
    ext = extension(kind, "", output, post_var, voltage or "", g_dim)
    for old in target.model.extensions:
        same = (old.equations, old.units, old.target, old.term, old.voltage) == \
            (ext.equations, ext.units, ext.target, ext.term, ext.voltage)
        if same and all(target.state.value(f"{k}_{old.suffix}") == v
                        for k, v in values.items()):
            return old.suffix
    suffix = _free_suffix(kind, target)
    new = extension(kind, suffix, output, post_var, voltage or "", g_dim)
    target.adopt(target.model.extended(new, {f"{k}_{suffix}": float(v)
                                              for k, v in values.items()}))
    return suffix


def _free_suffix(kind: SynapseKind, target) -> str:
    """A suffix no name of the target's model ends with: the kind's name in lower case,
    numbered from the second on."""
    base = kind.name.lower()
    taken = {ext.suffix for ext in target.model.extensions}
    suffix, k = base, 1
    while suffix in taken or any(n.endswith("_" + suffix) for n in
                                 target.model.variables + target.model.param_names):
        k += 1
        suffix = f"{base}{k}"
    if not IDENTIFIER.match(suffix):          # (kind names are the library's own)
        raise ModelError(f"'{kind.name}' cannot name synaptic state", where="Synapses")
    return suffix
