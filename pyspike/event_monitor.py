"""EventMonitor: Brian2's monitor of a custom event (``events=`` of a model), with the
SpikeMonitor's interface: ``i``, ``t``, ``count``, ``it``, recorded ``variables``.

The condition is found with the threshold, after the step's update and before the spike's
reset (Brian2's thresholds slot); the values recorded are those the event's kernel sees:
after the spike's reset (the same values unless the neuron also spiked in that step;
Brian2 records before the reset), before the event's own statements (``run_on_event``).
Events are stamped as spikes are: at the end of their step (one step later than Brian2).

>>> import pyspike as ps
>>> m = ps.NeuronModel("dv/dt = 1/(10*ms) : 1", events={"half": "v > 0.5"})
>>> net = ps.Network(dt=1.0, backend="numpy")
>>> with net:
...     G = ps.NeuronGroup(2, m, init={"v": [0.0, 0.4]})
...     M = ps.EventMonitor(G, "half", variables="v")
>>> net.run(3.0)
>>> M.i, M.t, M.v
(array([1, 1], dtype=int32), array([2., 3.]), array([0.6, 0.7]))
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence, Union

from .codegen.errors import ModelError
from .codegen.spec import SpikeMonitorSpec
from .monitors import SpikeMonitor
from . import checks


class EventMonitor(SpikeMonitor):
    """The neurons of custom event ``event`` of ``group`` at each step, with ``variables``
    recorded at the event (see the module's doc)."""

    recording = "events"

    def __init__(self, group, event: str,
                 variables: Union[str, Sequence[str], None] = None):
        model = getattr(group, "model", None)
        events = getattr(model, "events", {})
        if event == "spike":
            raise ModelError("a spike is recorded by a SpikeMonitor; an EventMonitor records "
                             "one of the model's events=", where="EventMonitor",
                             symbol="event")
        if not isinstance(event, str) or event not in events:
            raise ModelError(f"the group has no event {checks.show(event)}: its model's events "
                             f"are {', '.join(events) or 'none'}", where="EventMonitor",
                             symbol="event")
        self.event = event
        super().__init__(group, variables)

    def _spec(self) -> SpikeMonitorSpec:
        return replace(super()._spec(), event=self.event)
