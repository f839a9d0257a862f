"""A LIF group driven by heterogeneous constant currents: firing statistics and a plot.

    python examples/lif_demo.py [--backend cpu|numpy] [--n 1000] [--duration 500] [--out DIR]

Prints the mean rate, the CV of inter-spike intervals and the build and run times, and
writes DIR/lif_demo.png with voltage traces and a spike raster.
"""
import argparse
import os
import time

import numpy as np

import pyspike as ps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "numpy"])
    parser.add_argument("--n", type=int, default=1000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=500.0, help="model time in ms")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    args = parser.parse_args()

    lif = ps.NeuronModel(
        equations="""
            dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)
            I : nA
        """,
        threshold="v > v_th", reset="v = v_reset", refractory=2.0,
        params={"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0, "v_reset": -65.0},
    )
    net = ps.Network(dt=0.1, seed=1, backend=args.backend)
    with net:
        G = ps.NeuronGroup(args.n, lif, name="lif",
                           init={"v": "v_rest + rand()*(v_th - v_rest)",
                                 "I": "10.0 + 15.0*i/N"})     # nA, from subthreshold up
        spikes = ps.SpikeMonitor(G)
        traces = ps.StateMonitor(G, "v", record=[0, args.n // 2, args.n - 1])
    t0 = time.perf_counter()
    net.build()
    t1 = time.perf_counter()
    net.run(args.duration)
    t2 = time.perf_counter()

    rates = spikes.count / (args.duration * 1e-3)
    cvs = [np.std(np.diff(t)) / np.mean(np.diff(t))
           for t in spikes.spike_trains().values() if len(t) > 2]
    print(f"{args.n} LIF neurons, {args.duration:g} ms on the {args.backend} backend")
    info = net.last_build
    print(f"  build {t1 - t0:.2f} s (code generation {'ran' if info.generated else 'cached'}, "
          f"compiler {'ran' if info.compiled else 'cached'}), run {t2 - t1:.3f} s")
    print(f"  spikes: {spikes.num_spikes}, mean rate {rates.mean():.1f} Hz "
          f"(min {rates.min():.1f}, max {rates.max():.1f}), "
          f"silent neurons: {int((spikes.count == 0).sum())}")
    print(f"  CV of ISI: mean {np.mean(cvs) if cvs else float('nan'):.3f} "
          "(constant input: regular firing, CV near 0)")
    _plot(traces, spikes, args)


def _plot(traces, spikes, args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(args.out, exist_ok=True)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for row, idx in zip(traces.v, traces.record):
        ax1.plot(traces.t, row, lw=0.8, label=f"neuron {idx}")
    ax1.set_ylabel("v (mV)")
    ax1.legend(loc="upper right", fontsize=8)
    ax2.scatter(spikes.t, spikes.i, s=1, c="k", marker=".")
    ax2.set_xlabel("time (ms)")
    ax2.set_ylabel("neuron")
    fig.tight_layout()
    path = os.path.join(args.out, "lif_demo.png")
    fig.savefig(path, dpi=120)
    print(f"  plot: {path}")


if __name__ == "__main__":
    main()
