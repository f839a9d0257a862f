"""The library's synapse models (BrainPy 2.4.3's names and defaults, ``brainpy/_src/dyn/
synapses/abstract_models.py`` and ``bio_models.py``), as SynapseKinds.

``ps.Synapses(pre, post, model=ps.models.synapses["Expon"], output="COBA",
params={"E": 0.0})``: the weight ``w`` of each synapse is in the unit of the state a spike
adds to (nS for a conductance, the target's unit for a current); ``output`` is CUBA
(I = g), COBA (I = g*(E - V)) or MgBlock (I = g*(E - V)/(1 + cc_Mg/beta*exp(-alpha*V)),
Jahr & Stevens 1990); the current adds to the target's input ``post_var`` (``I`` by
default).  Times in ms, concentrations in mM.
"""
from __future__ import annotations

from .registry import synapses
from .synapse_kind import SynapseKind

#: First-order receptor kinetics with a transmitter pulse (AMPA, GABA_A): the time left of
#: the pulse counts down from T_dur, set at each presynaptic spike.
_RECEPTOR = """dg/dt = alpha*where(T_left > 0.5*dt, T, 0)*(1 - g) - beta*g : 1 (clock-driven)
               dT_left/dt = -1 : ms (clock-driven)"""
_PULSE = """The transmitter concentration is T for T_dur ms after each presynaptic spike
    (BrainPy's [T]: the round(T_dur/dt) steps after the spike's arrival), 0 otherwise."""

synapses.add("Delta", SynapseKind(
    "Delta", """A current jump: each spike adds w to the target variable at once (BrainPy's
    Delta; Brunel 2000's synapses when post_var is the membrane potential).""",
    align="delta"))

synapses.add("Expon", SynapseKind(
    "Expon", """Exponential synapse: dg/dt = -g/tau; a spike adds w to g, so the response
    to one spike at 0 is g(t) = w*exp(-t/tau).  Kept once per postsynaptic neuron and
    shared by all pathways of the same parameters (BrainPy's AlignPost).  Default tau =
    8 ms (BrainPy's).""",
    align="post", state="dg/dt = -g/tau : 1", params={"tau": 8.0}))

synapses.add("DualExpon", SynapseKind(
    "DualExpon", """Dual-exponential synapse: dg/dt = -g/tau_decay + h, dh/dt =
    -h/tau_rise; a spike adds w to h, so g(t) = w*tau_decay*tau_rise/(tau_decay -
    tau_rise)*(exp(-t/tau_decay) - exp(-t/tau_rise)), peaking at t* =
    tau_decay*tau_rise/(tau_decay - tau_rise)*log(tau_decay/tau_rise).  Defaults
    tau_decay = 10, tau_rise = 1 ms (BrainPy's).  Kept once per postsynaptic neuron.""",
    align="post", state="dg/dt = -g/tau_decay + h : 1\ndh/dt = -h/tau_rise : 1",
    powers=(("g", 0), ("h", -1)), on_pre="{h}_post += w",
    params={"tau_decay": 10.0, "tau_rise": 1.0}))

synapses.add("Alpha", SynapseKind(
    "Alpha", """Alpha synapse: dg/dt = -g/tau_decay + h, dh/dt = -h/tau_decay; a spike
    adds w to h, so g(t) = w*t*exp(-t/tau_decay), peaking at t = tau_decay with
    w*tau_decay/e.  Default tau_decay = 10 ms (BrainPy's).  Kept once per postsynaptic
    neuron.""",
    align="post", state="dg/dt = -g/tau_decay + h : 1\ndh/dt = -h/tau_decay : 1",
    powers=(("g", 0), ("h", -1)), on_pre="{h}_post += w", params={"tau_decay": 10.0}))

synapses.add("AMPA", SynapseKind(
    "AMPA", f"""AMPA receptor kinetics (Destexhe, Mainen & Sejnowski 1994): dg/dt =
    alpha*[T]*(1 - g) - beta*g, g the open fraction.  {_PULSE}  Defaults alpha = 0.98
    /(mM ms), beta = 0.18 /ms, T = 0.5 mM, T_dur = 0.5 ms; output COBA with E = 0 mV
    (BrainPy's).  Nonlinear, so kept per synapse (BrainPy keeps it per presynaptic
    neuron: the same values).""",
    align="synapse",
    state=_RECEPTOR, on_pre="T_left = T_dur",
    synapse_params={"alpha": 0.98, "beta": 0.18, "T": 0.5, "T_dur": 0.5}, output="COBA",
    method="exponential_euler"))

synapses.add("GABAa", SynapseKind(
    "GABAa", f"""GABA_A receptor kinetics (Destexhe, Mainen & Sejnowski 1994), the form of
    AMPA: dg/dt = alpha*[T]*(1 - g) - beta*g.  {_PULSE}  Defaults alpha = 0.53 /(mM ms),
    beta = 0.18 /ms, T = 1 mM, T_dur = 1 ms; output COBA, give E = -80 mV (BrainPy's
    legacy default).  Kept per synapse.""",
    align="synapse",
    state=_RECEPTOR, on_pre="T_left = T_dur",
    synapse_params={"alpha": 0.53, "beta": 0.18, "T": 1.0, "T_dur": 1.0}, output="COBA",
    method="exponential_euler"))

synapses.add("NMDA", SynapseKind(
    "NMDA", """NMDA receptor (BrainPy's NMDA): dg/dt = -g/tau_decay + a*x*(1 - g), dx/dt =
    -x/tau_rise; a spike adds 1 to x.  Defaults a = 0.5 /ms, tau_decay = 100, tau_rise =
    2 ms; output MgBlock (E = 0 mV, cc_Mg = 1.2 mM, alpha = 0.062 /mV, beta = 3.57 mM:
    Jahr & Stevens 1990).  Kept per synapse.""",
    align="synapse",
    state="""dg/dt = -g/tau_decay + a*x*(1 - g) : 1 (clock-driven)
             dx/dt = -x/tau_rise : 1 (clock-driven)""",
    on_pre="x += 1", synapse_params={"a": 0.5, "tau_decay": 100.0, "tau_rise": 2.0},
    output="MgBlock", method="exponential_euler"))

synapses.add("BioNMDA", SynapseKind(
    "BioNMDA", f"""NMDA receptor with second-order kinetics (Devaney et al. 2015;
    BrainPy's BioNMDA): dg/dt = alpha1*x*(1 - g) - beta1*g, dx/dt = alpha2*[T]*(1 - x) -
    beta2*x.  {_PULSE}  Defaults alpha1 = 2 /ms, beta1 = 0.01 /ms, alpha2 = 1 /(mM ms),
    beta2 = 0.5 /ms, T = 1 mM, T_dur = 0.5 ms; output MgBlock.  Kept per synapse.""",
    align="synapse",
    state="""dg/dt = alpha1*x*(1 - g) - beta1*g : 1 (clock-driven)
             dx/dt = alpha2*where(T_left > 0.5*dt, T, 0)*(1 - x) - beta2*x : 1 (clock-driven)
             dT_left/dt = -1 : ms (clock-driven)""",
    on_pre="T_left = T_dur",
    synapse_params={"alpha1": 2.0, "beta1": 0.01, "alpha2": 1.0, "beta2": 0.5, "T": 1.0,
                    "T_dur": 0.5}, output="MgBlock", method="exponential_euler"))

synapses.add("STD", SynapseKind(
    "STD", """Short-term depression (Tsodyks & Markram 1997) of an exponential synapse:
    each spike uses the fraction U of the available resources x (which recover as dx/dt =
    (1 - x)/tau_d) and adds w*U*x to g, which decays as dg/dt = -g/tau.  Kept as y = 1 - x
    per synapse (solved exactly between spikes), g once per postsynaptic neuron.
    Defaults U = 0.07, tau_d = 200 ms (BrainPy's STD), tau = 8 ms.""",
    align="post", state="dg/dt = -g/tau : 1", params={"tau": 8.0},
    synapse="dy/dt = -y/tau_d : 1 (event-driven)",
    on_pre="{g}_post += w*U*(1 - y); y += U*(1 - y)",
    synapse_params={"U": 0.07, "tau_d": 200.0}))

synapses.add("STP", SynapseKind(
    "STP", """Short-term plasticity, depression and facilitation (Tsodyks, Pawelzik &
    Markram 1998), of an exponential synapse: at each spike u += U*(1 - u), then the spike
    adds w*u*x to g and x -= u*x; between spikes du/dt = -u/tau_f and dx/dt = (1 -
    x)/tau_d (x kept as y = 1 - x, both solved exactly between spikes); g decays as
    dg/dt = -g/tau once per postsynaptic neuron.  Defaults U = 0.15, tau_f = 1500,
    tau_d = 200 ms (BrainPy's STP), tau = 8 ms.  (BrainPy 2.4.3 integrates du/dt =
    U - u/tau_f, which is not the published model.)""",
    align="post", state="dg/dt = -g/tau : 1", params={"tau": 8.0},
    synapse="du/dt = -u/tau_f : 1 (event-driven)\ndy/dt = -y/tau_d : 1 (event-driven)",
    on_pre="u += U*(1 - u); {g}_post += w*u*(1 - y); y += u*(1 - y)",
    synapse_params={"U": 0.15, "tau_f": 1500.0, "tau_d": 200.0}))

synapses.add("GapJunction", SynapseKind(
    "GapJunction", """Electrical synapse: a current w*(V_pre - V_post) into the postsynaptic
    neuron, every step (w a conductance).  A junction couples both of its neurons: connect
    each pair both ways (S.connect(i=[a, b], j=[b, a]), or a symmetric condition such as
    'abs(i - j) == 1'), as BrainPy's symmetric GapJunction does; each direction then
    carries the current into its own postsynaptic neuron.""",
    align="gap", output="COBA"))
