"""BrainPy 2.4.3's conductance-based neuron models (``brainpy/_src/dyn/neurons/hh.py``).

Integrated with ``exp_auto``, BrainPy's default; the input enters as BrainPy applies it
(I/C), and gates start where BrainPy's initializers put them.

The numbers are BrainPy's, which are per unit area of membrane: conductances in mS/cm**2,
capacitance in uF/cm**2, currents in uA/cm**2.  Read in pyspike's base units (nS, pF, pA)
they are the same model for a patch of 100 um**2 (1e-6 cm**2): the same numbers, the same
traces, and synapses and inputs in nS and pA that add to ``I`` as to any other neuron.
(A quantity in per-area units is refused, as of the wrong dimension.)  A rate whose
numerator is 1 is written ``1.0/...``: a number carries the unit 1/ms, an integer 1 would
be dimensionless.

A spike is BrainPy's upward crossing of ``V_th`` (``V >= V_th`` after the step,
``V < V_th`` before it), written as Brian2 writes it: the threshold ``V >= V_th`` with the
neuron refractory for as long as ``V >= V_th`` holds.  The two agree step for step,
except that a neuron starting at or above ``V_th`` may spike on the first step here,
where BrainPy compares with the initial value.
"""
from __future__ import annotations

from ..model import NeuronModel
from .registry import neurons

neurons.later("HH", lambda: NeuronModel(
    name="HH",
    doc="""Hodgkin-Huxley (1952) squid axon model as BrainPy's ``HH`` writes it (rest
    near -65 mV): sodium (m**3 h), delayed-rectifier potassium (n**4) and leak currents,
    C dV/dt = I - I_Na - I_K - I_L, the input I divided by C.  Defaults are BrainPy
    2.4.3's (ENa = 50, EK = -77, EL = -54.387 mV; gNa = 120, gK = 36, gL = 0.03 mS/cm**2,
    nS here; C = 1 uF/cm**2, pF here; V_th = 20 mV).  The gates start at their
    steady state for the initial V, as in BrainPy.  A spike is an upward crossing of V_th.
    Departures: BrainPy draws the initial V from U(-70, -60) mV; here V starts at -65 mV
    (give init={"V": ...} a number or an array, and the gates follow it; a rand()
    expression is drawn when the group joins a network, after the gates were set).
    alpha_m and alpha_n are written with exprel(z) = (exp(z) - 1)/z: the same functions
    without their 0/0 at V = -40 and -55 mV.
    Reference: A. L. Hodgkin, A. F. Huxley, J. Physiol. 117, 500 (1952).""",
    equations="""
        dV/dt = (I - gNa*m**3*h*(V - ENa) - gK*n**4*(V - EK) - gL*(V - EL))/C : mV
        dm/dt = alpha_m*(1 - m) - beta_m*m : 1
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        dn/dt = alpha_n*(1 - n) - beta_n*n : 1
        alpha_m = 1.0/exprel(-(V + 40)/10) : 1/ms
        beta_m = 4*exp(-(V + 65)/18) : 1/ms
        alpha_h = 0.07*exp(-(V + 65)/20) : 1/ms
        beta_h = 1.0/(1 + exp(-(V + 35)/10)) : 1/ms
        alpha_n = 0.1/exprel(-(V + 55)/10) : 1/ms
        beta_n = 0.125*exp(-(V + 65)/80) : 1/ms
        I : pA
    """,
    threshold="V >= V_th", refractory="V >= V_th", method="exp_auto",
    params={"ENa": 50.0, "gNa": 120.0, "EK": -77.0, "gK": 36.0, "EL": -54.387,
            "gL": 0.03, "V_th": 20.0, "C": 1.0},
    init={"V": -65.0,
          # x_inf = alpha/(alpha + beta) at the initial V (BrainPy's m_inf, h_inf, n_inf)
          "m": "1/(1 + 4*exp(-(V + 65)/18)*exprel(-(V + 40)/10))",
          "h": "1/(1 + 1/(0.07*exp(-(V + 65)/20)*(1 + exp(-(V + 35)/10))))",
          "n": "1/(1 + 0.125*exp(-(V + 65)/80)*exprel(-(V + 55)/10)/0.1)"}))


neurons.later("MorrisLecar", lambda: NeuronModel(
    name="MorrisLecar",
    doc="""Morris-Lecar (1981) model as BrainPy's ``MorrisLecar`` writes it: an
    instantaneous calcium current (M_inf), a potassium current with the recovery variable
    W, and a leak, C dV/dt = I - I_Ca - I_K - I_L; dW/dt = (W_inf - W)/tau_W with
    tau_W = 1/(phi cosh((V - V3)/(2 V4))), the input I divided by C.  Defaults are
    BrainPy 2.4.3's (V_Ca = 130, V_K = -84, V_leak = -60 mV; g_Ca = 4.4, g_K = 8,
    g_leak = 2 mS/cm**2, nS here; C = 20 uF/cm**2, pF here; V1..V4 = -1.2, 18, 2,
    30 mV; phi = 0.04/ms; V_th = 10 mV); W starts at 0.02 and V uniformly in
    [-70, -60) mV, as BrainPy's initializers.  A spike is an upward crossing of V_th.
    cosh is written with exponentials.
    Reference: C. Morris, H. Lecar, Biophys. J. 35, 193 (1981).""",
    equations="""
        dV/dt = (I - g_Ca*M_inf*(V - V_Ca) - g_K*W*(V - V_K) - g_leak*(V - V_leak))/C : mV
        dW/dt = (W_inf - W)/tau_W : 1
        M_inf = (1 + tanh((V - V1)/V2))/2 : 1
        W_inf = (1 + tanh((V - V3)/V4))/2 : 1
        tau_W = 2/(phi*(exp((V - V3)/(2*V4)) + exp(-(V - V3)/(2*V4)))) : ms
        I : pA
        g_Ca : nS
        phi : 1/ms
    """,
    threshold="V >= V_th", refractory="V >= V_th", method="exp_auto",
    params={"V_Ca": 130.0, "g_Ca": 4.4, "V_K": -84.0, "g_K": 8.0, "V_leak": -60.0,
            "g_leak": 2.0, "C": 20.0, "V1": -1.2, "V2": 18.0, "V3": 2.0, "V4": 30.0,
            "phi": 0.04, "V_th": 10.0},
    init={"V": "-70 + 10*rand()", "W": 0.02}))


neurons.later("WangBuzsakiHH", lambda: NeuronModel(
    name="WangBuzsakiHH",
    doc="""Wang-Buzsaki (1996) hippocampal interneuron, BrainPy's ``WangBuzsakiHH``: a
    Hodgkin-Huxley-type model whose sodium activation is instantaneous (m_inf), with
    C dV/dt = I - I_Na - I_K - I_L (the input I divided by C) and the gates h and n sped
    up by phi.  Defaults are BrainPy 2.4.3's (ENa = 55, EK = -90, EL = -65 mV; gNa = 35,
    gK = 9, gL = 0.1 mS/cm**2, nS here; C = 1 uF/cm**2, pF here; phi = 5;
    V_th = 20 mV); V starts at -65 mV, h at 0.6 and n at 0.32, as BrainPy's
    initializers.  A spike is an upward crossing of V_th.  The rates are the paper's,
    alpha_n = -0.01 (V + 34)/(exp(-0.1 (V + 34)) - 1) among them, as BrainPy 2.4.3 has
    them; BrainPy from 2.5 on writes alpha_n = 1/exprel(-0.1 (V + 34)), ten times the
    paper's and its own docstring's, and this model keeps the paper's.  alpha_m and
    alpha_n are written with exprel(z) = (exp(z) - 1)/z: the same functions without
    their 0/0 at V = -35 and -34 mV.
    Reference: X.-J. Wang, G. Buzsaki, J. Neurosci. 16, 6402 (1996).""",
    equations="""
        dV/dt = (I - gNa*m_inf**3*h*(V - ENa) - gK*n**4*(V - EK) - gL*(V - EL))/C : mV
        dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
        dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        alpha_m = 1.0/exprel(-0.1*(V + 35)) : 1/ms
        beta_m = 4*exp(-(V + 60)/18) : 1/ms
        alpha_h = 0.07*exp(-(V + 58)/20) : 1/ms
        beta_h = 1.0/(exp(-0.1*(V + 28)) + 1) : 1/ms
        alpha_n = 0.1/exprel(-0.1*(V + 34)) : 1/ms
        beta_n = 0.125*exp(-(V + 44)/80) : 1/ms
        I : pA
        gNa : nS
    """,
    threshold="V >= V_th", refractory="V >= V_th", method="exp_auto",
    params={"ENa": 55.0, "gNa": 35.0, "EK": -90.0, "gK": 9.0, "EL": -65.0, "gL": 0.1,
            "V_th": 20.0, "phi": 5.0, "C": 1.0},
    init={"V": -65.0, "h": 0.6, "n": 0.32}))
