"""NumPy reference implementations of BrainPy 2.4.3's integrate-and-fire neurons.

Written from the published equations and from BrainPy's defaults, initial values and
update order (``brainpy/_src/dyn/neurons/lif.py`` at tag V2.4.3; the legacy
``ALIFBellec2020`` from ``brainpy/_src/dynold/neurons/reduced_models.py``), not from
pyspike's model text.  Each step:

1. every variable takes BrainPy's ``exp_auto`` step from the state at the start of the
   step, x + dt*phi1(dt*J)*f(x) with phi1(z) = (e^z - 1)/z and J = df/dx, the others
   held at their old values (the Jacobians below are derived by hand);
2. a Ref variant keeps V at its old value while refractory, for round(tau_ref/dt) steps
   after the step that spiked;
3. the threshold is tested on the new state and the reset applied.

``I`` is given per step and neuron: the value BrainPy's runner would pass that step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Tuple

import numpy as np

State = Dict[str, np.ndarray]
Params = Mapping[str, float]


def phi1(z: np.ndarray) -> np.ndarray:
    """(e^z - 1)/z, 1 at z = 0."""
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.where(z == 0.0, 1.0, np.expm1(z) / np.where(z == 0.0, 1.0, z))


@dataclass(frozen=True)
class Model:
    """A model: its defaults, initial values, slopes (f, J) per variable, threshold and
    reset (which changes the state of the neurons in ``fired``)."""
    defaults: Dict[str, float]
    init: Callable[[Params], Dict[str, float]]
    slopes: Callable[[State, Params, np.ndarray], Dict[str, Tuple[np.ndarray, np.ndarray]]]
    fires: Callable[[State, Params], np.ndarray]
    reset: Callable[[State, Params, np.ndarray], None]
    refractory: bool = False


def _set(s: State, fired: np.ndarray, **values) -> None:
    for name, value in values.items():
        s[name] = np.where(fired, value, s[name])


# --- the models, from their papers (Jacobians by hand) ---------------------------------

def _lif(s, p, I):
    # tau dV/dt = -(V - V_rest) + R I                                   J = -1/tau
    return {"V": ((p["V_rest"] - s["V"] + p["R"] * I) / p["tau"], -1.0 / p["tau"])}


def _expif_v(s, p, drive):
    # tau dV/dt = -(V - V_rest) + dT exp((V - V_T)/dT) + drive   J = (exp(..) - 1)/tau
    with np.errstate(over="ignore"):
        e = np.exp((s["V"] - p["V_T"]) / p["delta_T"])
    f = (p["V_rest"] - s["V"] + p["delta_T"] * e + drive) / p["tau"]
    return f, (e - 1.0) / p["tau"]


def _expif(s, p, I):
    return {"V": _expif_v(s, p, p["R"] * I)}


def _adaptation(s, p):
    # tau_w dw/dt = a (V - V_rest) - w                                   J = -1/tau_w
    return (p["a"] * (s["V"] - p["V_rest"]) - s["w"]) / p["tau_w"], -1.0 / p["tau_w"]


def _adexif(s, p, I):
    return {"V": _expif_v(s, p, p["R"] * (I - s["w"])), "w": _adaptation(s, p)}


def _quaif_v(s, p, drive):
    # tau dV/dt = c (V - V_rest)(V - V_c) + drive         J = c (2V - V_rest - V_c)/tau
    f = (p["c"] * (s["V"] - p["V_rest"]) * (s["V"] - p["V_c"]) + drive) / p["tau"]
    return f, p["c"] * (2.0 * s["V"] - p["V_rest"] - p["V_c"]) / p["tau"]


def _quaif(s, p, I):
    return {"V": _quaif_v(s, p, p["R"] * I)}


def _adquaif(s, p, I):
    return {"V": _quaif_v(s, p, I - s["w"]), "w": _adaptation(s, p)}


def _gif(s, p, I):
    # Mihalas & Niebur (2009): two spike-induced currents, a moving threshold
    return {
        "I1": (-p["k1"] * s["I1"], -p["k1"]),
        "I2": (-p["k2"] * s["I2"], -p["k2"]),
        "V_th": (p["a"] * (s["V"] - p["V_rest"]) - p["b"] * (s["V_th"] - p["V_th_inf"]),
                 -p["b"]),
        "V": ((p["V_rest"] - s["V"] + p["R"] * (I + s["I1"] + s["I2"])) / p["tau"],
              -1.0 / p["tau"]),
    }


def _izhikevich(s, p, I):
    # Izhikevich (2003): dV/dt = 0.04 V^2 + 5 V + 140 - u + I     J = 0.08 V + 5
    #                    du/dt = a (b V - u)                        J = -a
    V, u = s["V"], s["u"]
    return {"V": (0.04 * V * V + 5.0 * V + 140.0 - u + I, 0.08 * V + 5.0),
            "u": (p["a"] * (p["b"] * V - u), -p["a"])}


def _alif(s, p, I):
    # Bellec et al. (2020), continuous time: tau dV/dt = -(V - V_rest) + R I,
    # tau_a da/dt = -a; a spike when V >= V_th + beta a
    return {"V": ((p["V_rest"] - s["V"] + p["R"] * I) / p["tau"], -1.0 / p["tau"]),
            "a": (-s["a"] / p["tau_a"], -1.0 / p["tau_a"])}


def _above_v_th(s, p):
    return s["V"] >= p["V_th"]


def _to_v_reset(s, p, fired):
    _set(s, fired, V=p["V_reset"])


def _reset_adaptive(s, p, fired):
    _set(s, fired, V=p["V_reset"], w=s["w"] + p["b"])


def _reset_gif(s, p, fired):
    _set(s, fired, V=p["V_reset"], I1=p["R1"] * s["I1"] + p["A1"],
         I2=p["R2"] * s["I2"] + p["A2"], V_th=np.maximum(p["V_th_reset"], s["V_th"]))


def _reset_izhikevich(s, p, fired):
    _set(s, fired, V=p["c"], u=s["u"] + p["d"])


def _reset_alif(s, p, fired):
    # the paper's reset by subtraction of the threshold, measured from rest
    _set(s, fired, V=s["V"] - (p["V_th"] - p["V_rest"]), a=s["a"] + 1.0)


# BrainPy 2.4.3's defaults, as its constructors give them
_EXP = {"V_rest": -65.0, "V_reset": -68.0, "V_th": -30.0, "V_T": -59.9, "delta_T": 3.48,
        "R": 1.0, "tau": 10.0}
_QUA = {"V_rest": -65.0, "V_reset": -68.0, "V_th": -30.0, "V_c": -50.0, "c": 0.07}

MODELS: Dict[str, Model] = {
    "Lif": Model({"V_rest": 0.0, "V_reset": -5.0, "V_th": 20.0, "R": 1.0, "tau": 10.0},
                 lambda p: {"V": 0.0}, _lif, _above_v_th, _to_v_reset),
    "ExpIF": Model(dict(_EXP), lambda p: {"V": 0.0}, _expif, _above_v_th, _to_v_reset),
    "AdExIF": Model({**_EXP, "a": 1.0, "b": 1.0, "tau_w": 30.0},
                    lambda p: {"V": 0.0, "w": 0.0}, _adexif, _above_v_th, _reset_adaptive),
    "QuaIF": Model({**_QUA, "R": 1.0, "tau": 10.0}, lambda p: {"V": 0.0}, _quaif,
                   _above_v_th, _to_v_reset),
    "AdQuaIF": Model({**_QUA, "a": 1.0, "b": 0.1, "tau": 10.0, "tau_w": 10.0},
                     lambda p: {"V": 0.0, "w": 0.0}, _adquaif, _above_v_th,
                     _reset_adaptive),
    "Gif": Model({"V_rest": -70.0, "V_reset": -70.0, "V_th_inf": -50.0, "V_th_reset": -60.0,
                  "R": 20.0, "tau": 20.0, "a": 0.0, "b": 0.01, "k1": 0.2, "k2": 0.02,
                  "R1": 0.0, "R2": 1.0, "A1": 0.0, "A2": 0.0},
                 lambda p: {"V": -70.0, "I1": 0.0, "I2": 0.0, "V_th": -50.0}, _gif,
                 lambda s, p: s["V"] >= s["V_th"], _reset_gif),
    "Izhikevich": Model({"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "V_th": 30.0},
                        lambda p: {"V": -70.0, "u": p["b"] * -70.0}, _izhikevich,
                        _above_v_th, _reset_izhikevich),
    "ALIFBellec2020": Model(
        {"V_rest": -70.0, "V_th": -60.0, "R": 1.0, "beta": 1.6, "tau": 20.0,
         "tau_a": 2000.0, "tau_ref": 0.0},
        lambda p: {"V": -70.0, "a": 0.0}, _alif,
        lambda s, p: s["V"] >= p["V_th"] + p["beta"] * s["a"], _reset_alif,
        refractory=True),
}
for _name in ("Lif", "ExpIF", "AdExIF", "QuaIF", "AdQuaIF", "Gif", "Izhikevich"):
    _m = MODELS[_name]
    MODELS[_name + "Ref"] = Model({**_m.defaults, "tau_ref": 0.0}, _m.init, _m.slopes,
                                  _m.fires, _m.reset, refractory=True)


def simulate(name: str, inputs: np.ndarray, dt: float = 0.1,
             params: Mapping[str, float] = ()) -> Tuple[State, List[Tuple[int, int]]]:
    """Run ``name`` on ``inputs`` (steps, N): the state after every step, each of shape
    (steps, N), and the spikes as (step, neuron), in order."""
    model = MODELS[name]
    p = {**model.defaults, **dict(params)}
    steps, n = inputs.shape
    s = {k: np.full(n, float(v)) for k, v in model.init(p).items()}
    held_for = round(p["tau_ref"] / dt) if model.refractory else 0
    held = np.zeros(n, dtype=int)           # steps for which V is still held
    trace: Dict[str, List[np.ndarray]] = {k: [] for k in s}
    spikes: List[Tuple[int, int]] = []
    for k in range(steps):
        slopes = model.slopes(s, p, inputs[k])
        with np.errstate(over="ignore", invalid="ignore"):
            new = {v: s[v] + dt * phi1(dt * np.broadcast_to(J, (n,))) * f
                   for v, (f, J) in slopes.items()}
        new["V"] = np.where(held > 0, s["V"], new["V"])
        held = np.maximum(held - 1, 0)
        fired = model.fires(new, p)
        model.reset(new, p, fired)
        held = np.where(fired, held_for, held)
        spikes += [(k, int(i)) for i in np.flatnonzero(fired)]
        s = new
        for v in trace:
            trace[v].append(s[v].copy())
    return {v: np.array(x) for v, x in trace.items()}, spikes
