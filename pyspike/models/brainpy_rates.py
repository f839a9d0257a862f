"""BrainPy 2.4.3's rate models and two-variable neurons (``brainpy/_src/dyn/rates/`` and
the legacy FHN and HindmarshRose), as equations integrated with ``exp_auto``.

These models are dimensionless (``: 1``), with time in ms.  Where BrainPy's equation has
no time constant (FHN's V, Hindmarsh-Rose's V and y, Stuart-Landau), its time scale of
1 ms is written as ``/1.0`` (a number in model text is in base units: 1.0 ms), and the
input that BrainPy adds to such a derivative is a rate (``: 1/ms``).  The rate
models keep BrainPy's input names (``x_ext``, ``y_ext``; ``Ie``, ``Ii``) and have no
threshold; FHN and HindmarshRose spike, as BrainPy's, on an upward crossing of the
threshold (the threshold with the neuron refractory while it holds, Brian2's idiom).
Inputs keep their value between steps: set them, or let synapses add to them.
"""
from __future__ import annotations

from ..model import NeuronModel
from .registry import neurons

neurons.later("FHN", lambda: NeuronModel(
    name="FHN",
    doc="""FitzHugh-Nagumo neuron, BrainPy's legacy ``brainpy.neurons.FHN``:
    dV/dt = V - V**3/3 - w + I, tau dw/dt = V + a - b w, a spike when V crosses Vth
    upwards.  Defaults are those of BrainPy 2.4.3's code, a = 0.7, b = 0.8, tau = 12.5 ms,
    Vth = 1.8 (its docstring says a = 1, b = 1, tau = 10); V and w start at 0.  The V
    equation's time scale, 1 ms in BrainPy, is the 1.0 in the text.  BrainPy's rate
    model of the same name (``brainpy.dyn.rates.FHN``, Kostova et al. 2004) is not this
    one.  Reference: R. FitzHugh, Biophys. J. 1, 445 (1961).""",
    equations="""
        dV/dt = (V - V**3/3 - w)/1.0 + I : 1
        dw/dt = (V + a - b*w)/tau : 1
        I : 1/ms
    """,
    threshold="V >= Vth", refractory="V >= Vth", method="exp_auto",
    params={"a": 0.7, "b": 0.8, "tau": 12.5, "Vth": 1.8},
    init={"V": 0.0, "w": 0.0}))


neurons.later("HindmarshRose", lambda: NeuronModel(
    name="HindmarshRose",
    doc="""Hindmarsh-Rose (1984) bursting neuron, BrainPy's legacy
    ``brainpy.neurons.HindmarshRose``: dV/dt = y - a V**3 + b V**2 - z + I,
    dy/dt = c - d V**2 - y, dz/dt = r (s (V - V_rest) - z), a spike when V crosses V_th
    upwards.  Defaults are BrainPy 2.4.3's (a = 1, b = 3, c = 1, d = 5, r = 0.01/ms,
    s = 4, V_rest = -1.6, V_th = 1); V and z start at 0, y at -10.  The time scale of
    the V and y equations, 1 ms in BrainPy, is the 1.0 in the text.  Reference:
    J. L. Hindmarsh, R. M. Rose, Proc. R. Soc. Lond. B 221, 87 (1984).""",
    equations="""
        dV/dt = (y - a*V**3 + b*V**2 - z)/1.0 + I : 1
        dy/dt = (c - d*V**2 - y)/1.0 : 1
        dz/dt = r*(s*(V - V_rest) - z) : 1
        I : 1/ms
    """,
    threshold="V >= V_th", refractory="V >= V_th", method="exp_auto",
    params={"a": 1.0, "b": 3.0, "c": 1.0, "d": 5.0, "r": 0.01, "s": 4.0,
            "V_rest": -1.6, "V_th": 1.0},
    init={"V": 0.0, "y": -10.0, "z": 0.0}))


neurons.later("WilsonCowan", lambda: NeuronModel(
    name="WilsonCowan",
    doc="""Wilson-Cowan (1972) excitatory-inhibitory population, BrainPy's
    ``WilsonCowanModel``: E_tau dx/dt = -x + (1 - r x) S_E(wEE x - wIE y + x_ext) and
    I_tau dy/dt = -y + (1 - r y) S_I(wEI x - wII y + y_ext), with the paper's sigmoid
    S(u) = 1/(1 + exp(-a (u - theta))) - 1/(1 + exp(a theta)), x the excitatory and y
    the inhibitory activity.  As in BrainPy the maximal activity k of the paper's
    (k - r x) is 1.  Defaults are BrainPy 2.4.3's (E_tau = I_tau = 1 ms, E_a = 1.2,
    E_theta = 2.8, I_a = 1, I_theta = 4, wEE = 12, wIE = 4, wEI = 13, wII = 11, r = 1);
    x and y start uniformly in [0, 0.05).  Inputs x_ext and y_ext.  BrainPy's optional
    Ornstein-Uhlenbeck input noise is left out.  Reference: H. R. Wilson, J. D. Cowan,
    Biophys. J. 12, 1 (1972).""",
    equations="""
        dx/dt = (-x + (1 - r*x)*S_E)/E_tau : 1
        dy/dt = (-y + (1 - r*y)*S_I)/I_tau : 1
        S_E = 1/(1 + exp(-E_a*(wEE*x - wIE*y + x_ext - E_theta))) - 1/(1 + exp(E_a*E_theta)) : 1
        S_I = 1/(1 + exp(-I_a*(wEI*x - wII*y + y_ext - I_theta))) - 1/(1 + exp(I_a*I_theta)) : 1
        x_ext : 1
        y_ext : 1
    """,
    method="exp_auto",
    params={"E_tau": 1.0, "E_a": 1.2, "E_theta": 2.8, "I_tau": 1.0, "I_a": 1.0,
            "I_theta": 4.0, "wEE": 12.0, "wIE": 4.0, "wEI": 13.0, "wII": 11.0, "r": 1.0},
    init={"x": "0.05*rand()", "y": "0.05*rand()"}))


neurons.later("StuartLandau", lambda: NeuronModel(
    name="StuartLandau",
    doc="""Stuart-Landau oscillator (the normal form of a Hopf bifurcation), BrainPy's
    ``StuartLandauOscillator``: dx/dt = (a - x**2 - y**2) x - w y + x_ext,
    dy/dt = (a - x**2 - y**2) y + w x + y_ext; a limit cycle of radius sqrt(a) and angular
    frequency w for a > 0.  Defaults are BrainPy 2.4.3's (a = 0.25, w = 0.2); x and y
    start uniformly in [0, 0.5).  Departure: BrainPy 2.4.3's code has - w y in the y
    equation (it then does not oscillate), where its docstring and the normal form have
    + w x; this model has + w x.  The time scale of 1 ms is the 1.0 in the text.
    BrainPy's optional Ornstein-Uhlenbeck input noise is left out.  Reference: e.g.
    Y. Kuramoto, Chemical Oscillations, Waves, and Turbulence (Springer, 1984).""",
    equations="""
        dx/dt = ((a - x**2 - y**2)*x - w*y)/1.0 + x_ext : 1
        dy/dt = ((a - x**2 - y**2)*y + w*x)/1.0 + y_ext : 1
        x_ext : 1/ms
        y_ext : 1/ms
    """,
    method="exp_auto", params={"a": 0.25, "w": 0.2},
    init={"x": "0.5*rand()", "y": "0.5*rand()"}))


neurons.later("QIF", lambda: NeuronModel(
    name="QIF",
    doc="""Mean-field model of a population of quadratic integrate-and-fire neurons
    (Montbrio, Pazo and Roxin 2015), BrainPy's rate model ``QIF``: with x the mean
    membrane potential and y the firing rate (1/ms),
    tau dx/dt = x**2 + eta + x_ext + J y tau - (pi y tau)**2 and
    tau dy/dt = delta/(pi tau) + 2 x y + y_ext.  Defaults are BrainPy 2.4.3's (tau = 1 ms,
    eta = -5, delta = 1, J = 15); x and y start uniformly in [0, 0.05).  pi is written as
    its value.  BrainPy's optional Ornstein-Uhlenbeck input noise is left out.  With
    exp_auto at dt = 0.1 ms the high-activity state is not resolved (x_ext >= 2 gives
    false excursions of x, as it does in BrainPy); use dt <= 0.01 ms or method="rk4" there.
    Reference:
    E. Montbrio, D. Pazo, A. Roxin, Phys. Rev. X 5, 021028 (2015).""",
    equations="""
        dx/dt = (x**2 + eta + x_ext + J*y*tau - (3.141592653589793*y*tau)**2)/tau : 1
        dy/dt = (delta/(3.141592653589793*tau) + 2*x*y + y_ext)/tau : 1/ms
        x_ext : 1
        y_ext : 1/ms
    """,
    method="exp_auto", params={"tau": 1.0, "eta": -5.0, "delta": 1.0, "J": 15.0},
    init={"x": "0.05*rand()", "y": "0.05*rand()"}))


neurons.later("ThresholdLinear", lambda: NeuronModel(
    name="ThresholdLinear",
    doc="""Threshold-linear excitatory and inhibitory rates (Chaudhuri et al. 2015),
    BrainPy's ``ThresholdLinearModel``: tau_e dnu_e/dt = -nu_e + beta_e [Ie]+ and
    tau_i dnu_i/dt = -nu_i + beta_i [Ii]+, stepped as BrainPy steps them: one explicit
    Euler step, with noise_e*randn() (noise_i*randn()) added to the bracket, then the
    rate clipped at 0.  BrainPy's e and i are nu_e and nu_i here (i and e are reserved
    names in pyspike).  Defaults: beta_e = 0.066, beta_i = 0.351, noise_e = noise_i = 0,
    rates starting at 0, as BrainPy's; tau_e = 20 ms and tau_i = 10 ms are the paper's:
    BrainPy 2.4.3 gives the paper's values in seconds (0.02 and 0.01) to a simulation
    that counts time in ms, where they make the Euler step unstable.  Reference:
    R. Chaudhuri, K. Knoblauch, M.-A. Gariel, H. Kennedy, X.-J. Wang, Neuron 88, 419
    (2015).""",
    equations="""
        nu_e : 1
        nu_i : 1
        Ie : 1
        Ii : 1
        tau_e : ms
        tau_i : ms
    """,
    update="""
        nu_e = max(nu_e + dt*(-nu_e + beta_e*max(Ie, 0) + noise_e*randn())/tau_e, 0)
        nu_i = max(nu_i + dt*(-nu_i + beta_i*max(Ii, 0) + noise_i*randn())/tau_i, 0)
    """,
    params={"tau_e": 20.0, "tau_i": 10.0, "beta_e": 0.066, "beta_i": 0.351,
            "noise_e": 0.0, "noise_i": 0.0}))
