"""Brian2's ``examples/CUBA.py``: benchmark 2 of Brette et al. (2007), a random network
of 4000 leaky integrate-and-fire neurons with exponential synaptic currents.

Brian2's model text and numbers (taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV,
El -49 mV, refractory 5 ms, exact integration, we = 1.62 mV, wi = -9 mV, p = 0.02 from
the first 3200 neurons for ge and from the last 800 for gi), 1 s from random potentials
between Vr and Vt.  Prints the mean rate (about 5.6 Hz with Brian2 2.9), the mean
coefficient of variation of the inter-spike intervals and the number of synapses.

    python examples/brian2/CUBA.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

EQS = """
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
PARAMS = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV,
          "Vr": -60 * mV, "El": -49 * mV}


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
    duration = (300.0 if quick else 1000.0) if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="v > Vt", reset="v = Vr",
                           refractory=5 * ms, method="exact", params=PARAMS)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        P = ps.NeuronGroup(4000, model, init={"v": "Vr + rand() * (Vt - Vr)"})
        we = (60 * 0.27 / 10) * mV       # excitatory synaptic weight (voltage)
        wi = (-20 * 4.5 / 10) * mV       # inhibitory synaptic weight
        Ce = ps.Synapses(P, P, on_pre="ge += we", params={"we": we})
        Ci = ps.Synapses(P, P, on_pre="gi += wi", params={"wi": wi})
        Ce.connect(condition="i < 3200", p=0.02)
        Ci.connect(condition="i >= 3200", p=0.02)
        s_mon = ps.SpikeMonitor(P)
    net.run(duration)
    i, t = np.asarray(s_mon.i), np.asarray(s_mon.t)
    results = {
        "n_neurons": 4000, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / 4000 / (duration / 1000.0)),
        "mean_isi_cv": mean_isi_cv(i, t),
        "n_synapses": int(Ce.n + Ci.n),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
