"""The CPU backend on threads: CUBA at 40,000 and 400,000 neurons, 1 and 2 threads.

    python bench/bench_threads.py [--sizes 40000,400000] [--threads 1,2] [--duration 1000]
                                  [--repeats 3]

For each size one network is built (examples/networks.py's CUBA, dt = 0.1 ms, seed 1),
stored, and then run ``repeats`` times per thread count from the stored state, the thread
counts alternating (1, 2, 1, 2, ...), so that every run does the same work.  It prints the
median wall time of ``net.run(duration)`` per thread count, the ratio to one thread, and
checks that every thread count gave the same spikes.  Run it with a pyspike on the path
(``PYTHONPATH=/work/devsite`` in the development tree); the machine's load matters: other
processes on the same cores slow the threaded runs most (the threads wait for each other
at every kernel of a step).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import networks  # noqa: E402


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def measure(n: int, threads, duration: float, repeats: int) -> dict:
    net = ps.Network(dt=0.1, seed=1)
    P = networks.cuba(net, n)["P"]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40000,400000")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    threads = [int(x) for x in args.threads.split(",")]
    print(f"# {cpu_name()}, {len(os.sched_getaffinity(0))} cores usable, "
          f"{args.duration:g} ms of CUBA, median of {args.repeats}")
    print("| neurons | threads | run (s) | vs 1 thread | spikes | same spikes |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        r = measure(n, threads, args.duration, args.repeats)
        base = r["median"][threads[0]]
        for k in threads:
            print(f"| {n} | {k} | {r['median'][k]:.3f} | {r['median'][k] / base:.2f}x | "
                  f"{r['spikes']} | {'yes' if r['same'] else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
