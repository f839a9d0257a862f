"""The classic benchmark networks, built with pyspike; shared by the examples and bench/.

Units: ms, mV, nS, pF, pA (so nS*mV = pA and pA/pF = mV/ms).  The neuron models are
the library's (``ps.models.neurons["brette_cuba"]``, ``"brette_coba"``, ``"brette_hh"``).

- CUBA and COBA: Brette et al. 2007 benchmarks 1 and 2 (Vogels & Abbott 2005): 80%
  excitatory, 20% inhibitory LIF neurons, connection probability 0.02 at 4000 neurons
  (at larger sizes p = 80/N keeps ~80 inputs per neuron).
- COBAHH: benchmark 3, Hodgkin-Huxley neurons (Traub & Miles), exponential Euler.
- Brunel 2000: sparse excitatory/inhibitory network with delays, regimes A-D.
"""
from __future__ import annotations

from typing import Dict

import pyspike as ps


def _p(n: int) -> float:
    """Connection probability: 0.02 at 4000 neurons, ~80 inputs per neuron when larger."""
    return min(0.02, 80.0 / n)


def cuba(net: ps.Network, n: int = 4000, delay: float = 0.0) -> Dict[str, object]:
    """Benchmark 1: current-based exponential synapses, exact integration (``delay`` in
    ms: none in the benchmark; a network split over MPI ranks needs at least dt)."""
    model = ps.models.neurons["brette_cuba"]
    delayed = {"delay": delay} if delay else {}
    with net:
        P = ps.NeuronGroup(n, model, name="cuba", init={"v": "Vr + rand()*(Vt - Vr)"})
        n_exc = n * 4 // 5
        Ce = ps.Synapses(P[:n_exc], P, on_pre="ge_post += we", params={"we": 60 * 0.27 / 10},
                         **delayed)
        Ci = ps.Synapses(P[n_exc:], P, on_pre="gi_post += wi", params={"wi": -20 * 4.5 / 10},
                         **delayed)
        Ce.connect(p=_p(n))
        Ci.connect(p=_p(n))
    return {"P": P, "Ce": Ce, "Ci": Ci}


def coba(net: ps.Network, n: int = 4000) -> Dict[str, object]:
    """Benchmark 2: conductance-based exponential synapses (exponential Euler)."""
    model = ps.models.neurons["brette_coba"]
    with net:
        P = ps.NeuronGroup(n, model, name="coba", init={"v": "Vr + rand()*(Vt - Vr)"})
        n_exc = n * 4 // 5
        Ce = ps.Synapses(P[:n_exc], P, on_pre="ge_post += we", params={"we": 0.6})
        Ci = ps.Synapses(P[n_exc:], P, on_pre="gi_post += wi", params={"wi": 6.7})
        Ce.connect(p=_p(n))
        Ci.connect(p=_p(n))
    return {"P": P, "Ce": Ce, "Ci": Ci}


def cobahh(net: ps.Network, n: int = 4000) -> Dict[str, object]:
    """Benchmark 3: Hodgkin-Huxley (Traub-Miles) neurons with conductance synapses."""
    model = ps.models.neurons["brette_hh"]
    with net:
        P = ps.NeuronGroup(n, model, name="cobahh", init={
            "v": "El + randn()*5 - 5", "ge": "(randn()*1.5 + 4)*10", "gi": "(randn()*12 + 20)*10"})
        n_exc = n * 4 // 5
        Ce = ps.Synapses(P[:n_exc], P, on_pre="ge_post += we", params={"we": 6.0})
        Ci = ps.Synapses(P[n_exc:], P, on_pre="gi_post += wi", params={"wi": 67.0})
        Ce.connect(p=_p(n))
        Ci.connect(p=_p(n))
    return {"P": P, "Ce": Ce, "Ci": Ci}


#: Brunel (2000) regimes: relative inhibition g and external rate nu_ext / nu_thr.
BRUNEL_REGIMES = {
    "A": {"g": 3.0, "eta": 2.0},     # synchronous regular (excitation dominates)
    "B": {"g": 6.0, "eta": 4.0},     # synchronous irregular, fast oscillation
    "C": {"g": 5.0, "eta": 2.0},     # asynchronous irregular
    "D": {"g": 4.5, "eta": 0.9},     # synchronous irregular, slow oscillation
}


def brunel(net: ps.Network, regime: str = "D", n_exc: int = 10000, n_inh: int = 2500,
           p: float = 0.1) -> Dict[str, object]:
    """Brunel 2000, model A: LIF with delta synapses (J = 0.1 mV), delay 1.5 ms, each
    neuron receiving C_E = p*N_E excitatory and C_I = p*N_I inhibitory recurrent inputs
    and C_E external Poisson inputs at eta * nu_thr."""
    g, eta = BRUNEL_REGIMES[regime]["g"], BRUNEL_REGIMES[regime]["eta"]
    tau, theta, v_r, J, delay = 20.0, 20.0, 10.0, 0.1, 1.5
    c_e, c_i = int(p * n_exc), int(p * n_inh)
    nu_thr = theta / (J * c_e * tau) * 1000.0       # Hz
    model = ps.NeuronModel(
        equations="dv/dt = -v / tau : mV (unless refractory)",
        threshold="v > theta", reset="v = v_r", refractory=2.0, method="exact",
        params={"tau": tau, "theta": theta, "v_r": v_r})
    with net:
        P = ps.NeuronGroup(n_exc + n_inh, model, name="brunel")
        ext = ps.PoissonInput(P, "v", N=c_e, rate=eta * nu_thr, weight=J)
        Se = ps.Synapses(P[:n_exc], P, on_pre="v_post += J", params={"J": J}, delay=delay)
        Si = ps.Synapses(P[n_exc:], P, on_pre="v_post += -g*J", params={"J": J, "g": g},
                         delay=delay)
        Se.connect(n_pre=c_e)
        Si.connect(n_pre=c_i)
    return {"P": P, "ext": ext, "Se": Se, "Si": Si}
