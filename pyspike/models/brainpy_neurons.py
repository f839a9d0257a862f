"""BrainPy 2.4.3's integrate-and-fire neurons (``brainpy/_src/dyn/neurons/lif.py`` and the
legacy ``ALIFBellec2020``), as equations.

BrainPy integrates every built-in model with ``exp_auto`` (each equation linearised in its
own variable at the start of the step), applies the input current ``I`` as its equations
write it, and starts from its initializers' values; each model here does the same, so
that a BrainPy user's traces come out the same.  ``I`` is a variable that keeps its value
between steps (set it, or let synapses add to it); BrainPy's runners set it every step.

Units: BrainPy is unitless, with ``R*I`` a voltage.  Here ``R`` is in Gohm and ``I`` in pA
(1 Gohm * 1 pA = 1 mV), so the numbers a BrainPy user gives are the same numbers here.
Where BrainPy adds the input to the voltage without ``R`` (``AdQuaIF``) ``I`` is in mV, and
where it adds it to dV/dt (``Izhikevich``) in mV/ms.

Each ``X`` with a refractory variant in BrainPy also comes as ``XRef`` (``LifRef``,
``ExpIFRef``, ...): V is held for ``tau_ref`` ms after a spike while the other variables
evolve, as BrainPy's ``XRef`` classes do.
"""
from __future__ import annotations

from typing import Dict, Mapping

from ..model import NeuronModel
from .registry import neurons

#: What the Ref variants add to a model's documentation.
_REF_DOC = """
    ``{name}Ref`` (BrainPy's ``{name}Ref``) adds a refractory period ``tau_ref`` (default
    0 ms, BrainPy's: none): after a spike V is held for floor(tau_ref/dt) steps while the
    other variables evolve, as BrainPy holds it in the steps that start within tau_ref of
    the step that spiked (up to the rounding of BrainPy's float32 times).  (pyspike
    counts a refractory period as Brian2 does, one update fewer: the period is written
    tau_ref + dt to keep BrainPy's count.)"""

#: BrainPy's documentation of the input, by the unit of ``I``.
_INPUT = {
    "pA": "The input ``I`` is in pA and enters as R*I with R in Gohm (R*I in mV):\n"
          "    the numbers of BrainPy's unitless R and I.",
    "mV": "The input ``I`` is in mV (BrainPy adds it to the voltage without R).",
}


def _family(name: str, doc: str, equations: str, threshold: str, reset: str,
            params: Mapping[str, float], init: Mapping[str, object]) -> None:
    """Register ``name`` and ``name + "Ref"``: ``{ref}`` in ``equations`` marks the
    voltage equation, which the Ref variant holds while refractory."""
    base = dict(threshold=threshold, reset=reset, method="exp_auto", init=dict(init))
    neurons.later(name, lambda: NeuronModel(
        name=name, doc=doc, equations=equations.format(ref=""), params=dict(params), **base))
    neurons.later(name + "Ref", lambda: NeuronModel(
        name=name + "Ref", doc=doc + _REF_DOC.format(name=name),
        equations=equations.format(ref=" (unless refractory)"),
        refractory="tau_ref + dt", params={**params, "tau_ref": 0.0}, **base))


_LIF_PARAMS: Dict[str, float] = {"V_rest": 0.0, "V_reset": -5.0, "V_th": 20.0, "R": 1.0,
                                 "tau": 10.0}
_family("Lif", f"""Leaky integrate-and-fire neuron, BrainPy's ``Lif``:
    tau dV/dt = -(V - V_rest) + R*I; a spike when V >= V_th, then V = V_reset.
    {_INPUT["pA"]}
    Defaults as BrainPy's (V_rest = 0, V_reset = -5, V_th = 20 mV, R = 1, tau = 10 ms);
    V starts at 0 mV (BrainPy's ZeroInit).
    Reference: L. F. Abbott, Lapicque's introduction of the integrate-and-fire model
    neuron (1907), Brain Res. Bull. 50, 303 (1999).""",
        """
        dV/dt = (-V + V_rest + R*I)/tau : mV{ref}
        I : pA
        """,
        "V >= V_th", "V = V_reset", _LIF_PARAMS, {"V": 0.0})

_START = """V starts at 0 mV, as BrainPy's ZeroInit puts it: above V_th, so that every
    neuron fires in its first step, as in BrainPy (give init={"V": -65.0} to start at
    rest)."""

_EXP_PARAMS: Dict[str, float] = {"V_rest": -65.0, "V_reset": -68.0, "V_th": -30.0,
                                 "V_T": -59.9, "delta_T": 3.48, "R": 1.0, "tau": 10.0}
_V_TH_NOTE = """V_th is -30 mV, the default of BrainPy 2.4.3's code and docstring (BrainPy
    2.4.6 changed the code's default to -55 mV and kept -30 in the docstring)."""
_family("ExpIF", f"""Exponential integrate-and-fire neuron, BrainPy's ``ExpIF``:
    tau dV/dt = -(V - V_rest) + delta_T exp((V - V_T)/delta_T) + R*I; a spike when
    V >= V_th, then V = V_reset.
    {_INPUT["pA"]}
    Defaults as BrainPy's (V_rest = -65, V_reset = -68, V_T = -59.9, delta_T = 3.48 mV,
    R = 1, tau = 10 ms).
    {_V_TH_NOTE}
    {_START}
    Reference: N. Fourcaud-Trocme, D. Hansel, C. van Vreeswijk, N. Brunel, J. Neurosci.
    23, 11628 (2003).""",
        """
        dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T) + R*I)/tau : mV{ref}
        I : pA
        """,
        "V >= V_th", "V = V_reset", _EXP_PARAMS, {"V": 0.0})

_family("AdExIF", f"""Adaptive exponential integrate-and-fire neuron, BrainPy's ``AdExIF``:
    tau dV/dt = -(V - V_rest) + delta_T exp((V - V_T)/delta_T) - R*w + R*I,
    tau_w dw/dt = a (V - V_rest) - w; a spike when V >= V_th, then V = V_reset, w += b.
    {_INPUT["pA"]}
    The adaptation current w is in pA, a in nS, b in pA.
    Defaults as BrainPy's (ExpIF's, with a = 1, b = 1, tau_w = 30 ms); w starts at 0.
    {_V_TH_NOTE}
    {_START}
    Reference: R. Brette, W. Gerstner, J. Neurophysiol. 94, 3637 (2005).""",
        """
        dV/dt = (-V + V_rest + delta_T*exp((V - V_T)/delta_T) - R*w + R*I)/tau : mV{ref}
        dw/dt = (a*(V - V_rest) - w)/tau_w : pA
        I : pA
        """,
        "V >= V_th", "V = V_reset\nw = w + b",
        {**_EXP_PARAMS, "a": 1.0, "b": 1.0, "tau_w": 30.0}, {"V": 0.0, "w": 0.0})

_QUA_PARAMS: Dict[str, float] = {"V_rest": -65.0, "V_reset": -68.0, "V_th": -30.0,
                                 "V_c": -50.0, "c": 0.07}
_family("QuaIF", f"""Quadratic integrate-and-fire neuron, BrainPy's ``QuaIF``:
    tau dV/dt = c (V - V_rest)(V - V_c) + R*I; a spike when V >= V_th, then V = V_reset.
    {_INPUT["pA"]}
    Defaults as BrainPy's (V_rest = -65, V_reset = -68, V_th = -30, V_c = -50 mV,
    c = 0.07, R = 1, tau = 10 ms).
    {_START}
    Reference: P. E. Latham, B. J. Richmond, P. G. Nelson, S. Nirenberg, J. Neurophysiol.
    83, 808 (2000).""",
        """
        dV/dt = (c*(V - V_rest)*(V - V_c) + R*I)/tau : mV{ref}
        I : pA
        c : 1/mV (constant)
        """,
        "V >= V_th", "V = V_reset", {**_QUA_PARAMS, "R": 1.0, "tau": 10.0}, {"V": 0.0})

_family("AdQuaIF", f"""Adaptive quadratic integrate-and-fire neuron, BrainPy's ``AdQuaIF``:
    tau dV/dt = c (V - V_rest)(V - V_c) - w + I, tau_w dw/dt = a (V - V_rest) - w; a
    spike when V >= V_th, then V = V_reset, w += b.
    {_INPUT["mV"]}
    So is w; a is dimensionless, b in mV.
    Defaults as BrainPy's (QuaIF's, with a = 1, b = 0.1, tau = 10, tau_w = 10 ms); w
    starts at 0.
    {_START}
    References: E. M. Izhikevich, IEEE Trans. Neural Netw. 15, 1063 (2004);
    J. Touboul, SIAM J. Appl. Math. 68, 1045 (2008).""",
        """
        dV/dt = (c*(V - V_rest)*(V - V_c) - w + I)/tau : mV{ref}
        dw/dt = (a*(V - V_rest) - w)/tau_w : mV
        I : mV
        c : 1/mV (constant)
        """,
        "V >= V_th", "V = V_reset\nw = w + b",
        {**_QUA_PARAMS, "a": 1.0, "b": 0.1, "tau": 10.0, "tau_w": 10.0},
        {"V": 0.0, "w": 0.0})

_family("Gif", f"""Generalized integrate-and-fire neuron (Mihalas & Niebur), BrainPy's ``Gif``:
    dI1/dt = -k1 I1, dI2/dt = -k2 I2,
    dV_th/dt = a (V - V_rest) - b (V_th - V_th_inf),
    tau dV/dt = -(V - V_rest) + R (I + I1 + I2); a spike when V >= V_th, then
    V = V_reset, I1 = R1 I1 + A1, I2 = R2 I2 + A2, V_th = max(V_th_reset, V_th).
    {_INPUT["pA"]}
    I1, I2, A1 and A2 are in pA; k1, k2, a and b in 1/ms.
    Defaults as BrainPy's (V_rest = V_reset = -70, V_th_inf = -50, V_th_reset = -60 mV,
    R = 20, tau = 20 ms, a = 0, b = 0.01, k1 = 0.2, k2 = 0.02, R1 = 0, R2 = 1,
    A1 = A2 = 0); V starts at -70 mV, V_th at -50 mV, I1 and I2 at 0.
    Departure: BrainPy 2.4.3 compares V after the step with V_th before it; here both
    are taken after the step, as in the published model.  With BrainPy's defaults
    (a = 0) V_th never moves and the two agree; otherwise they differ by one step's
    change of V_th.
    Reference: S. Mihalas, E. Niebur, Neural Comput. 21, 704 (2009).""",
        """
        dI1/dt = -k1*I1 : pA
        dI2/dt = -k2*I2 : pA
        dV_th/dt = a*(V - V_rest) - b*(V_th - V_th_inf) : mV
        dV/dt = (-(V - V_rest) + R*(I + I1 + I2))/tau : mV{ref}
        I : pA
        """,
        "V >= V_th",
        "V = V_reset\nI1 = R1*I1 + A1\nI2 = R2*I2 + A2\nV_th = max(V_th_reset, V_th)",
        {"V_rest": -70.0, "V_reset": -70.0, "V_th_inf": -50.0, "V_th_reset": -60.0,
         "R": 20.0, "tau": 20.0, "a": 0.0, "b": 0.01, "k1": 0.2, "k2": 0.02, "R1": 0.0,
         "R2": 1.0, "A1": 0.0, "A2": 0.0},
        {"V": -70.0, "I1": 0.0, "I2": 0.0, "V_th": -50.0})

_family("Izhikevich", """Izhikevich (2003) simple model, BrainPy's ``Izhikevich``:
    dV/dt = 0.04 V^2 + 5 V + 140 - u + I, du/dt = a (b V - u); a spike when V >= V_th,
    then V = c, u += d.  The input is added to dV/dt as it is: ``I`` (and u) in mV/ms.
    Defaults as BrainPy's (a = 0.02, b = 0.2, c = -65, d = 8, V_th = 30 mV); V starts
    at -70 mV and u at b*V (BrainPy's initializers).  BrainPy's tau and R parameters
    appear in none of its equations and are left out.
    Reference: E. M. Izhikevich, IEEE Trans. Neural Netw. 14, 1569 (2003).""",
        """
        dV/dt = 0.04*V**2 + 5*V + 140 - u + I : mV{ref}
        du/dt = a*(b*V - u) : mV/ms
        I : mV/ms
        """,
        "V >= V_th", "V = c\nu = u + d",
        {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "V_th": 30.0},
        {"V": -70.0, "u": "b*V"})

neurons.later("ALIFBellec2020", lambda: NeuronModel(
    name="ALIFBellec2020",
    doc=f"""Leaky integrate-and-fire neuron with an adaptive threshold (Bellec et al.
    2020), BrainPy's legacy ``ALIFBellec2020``:
    tau dV/dt = -(V - V_rest) + R*I, tau_a da/dt = -a; a spike when
    V >= V_th + beta a, then V -= V_th - V_rest and a += 1.
    {_INPUT["pA"]}
    a is dimensionless, beta in mV.
    Defaults as BrainPy's (V_rest = -70, V_th = -60 mV, R = 1, beta = 1.6, tau = 20,
    tau_a = 2000 ms); V starts at -70 mV.  tau_ref (BrainPy's None, here 0 ms: no
    refractoriness) holds V for round(tau_ref/dt) steps after a spike.
    Departures, following the published model where BrainPy 2.4.3's code leaves it:
    the reset subtracts V_th - V_rest (the threshold measured from rest, as the paper's
    voltage is) where BrainPy subtracts V_th, which raises V by 60 mV with its own
    defaults (the two agree when V_rest = 0); a starts at 0, not BrainPy's -50 (a
    threshold of -140 mV); the threshold uses a after the step where BrainPy uses a
    before it (a relative difference of dt/tau_a).
    Reference: G. Bellec et al., Nat. Commun. 11, 3625 (2020).""",
    equations="""
        dV/dt = (-(V - V_rest) + R*I)/tau : mV (unless refractory)
        da/dt = -a/tau_a : 1
        I : pA
    """,
    threshold="V >= V_th + beta*a", reset="V = V - (V_th - V_rest)\na = a + 1",
    refractory="tau_ref + dt", method="exp_auto",
    params={"V_rest": -70.0, "V_th": -60.0, "R": 1.0, "beta": 1.6, "tau": 20.0,
            "tau_a": 2000.0, "tau_ref": 0.0},
    init={"V": -70.0, "a": 0.0}))
