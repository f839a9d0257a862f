"""SPAIC 0.6.2's neuron models in plain NumPy, written from the op lists of
``spaic/Neuron/Neuron.py`` (commit 7348d2e), not from pyspike's library text.

SPAIC runs each model's ops in order once per step.  An input tagged ``[updated]`` reads
the value computed earlier in the same step, an untagged one the value the step started
from; temporaries (names that are no variables) are always this step's.  So each step
function below gets ``o``, the variables as the step found them, and returns the new
values of the variables it writes; ``x`` is this step's Isyn (``Isyn[updated]``, what
SPAIC's connections summed on this step) and ``xp`` the Isyn the step found (untagged).
``threshold(v, vth)`` is SPAIC's ``v > vth`` as 1.0/0.0; ``var_linear(A, X, b)`` is
``A*X + b``; ``_tau_variables`` become exp(-dt/tau) and ``_membrane_variables`` dt/tau.
"""
import numpy as np


def _th(v, vth):
    return (v > vth).astype(float)


def _v0(tau_p, tau_q):
    beta = tau_p / tau_q
    return (1 / (beta - 1)) * (beta ** (beta / (beta - 1)))


def lif(o, x, xp, p, dt):
    vtemp = np.exp(-dt / p["tau_m"]) * o["V"] + x
    O = _th(vtemp, p["v_th"])
    return {"O": O, "V": (O == 0) * vtemp}


def if_(o, x, xp, p, dt):
    vtemp1 = (o["V"] + x) - p["ConstantDecay"]
    O = _th(vtemp1, p["v_th"])
    return {"O": O, "V": vtemp1 - vtemp1 * O}


def clif(o, x, xp, p, dt, adaptive=False):
    new = {}
    if adaptive:
        new["Vth1"] = np.exp(-dt / p["tau_a"]) * o["Vth1"] + o["O"]
    new["I"] = _v0(p["tau_p"], p["tau_q"]) * x
    new["M"] = np.exp(-dt / p["tau_p"]) * o["M"] + new["I"]
    new["S"] = np.exp(-dt / p["tau_q"]) * o["S"] + new["I"]
    psp = new["M"] - new["S"]
    ee = p["beta_adaptive"] * new["Vth1"] + o["E"] if adaptive else o["E"]
    new["V"] = psp - ee
    new["O"] = _th(new["V"], p["v_th"])
    new["E"] = np.exp(-dt / p["tau_m"]) * o["E"] + p["v_th"] * new["O"]
    return new


def aclif(o, x, xp, p, dt):
    return clif(o, x, xp, p, dt, adaptive=True)


def plif(o, x, xp, p, dt):
    # as documented (SPAIC 0.6.2's own plif does not build): reset on the spike's step
    w = -np.log(p["tau_m"] - 1.0)
    vtemp1 = 1 / (1 + np.exp(-w)) * (x - o["V"]) + o["V"]
    O = _th(vtemp1, p["v_th"])
    return {"O": O, "V": (O == 0) * vtemp1}


def izh(o, x, xp, p, dt):
    V, U = o["V"], o["U"]
    temp_v = dt / 1.0 * ((((0.04 * V + 5) * V + 140) - U) + x) + V
    temp_u = p["a"] * (p["b"] * V - U) + U
    O = _th(temp_v, p["v_th"])
    return {"O": O, "Vt": temp_v, "V": O * (p["Vreset"] - temp_v) + temp_v,
            "U": p["d"] * O + temp_u}


def aeif(o, x, xp, p, dt):
    V, U = o["V"], o["U"]
    dv = V - p["EL"]
    EXP = p["delta_t"] * np.exp((V - p["v_th"]) / p["delta_t"])
    vt = dt / p["C"] * (p["gL"] * (EXP - dv) - U + x) + V
    ut = dt / p["tau_w"] * (p["a"] * dv - U) + U
    O = _th(vt, p["Vspk"])
    return {"EXP": EXP, "Vt": vt, "O": O, "V": p["EL"] * O + (vt - vt * O),
            "U": p["b"] * O + ut}


def glif(o, x, xp, p, dt):
    i1 = -dt * p["k_1"] * o["I1"] + o["I1"]
    i2 = -dt * p["k_2"] * o["I2"] + o["I2"]
    dv = o["V"] - p["E_L"]
    vtemp = dt / p["C"] * (dv * (-1 / p["R"]) + ((i1 + i2) + x)) + o["V"]
    theta_s = -dt * p["b_s"] * o["Theta_s"] + o["Theta_s"]
    theta_v = -dt * p["b_v"] * o["Theta_v"] + (dt * p["a_v"] * dv + o["Theta_v"])
    vth = (theta_v + theta_s) + p["Theta_inf"]
    O = _th(vtemp, vth)
    vreset = (p["f_v"] * (vtemp - p["E_L"]) + p["E_L"]) - p["delta_v"]
    new = {"O": O, "Vth": vth, "Theta_v": theta_v, "V": (vreset - vtemp) * O + vtemp,
           "Theta_s": p["delta_Theta_s"] * O + theta_s}
    for j, ij in (("1", i1), ("2", i2)):
        after = p["f" + j] * ij + p["delta_I" + j]
        # SPAIC 0.6.2 adds `after` to I_j; GLIF5 (and SPAIC's docstring) set I_j = after
        new["I" + j] = after * O + ij if p.get("spaic_0_6_2_reset") else np.where(O, after, ij)
    return new


def hh(o, x, xp, p, dt):
    V, u = o["V"], o["V"] + p["Vreset"]
    am = p["alpha_m1"] * ((p["alpha_m2"] - u) / (np.exp((p["alpha_m2"] - u) / p["alpha_m3"]) - 1))
    bm = p["beta_m1"] * np.exp((p["beta_m2"] - u) / p["beta_m3"])
    an = p["alpha_n1"] * ((p["alpha_n2"] - u) / (np.exp((p["alpha_n2"] - u) / p["alpha_n3"]) - 1))
    bn = p["beta_n1"] * np.exp((p["beta_n2"] - u) / p["beta_n3"])
    ah = p["alpha_h1"] * np.exp((p["alpha_h2"] - u) / p["alpha_h3"])
    bh = p["beta_h1"] / (np.exp((p["beta_h2"] - u) / p["beta_h3"]) + 1)
    m = dt * (am * (1 - o["m"]) - bm * o["m"]) + o["m"]
    n = dt * (an * (1 - o["n"]) - bn * o["n"]) + o["n"]
    h = dt * (ah * (1 - o["h"]) - bh * o["h"]) + o["h"]
    ik = dt * ((p["g_NA"] * (m * m * m * h) * (V - p["E_NA"]) + p["g_K"] * (n * n * (n * n))
                * (V - p["E_K"])) + p["g_L"] * (V - p["E_L"]))
    Vn = V + (x - ik)
    return {"m": m, "n": n, "h": h, "V": Vn, "O": _th(Vn, p["v_th"])}


def lifstdp(o, x, xp, p, dt, theta=True, soft=False):
    vtemp = (p["decay_v"] * (o["V"] - p["v_rest"]) + p["v_rest"]) + x
    new = {}
    if theta:
        theta_temp = p["decay_th"] * o["theta"]
        new["Vth_theta"] = p["v_th"] + theta_temp
        O = _th(vtemp, new["Vth_theta"])
        inc = O * p["th_inc"] * (new["Vth_theta"] if soft else 1.0)
        new["theta"] = theta_temp + inc
    else:
        O = _th(vtemp, p["v_th"])
    new["O"] = O
    new["V"] = vtemp - p["v_reset"] * O if soft else \
        p["v_reset"] * O + (vtemp - vtemp * O)
    return new


def lifstdp_ex(o, x, xp, p, dt):
    return lifstdp(o, x, xp, p, dt)


def lifstdp_ih(o, x, xp, p, dt):
    return lifstdp(o, x, xp, p, dt, theta=False)


def alifstdp_ex(o, x, xp, p, dt):
    return lifstdp(o, x, xp, p, dt, soft=True)


def nonspikinglif(o, x, xp, p, dt):
    # every read untagged: the values the step found
    return {"I": _v0(p["tau_p"], p["tau_q"]) * xp,
            "M": np.exp(-dt / p["tau_p"]) * o["M"] + o["I"],
            "S": np.exp(-dt / p["tau_q"]) * o["S"] + o["I"],
            "V": dt / p["tau_m"] * ((o["M"] - o["S"]) - o["V"]) + o["V"]}


def meanfield(o, x, xp, p, dt):
    U = dt / p["tau"] * ((p["rho"] * xp + o["Iext"]) - o["U"]) + o["U"]
    return {"U": U, "O": np.maximum(U, 0.0)}


def constantcurrentlif(o, x, xp, p, dt):
    vtemp = dt / p["tau_m"] * (xp - o["V"]) + o["V"]
    return {"Vt": vtemp, "O": _th(vtemp, p["v_th"]), "V": vtemp - vtemp * o["O"]}


def lifm(o, x, xp, p, dt):
    I = np.exp(-dt / p["tau_p"]) * o["I"] + x
    vtemp = o["V"] * np.exp(-dt / p["tau_m"]) + I
    O = _th(vtemp, p["v_th"])
    return {"I": I, "O": O, "V": vtemp - vtemp * O}


def null(o, x, xp, p, dt):
    return {"O": x}


_E = np.exp
#: SPAIC's defaults (its kwargs and their default values) and initial values, per model
DEFAULTS = {
    "lif": ({"tau_m": 8.0, "v_th": 1.0}, {"V": 0.0}),
    "if": ({"ConstantDecay": 0.0, "v_th": 1.0}, {"V": 0.0}),
    "clif": ({"tau_m": 20.0, "tau_p": 12.0, "tau_q": 8.0, "v_th": 1.0},
             {"M": 0.0, "S": 0.0, "E": 0.0, "I": 0.0, "V": 0.0}),
    "aclif": ({"tau_m": 20.0, "tau_p": 12.0, "tau_q": 8.0, "tau_a": 2000.0, "v_th": 1.0,
               "beta_adaptive": 0.1}, {"M": 0.0, "S": 0.0, "E": 0.0, "I": 0.0, "V": 0.0,
                                       "Vth1": 0.0}),
    "plif": ({"tau_m": 2.0, "v_th": 1.0}, {"V": 0.0}),
    "izh": ({"a": 0.02, "b": 0.2, "v_th": 30.0, "Vreset": -65.0, "d": 8.0},
            {"V": -65.0, "U": 1.0, "Vt": 0.0}),
    "aeif": ({"EL": -70.6, "a": 4.0, "b": 0.0805, "v_th": -50.4, "Vspk": 20.0, "delta_t": 2.0,
              "C": 281.0, "tau_w": 144.0, "gL": 30.0},
             {"V": -70.6, "U": 0.0, "EXP": 0.0, "Vt": 0.0}),
    "glif": ({"C": 60.0, "b_s": 0.02, "k_1": 0.8, "k_2": 0.6, "a_v": 0.12, "b_v": 0.3,
              "R": 2.0, "E_L": 0.0, "Theta_inf": 1.0, "f_v": 0.1, "delta_v": 0.05,
              "delta_Theta_s": 0.2, "f1": 1.0, "f2": 1.0, "delta_I1": 0.1, "delta_I2": 0.1},
             {"V": 0.0, "Theta_s": 0.1, "Theta_v": 0.2, "I1": 0.08, "I2": 0.06, "Vth": 1.0}),
    "hh": ({"v_th": 1.0, "Vreset": 0.0, "g_NA": 120.0, "g_K": 36.0, "g_L": 0.3, "E_NA": 120.0,
            "E_K": -12.0, "E_L": 10.6, "alpha_m1": 0.1, "alpha_m2": 25.0, "alpha_m3": 10.0,
            "beta_m1": 4.0, "beta_m2": 0.0, "beta_m3": 18.0, "alpha_n1": 0.01,
            "alpha_n2": 10.0, "alpha_n3": 10.0, "beta_n1": 0.125, "beta_n2": 0.0,
            "beta_n3": 80.0, "alpha_h1": 0.07, "alpha_h2": 0.0, "alpha_h3": 20.0,
            "beta_h1": 1.0, "beta_h2": 30.0, "beta_h3": 10.0},
           {"V": 0.0, "m": 0.5, "n": 0.5, "h": 0.06}),
    "lifstdp_ex": ({"v_th": -52.0, "v_reset": -60.0, "v_rest": -65.0, "th_inc": 0.05,
                    "decay_th": _E(-1 / 1e7), "decay_v": _E(-1 / 100)},
                   {"V": -65.0, "theta": 0.0, "Vth_theta": 0.0}),
    "lifstdp_ih": ({"v_th": -40.0, "v_reset": -45.0, "v_rest": -60.0,
                    "decay_v": _E(-1 / 10)}, {"V": -60.0}),
    "alifstdp_ex": ({"v_th": 2.0, "v_reset": 2.0, "v_rest": 0.0, "th_inc": 0.001,
                     "decay_th": _E(-1 / 100000.0), "decay_v": _E(-1 / 100.0)},
                    {"V": 0.0, "theta": 0.0, "Vth_theta": 2.0}),
    "nonspikinglif": ({"tau_p": 4.0, "tau_q": 1.0, "tau_m": 1.0},
                      {"I": 0.0, "M": 0.0, "S": 0.0, "V": 0.0}),
    "meanfield": ({"rho": 0.1, "tau": 1.0}, {"U": 0.0, "O": 0.0, "Iext": 0.0}),
    "constantcurrentlif": ({"tau_m": 20.0, "v_th": 1.0}, {"V": 0.0, "Vt": 0.0}),
    "lifm": ({"tau_m": 10.0, "tau_p": 1.0, "v_th": 1.0}, {"V": 0.0, "I": 0.0}),
    "null": ({}, {}),
}
DEFAULTS["adex"] = DEFAULTS["aeif"]
STEPS = {**{name: globals()[name] for name in DEFAULTS if name not in ("if", "adex")},
         "if": if_, "adex": aeif}


def simulate(name, x, dt, params=None, init=None, x_before=0.0):
    """The variables after each step (arrays of shape (T, *x.shape[1:])) of SPAIC's model
    ``name`` given ``x[n]``, the Isyn of step n; ``x_before`` is the Isyn before step 0
    (what the models that read Isyn untagged see on step 0)."""
    defaults, initial = DEFAULTS[name]
    p = {**defaults, **(params or {})}
    shape = np.shape(x)[1:]
    state = {k: np.full(shape, float(v)) for k, v in {"O": 0.0, **initial, **(init or {})}
             .items()}
    out = {k: [] for k in state}
    xp = np.broadcast_to(x_before, shape)
    for xn in x:
        state.update(STEPS[name](state, xn, xp, p, dt))
        xp = xn
        for k in out:
            out[k].append(np.array(state[k], dtype=float))
    return {k: np.array(v) for k, v in out.items()}
