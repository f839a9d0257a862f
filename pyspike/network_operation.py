"""Brian2's ``network_operation``: a Python function called between compiled steps.

A network operation is called at the start of every step whose time is a multiple of its
``dt`` (default: every step), before anything else of that step: before the group's
``run_regularly`` statements due then, before the monitors record and before the update.
So what it writes (``G.v[...] = ...``, ``S.w = ...``) is the state that the monitors
record at that time and that the step's update starts from, on every backend.  Several
operations due at the same step are called by ``order``, then in the order they joined the
network.  ``t`` (in ms) is the time of the step the call precedes, which is ``net.t``.
With ``backend="cuda"`` the state stays on the GPU between pieces until an operation reads
or writes it through the objects (``G.v``, ``S.w``, ``net.state``): that copies it to the
host, and the next piece uploads it with the writes (an array kept from an earlier call is
not brought up to date, as between runs).

A network with operations runs its compiled code in pieces that end at the steps where an
operation is due (a run in pieces gives the numbers of a run in one piece: random numbers
are keyed by step and every counter lives in the arrays), and calls the operations in
between, with the state, the clock and the monitors up to date.  A network without
operations runs as before, with no Python between its steps.  An operation is called only
before a step that then runs: a run that ends at a step where one is due leaves the call to
the run that continues from there, so a run continued in pieces makes the calls of one
run.  An exception raised by an operation (or Ctrl-C while it runs) stops the run at that
step, the step not run, its clock, state and monitors as they were, and propagates; the
next run starts with that step and calls that step's operations again.
"""
from __future__ import annotations

import inspect
import itertools
import weakref
from typing import Callable, List, Optional, Tuple

from .codegen.errors import ModelError
from . import _context, checks

__all__ = ["NetworkOperation", "network_operation"]

_names = itertools.count()
#: Networks running their operations now: an operation may not run its network again.
_running: "weakref.WeakSet" = weakref.WeakSet()
#: Networks whose run a network operation asked to stop (stop()).
_stopping: "weakref.WeakSet" = weakref.WeakSet()


class NetworkOperation:
    """A Python ``function`` called every ``dt`` ms (default: every step) during a run,
    at the start of the step (Brian2's ``when="start"``, the only slot offered), as
    ``function()`` or ``function(t)`` with ``t`` the step's time in ms.  ``order`` sorts
    operations due at the same step (lower first; ties in the order added).  Made by
    :func:`network_operation`; created inside ``with net:`` it joins ``net``, else
    ``net.add(op)``.  Calling the operation calls the function."""

    def __init__(self, function: Callable, dt: Optional[float] = None, when: str = "start",
                 order: int = 0, name: Optional[str] = None):
        label = getattr(function, "__name__", None)
        where = f"network_operation '{name or label or 'networkoperation'}'"
        if not callable(function):
            raise ModelError(f"network_operation takes a function (or keyword arguments such "
                             f"as dt=1.0 and then decorates one), not {checks.show(function)}",
                             where="network_operation", symbol="function")
        self.function = function
        self.name = checks.name(name, where) or label or f"networkoperation_{next(_names)}"
        where = f"network_operation '{self.name}'"
        #: The interval in ms; None: every step of the network.
        self.dt = None if dt is None else checks.duration(dt, "dt", where, positive=True)
        if when != "start":
            raise ModelError(f"when={checks.show(when)}: pyspike calls a network operation at "
                             "the start of a step only (when='start', before run_regularly, "
                             "the monitors and the update); what Brian2 calls at the end of "
                             "the step at t comes here at the start of the step at t + dt",
                             where=where, symbol="when")
        self.when = when
        self.order = checks.count(order, "order", where, minimum=-2 ** 31)
        self._with_t = _takes_t(function, where)
        _context.register(self)

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"NetworkOperation({self.name}, dt={self.dt})"

    def steps(self, net_dt: float) -> int:
        """The operation's dt in whole steps of a network's ``net_dt`` (1 with no dt)."""
        if self.dt is None:
            return 1
        steps = round(self.dt / net_dt)
        if steps < 1 or abs(steps * net_dt - self.dt) > 1e-9 * self.dt:
            raise ModelError(f"the dt of {self.dt:g} ms is not a whole number of steps of the "
                             f"network's dt = {net_dt:g} ms: give a multiple of it",
                             where=f"network_operation '{self.name}'", symbol="dt")
        return int(steps)

    def call_at(self, t: float) -> None:
        """Call the function for the step at time ``t`` (ms)."""
        if self._with_t:
            self.function(t)
        else:
            self.function()


def network_operation(function: Optional[Callable] = None, *, dt: Optional[float] = None,
                      when: str = "start", order: int = 0, name: Optional[str] = None):
    """Make ``function()`` or ``function(t)`` a :class:`NetworkOperation`: a decorator,
    bare (every step) or with keyword arguments (``dt`` in ms, ``when``, ``order``, ``name``),
    as Brian2's.  What it writes into the state is what the monitors record at ``t`` and
    what the step from ``t`` starts from.

    >>> import pyspike as ps
    >>> from pyspike.network_operation import network_operation
    >>> m = ps.NeuronModel("dv/dt = 1/tau : 1", params={"tau": 1.0})
    >>> net = ps.Network(dt=0.5, backend="numpy")
    >>> calls = []
    >>> with net:
    ...     G = ps.NeuronGroup(2, m)
    ...     @network_operation(dt=2.0)
    ...     def reset(t):
    ...         calls.append(t)
    ...         G.v[0] = 0.0          # neuron 0 starts again at every call
    >>> net.run(5.0)
    >>> calls                         # before the steps at 0, 2 and 4 ms
    [0.0, 2.0, 4.0]
    >>> G.v                           # neuron 0: reset at 4 ms, then 2 steps of 0.5 ms
    array([1., 5.])
    """
    if function is None:
        return lambda f: NetworkOperation(f, dt=dt, when=when, order=order, name=name)
    return NetworkOperation(function, dt=dt, when=when, order=order, name=name)


def _takes_t(function: Callable, where: str) -> bool:
    """Whether ``function`` is called with ``t`` (it takes one argument) or without."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):      # a builtin without a signature: called bare
        return False
    for args in ((0.0,), ()):
        try:
            signature.bind(*args)
        except TypeError:
            continue
        return bool(args)
    raise ModelError(f"a network operation is called as f() or f(t), with t in ms, but "
                     f"'{getattr(function, '__name__', function)}' takes {signature}",
                     where=where, symbol="function")


def attach(net, op: NetworkOperation) -> None:
    """``net.add(op)``: its dt is checked against the network's now."""
    op.steps(net.dt)
    if not any(o is op for o in net.operations):
        net.operations.append(op)


def run(net, n_steps: int, advance: Callable[[int], None]) -> None:
    """Advance ``net`` by ``n_steps``, calling its operations where they are due:
    ``advance(k)`` builds the network if needed and runs k compiled steps."""
    if not net.operations:
        advance(n_steps)
        return
    due = _schedule(net)
    if net in _running:
        raise ModelError("a network operation cannot run its own network (net.run was "
                         "called from inside one)", where="Network.run")
    advance(0)                           # a mistake in the model shows before any call
    start, end = net.step, net.step + n_steps
    _running.add(net)
    try:
        while net.step < end:
            step = net.step
            for op, every in due:
                if step % every == 0:
                    _call(op, step, net.dt)
            stopping = net in _stopping        # stop(): this step completes, as in Brian2
            following = step + 1 if stopping else \
                min(end, min((step // every + 1) * every for _, every in due))
            try:
                advance(following - step)
            except KeyboardInterrupt:
                raise KeyboardInterrupt(
                    f"the run stopped at t = {net.t:g} ms, after {net.step - start} of "
                    f"{n_steps} steps; the state and the monitors hold those steps, and "
                    "net.run continues from there") from None
            if stopping:
                break
    finally:
        _running.discard(net)
        _stopping.discard(net)


def stop(net=None) -> None:
    """Brian2's ``stop()``, called by a network operation: the run of ``net`` (None: the
    network whose operation is running) ends after the current step, with ``net.t`` there;
    the next ``net.run`` goes on from it.

    >>> import pyspike as ps
    >>> net = ps.Network(dt=1.0, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(1, ps.NeuronModel("dv/dt = 1/ms : 1"))
    >>> @ps.network_operation(dt=2.0)
    ... def check():
    ...     if G.v[0] >= 4:
    ...         ps.stop()
    >>> net.add(check)
    >>> net.run(10.0)
    >>> net.t, float(G.v[0])
    (5.0, 5.0)
    """
    targets = [net] if net is not None else list(_running)
    if not targets or (net is not None and net not in _running):
        raise ModelError("stop() ends a run from inside one of its network operations; no "
                         "run is in progress", where="stop")
    for n in targets:
        _stopping.add(n)


def _schedule(net) -> List[Tuple[NetworkOperation, int]]:
    """The operations in calling order, each with its interval in steps (checked now too:
    the network's dt may have changed since they were added)."""
    ordered = sorted(enumerate(net.operations), key=lambda k_op: (k_op[1].order, k_op[0]))
    return [(op, op.steps(net.dt)) for _, op in ordered]


def _call(op: NetworkOperation, step: int, dt: float) -> None:
    try:
        op.call_at(step * dt)
    except BaseException as err:
        err.add_note(f"raised by network operation '{op.name}' at t = {step * dt:g} ms: the run "
                     "stopped before that step, which the next run starts with (calling its "
                     "operations again)")
        raise
