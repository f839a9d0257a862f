"""``Synapses.run_regularly``: statements on every synapse every ``dt`` ms inside the
compiled loop, as Brian2's, after the sums they read, each over the synapses of one
postsynaptic neuron (``sums={"total_post": "abs(w)"}``: one value per postsynaptic neuron)
or over all the synapses (a name without ``_post``: one value).  The kernels are built by
codegen/synaptic_operations.py and run on every backend.

``when="start"`` (Brian2's default) runs them at the start of the step, after the
groups' run_regularly and the monitors of synaptic variables (Brian2's order of names)
and before the neuron updates and the step's synaptic events; ``when="end"`` after the
step's events and resets.  They assign synaptic variables only (each synapse its own),
and read the synapses' names (``w``, ``v_pre``, ``v_post``, ``i``, ``j``, ``t``) and the
sums, which see the state as it is when the operation starts.

>>> import pyspike as ps
>>> net = ps.Network(dt=1.0, backend="numpy")
>>> with net:
...     G = ps.NeuronGroup(2, ps.NeuronModel("v : 1"))
...     S = ps.Synapses(G, G, model="w : 1")
>>> S.connect()
>>> S.w = [1.0, 3.0, 1.0, 1.0]         # synapses (i, j): (0, 0), (0, 1), (1, 0), (1, 1)
>>> op = S.run_regularly("w = w/total_post", sums={"total_post": "w"})
>>> net.run(1.0)
>>> S.w                                # each postsynaptic neuron's weights sum to 1
array([0.5 , 0.75, 0.5 , 0.25])
>>> op.active = False                  # (Brian2's active: off until set True again)
"""
from __future__ import annotations

import weakref
from typing import Mapping, Optional, Tuple

from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.synaptic import alias_dims
from .codegen.synaptic_operations import WHEN, parse_operation
from .codegen.unit_check import check_condition, check_statements, checker_for
from . import checks
from .model import neuron_dims, neuron_variables


#: each Synapses object's operations, in the order they were made (and run)
_OPERATIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def run_regularly(synapses, code: str, dt: Optional[float] = None, when: str = "start",
                  sums: Optional[Mapping[str, str]] = None) -> "SynapsesOperation":
    """``S.run_regularly(code, dt=None, when="start", sums=None)``: run the statements
    ``code`` on every synapse every ``dt`` ms (default: every step) at the ``when`` of the
    step, after the ``sums`` ({name: expression}) they read (see the module's doc);
    returns the operation, whose ``active`` switches it off and on."""
    ops = _OPERATIONS.setdefault(synapses, [])
    ops.append(SynapsesOperation(synapses, len(ops), code, dt, when, sums))
    return ops[-1]


def entries(synapses) -> tuple:
    """The SynapsesSpec.operations of ``synapses``, in its network (whose dt they need)."""
    return tuple(op.entry(synapses.network.dt) for op in _OPERATIONS.get(synapses, ()))


class SynapsesOperation:
    """What ``Synapses.run_regularly`` returns; ``active`` switches it off (False) and on
    again between runs, as Brian2's ``active`` of the object run_regularly makes."""

    def __init__(self, synapses, number: int, code: str, dt: Optional[float] = None,
                 when: str = "start", sums: Optional[Mapping[str, str]] = None):
        where = f"run_regularly of Synapses '{synapses.name}'"
        code = checks.text(code, "code", where, empty_if_none=False)
        if dt is not None:
            dt = checks.duration(dt, "dt", where, positive=True)
        if not isinstance(when, str) or when not in WHEN:
            raise ModelError(f"when must be one of {', '.join(repr(w) for w in WHEN)}, not "
                             f"{checks.show(when)}", where=where, symbol="when")
        if synapses.target_synapses:
            raise ModelError(f"{where}: run_regularly runs on Synapses between neuron "
                             "groups, not on Synapses of synapses", where=where,
                             symbol="run_regularly")
        self._synapses = weakref.ref(synapses)     # (they hold their operations)
        self.number, self.dt, self.when = number, dt, when
        self.code, self.sums = code, _sums(sums, where)
        _check(synapses, code, self.sums, where)
        self.active = True

    @property
    def synapses(self):
        """The Synapses object it runs on."""
        return self._synapses()

    @property
    def flag(self) -> str:
        """The synapses' hidden parameter that holds ``active`` (read at every run)."""
        return f"_active{self.number}"

    @property
    def active(self) -> bool:
        return bool(self.synapses.state.params[self.flag])

    @active.setter
    def active(self, value) -> None:
        self.synapses.state.params[self.flag] = 1.0 if value else 0.0

    def entry(self, net_dt: float) -> Tuple[str, tuple, str, int]:
        """Its entry of SynapsesSpec.operations, for a network of step ``net_dt``."""
        every = 1
        if self.dt is not None:
            every = round(self.dt / net_dt)
            if every < 1 or abs(every * net_dt - self.dt) > 1e-9 * self.dt:
                raise ModelError(f"run_regularly's dt of {self.dt!r} ms is not a whole "
                                 f"number of steps of the network's dt = {net_dt} ms",
                                 where=f"Synapses '{self.synapses.name}'", symbol="dt")
        return self.code, tuple(self.sums.items()), self.when, int(every)


def _sums(sums, where: str) -> dict:
    if sums is None:
        return {}
    if not isinstance(sums, Mapping):
        raise ModelError(f"sums must be a dict of name: expression, not {checks.show(sums)}",
                         where=where, symbol="sums")
    out = {}
    for name, text in sums.items():
        out[checks.text(name, "the name of a sum", where)] = \
            checks.text(text, f"the sum '{name}'", where, empty_if_none=False)
    return out


def _check(syn, code: str, sums: dict, where: str) -> None:
    """Parse the sums and the statements now, and check their units: each sum has its
    expression's, each statement assigns its target's."""
    pre, post = neuron_variables(syn.source), neuron_variables(syn.target)
    names = syn.value_names()
    targets = {v: symbol(v) for v in syn.variables
               if v not in syn.shared and v not in syn.kernel}
    parsed, statements, _ = parse_operation(code, tuple(sums.items()), names, targets, where)
    dims = dict(alias_dims(pre, post, (neuron_dims(syn.source), neuron_dims(syn.target))))
    dims.update(syn.dims)
    checker = checker_for(dims)
    for name, _, expr in parsed:
        check_condition(checker, expr, sums[name], f"the sum '{name}' of {where}")
        checker.dims[symbol(name)] = checker.of(expr)
    check_statements(checker, [(symbol(st.target), st.value(symbol(st.target)))
                               for st in statements], code, where)
