"""NumPy references for BrainPy's conductance-based neurons and rate models, written from
the published equations (not from pyspike's model text): each model gives, per variable,
its derivative f and the diagonal of its Jacobian J = df/dx, derived by hand, and
:func:`simulate` advances them with BrainPy's ``exp_auto`` step, x + dt*phi1(dt*J)*f with
phi1(z) = (e^z - 1)/z, every variable from the state at the start of the step.

Defaults are BrainPy 2.4.3's, written out here again, so that the library's defaults are
checked too.  A spike is BrainPy's upward crossing: V >= V_th after the step, V < V_th
before it.
"""
import numpy as np

DEFAULTS = {
    "HH": dict(ENa=50.0, gNa=120.0, EK=-77.0, gK=36.0, EL=-54.387, gL=0.03, C=1.0),
    "MorrisLecar": dict(V_Ca=130.0, g_Ca=4.4, V_K=-84.0, g_K=8.0, V_leak=-60.0,
                        g_leak=2.0, C=20.0, V1=-1.2, V2=18.0, V3=2.0, V4=30.0, phi=0.04),
    "WangBuzsakiHH": dict(ENa=55.0, gNa=35.0, EK=-90.0, gK=9.0, EL=-65.0, gL=0.1, phi=5.0,
                          C=1.0),
    "FHN": dict(a=0.7, b=0.8, tau=12.5),
    "HindmarshRose": dict(a=1.0, b=3.0, c=1.0, d=5.0, r=0.01, s=4.0, V_rest=-1.6),
    "WilsonCowan": dict(E_tau=1.0, E_a=1.2, E_theta=2.8, I_tau=1.0, I_a=1.0, I_theta=4.0,
                        wEE=12.0, wIE=4.0, wEI=13.0, wII=11.0, r=1.0),
    "StuartLandau": dict(a=0.25, w=0.2),
    "QIF": dict(tau=1.0, eta=-5.0, delta=1.0, J=15.0),
    "ThresholdLinear": dict(tau_e=20.0, tau_i=10.0, beta_e=0.066, beta_i=0.351),
}
#: spiking models: (variable, threshold)
THRESHOLDS = {"HH": ("V", 20.0), "MorrisLecar": ("V", 10.0), "WangBuzsakiHH": ("V", 20.0),
              "FHN": ("V", 1.8), "HindmarshRose": ("V", 1.0)}


# --- Hodgkin & Huxley (1952), membrane potential in mV with rest near -65 mV -------------

def hh_rates(V):
    """(alpha, beta) of m, h and n, in 1/ms."""
    return {"m": (0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)), 4 * np.exp(-(V + 65) / 18)),
            "h": (0.07 * np.exp(-(V + 65) / 20), 1 / (1 + np.exp(-(V + 35) / 10))),
            "n": (0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)),
                  0.125 * np.exp(-(V + 65) / 80))}


def hh(s, u, p):
    V, m, h, n = s["V"], s["m"], s["h"], s["n"]
    g_na, g_k = p["gNa"] * m**3 * h, p["gK"] * n**4
    out = {"V": ((u["I"] - g_na * (V - p["ENa"]) - g_k * (V - p["EK"])
                  - p["gL"] * (V - p["EL"])) / p["C"],
                 -(g_na + g_k + p["gL"]) / p["C"])}
    for x, (a, b) in hh_rates(V).items():
        out[x] = (a * (1 - s[x]) - b * s[x], -(a + b))
    return out


# --- Morris & Lecar (1981) ------------------------------------------------------------------

def morris_lecar(s, u, p):
    V, W = s["V"], s["W"]
    tm = np.tanh((V - p["V1"]) / p["V2"])
    m_inf, dm_inf = (1 + tm) / 2, (1 - tm**2) / (2 * p["V2"])
    w_inf = (1 + np.tanh((V - p["V3"]) / p["V4"])) / 2
    lam = p["phi"] * np.cosh((V - p["V3"]) / (2 * p["V4"]))      # 1/tau_W
    f_v = (u["I"] - p["g_Ca"] * m_inf * (V - p["V_Ca"]) - p["g_K"] * W * (V - p["V_K"])
           - p["g_leak"] * (V - p["V_leak"])) / p["C"]
    j_v = (-p["g_Ca"] * (dm_inf * (V - p["V_Ca"]) + m_inf) - p["g_K"] * W
           - p["g_leak"]) / p["C"]
    return {"V": (f_v, j_v), "W": (lam * (w_inf - W), -lam)}


# --- Wang & Buzsaki (1996) ------------------------------------------------------------------

def wang_buzsaki(s, u, p):
    V, h, n = s["V"], s["h"], s["n"]
    um = V + 35
    em = np.exp(-0.1 * um)
    am = -0.1 * um / (em - 1)
    dam = -0.1 / (em - 1) - 0.01 * um * em / (em - 1) ** 2
    bm = 4 * np.exp(-(V + 60) / 18)
    dbm = -bm / 18
    m_inf = am / (am + bm)
    dm_inf = (dam * bm - am * dbm) / (am + bm) ** 2
    ah, bh = 0.07 * np.exp(-(V + 58) / 20), 1 / (np.exp(-0.1 * (V + 28)) + 1)
    an = -0.01 * (V + 34) / (np.exp(-0.1 * (V + 34)) - 1)      # the paper's alpha_n
    bn = 0.125 * np.exp(-(V + 44) / 80)
    i_na = p["gNa"] * m_inf**3 * h * (V - p["ENa"])
    di_na = p["gNa"] * h * (3 * m_inf**2 * dm_inf * (V - p["ENa"]) + m_inf**3)
    g_k = p["gK"] * n**4
    f_v = (u["I"] - i_na - g_k * (V - p["EK"]) - p["gL"] * (V - p["EL"])) / p["C"]
    return {"V": (f_v, -(di_na + g_k + p["gL"]) / p["C"]),
            "h": (p["phi"] * (ah * (1 - h) - bh * h), -p["phi"] * (ah + bh)),
            "n": (p["phi"] * (an * (1 - n) - bn * n), -p["phi"] * (an + bn))}


# --- FitzHugh (1961), Hindmarsh & Rose (1984), as BrainPy scales them ------------------------

def fitzhugh(s, u, p):
    V, w = s["V"], s["w"]
    return {"V": (V - V**3 / 3 - w + u["I"], 1 - V**2),
            "w": ((V + p["a"] - p["b"] * w) / p["tau"], -p["b"] / p["tau"])}


def hindmarsh_rose(s, u, p):
    V, y, z = s["V"], s["y"], s["z"]
    return {"V": (y - p["a"] * V**3 + p["b"] * V**2 - z + u["I"],
                  -3 * p["a"] * V**2 + 2 * p["b"] * V),
            "y": (p["c"] - p["d"] * V**2 - y, -1.0 + 0 * y),
            "z": (p["r"] * (p["s"] * (V - p["V_rest"]) - z), -p["r"] + 0 * z)}


# --- rate models ----------------------------------------------------------------------------

def _sigmoid(v, a, theta):
    """Wilson & Cowan's S(v), shifted so that S(0) = 0, and its derivative."""
    sig = 1 / (1 + np.exp(-a * (v - theta)))
    return sig - 1 / (1 + np.exp(a * theta)), a * sig * (1 - sig)


def wilson_cowan(s, u, p):
    E, In = s["x"], s["y"]
    se, dse = _sigmoid(p["wEE"] * E - p["wIE"] * In + u["x_ext"], p["E_a"], p["E_theta"])
    si, dsi = _sigmoid(p["wEI"] * E - p["wII"] * In + u["y_ext"], p["I_a"], p["I_theta"])
    r = p["r"]
    return {"x": ((-E + (1 - r * E) * se) / p["E_tau"],
                  (-1 - r * se + (1 - r * E) * dse * p["wEE"]) / p["E_tau"]),
            "y": ((-In + (1 - r * In) * si) / p["I_tau"],
                  (-1 - r * si - (1 - r * In) * dsi * p["wII"]) / p["I_tau"])}


def stuart_landau(s, u, p):
    x, y = s["x"], s["y"]
    k = p["a"] - x**2 - y**2
    return {"x": (k * x - p["w"] * y + u["x_ext"], p["a"] - 3 * x**2 - y**2),
            "y": (k * y + p["w"] * x + u["y_ext"], p["a"] - x**2 - 3 * y**2)}


def qif_mean_field(s, u, p):
    v, r = s["x"], s["y"]                  # Montbrio et al. (2015): v and the rate r
    tau = p["tau"]
    return {"x": ((v**2 + p["eta"] + u["x_ext"] + p["J"] * r * tau - (np.pi * r * tau)**2)
                  / tau, 2 * v / tau),
            "y": ((p["delta"] / (np.pi * tau) + 2 * v * r + u["y_ext"]) / tau, 2 * v / tau)}


MODELS = {"HH": hh, "MorrisLecar": morris_lecar, "WangBuzsakiHH": wang_buzsaki,
          "FHN": fitzhugh, "HindmarshRose": hindmarsh_rose, "WilsonCowan": wilson_cowan,
          "StuartLandau": stuart_landau, "QIF": qif_mean_field}


def exp_auto(x, f, jac, dt):
    """BrainPy's exponential Euler step of one variable."""
    z = dt * jac
    safe = np.where(z == 0, 1.0, z)
    return x + dt * np.where(z == 0, 1.0, np.expm1(safe) / safe) * f


def threshold_linear(s, u, p, dt):
    """Chaudhuri et al. (2015) rates, one explicit Euler step rectified at 0, as BrainPy."""
    return {"nu_e": np.maximum(s["nu_e"] + dt * (-s["nu_e"] + p["beta_e"]
                                                  * np.maximum(u["Ie"], 0)) / p["tau_e"], 0),
            "nu_i": np.maximum(s["nu_i"] + dt * (-s["nu_i"] + p["beta_i"]
                                                  * np.maximum(u["Ii"], 0)) / p["tau_i"], 0)}


def simulate(name, state, inputs, dt, params=None):
    """Run model ``name`` from ``state`` (variable -> array) for as many steps as the
    ``inputs`` (variable -> array whose first axis is the step) have: the state at the
    start of every step (variable -> array, step first) and the spikes found in every
    step (booleans, step first; None for a model that does not spike)."""
    p = {**DEFAULTS[name], **(params or {})}
    steps = len(next(iter(inputs.values())))
    s = {k: np.array(v, dtype=float) for k, v in state.items()}
    trace = {k: [] for k in s}
    spikes = [] if name in THRESHOLDS else None
    for k in range(steps):
        u = {var: values[k] for var, values in inputs.items()}
        for var in s:
            trace[var].append(s[var].copy())
        if name == "ThresholdLinear":
            new = threshold_linear(s, u, p, dt)
        else:
            new = {var: exp_auto(s[var], f, jac, dt)
                   for var, (f, jac) in MODELS[name](s, u, p).items()}
        if spikes is not None:
            var, v_th = THRESHOLDS[name]
            spikes.append((new[var] >= v_th) & (s[var] < v_th))
        s = new
    return ({k: np.array(v) for k, v in trace.items()},
            None if spikes is None else np.array(spikes))
