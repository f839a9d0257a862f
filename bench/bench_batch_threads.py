"""A batch of small instances on threads: CUBA-4000 x 10 instances (a sweep's points), 1 s
of model time, on 1 and 2 threads; the threads share the instances (each instance on one
thread with the serial code), so the spikes must be the same.

    python bench/bench_batch_threads.py [--n 4000] [--batch 10] [--repeats 3]

Run it with a pyspike on the path (``PYTHONPATH=/work/devsite`` in the development tree)
on an otherwise idle machine; it prints the medians and their ratio.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import networks  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    net = ps.Network(dt=0.1, seed=1, batch=args.batch)
    P = networks.cuba(net, args.n)["P"]
    with net:
        mon = ps.SpikeMonitor(P)
    net.build()
    net.store()
    times = {1: [], 2: []}
    spikes = {}
    for _ in range(args.repeats):
        for k in (1, 2):
            net.restore()
            net.threads = k
            t0 = time.perf_counter()
            net.run(1000.0)
            times[k].append(time.perf_counter() - t0)
            assert net.backend.threads_used() == k, "the run did not use its threads"
            spikes[k] = [np.asarray(x).copy() for x in mon.i]
    same = all(np.array_equal(a, b) for a, b in zip(spikes[1], spikes[2]))
    m = {k: statistics.median(v) for k, v in times.items()}
    print(f"CUBA-{args.n} x {args.batch} instances, 1 s, medians of {args.repeats}: "
          f"1 thread {m[1]:.3f} s, 2 threads {m[2]:.3f} s ({m[2] / m[1]:.2f}x); "
          f"same spikes: {same}")


if __name__ == "__main__":
    main()
