"""Shared output of the network examples: rates, timings and a raster plot."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The options every network example takes: backend, precision, duration, seed, out."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "numpy"])
    parser.add_argument("--precision", default="double", choices=["double", "single"])
    parser.add_argument("--duration", type=float, default=1000.0, help="model time in ms")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    return parser


def example_main(doc: str, title: str, build) -> None:
    """The command line shared by the benchmark-network examples: parse the options,
    build the network with ``build(net, n)``, record its spikes, run and report."""
    import pyspike as ps

    parser = example_parser(doc)
    parser.add_argument("--n", type=int, default=4000)
    args = parser.parse_args()
    net = ps.Network(dt=0.1, seed=args.seed, backend=args.backend, precision=args.precision)
    objects = build(net, args.n)
    with net:
        spikes = ps.SpikeMonitor(objects["P"])
    run_and_report(net, title, objects["P"], spikes, args.duration, args.out)


def run_and_report(net, title: str, group, spikes, duration: float, out: str,
                   rate_monitor=None) -> dict:
    """Build, run, print statistics and save ``out``/``title``.png; returns the numbers."""
    t0 = time.perf_counter()
    info = net.build()          # what this build did (the run's own build finds it done)
    t1 = time.perf_counter()
    net.run(duration)
    t2 = time.perf_counter()
    rate = spikes.num_spikes / (group.N * duration * 1e-3)
    trains = [np.diff(t) for t in spikes.spike_trains().values() if len(t) > 2]
    cv = float(np.mean([d.std() / d.mean() for d in trains])) if trains else float("nan")
    print(f"{title}: {group.N} neurons, {duration:g} ms, backend {net.backend.name}, "
          f"{net.precision} precision")
    print(f"  build {t1 - t0:.2f} s (code generation {'ran' if info.generated else 'cached'}, "
          f"compiler {'ran' if info.compiled else 'cached'}), run {t2 - t1:.3f} s")
    print(f"  mean rate {rate:.2f} Hz, mean CV of ISI {cv:.2f}, spikes {spikes.num_spikes}")
    result = {"rate": rate, "cv": cv, "build_s": t1 - t0, "run_s": t2 - t1}
    if rate_monitor is not None:
        r = rate_monitor.rate
        result["rate_std"] = float(r.std())
        print(f"  population rate: mean {r.mean():.2f} Hz, std {r.std():.2f} Hz per step")
    _raster(spikes, title, duration, out)
    return result


def _raster(spikes, title: str, duration: float, out: str) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib is not installed: no plot)")
        return
    os.makedirs(out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4))
    shown = min(duration, 500.0)
    keep = spikes.t <= shown
    ax.plot(spikes.t[keep], spikes.i[keep], ",k")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_title(title)
    ax.set_xlim(0, shown)
    path = os.path.join(out, f"{title.lower()}.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"  raster: {path}")
