"""Several pathways in one Synapses object, as Brian2 writes them:
``on_pre={"pre": "x += w", "gpath": "y += w"}`` (and ``on_post={...}``), each with its
own delay: ``delay={"pre": 1.0, "gpath": 3.0}``, or ``S.gpath.delay = 3.0`` later.

A string ``on_pre`` is the pathway ``"pre"`` and a string ``on_post`` the pathway
``"post"``.  Of a dict, the pathway named ``"pre"`` (``"post"``), or else the first, is
the Synapses object's main one: ``S.delay`` is its delay, and library blocks (a plasticity
rule's on_pre) join its code.  Every further pathway is compiled as a kernel of its own
sharing the synapses' state (codegen/pathways.py); its spikes in flight and its delay are
its own, kept in the state table's ``pathways`` entry (stored and restored with the rest).

Order within a step: each Synapses object's main pathways run with the others' (on_pre
then on_post, Synapses by Synapses); the further pathways of all Synapses objects run
after those, in the order given.  (Brian2 sorts its pathways by name; pyspike's order
only matters where two pathways write the same variable in one step.)

>>> import pyspike as ps
>>> net = ps.Network(dt=0.5, backend="numpy")
>>> with net:
...     P = ps.SpikeGeneratorGroup(1, [0], [1.0])
...     H = ps.NeuronGroup(1, ps.NeuronModel("x : 1\\ny : 1"))
...     S = ps.Synapses(P, H, on_pre={"pre": "x += 1", "gpath": "y += 2"},
...                     delay={"gpath": 1.5})
>>> S.connect()
>>> net.run(2.0)
>>> float(H.x[0]), float(H.y[0])
(1.0, 0.0)
>>> net.run(2.0)
>>> float(H.y[0]), float(S.gpath.delay[0])
(2.0, 1.5)
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple

import numpy as np

from .codegen.errors import ModelError
from .codegen.expressions import IDENTIFIER
from .codegen.spec import SynapsesSpec
from .codegen.synaptic import check_code
from .model import neuron_dims, neuron_variables
from . import checks, synapse_delays

#: (kind "pre" | "post", code) of each further pathway, by name
Extras = Dict[str, Tuple[str, str]]


def split(on_pre, on_post, where: str) -> Tuple[str, str, str, str, Extras]:
    """(main on_pre, its name, main on_post, its name, further pathways)."""
    extras: Extras = {}
    main = []
    for kind, code in (("pre", on_pre), ("post", on_post)):
        if not isinstance(code, dict):
            main += [checks.text(code, f"on_{kind}", where), kind]
            continue
        if not code:
            raise ModelError(f"on_{kind} is an empty dict: give it a pathway's code, or "
                             "leave it out", where=where, symbol=f"on_{kind}")
        first = kind if kind in code else next(iter(code))
        for name, text in code.items():
            if not isinstance(name, str) or not IDENTIFIER.match(name):
                raise ModelError(f"a pathway's name must be a plain name (letters, digits, "
                                 f"'_'), not {checks.show(name)}", where=where,
                                 symbol=f"on_{kind}")
            if name in extras or name == (main[1] if main else None):
                raise ModelError(f"two pathways are named '{name}'", where=where, symbol=name)
            text = checks.text(text, f"on_{kind}['{name}']", where, empty_if_none=False)
            if name != first:
                extras[name] = (kind, text)
        main += [code[first], first]
    return main[0], main[1], main[2], main[3], extras


def check(syn, extras: Extras, attributes, where: str) -> None:
    """Each further pathway's code against the model (the main one's is checked by the
    Synapses); its name must not hide a variable, parameter or attribute."""
    parts = tuple((w, model, "", "") for w, model, _, _ in syn.kind_parts + (
        () if syn.plasticity is None else (syn.plasticity.part(),)))
    for name, (kind, code) in extras.items():
        clash = {name} & (set(syn.variables) | set(syn.param_names) | set(attributes))
        if clash:
            raise ModelError(f"the pathway '{name}' has the name of a variable, parameter "
                             "or attribute of the Synapses: rename it", where=where,
                             symbol=name)
        if not code.strip():
            raise ModelError(f"the pathway '{name}' has no code", where=where, symbol=name)
        check_code(syn.model, list(syn.params), code if kind == "pre" else "",
                   code if kind == "post" else "", neuron_variables(syn.source),
                   neuron_variables(syn.target), f"{where} (pathway '{name}')",
                   (neuron_dims(syn.source), neuron_dims(syn.target)), parts, syn.method)


def on_events(on_event, syn, where: str) -> Dict[Optional[str], str]:
    """``on_event=`` by pathway (None: the main on_pre): the source's event that triggers
    it, "spike" or one of its model's ``events=``; a string names the main pathway's."""
    if on_event is None:
        return {}
    chosen = on_event if isinstance(on_event, dict) else {syn.pathway_names[0]: on_event}
    known = getattr(getattr(syn.source, "model", None), "events", {})
    out: Dict[Optional[str], str] = {}
    for name, event in chosen.items():
        if name not in syn.pathway_names:
            raise ModelError(f"on_event names the pathway {checks.show(name)}, which the "
                             f"Synapses do not have ({', '.join(syn.pathway_names)})",
                             where=where, symbol="on_event")
        if event != "spike" and (name == syn.pathway_names[1] or (
                name in syn.pathways and syn.pathways[name][0] == "post")):
            raise ModelError(f"the on_post pathway '{name}' runs on the target's spikes only",
                             where=where, symbol="on_event")
        if event != "spike" and event not in known:
            raise ModelError(f"on_event {checks.show(event)}: the source has the events "
                             f"{', '.join(['spike', *known])}", where=where, symbol="on_event")
        out[None if name == syn.pathway_names[0] else name] = event
    return out


def state_entry(extras: Extras) -> Dict[str, dict]:
    """The state of each further pathway: its delay (ms, one or one per synapse) and its
    spikes in flight (None until a run lays them out)."""
    return {name: {"delay": 0.0, "ring": None} for name in extras}


def delays(delay, names: Tuple[str, ...], where: str) -> Dict[Optional[str], object]:
    """``delay=`` by pathway (None: the main one); a dict names pathways."""
    if not isinstance(delay, dict):
        return {None: delay}
    unknown = sorted(set(map(str, delay)) - set(names))
    if unknown:
        raise ModelError(f"delay names the pathway '{unknown[0]}', which the Synapses do not "
                         f"have (they have {', '.join(names)})", where=where,
                         symbol=unknown[0])
    return {(None if name == names[0] or name == names[1] else name): value
            for name, value in delay.items()}


def put_delay(syn, pathway: Optional[str], value) -> None:
    if pathway is None:
        syn.state.delay = value
    else:
        syn.state.pathways[pathway]["delay"] = value


def grow(syn, new: int, order) -> None:
    """Per-synapse delays of further pathways for ``new`` synapses, rings emptied."""
    for entry in syn.state.pathways.values():
        entry["delay"] = synapse_delays.grown(entry["delay"], new, order)
        entry["ring"] = None


def delay_kind(delay) -> str:
    if synapse_delays.per_synapse(delay):
        return "per_synapse"
    return "shared" if delay > 0 else "none"


def specs(syn, main: SynapsesSpec) -> Tuple[SynapsesSpec, ...]:
    """A spec per further pathway: the main spec's model and parameters, its own code
    and delay, sharing the main one's state (``shares``)."""
    parts = tuple((where, model, "", "") for where, model, _, _ in main.parts)
    return tuple(replace(main, name=f"{syn.name}.{name}", on_pre=code if kind == "pre" else "",
                         on_post=code if kind == "post" else "", parts=parts,
                         delay=delay_kind(syn.state.pathways[name]["delay"]), bitmask=False,
                         shares=main.name, event=syn.pathway_events.get(name, "spike"))
                 for name, (kind, code) in syn.pathways.items())


def owners(synapses) -> List[Tuple[object, Optional[str]]]:
    """(Synapses, pathway) of each Synapses kernel, in the spec's order: every Synapses
    object's main pathways (pathway None), then each further pathway."""
    return [(s, None) for s in synapses] + [(s, name) for s in synapses
                                            for name in s.pathways]


class Pathway:
    """``S.gpath``: one pathway of a Synapses object, by Brian2's name for it; its
    ``delay`` reads and sets that pathway's delay (``S.pre.delay`` is ``S.delay``)."""

    def __init__(self, syn, name: Optional[str]):
        object.__setattr__(self, "_syn", syn)
        object.__setattr__(self, "_name", name)

    @property
    def delay(self) -> np.ndarray:
        syn = self._syn
        if self._name is None:
            return syn.delay
        return synapse_delays.read(syn.state.pathways[self._name]["delay"], syn.n)

    def __setattr__(self, name: str, value) -> None:
        if name != "delay":
            raise AttributeError(f"a pathway of Synapses has a delay only, not '{name}'")
        self._syn.set_delay(value, self._name)
