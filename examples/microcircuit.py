"""The cortical microcircuit of Potjans & Diesmann (2014): 77,169 LIF neurons with
exponential currents in eight populations (layers 2/3, 4, 5 and 6, excitatory and
inhibitory), ~3e8 synapses, delays 1.5 ms (excitatory) and 0.75 ms (inhibitory) with 50%
spread, and Poisson background input.

    python examples/microcircuit.py [--backend cpu|cuda] [--scale 1.0] [--duration 1000]

Prints each population's rate and saves a raster.  ``--scale`` shrinks the populations
but keeps every neuron's in-degrees (so the mean input, and roughly the rates, stay).
Published rates at full scale (Poisson background, Potjans & Diesmann 2014, Fig. 6):
about 0.9, 2.8, 4.4, 5.7, 7.6, 8.6, 1.1 and 7.8 Hz for L23E ... L6I.
"""
from __future__ import annotations

import math
import os
import time
from typing import Dict

import pyspike as ps
from report import example_parser

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
SIZES = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
#: Connection probabilities, target population (row) from source population (column).
PROBABILITIES = (
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443))
#: Background Poisson inputs per neuron (8 Hz each).
K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
NEURON = {"C_m": 250.0, "tau_m": 10.0, "tau_syn": 0.5, "E_L": -65.0, "V_th": -50.0,
          "V_reset": -65.0}
PSP_MEAN, G_INH, BG_RATE = 0.15, -4.0, 8.0      # mV, relative inhibition, Hz
DELAY = {"E": (1.5, 0.75), "I": (0.75, 0.375)}  # ms: mean, standard deviation


def psc_amplitude(psp: float) -> float:
    """The current (pA) whose exponential PSC makes a PSP of peak ``psp`` mV."""
    tm, ts, c = NEURON["tau_m"], NEURON["tau_syn"], NEURON["C_m"]
    peak = math.log(tm / ts) * tm * ts / (tm - ts)
    per_pa = ts * tm / (c * (tm - ts)) * (math.exp(-peak / tm) - math.exp(-peak / ts))
    return psp / per_pa


def mean_weight(source: str, target: str) -> float:
    """The mean PSC amplitude (pA) of a projection: 87.8 pA excitatory, g = -4 times that
    inhibitory, doubled from L4E to L23E."""
    w = psc_amplitude(PSP_MEAN) * (G_INH if source.endswith("I") else 1.0)
    return 2.0 * w if (source, target) == ("L4E", "L23E") else w


def in_degree(p: float, n_pre: int, n_post: int) -> int:
    """The mean in-degree of PD14's fixed total number of synapses between full-size
    populations: K = log(1 - p) / log(1 - 1/(n_pre n_post)), divided among targets."""
    if p == 0.0:
        return 0
    total = math.log(1.0 - p) / math.log(1.0 - 1.0 / (n_pre * n_post))
    return int(round(total / n_post))


def _model() -> ps.NeuronModel:
    return ps.NeuronModel(
        equations="""
            dv/dt = (E_L - v)/tau_m + I_syn/C_m : mV (unless refractory)
            dI_syn/dt = -I_syn/tau_syn : pA
        """,
        threshold="v > V_th", reset="v = V_reset", refractory=2.0, method="exact",
        params=dict(NEURON))


def microcircuit(net: ps.Network, scale: float = 1.0) -> Dict[str, object]:
    """The populations (NeuronGroups named after them), their Synapses and inputs.
    Initial potentials, weights and delays are normal, weights and delays drawn again
    where they fall outside their range (NEST's redraw): drawn by pyspike from the
    network's seed, on its threads (pyspike/distributions.py)."""
    w_exc = psc_amplitude(PSP_MEAN)       # also the background inputs' weight
    model = _model()
    groups, synapses = {}, {}
    with net:
        for name, size, k_ext in zip(POPULATIONS, SIZES, K_EXT):
            n = max(1, int(round(size * scale)))
            G = ps.NeuronGroup(n, model, name=name, init={"I_syn": 0.0})
            G.v = ps.Normal(-58.0, 10.0)
            ps.PoissonInput(G, "I_syn", N=k_ext, rate=BG_RATE, weight=w_exc)
            groups[name] = G
        for t, target in enumerate(POPULATIONS):
            for s, source in enumerate(POPULATIONS):
                k = in_degree(PROBABILITIES[t][s], SIZES[s], SIZES[t])
                if k == 0:
                    continue
                S = ps.Synapses(groups[source], groups[target], model="w : pA",
                                on_pre="I_syn_post += w", name=f"{source}_to_{target}")
                S.connect(n_pre=k)
                synapses[(source, target)] = S
    for (source, target), S in synapses.items():
        w = mean_weight(source, target)
        # a weight keeps its sign; a delay is at least one step (and kept in whole steps)
        S.w = ps.Normal(w, abs(w) * 0.1, **({"low": 0.0} if w > 0 else {"high": 0.0}))
        S.delay = ps.Normal(*DELAY[source[-1]], low=net.dt)
    return {"groups": groups, "synapses": synapses}


def main() -> None:
    parser = example_parser(__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    net = ps.Network(dt=0.1, seed=args.seed, backend=args.backend, precision=args.precision)
    t0 = time.perf_counter()
    objs = microcircuit(net, args.scale)
    with net:
        monitors = {n: ps.SpikeMonitor(g) for n, g in objs["groups"].items()}
    n_syn = sum(S.n for S in objs["synapses"].values())
    t1 = time.perf_counter()
    net.build()
    t2 = time.perf_counter()
    net.run(args.duration)
    t3 = time.perf_counter()
    n_neurons = sum(g.N for g in objs["groups"].values())
    print(f"PD14 microcircuit at scale {args.scale:g}: {n_neurons} neurons, {n_syn} synapses, "
          f"{args.duration:g} ms, backend {args.backend}, {args.precision} precision")
    print(f"  connect {t1 - t0:.1f} s, build {t2 - t1:.1f} s, run {t3 - t2:.2f} s "
          f"({(t3 - t2) / (args.duration * 1e-3):.2f} x real time)")
    for name, mon in monitors.items():
        rate = mon.num_spikes / objs["groups"][name].N / (args.duration * 1e-3)
        print(f"  {name:5s} {rate:6.2f} Hz")
    _raster(monitors, objs["groups"], args.duration, args.out)


def _raster(monitors, groups, duration: float, out: str) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    os.makedirs(out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 5))
    offset, shown = 0, min(duration, 200.0)
    for name in reversed(POPULATIONS):
        mon = monitors[name]
        keep = mon.t <= shown
        ax.plot(mon.t[keep], mon.i[keep] + offset, ",", color="C0" if name[-1] == "E" else "C3")
        offset += groups[name].N
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron (L6I at the bottom, L23E at the top)")
    ax.set_xlim(0, shown)
    path = os.path.join(out, "microcircuit.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"  raster: {path}")


if __name__ == "__main__":
    main()
