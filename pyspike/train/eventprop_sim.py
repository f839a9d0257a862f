"""One feed-forward EventProp layer in continuous time: the forward pass with spike times
found by root finding, the backward pass with the derived adjoint (codegen/eventprop.py).

The forward pass steps every sample from stop to stop: the grid times n*dt (where a
readout records) merged with the sample's input spike times.  Between stops the state
moves by the model's propagator (codegen/integrators: ``exact`` where the equations are
linear, so that no step size enters; else one ``rk4`` step, whose error O(dt^4) then enters
the gradient too).  A neuron spikes where g crosses 0 within an interval: where g is below
0 at the start and not at the end, or where it rises and falls back inside (dg/dt changes
sign; the peak is found by bisection and checked), so at most one extremum of g per
interval is resolved (LIF's potential has at most one between events, whatever dt).  The
crossing time is found by Newton steps safeguarded by bisection, to rounding, so spike
times are smooth functions of the weights; the neuron is reset there and moved on from its
spike time.

The backward pass goes through the same stops in reverse with the adjoint: its propagator
(the reversed-time adjoint ODEs, integrated the same way), its jump at each own spike, and
at each input spike the weight's gradient and the input spike time's dL/dt (handed to the
layer below).  What it keeps: the stops, every spike's time and the states its jump reads
(``saved_at_spike``), the states at input spikes that ``input_time`` reads (none for a
linear model), and, only where the adjoint reads the state (a nonlinear model), the state
at every stop.

Slow parts, said plainly: a Python loop over the stops (grid steps plus input spikes, all
samples in lockstep), a Python loop over the spikes within a stop's interval (vectorised
over the neurons and samples that spike), Newton steps per spike and per peak of g.  Everything
is float64 NumPy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import sympy as sp

from ..codegen import integrators
from ..codegen.equations import DT, symbol
from ..codegen.errors import ModelError
from ..codegen.eventprop import DLDT, EventPropModel, lam

_ROOT_ITERATIONS = 100
#: spikes of one neuron within one interval before the layer gives up (a reset that does
#: not take the neuron back below its threshold for long)
_MAX_ROUNDS = 10000


def _fn(args: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]):
    """A NumPy function of ``args`` giving the expressions stacked, (n_exprs,) + the
    arguments' broadcast shape (a constant expression filled in too)."""
    f = sp.lambdify(list(args), list(exprs), modules="numpy", cse=True)
    count = len(exprs)

    def call(*a):
        out = np.empty((count,) + np.broadcast(*a).shape)
        for k, v in enumerate(f(*a)):
            out[k] = v
        return out
    return call


def _number(value: float) -> sp.Expr:
    """A parameter's value as an exact rational, so that the exact propagator's matrix
    exponential is computed exactly (and 1/(tau_m - tau_s) cancels where they are equal)."""
    return sp.Rational(repr(float(value)))


def _propagator(odes: Dict[str, sp.Expr], method: str, names: Sequence[str]):
    """A NumPy function (x_1, ..., x_d, dt) -> the states after dt, from the integrator's
    statements, intermediates substituted."""
    steps = integrators.integrate(odes, method)
    local: Dict[sp.Symbol, sp.Expr] = {}
    for target, expr in steps:
        local[sp.Symbol(target, real=True)] = expr.xreplace(local)
    finals = [local[sp.Symbol(integrators.new_name(n), real=True)] for n in names]
    return _fn([symbol(n) for n in names] + [DT], finals)


@dataclass
class Compiled:
    """A model's EventProp maps as NumPy functions, its parameters' values substituted."""
    model: EventPropModel
    values: Mapping[str, float]
    method: Optional[str] = None
    record: Optional[str] = None
    fns: Dict[str, object] = field(default_factory=dict)

    def __post_init__(self):
        m = self.model
        missing = [p for p in m.params if p not in self.values]
        if missing:
            raise ModelError(f"the parameter {missing[0]!r} of the EventProp layer's model has "
                             "no value: give it with params=", where="EventProp layer",
                             symbol=missing[0])
        subs = {symbol(p): _number(self.values[p]) for p in m.params}
        xs = [symbol(n) for n in m.states]
        lams = [lam(n) for n in m.states]
        flow = {n: f.xreplace(subs) for n, f in m.flow}
        method = self.method or ("exact" if m.linear else "rk4")
        self.fns["prop"] = _propagator(flow, method, m.states)
        self.fns["flow"] = _fn(xs, list(flow.values()))
        w = symbol(m.weight)
        self.jumped = [m.states.index(n) for n, _ in m.jump]
        self.fns["jump"] = _fn([w], [h.xreplace(subs) for _, h in m.jump])
        self.fns["weight_grad"] = _fn(lams + [w], [m.weight_grad.xreplace(subs)])
        self.saved_input = [m.states.index(n) for n in m.saved_at_input]
        self.fns["input_time"] = _fn(lams + [xs[k] for k in self.saved_input] + [w],
                                     [m.input_time.xreplace(subs)])
        back = {k: e.xreplace(subs) for k, e in m.backward_odes().items()}
        back_names = list(back)
        self.stateful = m.adjoint_reads_state
        self.fns["back"] = _propagator(back, method if m.linear else "rk4", back_names)
        self.spiking = m.threshold is not None
        if self.spiking:
            g = m.threshold.xreplace(subs)
            self.fns["g"] = _fn(xs, [g])
            gdot = sum((sp.diff(g, x) * f for x, f in zip(xs, flow.values())), sp.Integer(0))
            self.fns["gdot"] = _fn(xs, [gdot])
            # its own time derivative, for Newton steps onto the peak of g
            self.fns["g2dot"] = _fn(xs, [sum((sp.diff(gdot, x) * f for x, f in
                                              zip(xs, flow.values())), sp.Integer(0))])
            resets = dict(m.reset)
            self.fns["reset"] = _fn(xs, [resets.get(n, x).xreplace(subs)
                                         for n, x in zip(m.states, xs)])
            saved = m.states if self.stateful else m.saved_at_spike
            self.saved_spike = [m.states.index(n) for n in saved]
            self.fns["spike_jump"] = _fn(lams + [xs[k] for k in self.saved_spike] + [DLDT],
                                         [e.xreplace(subs) for _, e in m.spike_jump])
        self.recorded = None if self.record is None else m.states.index(self.record)
        for name, fn in self.fns.items():        # c.prop(...), c.g(...)
            setattr(self, name, fn)


@dataclass
class Stops:
    """The stops of a batch, (B, S) each: times, which input spike (index into the padded
    input events, -1 at a grid stop) and which grid time (-1 at an input spike)."""
    t: np.ndarray
    event: np.ndarray
    grid: np.ndarray


def make_stops(in_t: np.ndarray, duration: float, dt: float) -> Stops:
    """Merge the grid n*dt (n = 1..N, N*dt = duration) with the input spikes ``in_t`` (B, E;
    +inf pads); a grid stop comes first where the two coincide."""
    b, e = in_t.shape
    n = int(round(duration / dt))
    grid = np.arange(1, n + 1) * (duration / n)
    times = np.concatenate([np.broadcast_to(grid, (b, n)),
                            np.where(in_t <= duration, in_t, np.inf)], axis=1)
    order = np.argsort(times, axis=1, kind="stable")
    t = np.take_along_axis(times, order, axis=1)
    used = int(np.isfinite(t).sum(axis=1).max())
    t, order = t[:, :used], order[:, :used]
    finite = np.isfinite(t)
    event = np.where((order >= n) & finite, order - n, -1)
    grid_idx = np.where(order < n, order, -1)
    return Stops(np.where(finite, t, duration), event, grid_idx)


@dataclass
class Spikes:
    """A layer's spikes in the order found: sample, neuron, time, the stop of the interval
    each lies in, and the saved states (d_saved, n_spikes)."""
    sample: np.ndarray
    neuron: np.ndarray
    time: np.ndarray
    stop: np.ndarray
    saved: np.ndarray
    rounds: Dict[int, List[np.ndarray]] = field(default_factory=dict)


class Tape:
    """What a layer's forward pass keeps for its backward pass."""

    def __init__(self, stops: Stops, weight: np.ndarray, in_src: np.ndarray):
        self.stops, self.weight, self.in_src = stops, weight, in_src
        self.at_input: Dict[int, np.ndarray] = {}       # stop -> states before the jump
        self.at_stop: Dict[int, np.ndarray] = {}        # stop -> states (nonlinear model)
        self.spikes: Optional[Spikes] = None


def forward(c: Compiled, weight: np.ndarray, in_t: np.ndarray, in_src: np.ndarray,
            duration: float, dt: float, x0: np.ndarray
            ) -> Tuple[Spikes, Optional[np.ndarray], Tape]:
    """Run a layer (weight (n_out, n_in)) on padded input spikes (B, E): its spikes, the
    recorded state at the grid times (N, B, n_out) and the tape for :func:`backward`."""
    stops = make_stops(in_t, duration, dt)
    bsz, n_stops = stops.t.shape
    n = weight.shape[0]
    tape = Tape(stops, weight, in_src)
    x = np.broadcast_to(x0[:, None, None], (len(x0), bsz, n)).copy()
    rec = None
    if c.recorded is not None:
        rec = np.zeros((int(round(duration / dt)), bsz, n))
    found: List[Tuple] = []
    t_prev = np.zeros(bsz)
    for k in range(n_stops):
        t_k = stops.t[:, k]
        # a stiff model's rk4 step may overflow where Newton probes far from the root
        with np.errstate(over="ignore", invalid="ignore"):
            x_end = c.prop(*x, (t_k - t_prev)[:, None])
            if c.spiking:
                _crossings(c, x, x_end, t_prev, t_k, k, found)
        if not np.all(np.isfinite(x_end)):
            raise ModelError(f"the layer's state became infinite or NaN before t = "
                             f"{t_k.max():g} ms: its integration is unstable at dt = {dt} "
                             "ms (take a smaller dt)", where="EventProp layer", symbol="dt")
        x = x_end
        if c.stateful:
            tape.at_stop[k] = x.copy()
        rows = np.nonzero(stops.event[:, k] >= 0)[0]
        if rows.size:
            src = in_src[rows, stops.event[rows, k]]
            if c.saved_input:
                tape.at_input[k] = x[c.saved_input][:, rows]
            h = c.jump(weight[:, src].T)
            for jdx, s in enumerate(c.jumped):
                x[s, rows] += h[jdx]
        grid = np.nonzero(stops.grid[:, k] >= 0)[0]
        if rec is not None and grid.size:
            rec[stops.grid[grid, k], grid] = x[c.recorded, grid]
        t_prev = t_k
    tape.spikes = _collect(found, len(c.saved_spike) if c.spiking else 0)
    return tape.spikes, rec, tape


def _crossings(c: Compiled, x: np.ndarray, x_end: np.ndarray, t_prev: np.ndarray,
               t_k: np.ndarray, k: int, found: List) -> None:
    """Find the spikes within (t_prev, t_k], resetting the neurons and moving them on to
    t_k in ``x_end`` (in place); each round's spikes go to ``found``."""
    d, bsz, n = x.shape
    flat_x, flat_end = x.reshape(d, -1), x_end.reshape(d, -1)
    start = np.repeat(t_prev, n)
    stop = np.repeat(t_k, n)
    idx = np.arange(bsz * n)
    xs = flat_x.copy()
    rounds = 0
    while idx.size:
        x_a, x_b = xs[:, idx], flat_end[:, idx]
        g_a, g_b = c.g(*x_a)[0], c.g(*x_b)[0]
        span = stop[idx] - start[idx]
        cross = (g_a < 0) & (g_b >= 0)
        hi = span.copy()
        peak = (g_a < 0) & (g_b < 0) & (span > 0)
        if peak.any():
            peak[peak] = (c.gdot(*x_a[:, peak])[0] > 0) & (c.gdot(*x_b[:, peak])[0] < 0)
        if peak.any():
            at, over = _peak(c, x_a[:, peak], span[peak])
            where = np.nonzero(peak)[0][over]
            cross[where] = True
            hi[where] = at[over]
        sel = np.nonzero(cross)[0]
        if sel.size == 0:
            break
        rounds += 1
        if rounds > _MAX_ROUNDS:
            raise ModelError("a neuron spiked more than 10000 times between two stops: its "
                             "reset does not take it below its threshold for long",
                             where="EventProp layer", symbol="reset")
        entries = idx[sel]
        tau = _root(c, x_a[:, sel], hi[sel])
        x_minus = c.prop(*x_a[:, sel], tau)
        x_plus = c.reset(*x_minus)
        if np.any(c.g(*x_plus)[0] >= 0):
            raise ModelError("the reset leaves a neuron at or above its threshold, so the "
                             "crossing that EventProp differentiates never ends",
                             where="EventProp layer", symbol="reset")
        t_s = start[entries] + tau
        found.append((entries // n, entries % n, t_s, np.full(sel.size, k),
                      x_minus[c.saved_spike]))
        start[entries] = t_s
        xs[:, entries] = x_plus
        flat_end[:, entries] = c.prop(*x_plus, stop[entries] - t_s)
        idx = entries


def _peak(c: Compiled, x0: np.ndarray, span: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The time of g's maximum within (0, span), where dg/dt falls through 0, and whether
    g reaches 0 there."""
    at = _newton(c, x0, span, lambda x: -c.gdot(*x)[0], lambda x: -c.g2dot(*x)[0])
    return at, c.g(*c.prop(*x0, at))[0] >= 0


def _root(c: Compiled, x0: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """tau in (0, hi] with g(prop(x0, tau)) = 0, given g < 0 at 0 and >= 0 at hi."""
    return _newton(c, x0, hi, lambda x: c.g(*x)[0], lambda x: c.gdot(*x)[0])


def _newton(c: Compiled, x0: np.ndarray, hi: np.ndarray, fn, slope) -> np.ndarray:
    """tau in (0, hi] where fn(prop(x0, tau)) crosses 0 from below (fn < 0 at 0, >= 0 at
    hi): Newton steps with the exact slope d fn/dt = grad fn . f, bisection where a step
    leaves the bracket, until a step is below 1e-9 of the span and then one more (Newton's
    quadratic convergence takes that one to rounding)."""
    lo = np.zeros_like(hi)
    hi = hi.copy()
    tol = 1e-9 * hi
    tau = 0.5 * hi
    finished = np.zeros(hi.shape, bool)
    for _ in range(_ROOT_ITERATIONS):
        xt = c.prop(*x0, tau)
        v, dv = fn(xt), slope(xt)
        up = v >= 0
        hi = np.where(up, tau, hi)
        lo = np.where(up, lo, tau)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = tau - v / dv
        ok = (dv > 0) & (newton >= lo) & (newton <= hi)
        new = np.where(ok, newton, 0.5 * (lo + hi))
        small = np.abs(new - tau) <= tol
        tau = new
        if np.all(finished):
            break
        finished |= small
    return tau


def _collect(found: List[Tuple], n_saved: int) -> Spikes:
    if not found:
        empty = np.zeros(0, int)
        return Spikes(empty, empty, np.zeros(0), empty, np.zeros((n_saved, 0)))
    parts = list(zip(*found))
    spikes = Spikes(*(np.concatenate(p) for p in parts[:4]), np.concatenate(parts[4], axis=1))
    start = 0
    for sample, _, _, stop, _ in found:      # each round: the ids of its spikes, by stop
        ids = np.arange(start, start + sample.size)
        spikes.rounds.setdefault(int(stop[0]), []).append(ids)
        start += sample.size
    return spikes


def backward(c: Compiled, tape: Tape, dldt: np.ndarray, grad_rec: Optional[np.ndarray],
             n_in: int) -> Tuple[np.ndarray, np.ndarray]:
    """The weight's gradient (n_out, n_in) and dL/dt of every padded input spike (B, E),
    given dL/dt of the layer's own spikes (in their order) and of the recorded state."""
    stops, spikes, weight = tape.stops, tape.spikes, tape.weight
    bsz, n_stops = stops.t.shape
    n = weight.shape[0]
    d = len(c.model.states)
    lam_ = np.zeros((d, bsz, n))
    g_in = np.zeros(tape.in_src.shape)
    gw = np.zeros((n_in, n))
    for k in range(n_stops - 1, -1, -1):
        t_k = stops.t[:, k]
        t_prev = stops.t[:, k - 1] if k else np.zeros(bsz)
        grid = np.nonzero(stops.grid[:, k] >= 0)[0]
        if grad_rec is not None and grid.size:
            lam_[c.recorded, grid] += grad_rec[stops.grid[grid, k], grid]
        rows = np.nonzero(stops.event[:, k] >= 0)[0]
        if rows.size:
            pos = stops.event[rows, k]
            src = tape.in_src[rows, pos]
            w = weight[:, src].T
            lam_rows = lam_[:, rows]
            saved = list(tape.at_input.get(k, np.zeros((0,) + w.shape)))
            g_in[rows, pos] = c.input_time(*lam_rows, *saved, w)[0].sum(axis=1)
            np.add.at(gw, src, c.weight_grad(*lam_rows, w)[0])
        x = tape.at_stop.get(k)
        x = None if x is None else x.copy()
        now = np.repeat(t_k[:, None], n, axis=1)
        for ids in reversed(spikes.rounds.get(k, [])):
            b, j = spikes.sample[ids], spikes.neuron[ids]
            span = now[b, j] - spikes.time[ids]
            _back(c, lam_, x, (b, j), span)
            lam_[:, b, j] = c.spike_jump(*lam_[:, b, j], *spikes.saved[:, ids], dldt[ids])
            if x is not None:                        # the state before the spike
                x[:, b, j] = spikes.saved[:, ids]
            now[b, j] = spikes.time[ids]
        _back(c, lam_, x, (slice(None), slice(None)), now - t_prev[:, None])
    return gw.T, g_in


def _back(c: Compiled, lam_: np.ndarray, x: Optional[np.ndarray], at, span) -> None:
    """Move the adjoint (and, for a nonlinear model, the state) back by ``span``."""
    if x is None:
        lam_[(slice(None),) + at] = c.back(*lam_[(slice(None),) + at], span)
        return
    both = c.back(*lam_[(slice(None),) + at], *x[(slice(None),) + at], span)
    d = lam_.shape[0]
    lam_[(slice(None),) + at] = both[:d]
    x[(slice(None),) + at] = both[d:]
