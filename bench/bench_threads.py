"""The CPU backend on threads, side by side with Brian2 and NEST on the same threads.

    python bench/bench_threads.py [--models cuba,coba] [--sizes 40000,400000]
                                  [--threads 1,2] [--duration 1000] [--repeats 3]
                                  [--peers auto|none] [--nest-sizes 40000]

For each model and size one pyspike network is built (examples/networks.py, dt = 0.1 ms,
seed 1), stored, and run ``repeats`` times per thread count from the stored state, the
thread counts alternating (1, 2, 1, 2, ...), so that every run does the same work; all
thread counts must give the same spikes.  The peers (the venv of bench/peers/setup.sh)
run the same model in processes of their own, ``repeats`` times per thread count:
Brian2's C++ standalone mode (no OpenMP on one thread, OpenMP with that many threads
otherwise; its time loop's own clock) and, for CUBA, NEST with ``local_num_threads``
(nest.Simulate's wall clock; ``--nest-sizes`` limits the sizes NEST runs, as its
400,000-neuron runs take minutes each).  It prints the median run time of each and the ratios
pyspike / Brian2 and pyspike / NEST per thread count, and pyspike's ratio to its own one
thread.  Run it with a pyspike on the path (``PYTHONPATH=/work/devsite`` in the
development tree) on an otherwise idle machine: the threads wait for each other at every
kernel of a step, and other processes on the same cores slow them most.
"""
import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import pyspike as ps

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))
sys.path.insert(0, str(HERE))
import bench_networks  # noqa: E402  (the peers' measurements)
import networks  # noqa: E402

NEST_MODELS = ("cuba",)           # bench/peers/nest_nets.py: CUBA only


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def measure(model: str, n: int, threads, duration: float, repeats: int) -> dict:
    """pyspike's run times per thread count, and whether the spikes were the same."""
    net = ps.Network(dt=0.1, seed=1)
    P = getattr(networks, model)(net, n)["P"]
    with net:
        mon = ps.SpikeMonitor(P)
    net.build()
    net.store()
    times = {k: [] for k in threads}
    spikes = {}
    for _ in range(repeats):
        for k in threads:
            net.restore()
            net.threads = k
            t0 = time.perf_counter()
            net.run(duration)
            times[k].append(time.perf_counter() - t0)
            assert net.backend.threads_used() == k, "the run did not use its threads"
            spikes[k] = (mon.i.copy(), mon.t.copy())
    first = spikes[threads[0]]
    same = all(np.array_equal(first[0], s[0]) and np.array_equal(first[1], s[1])
               for s in spikes.values())
    return {"median": {k: statistics.median(v) for k, v in times.items()},
            "runs": times, "spikes": int(first[0].size), "same": same}


def peer_medians(py, model: str, n: int, threads, duration: float, repeats: int,
                 nest_sizes) -> dict:
    """{simulator: {threads: median run_s or an error text}} of the peers."""
    out = {}
    for name, measure_peer in (("brian2", bench_networks.brian2_measure),
                               ("nest", bench_networks.nest_measure)):
        if name == "nest" and (model not in NEST_MODELS or n not in nest_sizes):
            continue
        out[name] = {}
        for k in threads:
            runs = [measure_peer(py, model, n, 1, duration, 3600, threads=k)
                    for _ in range(repeats)]
            good = [r["run_s"] for r in runs if "error" not in r]
            out[name][k] = statistics.median(good) if good else runs[-1]["error"]
    return out


def _cell(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else f"({value})"


def _ratio(ours: float, theirs) -> str:
    return f"{ours / theirs:.2f}x" if isinstance(theirs, float) else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="cuba,coba")
    ap.add_argument("--sizes", default="40000,400000")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peers", choices=["auto", "none"], default="auto")
    ap.add_argument("--nest-sizes", default=None, help="the sizes NEST runs (default: all)")
    args = ap.parse_args()
    models = args.models.split(",")
    sizes = [int(x) for x in args.sizes.split(",")]
    threads = [int(x) for x in args.threads.split(",")]
    nest_sizes = sizes if args.nest_sizes is None else \
        [int(x) for x in args.nest_sizes.split(",") if x]
    py = bench_networks.peer_python(args.peers if args.peers == "none" else "auto")
    print(f"# {cpu_name()}, {len(os.sched_getaffinity(0))} cores usable, "
          f"{args.duration:g} ms of model time, medians of {args.repeats}"
          + ("" if py else "; no peer venv (bash bench/peers/setup.sh): pyspike only"))
    print("| model | neurons | threads | pyspike (s) | vs its 1 thread | same spikes | "
          "Brian2 (s) | pyspike/Brian2 | NEST (s) | pyspike/NEST |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for model in models:
        for n in sizes:
            r = measure(model, n, threads, args.duration, args.repeats)
            peers = peer_medians(py, model, n, threads, args.duration, args.repeats,
                                 nest_sizes) if py else {}
            base = r["median"][threads[0]]
            for k in threads:
                ours = r["median"][k]
                b2 = peers.get("brian2", {}).get(k, "not run")
                nest = peers.get("nest", {}).get(k, "not run")
                print(f"| {model} | {n} | {k} | {ours:.3f} | {ours / base:.2f}x | "
                      f"{'yes' if r['same'] else 'NO'} | {_cell(b2)} | {_ratio(ours, b2)} | "
                      f"{_cell(nest)} | {_ratio(ours, nest)} |", flush=True)


if __name__ == "__main__":
    main()
