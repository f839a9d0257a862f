"""pyspike's library of synaptic plasticity rules (``ps.models.plasticity``), and the
between-run weight normalisation of Diehl & Cook (2015).

Every rule changes the weight ``w`` that the synapses declare, in whatever unit they
declare it (nS, pA, mV or 1): its traces are dimensionless and each change is scaled by
``wmax``, a parameter that takes the unit of ``w`` (a number given for it is in that
unit) and is also the upper hard bound, as in ``w = clip(w + wmax*A_plus*apre, 0, wmax)``.
Traces marked ``(event-driven)`` are solved exactly from one event of the synapse to the
next, so a rule's window is exact at any dt.  In one step presynaptic events run before
postsynaptic ones, so a pre- and a postsynaptic spike in the same step form the pair
Δt = 0 (potentiation).

>>> import pyspike as ps
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     pre = ps.SpikeGeneratorGroup(1, indices=[0], times=[10.0])
...     post = ps.SpikeGeneratorGroup(1, indices=[0], times=[20.0])
...     S = ps.Synapses(pre, post, model="w : nS", plasticity="stdp", params={"wmax": 2.0})
...     S.connect(i=[0], j=[0])
>>> S.w = 1.0
>>> net.run(30.0)
>>> round(float(S.w[0]) - 1.0, 6)       # 2.0*0.005*exp(-10/20)
0.006065
"""
from __future__ import annotations

import numpy as np

from ..codegen.errors import ModelError
from .. import checks
from .registry import plasticity
from .rule import PlasticityRule

__all__ = ["normalize_weights"]

#: The pair traces of the pair-based rules: one per side, dimensionless.
_PAIR_TRACES = """
    dapre/dt = -apre/tau_plus : 1 (event-driven)
    dapost/dt = -apost/tau_minus : 1 (event-driven)
    """
#: Song, Miller & Abbott (2000)'s window, relative to wmax.
_SONG = {"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.005, "A_minus": 0.00525,
         "wmax": 1.0}

_STDP_DOC = """Pair-based STDP with all-to-all pairing, through traces (Song, Miller &
    Abbott 2000).  Each synapse keeps a presynaptic trace apre and a postsynaptic trace
    apost (dimensionless), decaying with tau_plus and tau_minus and raised by 1 at each
    spike of their side.  A presynaptic spike depresses, w -> clip(w -
    wmax*A_minus*apost, 0, wmax); a postsynaptic spike potentiates, w -> clip(w +
    wmax*A_plus*apre, 0, wmax).  One pair with Δt = t_post - t_pre changes w by
    wmax*A_plus*exp(-Δt/tau_plus) for Δt >= 0 and by -wmax*A_minus*exp(Δt/tau_minus) for
    Δt < 0; with more spikes every pair adds (all-to-all).  w stays in [0, wmax].
    Defaults (Song et al. 2000): tau_plus = tau_minus = 20 ms, A_plus = 0.005, A_minus =
    1.05*A_plus = 0.00525 (fractions of wmax), wmax = 1 in the unit of w (give yours: it
    is the scale and the upper bound).
    Reference: S. Song, K. D. Miller, L. F. Abbott, Competitive Hebbian learning through
    spike-timing-dependent synaptic plasticity, Nat. Neurosci. 3, 919 (2000).
    Other simulators: BrainPy 2.4.3's STDP_Song2000 is this rule with its own defaults,
    tau_s = 16.8 ms (presynaptic trace), tau_t = 33.7 ms (postsynaptic), absolute steps
    A1 = 0.96 and A2 = 0.53 and no bounds unless W_min/W_max are given: params={"tau_plus":
    16.8, "tau_minus": 33.7, "A_plus": 0.96/wmax, "A_minus": 0.53/wmax} gives its window
    (BrainPy updates its traces once per step, so its Δt are whole steps).  Brian2's STDP
    example is this rule (dApre = A_plus*wmax, dApost = -A_minus*wmax).  SPAIC 0.6.2's
    full_online_STDP pairs all-to-all too, but decays its traces by exp(-1/20) per step
    whatever dt is, potentiates with Apost = 1e-2 and depresses with Apre = 1e-4, counts
    same-step spikes on both sides, and rescales every neuron's weights to sum 78.4 after
    a run (normalize_weights)."""

plasticity.add("stdp", PlasticityRule(
    "stdp", _STDP_DOC, model=_PAIR_TRACES,
    on_pre="""
        apre += 1
        w = clip(w - wmax*A_minus*apost, 0, wmax)
        """,
    on_post="""
        apost += 1
        w = clip(w + wmax*A_plus*apre, 0, wmax)
        """,
    params=dict(_SONG)))

plasticity.add("stdp_nearest", PlasticityRule(
    "stdp_nearest", """Pair-based STDP with nearest-spike pairing: the symmetric
    nearest-spike scheme of Morrison, Diesmann & Gerstner (2008).  As ``stdp``, except that
    a spike sets its trace to 1 instead of adding 1, so each postsynaptic spike pairs with
    the latest presynaptic spike only and each presynaptic spike with the latest
    postsynaptic spike only (a spike may take part in one pair each way; the
    presynaptic-centred and reduced schemes of the same paper allow fewer).  A single pair
    changes w as ``stdp`` does; a burst does not: presynaptic spikes at 0, 5 and 10 ms
    before a postsynaptic spike at 15 ms potentiate by wmax*A_plus*exp(-5/tau_plus) only.
    Parameters and defaults as ``stdp`` (Song et al. 2000); w stays in [0, wmax].
    Reference: A. Morrison, M. Diesmann, W. Gerstner, Phenomenological models of synaptic
    plasticity based on spike timing, Biol. Cybern. 98, 459 (2008).
    Other simulators: NEST's stdp_nn_symm_synapse is this scheme; SPAIC 0.6.2's
    nearest_online_stdp resets its traces to 1 likewise (with the differences listed for
    ``stdp``); BrainPy 2.4.3 has no nearest-spike rule.""",
    model=_PAIR_TRACES,
    on_pre="""
        apre = 1
        w = clip(w - wmax*A_minus*apost, 0, wmax)
        """,
    on_post="""
        apost = 1
        w = clip(w + wmax*A_plus*apre, 0, wmax)
        """,
    params=dict(_SONG)))

plasticity.add("stdp_multiplicative", PlasticityRule(
    "stdp_multiplicative", """Weight-dependent STDP (Gütig, Aharonov, Rotter & Sompolinsky
    2003): ``stdp`` whose potentiation is scaled by (1 - w/wmax)**mu_plus and depression by
    (w/wmax)**mu_minus.  At a postsynaptic spike w -> w + wmax*A_plus*(1 -
    w/wmax)**mu_plus*apre, at a presynaptic spike w -> w - wmax*A_minus*(w/wmax)**mu_minus*
    apost (both factors taken in [0, 1], w kept in [0, wmax]).  mu_plus = mu_minus = 1, the
    default, is the multiplicative rule (Gütig's mu = 1; Rubin, Lee & Sompolinsky 2001):
    potentiation proportional to wmax - w, depression to w, so the bounds are soft;
    mu_plus = mu_minus = 0 is the additive ``stdp``; mu_plus = 0 and mu_minus = 1 is van
    Rossum, Bi & Turrigiano (2000): additive potentiation, depression proportional to w.
    Defaults: as ``stdp`` (tau 20 ms, A_plus = 0.005, A_minus = 0.00525, wmax = 1) with
    mu_plus = mu_minus = 1.
    References: R. Gütig, R. Aharonov, S. Rotter, H. Sompolinsky, Learning input
    correlations through nonlinear temporally asymmetric Hebbian plasticity, J. Neurosci.
    23, 3697 (2003); M. C. W. van Rossum, G. Q. Bi, G. G. Turrigiano, Stable Hebbian
    learning from spike timing-dependent plasticity, J. Neurosci. 20, 8812 (2000).
    Other simulators: NEST's stdp_synapse is this rule (its lambda is A_plus, alpha is
    A_minus/A_plus); BrainPy 2.4.3 and SPAIC 0.6.2 have no weight-dependent STDP.""",
    model=_PAIR_TRACES,
    on_pre="""
        apre += 1
        w = clip(w - wmax*A_minus*clip(w/wmax, 0, 1)**mu_minus*apost, 0, wmax)
        """,
    on_post="""
        apost += 1
        w = clip(w + wmax*A_plus*clip(1 - w/wmax, 0, 1)**mu_plus*apre, 0, wmax)
        """,
    params={**_SONG, "mu_plus": 1.0, "mu_minus": 1.0}))

plasticity.add("stdp_triplet", PlasticityRule(
    "stdp_triplet", """Triplet STDP: the minimal all-to-all model of Pfister & Gerstner
    (2006), with their visual-cortex parameters (fitted to Sjöström et al. 2001).  Four
    dimensionless traces, raised by 1 at a spike of their side: presynaptic r1 (decaying
    with tau_plus) and r2 (tau_x), postsynaptic o1 (tau_minus) and o2 (tau_y).  At a
    presynaptic spike w -> w - wmax*o1*(A2_minus + A3_minus*r2), then r1 and r2 are raised;
    at a postsynaptic spike w -> w + wmax*r1*(A2_plus + A3_plus*o2), then o1 and o2 are
    raised: each update reads the traces before its own spike adds to them (the paper's
    r2(t - ε), o2(t - ε)).  w stays in [0, wmax].  The triplet term makes the change
    depend on the rate: 60 pairings at Δt = -10 ms depress at 1 Hz and potentiate at
    50 Hz, as in Sjöström's data.
    Defaults (Pfister & Gerstner 2006, Table 4, visual cortex, all-to-all, minimal model):
    tau_plus = 16.8, tau_minus = 33.7, tau_y = 125 ms, A2_plus = 5e-10, A3_plus = 6.2e-3,
    A2_minus = 7e-3, A3_minus = 0 (fractions of wmax), wmax = 1.  tau_x (101 ms, the full
    model's) matters only where A3_minus is given (the full model's is 2.3e-4).
    Reference: J.-P. Pfister, W. Gerstner, Triplets of spikes in a model of spike
    timing-dependent plasticity, J. Neurosci. 26, 9673 (2006).
    Other simulators: NEST's stdp_triplet_synapse is this all-to-all rule; BrainPy 2.4.3
    and SPAIC 0.6.2 have no triplet rule.""",
    model="""
        dr1/dt = -r1/tau_plus : 1 (event-driven)
        dr2/dt = -r2/tau_x : 1 (event-driven)
        do1/dt = -o1/tau_minus : 1 (event-driven)
        do2/dt = -o2/tau_y : 1 (event-driven)
        """,
    on_pre="""
        w = clip(w - wmax*o1*(A2_minus + A3_minus*r2), 0, wmax)
        r1 += 1
        r2 += 1
        """,
    on_post="""
        w = clip(w + wmax*r1*(A2_plus + A3_plus*o2), 0, wmax)
        o1 += 1
        o2 += 1
        """,
    params={"tau_plus": 16.8, "tau_minus": 33.7, "tau_x": 101.0, "tau_y": 125.0,
            "A2_plus": 5e-10, "A3_plus": 6.2e-3, "A2_minus": 7e-3, "A3_minus": 0.0,
            "wmax": 1.0}))

plasticity.add("diehl_cook", PlasticityRule(
    "diehl_cook", """The STDP rule of Diehl & Cook (2015)'s unsupervised digit-recognition
    network.  Presynaptic and postsynaptic traces xpre, xpost are set to 1 by a spike of
    their side (nearest-spike, as in their published code, BindsNET's PostPre and SPAIC's
    nearest_online_stdp) and decay with tau_plus and tau_minus.  At a presynaptic spike w
    -> w - wmax*nu_minus*xpost; at a postsynaptic spike w -> w + wmax*nu_plus*(xpre -
    x_tar)*(1 - w/wmax)**mu, the paper's Δw = η(x_pre - x_tar)(w_max - w)^μ for wmax = 1.
    w stays in [0, wmax].  Defaults: tau_plus = tau_minus = 20 ms, nu_minus = 1e-4 and
    nu_plus = 1e-2 (their code's learning rates nu_pre and nu_post, renamed because names
    ending in _pre and _post are neuron variables in synaptic code), wmax = 1, x_tar = 0
    and mu = 0 (their code; x_tar > 0 weakens inputs that seldom precede a postsynaptic
    spike, mu > 0 makes the upper bound soft).
    The rest of their learning is not synaptic: the adaptive threshold theta (raised by
    0.05 mV at each spike, decaying over 1e7 ms) is the neuron model ``lifstdp_ex`` (SPAIC's,
    in ps.models.neurons), and the per-neuron normalisation of the incoming weights (to a
    sum of 78 in the paper, 78.4 in SPAIC) is normalize_weights(S, total), called between
    runs, e.g. after every input.  Their code also multiplies the potentiation by a second
    postsynaptic trace (tau 40 ms, a triplet term), which this rule, like BindsNET and
    SPAIC, leaves out.  SPAIC counts a pre- and a postsynaptic spike of the same step in
    both updates; here they potentiate (presynaptic events run first) but do not depress.
    Reference: P. U. Diehl, M. Cook, Unsupervised learning of digit recognition using
    spike-timing-dependent plasticity, Front. Comput. Neurosci. 9, 99 (2015).""",
    model="""
        dxpre/dt = -xpre/tau_plus : 1 (event-driven)
        dxpost/dt = -xpost/tau_minus : 1 (event-driven)
        """,
    on_pre="""
        xpre = 1
        w = clip(w - wmax*nu_minus*xpost, 0, wmax)
        """,
    on_post="""
        xpost = 1
        w = clip(w + wmax*nu_plus*(xpre - x_tar)*clip(1 - w/wmax, 0, 1)**mu, 0, wmax)
        """,
    params={"tau_plus": 20.0, "tau_minus": 20.0, "nu_minus": 1e-4, "nu_plus": 1e-2,
            "x_tar": 0.0, "mu": 0.0, "wmax": 1.0}))

plasticity.add("rstdp", PlasticityRule(
    "rstdp", """Reward-modulated STDP with an eligibility trace (Izhikevich 2007; Florian
    2007's MSTDPET).  Spike pairs do not change w but an eligibility c of each synapse:
    traces apre and apost as in ``stdp`` add A_plus*apre to c at a postsynaptic spike and
    subtract A_minus*apost at a presynaptic one; c decays with tau_c.  The weight follows
    dw/dt = wmax*eta*c*reward at every step (clock-driven, like c): it changes only where
    eligibility and reward coincide, and as soon as they do.
    The reward: the rule reads the name ``reward``, looked up as any name of synaptic code
    (a parameter or variable of the synapses, else a variable of the postsynaptic
    neuron), at the start of every step, and holds it over the step.  Supply it
    (1) per step from Python: Synapses(..., params={"reward": 0.0}), then S.reward = r (a
    number, or one per synapse) before each net.run; (2) from a neuron variable: a
    postsynaptic model that declares ``reward`` (Izhikevich's dopamine, "dreward/dt =
    -reward/tau_d : 1", raised through Synapses(source, post, on_pre="reward_post += 0.5")),
    or synapses that name another one, model="w : nS\\nreward = da_post : 1"; (3) from a
    TimedArray: the postsynaptic model sets its ``reward`` from it with update="reward =
    R(t + dt)" and params={"R": ps.TimedArray(...)}: the update of each step sets the value
    the next step reads, so R(t + dt) gives the step from t the value R(t), as in (1)
    (the first step reads the variable's initial value).  (1) works with any
    postsynaptic model, (2) and (3) with one that has such a variable.
    Integration: with the reward held over a step, dc/dt and dw/dt are linear with
    constant coefficients, so pyspike integrates them exactly (method "exact", chosen
    where the synapses' clock-driven equations are all linear): over a step from t, w
    gains wmax*eta*reward*c(t)*tau_c*(1 - exp(-dt/tau_c)) at any dt.  Synapses(method=...)
    or non-linear clock-driven equations of the synapses' own give another method: rk4
    is within rounding of it, forward Euler in w (euler, exponential_euler, exp_auto)
    gains wmax*eta*reward*c(t)*dt, about 1 + dt/(2*tau_c) times as much.
    Bounds: w -> clip(w, 0, wmax) at every presynaptic and postsynaptic spike of the
    synapse, after the synapses' own on_pre/on_post (that spike is transmitted with the
    weight before clipping; on_pre="g_post += clip(w, 0, wmax)" transmits it clipped).
    A differential equation cannot clip, so between two spikes of the synapse w follows
    the equation unbounded and may pass a bound by at most what the reward adds in that
    interval, wmax*eta times the integral of c*reward over it; S.w read between runs may
    be outside [0, wmax] (np.clip(S.w, 0, wmax) if you need it there), and S.w = ... sets
    it.  Izhikevich's own code likewise adds the change and clips at intervals (every
    10 ms).
    Defaults: tau_plus = tau_minus = 20 ms, A_plus = 1, A_minus = 1.5, tau_c = 1000 ms
    (Izhikevich 2007), eta = 1e-3 per ms, wmax = 1.  Florian's MSTDPET is this rule with
    tau_c = 25 ms and A_minus = A_plus = 1; SPAIC 0.6.2's rstdp (MSTDP: W += lr*reward*STDP
    at every step, no eligibility trace) is the limit of a short tau_c, its rstdpet keeps
    an eligibility trace of 25 ms; BrainPy 2.4.3 has no reward-modulated rule.
    References: E. M. Izhikevich, Solving the distal reward problem through linkage of
    STDP and dopamine signaling, Cereb. Cortex 17, 2443 (2007); R. V. Florian,
    Reinforcement learning through modulation of spike-timing-dependent synaptic
    plasticity, Neural Comput. 19, 1468 (2007).""",
    # dw/dt has no unit of its own: w keeps the unit the synapses declare it with
    model=_PAIR_TRACES + """
    dc/dt = -c/tau_c : 1 (clock-driven)
    dw/dt = wmax*eta*c*reward : (clock-driven)
    """,
    on_pre="""
        w = clip(w, 0, wmax)
        apre += 1
        c -= A_minus*apost
        """,
    on_post="""
        w = clip(w, 0, wmax)
        apost += 1
        c += A_plus*apre
        """,
    params={"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 1.0, "A_minus": 1.5,
            "tau_c": 1000.0, "eta": 1e-3, "wmax": 1.0}))


def _weights(S, where: str) -> None:
    """Check that ``S`` are synapses with a variable ``w``."""
    variables = getattr(S, "variables", None)
    if not isinstance(variables, list) or not hasattr(S, "n_post"):
        raise ModelError(f"{where} needs a Synapses object, not {checks.show(S)}",
                         where=where, symbol="S")
    if "w" not in variables:
        raise ModelError(f"{where} needs synapses with a variable 'w'; Synapses "
                         f"'{S.name}' have {', '.join(variables) or 'none'}",
                         where=where, symbol="w")


def normalize_weights(S, total) -> None:
    """Scale the weights onto each postsynaptic neuron so that they sum to ``total``
    (Diehl & Cook 2015's normalisation: 78 per neuron there, 78.4 in SPAIC), between runs.

    ``total`` is one number or one per postsynaptic neuron, in the unit of ``w``.  A
    neuron whose weights sum to 0 keeps them; in a batch each instance is scaled on its
    own.  It reads and writes ``S.w``, so it works on every backend.

    >>> import pyspike as ps
    >>> net = ps.Network(dt=0.1, backend="numpy")
    >>> with net:
    ...     pre = ps.SpikeGeneratorGroup(3, indices=[0], times=[1.0])
    ...     post = ps.SpikeGeneratorGroup(2, indices=[0], times=[1.0])
    ...     S = ps.Synapses(pre, post, model="w : 1", plasticity="diehl_cook")
    ...     S.connect()
    >>> S.w = [1.0, 2.0, 1.0, 0.0, 2.0, 2.0]     # onto neuron 0: 1, 1, 2; onto 1: 2, 0, 2
    >>> normalize_weights(S, 2.0)
    >>> S.w
    array([0.5, 1. , 0.5, 0. , 1. , 1. ])
    """
    where = "normalize_weights"
    _weights(S, where)
    targets = checks.reals(total, "total", where, finite=True)
    if targets.ndim > 1 or (targets.ndim == 1 and targets.shape[0] != S.n_post):
        raise ModelError(f"total must be one number or one per postsynaptic neuron "
                         f"({S.n_post}), not an array of shape {targets.shape}",
                         where=where, symbol="total")
    targets = np.broadcast_to(targets, (S.n_post,))
    w = np.asarray(S.w, dtype=np.float64)
    j = S.j
    rows = w.reshape(-1, w.shape[-1])
    out = np.empty_like(rows)
    for b, row in enumerate(rows):
        sums = np.bincount(j, weights=row, minlength=S.n_post)
        scale = np.divide(targets, sums, out=np.ones(S.n_post), where=sums != 0)
        out[b] = row * scale[j]
    S.w = out.reshape(w.shape)
