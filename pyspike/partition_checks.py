"""What a network split over MPI ranks (:mod:`pyspike.partition`) can hold, checked before
anything is built, each refusal one sentence naming the object and the reason.

A rank holds a block of every group's neurons and the synapses onto them, and learns the
other ranks' spikes only once per minimum delay.  So it refuses what would need more of
another rank than its spikes, or what would be numbered by the block instead of the whole:

- reading presynaptic neuron variables in synaptic code (``v_pre``), gap junctions,
  further pathways, Synapses onto Synapses, dense
  (all-to-all without a list) and kernel (convolution) synapses, synaptic
  ``run_regularly``, random numbers in synaptic code;
- neuron code reading the neuron index ``i`` or the group size ``N``, linked variables;
- a synaptic delay of zero (the spikes of a step are needed within that step);
- batches, seeds left to chance, backends other than "cpu", and
  monitors other than SpikeMonitor, StateMonitor of groups and PopulationRateMonitor.
"""
from __future__ import annotations

import re
from typing import Iterable

from .codegen.errors import ModelError
from .monitors import SpikeMonitor, StateMonitor
from .rate_monitor import PopulationRateMonitor

#: Names of the whole group that a block would read as its own.
_GROUP_WIDE = re.compile(r"(?<![\w.])(i|N)(?![\w])")
#: Names of synaptic code that a rank's synapses would read as its own.
_SYNAPSE_WIDE = re.compile(r"(?<![\w.])(j|N_\w+|rand|randn|xi\w*)(?![\w])")
_WHERE = "Network(partition=True)"


def _refuse(message: str, symbol: str = "partition") -> ModelError:
    return ModelError(message + ": a network split over MPI ranks cannot hold that yet",
                      where=_WHERE, symbol=symbol)


def _texts(*texts) -> Iterable[str]:
    for text in texts:
        if isinstance(text, str):
            yield text


def check_network(net) -> None:
    """The network-wide conditions: backend, batch, seed, operations, monitors."""
    if net.backend.capabilities.target != "cpp":
        raise _refuse(f"the backend '{net.backend.name}' runs the whole network in one "
                      "process; a split network runs on backend='cpu'", "backend")
    if net.batch is not None:
        raise _refuse("a batch of instances (batch=) is split by instances, not by neurons",
                      "batch")
    for mon in net.objects:
        if isinstance(mon, (SpikeMonitor, StateMonitor, PopulationRateMonitor)) and (
                type(mon) not in (SpikeMonitor, StateMonitor, PopulationRateMonitor)
                or getattr(mon, "synapses", None) is not None):
            raise _refuse(f"a {type(mon).__name__} of "
                          f"'{getattr(mon.source, 'name', mon.source)}' is not gathered "
                          "from the ranks", type(mon).__name__)


def check_unchanged(net, objects: list) -> None:
    """The network holds the ``objects`` it held at its first run, which made the blocks."""
    if list(net.objects) != objects:
        raise ModelError("objects were added to the network after its first run (or "
                         "build()); a network split over MPI ranks is split then: add "
                         "everything before", where=_WHERE, symbol="add")


def check_group(g) -> None:
    spec = g._spec()
    if spec.linked:
        raise _refuse(f"group '{g.name}' has the linked variable '{spec.linked[0][0]}'",
                      spec.linked[0][0])
    texts = _texts(spec.equations, spec.update, spec.threshold, spec.reset, spec.refractory,
                   *(code for code, _ in spec.operations),
                   *(text for event in spec.events for text in event[1:]))
    for text in texts:
        found = _GROUP_WIDE.search(text)
        if found:
            raise _refuse(f"the model of group '{g.name}' reads '{found.group(1)}' in "
                          f"'{text.strip()}', which a rank's block would number as its own",
                          found.group(1))


def check_synapses(syn) -> None:
    name = f"Synapses '{syn.name}'"
    if syn.target_synapses:
        raise _refuse(f"{name} act on Synapses '{syn.target.name}'", syn.name)
    for what, refused in (("further pathways", syn.pathways),
                          ("a dense all-to-all matrix", syn.dense),
                          ("kernel variables", syn.kernel),
                          ("run_regularly statements", _operations(syn))):
        if refused:
            raise _refuse(f"{name} have {what}", what.split()[-1])
    pre = set(syn.source.model.variables) | set(syn.source.model.param_names)
    for text in _texts(syn.model, syn.on_pre):
        for found in re.finditer(r"(?<![\w.])(\w+)_pre(?![\w])", text):
            if found.group(1) in pre:
                raise _refuse(f"{name} read the presynaptic '{found.group(0)}', which lives "
                              "on the rank of the presynaptic neuron", found.group(0))
        found = _SYNAPSE_WIDE.search(text)
        if found:
            raise _refuse(f"{name} read '{found.group(1)}' in their code, which a rank "
                          "would number or draw by its own synapses", found.group(1))


def _operations(syn) -> bool:
    from . import synapses_operations
    return bool(synapses_operations.entries(syn))


def check_delay(syn, steps: int) -> None:
    """Every synapse waits at least a step: the ranks swap each step's spikes after it."""
    if steps < 1:
        raise _refuse(f"Synapses '{syn.name}' have a delay of {steps} steps; the ranks "
                      "learn each other's spikes after the step, so every synapse needs a "
                      "delay of at least dt (delay=...)", "delay")


def check_sources(n: int, most: int) -> None:
    """The groups that synapses start from fit the exchange's keys."""
    if n > most:
        raise _refuse(f"synapses start from {n} groups, more than the {most} whose spikes "
                      "the ranks can swap", "Synapses")
