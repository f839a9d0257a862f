"""Brian2's ``examples/COBAHH.py``: benchmark 3 of Brette et al. (2007), a random network
of 4000 Hodgkin-Huxley neurons (Traub & Miles channels) with exponential synaptic
conductances, 80% excitatory, p = 0.02, exponential Euler, 1 s.

Brian2's model text and numbers, units written as Brian2 writes them (area 20000 um^2,
Cm 1 uF/cm^2, gl 5e-5 S/cm^2, El -60 mV, EK -90 mV, ENa 50 mV, g_na 100 mS/cm^2, g_kd
30 mS/cm^2, VT -63 mV, taue 5 ms, taui 10 ms, Ee 0 mV, Ei -80 mV, we 6 nS, wi 67 nS,
threshold v > -20 mV, refractory 3 ms) and its random initial state.  The example only
plots three traces; this port prints the mean rate, the CV of the inter-spike intervals,
the number of synapses and the mean potential of the three traced neurons.  (Brian2's
example leaves El at -60 mV where the paper and ``bench/peers`` use -65 mV; Brian2 2.9
gives 36.1 Hz with -65 mV and pyspike 33.9, ``bench/RESULTS.md``.)

    python examples/brian2/COBAHH.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import cm, mS, mV, ms, nS, siemens, uF, um

AREA = 20000 * um ** 2
PARAMS = {
    "Cm": (1 * uF * cm ** -2) * AREA, "gl": (5e-5 * siemens * cm ** -2) * AREA,
    "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
    "g_na": (100 * mS * cm ** -2) * AREA, "g_kd": (30 * mS * cm ** -2) * AREA,
    "VT": -63 * mV, "taue": 5 * ms, "taui": 10 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
}
# Brian2's first equation spans three lines; pyspike reads one equation per line.
EQS = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""


def mean_isi_cv(i: np.ndarray, t: np.ndarray) -> float:
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    same = i[1:] == i[:-1]
    who, isi = i[1:][same], np.diff(t)[same]
    cvs = [isi[who == k].std() / isi[who == k].mean()
           for k in np.unique(who) if np.count_nonzero(who == k) >= 2]
    return float(np.mean(cvs)) if cvs else float("nan")


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = (200.0 if quick else 1000.0) if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="v>-20*mV", refractory=3 * ms,
                           method="exponential_euler", params=PARAMS)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        P = ps.NeuronGroup(4000, model, init={
            "v": "El + (randn() * 5 - 5)*mV",
            "ge": "(randn() * 1.5 + 4) * 10.*nS",
            "gi": "(randn() * 12 + 20) * 10.*nS"})
        Pe, Pi = P[:3200], P[3200:]
        Ce = ps.Synapses(Pe, P, on_pre="ge+=we", params={"we": 6 * nS})
        Ci = ps.Synapses(Pi, P, on_pre="gi+=wi", params={"wi": 67 * nS})
        Ce.connect(p=0.02)
        Ci.connect(p=0.02)
        trace = ps.StateMonitor(P, "v", record=[1, 10, 100])
        s_mon = ps.SpikeMonitor(P)
    net.run(duration)
    i, t = np.asarray(s_mon.i), np.asarray(s_mon.t)
    results = {
        "n_neurons": 4000, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / 4000 / (duration / 1000.0)),
        "mean_isi_cv": mean_isi_cv(i, t),
        "n_synapses": int(Ce.n + Ci.n),
        "mean_traced_v_mV": float(np.mean(trace.v)),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
