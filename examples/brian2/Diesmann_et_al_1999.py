"""Brian2's ``examples/frompapers/Diesmann_et_al_1999.py``: a synfire chain (Diesmann,
Gewaltig & Aertsen 1999, Nature 402:529).

Ten groups of 100 neurons (alpha-shaped PSCs of 0.325 ms and weight 4.86 mV, background
drive with white noise, refractory 1 ms, Euler-Maruyama), each group projecting to all
of the next; 85 input spikes at 50 ms with a spread of 1 ms start a volley in the first
group, which travels down the chain and sharpens.  Prints, for each group, the number of
spikes in the volley (a) and their spread (sigma, ms), and the number of groups the
volley reaches: the paper's stable propagation ends near a = 100, sigma < 1 ms.  The
input times are drawn from ``seed`` with NumPy (Brian2's example leaves them unseeded).

    python examples/brian2/Diesmann_et_al_1999.py [--quick]
"""
import sys
from typing import Dict, List, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

# 25.27*mV/ms and (39.24*mV/ms**0.5)*xi in Brian2's text
EQS = """
dV/dt = (-(V-Vr)+x)*(1./taum) : volt
dx/dt = (-x+y)*(1./taupsp) : volt
dy/dt = -y*(1./taupsp) + 25.27 + 39.24*xi : volt
"""
N_GROUPS, GROUP_SIZE = 10, 100


def volleys(i: np.ndarray, t: np.ndarray, after: float) -> List[Dict[str, float]]:
    """Per group: the spikes after ``after`` within 5 ms of the group's median spike."""
    out = []
    for g in range(N_GROUPS):
        mine = t[(i // GROUP_SIZE == g) & (t > after)]
        if mine.size < 10:
            out.append({"a": int(mine.size), "sigma_ms": float("nan"), "t_ms": float("nan")})
            continue
        centre = np.median(mine)
        near = mine[np.abs(mine - centre) < 5.0]
        out.append({"a": int(near.size), "sigma_ms": float(near.std()),
                    "t_ms": float(near.mean())})
    return out


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 100.0 if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="V > Vt", reset="V = Vr",
                           refractory=1 * ms, method="euler",
                           params={"Vr": -70 * mV, "Vt": -55 * mV, "taum": 10 * ms,
                                   "taupsp": 0.325 * ms})
    times = np.random.default_rng(seed).standard_normal(85) * 1.0 + 50.0
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        P = ps.NeuronGroup(N_GROUPS * GROUP_SIZE, model,
                           init={"V": "Vr + rand() * (Vt - Vr)"})
        Pinput = ps.SpikeGeneratorGroup(85, np.arange(85), times)
        S = ps.Synapses(P, P, on_pre="y += weight", params={"weight": 4.86 * mV})
        # Brian2 reads group_size from the script's namespace; pyspike's generator knows
        # only i, j, N_pre, N_post, so the number is written into the text
        S.connect(j=f"k for k in range((int(i/{GROUP_SIZE})+1)*{GROUP_SIZE}, "
                    f"(int(i/{GROUP_SIZE})+2)*{GROUP_SIZE}) if i<N_pre-{GROUP_SIZE}")
        Sinput = ps.Synapses(Pinput, P[:GROUP_SIZE], on_pre="y += weight",
                             params={"weight": 4.86 * mV})
        Sinput.connect()
        Mgp = ps.SpikeMonitor(P)
    net.run(duration)
    per_group = volleys(np.asarray(Mgp.i), np.asarray(Mgp.t), after=45.0)
    reached = 0
    for v in per_group:
        if v["a"] < 50:
            break
        reached += 1
    results = {
        "duration_ms": duration, "n_synapses": int(S.n + Sinput.n),
        "groups_reached": reached,
        "a_per_group": [v["a"] for v in per_group],
        "sigma_per_group_ms": [round(v["sigma_ms"], 3) for v in per_group],
        "t_per_group_ms": [round(v["t_ms"], 2) for v in per_group],
        "background_spikes_before_50ms": int(np.count_nonzero(np.asarray(Mgp.t) < 45.0)),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
