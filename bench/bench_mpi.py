"""One network over MPI ranks: CUBA with a delay of one step (0.1 ms; ``--delay``), 1 s of
model time, in one process and split over ``mpirun -n 2`` (``Network(partition=True)``), one thread
per rank.  It prints the medians of the run (not the build), the ratio, the share of the
run that rank 0 spent swapping spikes (waiting for the other rank included), and whether
both gave the same spikes.

    python bench/bench_mpi.py [--n 400000] [--ranks 2] [--delay 0.1] [--repeats 3]

The ranks swap spikes once per minimum delay: every step at 0.1 ms, every 10 steps at
1 ms (each swap also waits for the slower rank, so a longer interval evens them out).

Run it with a pyspike on the path (``PYTHONPATH=/work/devsite`` in the development tree)
and Open MPI's mpirun, on an otherwise idle machine.
"""
import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import networks  # noqa: E402


def worker(n: int, duration: float, delay: float, partition: bool) -> None:
    """One run, timed; rank 0 prints its figures as one line of JSON."""
    net = ps.Network(dt=0.1, seed=1, threads=1, partition=partition, progress=False)
    P = networks.cuba(net, n, delay=delay)["P"]
    with net:
        mon = ps.SpikeMonitor(P)
    t0 = time.perf_counter()
    net.run(0.1)                         # builds: compiles, and splits the network
    t1 = time.perf_counter()
    net.run(duration)
    t2 = time.perf_counter()
    swap = net.ranks.local.exchange.seconds if partition else 0.0
    digest = hashlib.sha1(np.stack([mon.i.astype(np.int64),
                                    np.round(mon.t * 10).astype(np.int64)]).tobytes())
    if not partition or net.ranks.comm.rank == 0:
        print(json.dumps({"setup_s": t1 - t0, "run_s": t2 - t1, "swap_s": swap,
                          "spikes": int(mon.i.size), "digest": digest.hexdigest()}))


def measure(args, ranks: int) -> dict:
    command = [sys.executable, __file__, "--worker", "--n", str(args.n),
               "--duration", str(args.duration), "--delay", str(args.delay)]
    if ranks:
        command = ["mpirun", "-n", str(ranks), "--oversubscribe"] + command + ["--partition"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS="1")
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400000)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--delay", type=float, default=0.1, help="synaptic delay (ms)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--partition", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.n, args.duration, args.delay, args.partition)
        return
    runs = {0: [], args.ranks: []}
    for _ in range(args.repeats):            # alternating, so that drift hits both
        for ranks in runs:
            runs[ranks].append(measure(args, ranks))
    one, split = (statistics.median(r["run_s"] for r in runs[k]) for k in runs)
    swap = statistics.median(r["swap_s"] / r["run_s"] for r in runs[args.ranks])
    setup = {k: statistics.median(r["setup_s"] for r in v) for k, v in runs.items()}
    same = len({r["digest"] for v in runs.values() for r in v}) == 1
    print(f"CUBA-{args.n}, delay {args.delay:g} ms, {args.duration:g} ms, "
          f"medians of {args.repeats}: "
          f"one process {one:.3f} s, {args.ranks} ranks {split:.3f} s ({split / one:.2f}x); "
          f"swapping spikes {100 * swap:.1f}% of the ranks' run; first run (build and "
          f"split) {setup[0]:.1f} s / {setup[args.ranks]:.1f} s; "
          f"{runs[0][0]['spikes']} spikes, the same on both: {same}")


if __name__ == "__main__":
    main()
