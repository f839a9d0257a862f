"""NumPy references for the plasticity rules, written from the published equations (not
from pyspike's rule text): each walks through one synapse's spikes in time order, decays
its traces exactly over the gaps and applies the published update at each spike (R-STDP
also integrates its weight exactly over every step between them).

Spikes at the same time: presynaptic first (as pyspike runs its events).  Weights are in
units of wmax (w/wmax) and clipped to [0, 1] at each spike, as the rules clip w to
[0, wmax].
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np

Events = List[Tuple[float, int]]          # (time, 0 for a presynaptic spike, 1 postsynaptic)


def events(pre: Sequence[float], post: Sequence[float]) -> Events:
    """The spikes of one synapse in the order they are processed."""
    return sorted([(float(t), 0) for t in pre] + [(float(t), 1) for t in post])


def _run(pre, post, taus: Dict[str, float], on_pre, on_post, w0: float) -> float:
    traces = {name: 0.0 for name in taus}
    w, last = w0, 0.0
    for t, side in events(pre, post):
        for name, tau in taus.items():
            traces[name] *= np.exp(-(t - last) / tau)
        last = t
        w = float(np.clip((on_pre if side == 0 else on_post)(traces, w), 0.0, 1.0))
    return w


def pair_stdp(pre, post, w0: float, tau_plus: float, tau_minus: float, A_plus: float,
              A_minus: float, nearest: bool = False, mu_plus: float = 0.0,
              mu_minus: float = 0.0) -> float:
    """Pair-based STDP (Song et al. 2000): traces of each side raised by 1 (set to 1 with
    ``nearest``, Morrison et al. 2008's symmetric nearest-spike scheme); Gütig et al.
    (2003)'s weight dependence (1 - w)**mu_plus and w**mu_minus.  Returns w/wmax."""
    def raise_(traces, name):
        traces[name] = 1.0 if nearest else traces[name] + 1.0

    def on_pre(tr, w):
        raise_(tr, "x")
        return w - A_minus * w ** mu_minus * tr["y"]

    def on_post(tr, w):
        raise_(tr, "y")
        return w + A_plus * (1.0 - w) ** mu_plus * tr["x"]
    return _run(pre, post, {"x": tau_plus, "y": tau_minus}, on_pre, on_post, w0)


def diehl_cook(pre, post, w0: float, tau_plus: float, tau_minus: float, nu_minus: float,
               nu_plus: float, x_tar: float, mu: float) -> float:
    """Diehl & Cook (2015): traces set to 1 by a spike; Δw = -nu_pre*x_post at a
    presynaptic spike, Δw = nu_post*(x_pre - x_tar)*(w_max - w)**mu at a postsynaptic one
    (w_max = 1).  Returns w/wmax."""
    def on_pre(tr, w):
        tr["x"] = 1.0
        return w - nu_minus * tr["y"]

    def on_post(tr, w):
        tr["y"] = 1.0
        return w + nu_plus * (tr["x"] - x_tar) * (1.0 - w) ** mu
    return _run(pre, post, {"x": tau_plus, "y": tau_minus}, on_pre, on_post, w0)


def triplet(pre, post, w0: float, tau_plus: float, tau_minus: float, tau_x: float,
            tau_y: float, A2_plus: float, A3_plus: float, A2_minus: float,
            A3_minus: float) -> float:
    """Pfister & Gerstner (2006), eqs. (3)-(4): at a presynaptic spike w decreases by
    o1*(A2- + A3-*r2(t-ε)), then r1, r2 += 1; at a postsynaptic spike w increases by
    r1*(A2+ + A3+*o2(t-ε)), then o1, o2 += 1.  Returns w/wmax."""
    def on_pre(tr, w):
        w = w - tr["o1"] * (A2_minus + A3_minus * tr["r2"])
        tr["r1"] += 1.0
        tr["r2"] += 1.0
        return w

    def on_post(tr, w):
        w = w + tr["r1"] * (A2_plus + A3_plus * tr["o2"])
        tr["o1"] += 1.0
        tr["o2"] += 1.0
        return w
    taus = {"r1": tau_plus, "r2": tau_x, "o1": tau_minus, "o2": tau_y}
    return _run(pre, post, taus, on_pre, on_post, w0)


def pairing(rate: float, lag: float, count: int = 60, start: float = 100.0):
    """Sjöström et al. (2001)'s protocol: ``count`` pairings at ``rate`` Hz, the
    postsynaptic spike ``lag`` ms after the presynaptic one (before it if negative)."""
    pre = start + np.arange(count) * 1000.0 / rate
    return pre, pre + lag


def rstdp(pre, post, reward: Sequence[float], dt: float, w0: float, tau_plus: float,
          tau_minus: float, A_plus: float, A_minus: float, tau_c: float,
          eta: float) -> np.ndarray:
    """Reward-modulated STDP with an eligibility trace (Izhikevich 2007; Florian 2007's
    MSTDPET) on steps of ``dt``: w/wmax at the times 0, dt, ..., len(reward)*dt.

    dc/dt = -c/tau_c, with A_plus*x added to c at a postsynaptic spike and -A_minus*y at
    a presynaptic one (x, y: pair traces decaying with tau_plus and tau_minus, raised by
    1 at a spike of their side); dw/dt = eta*c*d, the reward d = reward[k] held over the
    step from k*dt.  Between spikes the pair is solved exactly: over a step c ->
    c*exp(-dt/tau_c) and w -> w + eta*d*c*tau_c*(1 - exp(-dt/tau_c)).  At a spike (its
    time a multiple of dt in (0, len(reward)*dt], taken after the step that ends there)
    w is clipped to [0, 1] (the bounds 0 and wmax), then c jumps.  A spike's time is the
    end of the step that delivers it, as pyspike stamps it: T + dt for a
    SpikeGeneratorGroup's spike given at T.
    """
    by_step: Dict[int, Events] = {}
    for t, side in events(pre, post):
        by_step.setdefault(int(round(t / dt)), []).append((t, side))
    gain = -tau_c * np.expm1(-dt / tau_c)      # the integral of exp(-s/tau_c) over a step
    w = np.empty(len(reward) + 1)
    w[0] = w0
    c = x = y = last = 0.0
    for k, d in enumerate(reward):
        w[k + 1] = w[k] + eta * d * c * gain
        c *= np.exp(-dt / tau_c)
        for t, side in by_step.get(k + 1, []):
            x *= np.exp(-(t - last) / tau_plus)
            y *= np.exp(-(t - last) / tau_minus)
            last = t
            w[k + 1] = np.clip(w[k + 1], 0.0, 1.0)
            if side == 0:
                x += 1.0
                c -= A_minus * y
            else:
                y += 1.0
                c += A_plus * x
    return w
