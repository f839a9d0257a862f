"""SPAIC 0.6.2's neuron models (``spaic/Neuron/Neuron.py``), as discrete-time update rules.

SPAIC has no ODE solver: each model is a list of per-step operations, where a name tagged
``[updated]`` reads this step's value and an untagged one the previous step's.  Each model
here applies the same operations in the same order, with SPAIC's defaults, names and
initial values, so that a SPAIC user's traces come out the same step for step (times in
ms; SPAIC's ``tau`` become exp(-dt/tau) or dt/tau as SPAIC turns them).  pyspike's runs
continue where the last one stopped, as SPAIC's ``run_continue`` does.

The input is SPAIC's ``Isyn``, and the spikes are also SPAIC's output ``O`` (1.0 or 0.0):

>>> import pyspike as ps
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     G = ps.NeuronGroup(2, "lif")
>>> G.Isyn = [0.5, 1.5]                    # this step's input: used once, then 0
>>> net.run(0.1)
>>> G.V, G.O, G.Isyn
(array([0.5, 0. ]), array([0., 1.]), array([0., 0.]))
"""
from __future__ import annotations

import inspect
from typing import Dict, Mapping, Sequence

import numpy as np

from ..model import NeuronModel
from .registry import neurons

_INPUTS = """
Input: ``Isyn`` holds this step's input.  Synapses add to it (``on_pre="Isyn_post += w"``,
or ``ps.Connection(pre, G, post_var="Isyn")``) and a spike reaches it on the step after
it, as in SPAIC's default build; the update reads it and sets it to 0, so that it is
summed afresh every step, as SPAIC sums its connections.  ``Iext`` is an input that
stays (``G.Iext = 0.5``: a constant drive), added to ``Isyn`` wherever the model reads
it: what a SPAIC user gets by holding ``Isyn`` constant.  Source: SPAIC 0.6.2,
``spaic/Neuron/Neuron.py``; numbers are SPAIC's, dimensionless."""
_SPIKES = """
``O`` is SPAIC's output: 1.0 on the step of a spike, else 0.0 (spikes come from the
threshold)."""
_LAG = """
SPAIC reads ``Isyn`` here without ``[updated]``: the input of the previous step, kept in
``Isyn_last`` (``Iext``, which stays, is read as it is)."""


def _add(names: Sequence[str], doc: str, update: str, params: Mapping[str, float],
         init: Mapping[str, float], threshold: str = "", reset: str = "",
         declare: str = "", lag: bool = False) -> None:
    """Register one SPAIC model under ``names``: ``update`` then the bookkeeping every
    model shares (Isyn read once, O set by the reset); made at its first use."""
    update = update + ("\nIsyn_last = Isyn" if lag else "") + "\nIsyn = 0  # read once" \
        + ("\nO = 0" if threshold else "")
    neurons.later(names, lambda: NeuronModel(
        name=names[0], doc="\n".join(inspect.cleandoc(part) for part in (
            doc, _LAG if lag else "", _SPIKES if threshold else "", _INPUTS) if part),
        equations="Isyn : 1  # this step's input\nIext : 1  # an input that stays\n" + declare,
        update=update, threshold=threshold, reset=(reset + "\nO = 1") if threshold else "",
        params=dict(params), init=dict(init)))


# V0 scales the difference of the two kernels so that the peak of a unit PSP is 1.
_KERNELS = """
    b = tau_p/tau_q : 1
    V0 = b**(b/(b - 1))/(b - 1) : 1  # SPAIC's PSP normaliser
"""
_CLIF: Dict[str, float] = {"tau_m": 20.0, "tau_p": 12.0, "tau_q": 8.0, "v_th": 1.0}

_add(["lif"], """SPAIC's ``lif``: leaky integrate-and-fire, the leak by exponential Euler
    and the input added per step: V = exp(-dt/tau_m)*V + Isyn; a spike when V > v_th,
    then V = 0.  Defaults: tau_m = 8 ms, v_th = 1; V starts at 0.  SPAIC also accepts
    v_reset and ignores it (the reset is to 0); here it is no parameter.""",
     "V = exp(-dt/tau_m)*V + Isyn + Iext",
     {"tau_m": 8.0, "v_th": 1.0}, {"V": 0.0}, "V > v_th", "V = 0")

_add(["if"], """SPAIC's ``if``: integrate-and-fire, a constant decay per step instead of a
    leak: V = V + Isyn - ConstantDecay; a spike when V > v_th, then V = 0.  Defaults:
    ConstantDecay = 0, v_th = 1; V starts at 0.""",
     "V = V + Isyn + Iext - ConstantDecay",
     {"ConstantDecay": 0.0, "v_th": 1.0}, {"V": 0.0}, "V > v_th", "V = 0")

_add(["clif"], """SPAIC's ``clif`` (its default model for training): the potential is the
    difference of two exponential kernels of the input less a decaying reset kernel.
    Each step I = V0*Isyn; M = exp(-dt/tau_p)*M + I; S = exp(-dt/tau_q)*S + I;
    V = M - S - E with E of the previous step; a spike when V > v_th; E =
    exp(-dt/tau_m)*E + v_th*O (a subtractive reset kernel, no hard reset).  V0 =
    b**(b/(b-1))/(b-1), b = tau_p/tau_q, makes the peak of a unit PSP 1 (SPAIC trains it;
    here it follows tau_p and tau_q).  SPAIC 0.6.3 bounds the trainable V0 to [0, 1]
    and clamps it at every run, so it runs with V0 = 1 (6.75 times less input at the
    defaults; measured by bench/bench_spaic.py); this is 0.6.2's text.  Defaults: tau_m
    = 20, tau_p = 12, tau_q = 8 ms, v_th = 1; everything starts at 0.""",
     """
     I = V0*(Isyn + Iext)
     M = exp(-dt/tau_p)*M + I
     S = exp(-dt/tau_q)*S + I
     V = M - S - E
     E = exp(-dt/tau_m)*E""",
     _CLIF, {"V": 0.0}, "V > v_th", "E = E + v_th", _KERNELS)

_add(["aclif"], """SPAIC's ``aclif``: ``clif`` with an adaptive threshold.  First
    Vth1 = exp(-dt/tau_a)*Vth1 + O (the spike of the previous step), then as ``clif``
    with V = M - S - (beta_adaptive*Vth1 + E).  Defaults: those of ``clif``, tau_a =
    2000 ms, beta_adaptive = 0.1; everything starts at 0.  (SPAIC keeps Vth1 through a new
    ``Net.run``.)""",
     """
     Vth1 = exp(-dt/tau_a)*Vth1 + O
     I = V0*(Isyn + Iext)
     M = exp(-dt/tau_p)*M + I
     S = exp(-dt/tau_q)*S + I
     V = M - S - (beta_adaptive*Vth1 + E)
     E = exp(-dt/tau_m)*E""",
     {**_CLIF, "tau_a": 2000.0, "beta_adaptive": 0.1}, {"V": 0.0, "Vth1": 0.0},
     "V > v_th", "E = E + v_th", _KERNELS)

_add(["plif"], """SPAIC's ``plif``, the parametric LIF of Fang et al. (ICCV 2021), as
    SPAIC documents it: V = V + sigmoid(w)*(Isyn - V) with w = -log(tau_m - 1), so that
    sigmoid(w) = 1/tau_m per step (no dt); a spike when V > v_th, then V = 0.
    Defaults: tau_m = 2, v_th = 1; V starts at 0.  Departures: SPAIC 0.6.2's ``plif``
    cannot be built (it stores w in an undefined ``_tau_parameter_variables`` and calls
    ``sigmoid``, no registered op), and its op list resets with the spike of the previous
    step; here the model is the documented one, reset on the step of the spike, and w
    follows tau_m instead of being trained.""",
     "V = V + (Isyn + Iext - V)/(1 + exp(-w))",
     {"tau_m": 2.0, "v_th": 1.0}, {"V": 0.0}, "V > v_th", "V = 0",
     "w = -log(tau_m - 1) : 1  # SPAIC trains w")

_add(["izh"], """SPAIC's ``izh``: Izhikevich's simple model by forward Euler as SPAIC
    steps it: V = V + dt*((0.04*V + 5)*V + 140 - U + Isyn) and U = U + a*(b*V - U), both
    with V and U of the previous step; U's step has no dt (SPAIC's U moves 1/dt times
    faster than the published one).  A spike when V > v_th, then V = Vreset, U = U + d.
    Vt is this step's V before the reset.  Defaults: a = 0.02, b = 0.2, d = 8, Vreset =
    -65, v_th = 30; V starts at -65, U at 1.  Reference: E. M. Izhikevich, IEEE Trans.
    Neural Netw. 14, 1569 (2003).""",
     """
     Vt = V + dt*((0.04*V + 5)*V + 140 - U + Isyn + Iext)
     U = U + a*(b*V - U)  # no dt, as SPAIC
     V = Vt""",
     {"a": 0.02, "b": 0.2, "d": 8.0, "Vreset": -65.0, "v_th": 30.0},
     {"V": -65.0, "U": 1.0}, "V > v_th", "V = Vreset\nU = U + d")

_add(["aeif", "adex"], """SPAIC's ``aeif`` (also named ``adex``): the adaptive
    exponential integrate-and-fire neuron by forward Euler, EXP = delta_t*exp((V -
    v_th)/delta_t); V = V + dt/C*(gL*(EXP - (V - EL)) - U + Isyn); U = U + dt/tau_w*(a*(V
    - EL) - U), with V and U of the previous step (gL multiplies the exponential term too,
    as SPAIC writes it).  A spike when V > Vspk, then V = EL, U = U + b.  Vt is this
    step's V before the reset.  Defaults: EL = -70.6, v_th = -50.4, Vspk = 20, delta_t =
    2, C = 281, gL = 30, tau_w = 144, a = 4, b = 0.0805; V starts at -70.6, U at 0.
    Reference: R. Brette & W. Gerstner, J. Neurophysiol. 94, 3637 (2005).""",
     """
     EXP = delta_t*exp((V - v_th)/delta_t)
     Vt = V + dt/C*(gL*(EXP - (V - EL)) - U + Isyn + Iext)
     U = U + dt/tau_w*(a*(V - EL) - U)
     V = Vt""",
     {"EL": -70.6, "v_th": -50.4, "Vspk": 20.0, "delta_t": 2.0, "C": 281.0, "gL": 30.0,
      "tau_w": 144.0, "a": 4.0, "b": 0.0805}, {"V": -70.6, "U": 0.0},
     "V > Vspk", "V = EL\nU = U + b")

_add(["glif"], """SPAIC's ``glif``: GLIF5 of Teeter et al. (Nat. Commun. 9, 709, 2018) by
    forward Euler.  Each step the after-spike currents decay, I_j = I_j - dt*k_j*I_j;
    Theta_s = Theta_s - dt*b_s*Theta_s; Theta_v = Theta_v + dt*(a_v*(V - E_L) -
    b_v*Theta_v) with V of the previous step; Vth = Theta_v + Theta_s + Theta_inf; V = V +
    dt/C*(Isyn + I1 + I2 - (V - E_L)/R).  A spike when V > Vth, then V = E_L + f_v*(V -
    E_L) - delta_v, Theta_s = Theta_s + delta_Theta_s, I_j = f_j*I_j + delta_I_j.
    Defaults: C = 60, R = 2, E_L = 0, b_s = 0.02, k_1 = 0.8, k_2 = 0.6, a_v = 0.12, b_v =
    0.3, Theta_inf = 1, f_v = 0.1, delta_v = 0.05, delta_Theta_s = 0.2, f1 = f2 = 1,
    delta_I1 = delta_I2 = 0.1; V starts at 0, Theta_s at 0.1, Theta_v at 0.2, I1 at 0.08,
    I2 at 0.06, Vth at 1.  Departure: SPAIC 0.6.2's reset sets I_j = I_j + (f_j*I_j +
    delta_I_j), against its own documentation and the published model; here the published
    rule holds (f1 = f2 = 2 gives SPAIC 0.6.2's traces).""",
     """
     I1 = I1 - dt*k_1*I1
     I2 = I2 - dt*k_2*I2
     Theta_s = Theta_s - dt*b_s*Theta_s
     Theta_v = Theta_v + dt*(a_v*(V - E_L) - b_v*Theta_v)
     Vth = Theta_v + Theta_s + Theta_inf
     V = V + dt/C*(Isyn + Iext + I1 + I2 - (V - E_L)/R)""",
     {"C": 60.0, "R": 2.0, "E_L": 0.0, "b_s": 0.02, "k_1": 0.8, "k_2": 0.6, "a_v": 0.12,
      "b_v": 0.3, "Theta_inf": 1.0, "f_v": 0.1, "delta_v": 0.05, "delta_Theta_s": 0.2,
      "f1": 1.0, "f2": 1.0, "delta_I1": 0.1, "delta_I2": 0.1},
     {"V": 0.0, "Theta_s": 0.1, "Theta_v": 0.2, "I1": 0.08, "I2": 0.06, "Vth": 1.0},
     "V > Vth", """
     V = E_L + f_v*(V - E_L) - delta_v
     Theta_s = Theta_s + delta_Theta_s
     I1 = f1*I1 + delta_I1
     I2 = f2*I2 + delta_I2""")

_RATES = {"alpha_m1": 0.1, "alpha_m2": 25.0, "alpha_m3": 10.0, "beta_m1": 4.0,
          "beta_m2": 0.0, "beta_m3": 18.0, "alpha_n1": 0.01, "alpha_n2": 10.0,
          "alpha_n3": 10.0, "beta_n1": 0.125, "beta_n2": 0.0, "beta_n3": 80.0,
          "alpha_h1": 0.07, "alpha_h2": 0.0, "alpha_h3": 20.0, "beta_h1": 1.0,
          "beta_h2": 30.0, "beta_h3": 10.0}
_add(["hh"], """SPAIC's ``hh``: Hodgkin & Huxley's squid axon (J. Physiol. 117, 500,
    1952), V the depolarisation from rest, by forward Euler: each gate x = x +
    dt*(alpha_x*(1 - x) - beta_x*x) with rates of u = V + Vreset, then V = V + Isyn -
    dt*(g_NA*m**3*h*(V - E_NA) + g_K*n**4*(V - E_K) + g_L*(V - E_L)) with the gates of
    this step and V of the previous one; Isyn is added per step, not times dt.  O = 1 on
    every step with V > v_th; there is no reset.  Defaults: g_NA = 120, g_K = 36, g_L =
    0.3, E_NA = 120, E_K = -12, E_L = 10.6, v_th = 1, Vreset = 0 and the 1952 rate
    constants (alpha_m1..beta_h3); V starts at 0, m at 0.5, n at 0.5, h at 0.06.
    Forward Euler of the sodium current is unstable at SPAIC's dt = 0.1 ms once an action
    potential starts (with a drive of Iext >= 0.25 V runs to 1e10 within a few ms, as in
    SPAIC): use dt <= 0.01 ms for spikes.""",
     """
     m = m + dt*(alpha_m*(1 - m) - beta_m*m)
     n = n + dt*(alpha_n*(1 - n) - beta_n*n)
     h = h + dt*(alpha_h*(1 - h) - beta_h*h)
     V = V + Isyn + Iext - dt*(g_NA*m**3*h*(V - E_NA) + g_K*n**4*(V - E_K) + g_L*(V - E_L))""",
     {"g_NA": 120.0, "g_K": 36.0, "g_L": 0.3, "E_NA": 120.0, "E_K": -12.0, "E_L": 10.6,
      "v_th": 1.0, "Vreset": 0.0, **_RATES}, {"V": 0.0, "m": 0.5, "n": 0.5, "h": 0.06},
     "V > v_th", "", """
    V : 1
    u = V + Vreset : 1
    alpha_m = alpha_m1*(alpha_m2 - u)/(exp((alpha_m2 - u)/alpha_m3) - 1) : 1
    beta_m = beta_m1*exp((beta_m2 - u)/beta_m3) : 1
    alpha_n = alpha_n1*(alpha_n2 - u)/(exp((alpha_n2 - u)/alpha_n3) - 1) : 1
    beta_n = beta_n1*exp((beta_n2 - u)/beta_n3) : 1
    alpha_h = alpha_h1*exp((alpha_h2 - u)/alpha_h3) : 1
    beta_h = beta_h1/(exp((beta_h2 - u)/beta_h3) + 1) : 1
""")

_STDP_DOC = """ (Diehl & Cook, Front. Comput. Neurosci. 9, 99, 2015): V = decay_v*(V -
    v_rest) + v_rest + Isyn, with per-step decays that ignore dt"""
_STDP_V = "V = decay_v*(V - v_rest) + v_rest + Isyn + Iext"
_add(["lifstdp_ex"], """SPAIC's ``lifstdp_ex``, the excitatory neuron""" + _STDP_DOC + """;
    theta = decay_th*theta; Vth_theta = v_th + theta; a spike when V > Vth_theta, then
    V = v_reset and theta = theta + th_inc.  Defaults: v_th = -52, v_reset = -60, v_rest =
    -65, th_inc = 0.05, decay_v = exp(-1/100), decay_th = exp(-1/1e7); V starts at -65,
    theta at 0 (SPAIC keeps theta through a new ``Net.run``).""",
     _STDP_V + "\ntheta = decay_th*theta\nVth_theta = v_th + theta",
     {"v_th": -52.0, "v_reset": -60.0, "v_rest": -65.0, "th_inc": 0.05,
      "decay_v": float(np.exp(-1 / 100)), "decay_th": float(np.exp(-1 / 1e7))},
     {"V": -65.0, "theta": 0.0, "Vth_theta": 0.0}, "V > Vth_theta",
     "V = v_reset\ntheta = theta + th_inc")

_add(["lifstdp_ih"], """SPAIC's ``lifstdp_ih``, the inhibitory neuron""" + _STDP_DOC + """;
    a spike when V > v_th, then V = v_reset.  Defaults: v_th = -40, v_reset = -45, v_rest
    = -60, decay_v = exp(-1/10); V starts at -60.""",
     _STDP_V, {"v_th": -40.0, "v_reset": -45.0, "v_rest": -60.0,
               "decay_v": float(np.exp(-1 / 10))},
     {"V": -60.0}, "V > v_th", "V = v_reset")

_add(["alifstdp_ex"], """SPAIC's ``alifstdp_ex``, ``lifstdp_ex`` with a soft reset and a
    threshold step that scales with the threshold""" + _STDP_DOC + """; theta =
    decay_th*theta; Vth_theta = v_th + theta; a spike when V > Vth_theta, then V = V -
    v_reset and theta = theta + th_inc*Vth_theta.  Defaults: v_th = 2, v_reset = 2,
    v_rest = 0, th_inc = 0.001, decay_v = exp(-1/100), decay_th = exp(-1/1e5); V starts at
    0, theta at 0, Vth_theta at 2.""",
     _STDP_V + "\ntheta = decay_th*theta\nVth_theta = v_th + theta",
     {"v_th": 2.0, "v_reset": 2.0, "v_rest": 0.0, "th_inc": 0.001,
      "decay_v": float(np.exp(-1 / 100)), "decay_th": float(np.exp(-1 / 1e5))},
     {"V": 0.0, "theta": 0.0, "Vth_theta": 2.0}, "V > Vth_theta",
     "V = V - v_reset\ntheta = theta + th_inc*Vth_theta")

_add(["nonspikinglif"], """SPAIC's ``nonspikinglif``: the kernels of ``clif`` driving a
    leaky potential, no spikes.  I = V0*Isyn; M = exp(-dt/tau_p)*M + I; S =
    exp(-dt/tau_q)*S + I; V = V + dt/tau_m*(M - S - V).  SPAIC reads every input of these
    steps without ``[updated]``: I uses the previous step's Isyn, M and S the previous
    step's I, V the previous step's M and S, so an input reaches V three steps later.
    Defaults: tau_p = 4, tau_q = 1, tau_m = 1 ms; everything starts at 0.  SPAIC's ``O``,
    which it declares and never sets, is left out.""",
     """
     V = V + dt/tau_m*(M - S - V)
     M = exp(-dt/tau_p)*M + I
     S = exp(-dt/tau_q)*S + I
     I = V0*(Isyn_last + Iext)""",
     {"tau_p": 4.0, "tau_q": 1.0, "tau_m": 1.0}, {"V": 0.0}, declare=_KERNELS, lag=True)

_add(["meanfield"], """SPAIC's ``meanfield``, a rate unit: U = U + dt/tau*(rho*Isyn + Iext
    - U) with the previous step's Isyn; O = max(U, 0).  Here ``Iext`` is SPAIC's own
    variable of that name, not scaled by rho (SPAIC's docstring writes rho*(Iext + Isyn);
    its code, followed here, scales Isyn only).  Defaults: rho = 0.1, tau = 1 ms;
    everything starts at 0.""",
     "U = U + dt/tau*(rho*Isyn_last + Iext - U)\nO = max(U, 0)",
     {"rho": 0.1, "tau": 1.0}, {"U": 0.0}, lag=True)

_add(["constantcurrentlif"], """SPAIC's ``constantcurrentlif``: Vt = V + dt/tau_m*(Isyn -
    V) with the previous step's Isyn; a spike when Vt > v_th; V = Vt*(1 - O) with O *of
    the previous step*: SPAIC reads O here without ``[updated]``, so the reset to 0 comes
    a step after the spike and a crossing usually gives spikes on two steps in a row.
    Defaults: tau_m = 20 ms, v_th = 1; V starts at 0.  SPAIC also accepts v_reset and
    ignores it; here it is no parameter.""",
     """
     Vt = V + dt/tau_m*(Isyn_last + Iext - V)
     V = Vt - Vt*O  # O of the previous step""",
     {"tau_m": 20.0, "v_th": 1.0}, {"V": 0.0}, "Vt > v_th", "", lag=True)

_add(["lifm"], """SPAIC's ``lifm``: a LIF neuron behind an exponential synaptic current, both
    by exponential Euler: I = exp(-dt/tau_p)*I + Isyn; V = exp(-dt/tau_m)*V + I; a spike
    when V > v_th, then V = 0.  Defaults: tau_m = 10, tau_p = 1 ms, v_th = 1; everything
    starts at 0.""",
     "I = exp(-dt/tau_p)*I + Isyn + Iext\nV = exp(-dt/tau_m)*V + I",
     {"tau_m": 10.0, "tau_p": 1.0, "v_th": 1.0}, {"V": 0.0}, "V > v_th", "V = 0")

_add(["null"], """SPAIC's ``null``: passes its input on, O = Isyn (a relay, no spikes).""",
     "O = Isyn + Iext", {}, {"O": 0.0})
