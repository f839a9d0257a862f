"""The neurons of the Brette et al. (2007) benchmarks (J. Comput. Neurosci. 23, 349).

Benchmarks 1 and 2 (CUBA, COBA) are Vogels & Abbott (2005) leaky integrate-and-fire
neurons with exponential synapses; benchmark 3 (COBAHH) is a Traub & Miles
Hodgkin-Huxley neuron.  The parameters are those of the published benchmarks (and of
Brian2's examples), in pyspike's base units; ``examples/networks.py`` builds the networks.
"""
from __future__ import annotations

from ..model import NeuronModel
from .registry import neurons

neurons.later("brette_cuba", lambda: NeuronModel(
    name="brette_cuba",
    doc="""Benchmark 1 (CUBA): a leaky integrate-and-fire neuron whose synaptic inputs
    ge and gi are currents expressed as voltages (mV), each decaying exponentially;
    synapses add to ge_post / gi_post.  Resting potential El = -49 mV lies above the
    threshold, so the network sustains its own activity.  Exact integration.
    Reference: Brette et al. (2007), benchmark 1; Vogels & Abbott (2005).""",
    equations="""
        dv/dt = (ge + gi - (v - El)) / taum : mV (unless refractory)
        dge/dt = -ge / taue : mV
        dgi/dt = -gi / taui : mV
    """,
    threshold="v > Vt", reset="v = Vr", refractory=5.0, method="exact",
    params={"taum": 20.0, "taue": 5.0, "taui": 10.0, "Vt": -50.0, "Vr": -60.0,
            "El": -49.0},
    init={"v": -60.0}))

neurons.later("brette_coba", lambda: NeuronModel(
    name="brette_coba",
    doc="""Benchmark 2 (COBA): a leaky integrate-and-fire neuron with conductance-based
    exponential synapses; ge and gi are conductances relative to the leak (so
    dimensionless), with reversal potentials Ee = 0 and Ei = -80 mV, and a constant
    drive I (mV).  Exponential Euler.  Reference: Brette et al. (2007), benchmark 2.""",
    equations="""
        dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I) / taum : mV (unless refractory)
        dge/dt = -ge / taue : 1
        dgi/dt = -gi / taui : 1
    """,
    threshold="v > Vt", reset="v = Vr", refractory=5.0, method="exponential_euler",
    params={"taum": 20.0, "taue": 5.0, "taui": 10.0, "Vt": -50.0, "Vr": -60.0,
            "El": -60.0, "Ee": 0.0, "Ei": -80.0, "I": 20.0},
    init={"v": -60.0}))

neurons.later("brette_hh", lambda: NeuronModel(
    name="brette_hh",
    doc="""Benchmark 3 (COBAHH): a Traub & Miles Hodgkin-Huxley neuron on a 20000 um^2
    patch (Cm = 1 uF/cm^2 -> 200 pF, gl = 5e-5 S/cm^2 -> 10 nS, g_na = 100 mS/cm^2 ->
    20 uS, g_kd = 30 mS/cm^2 -> 6 uS) with conductance-based exponential synapses ge, gi
    (nS).  A spike is v > -20 mV, with a 3 ms refractory period and no reset.  The gates
    m, n, h start at 0, as in Brian2's example (they settle within a few ms).
    Exponential Euler.  Reference: Brette et al. (2007), benchmark 3; Traub & Miles
    (1991).""",
    equations="""
        dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) - I_na - I_kd) / Cm : mV
        I_na = g_na*(m*m*m)*h*(v - ENa) : pA
        I_kd = g_kd*(n*n*n*n)*(v - EK) : pA
        dm/dt = alpha_m*(1 - m) - beta_m*m : 1
        dn/dt = alpha_n*(1 - n) - beta_n*n : 1
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        dge/dt = -ge / taue : nS
        dgi/dt = -gi / taui : nS
        alpha_m = 0.32*4/exprel((13 - v + VT)/4) : 1/ms
        beta_m = 0.28*5/exprel((v - VT - 40)/5) : 1/ms
        alpha_h = 0.128*exp((17 - v + VT)/18) : 1/ms
        beta_h = 4/(1 + exp((40 - v + VT)/5)) : 1/ms
        alpha_n = 0.032*5/exprel((15 - v + VT)/5) : 1/ms
        beta_n = 0.5*exp((10 - v + VT)/40) : 1/ms
    """,
    threshold="v > -20", refractory=3.0, method="exponential_euler",
    params={"Cm": 200.0, "gl": 10.0, "El": -65.0, "EK": -90.0, "ENa": 50.0,
            "g_na": 20000.0, "g_kd": 6000.0, "VT": -63.0, "taue": 5.0, "taui": 10.0,
            "Ee": 0.0, "Ei": -80.0},
    init={"v": -65.0}))
