"""The standalone program against the in-process run (issue 18: "equal run time within
noise"): CUBA (examples/networks.py) with a spike monitor, exported, built with CMake
and run as ``./build/cuba --duration D --threads 1 --out ...``, side by side with the
same network run in Python, rounds interleaved.

    python bench/bench_standalone.py [--n 4000] [--duration 1000] [--rounds 5]

For each round: the in-process run of ``duration`` ms (after a first run that pages the
arrays in; the network restored to its start before each run), and one run of the
program, whose own line gives the time of its run loop ("N steps (D ms) in X s"), and
the wall time of the whole command (process start, reading the data folder, writing the
SONATA file included).  Prints the medians and their ratio; the spikes of both are
compared (the program's file read back with pyspike.load_results).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))

import numpy as np  # noqa: E402

import pyspike as ps  # noqa: E402
import networks  # noqa: E402


def made(n: int):
    net = ps.Network(dt=0.1, seed=1, threads=1)
    P = networks.cuba(net, n)["P"]
    with net:
        spikes = ps.SpikeMonitor(P)
    return net, spikes


def build(folder: Path) -> None:
    for cmd in (["cmake", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"],
                ["cmake", "--build", "build", "-j", "2"]):
        out = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        net, spikes = made(args.n)
        net.export(folder, name="cuba")
        build(folder)
        program = folder / "build" / "cuba"
        net.store("start")                           # the state the program starts from
        net.run(args.duration)                       # the arrays paged in
        inproc, loop, wall = [], [], []
        for r in range(args.rounds):
            net.restore("start")
            t0 = time.perf_counter()
            net.run(args.duration)
            inproc.append(time.perf_counter() - t0)
            out = Path(tmp) / f"run{r}.h5"
            t0 = time.perf_counter()
            done = subprocess.run([str(program), "--duration", str(args.duration),
                                   "--threads", "1", "--out", str(out)],
                                  capture_output=True, text=True, cwd=folder)
            wall.append(time.perf_counter() - t0)
            if done.returncode != 0:
                sys.exit(f"the program failed: {done.stderr[-2000:]}")
            loop.append(float(re.search(r"\) in ([0-9.]+) s", done.stdout).group(1)))
        # each in-process run started from the exported state, as the program does
        read = ps.load_results(out).spikes["cuba"]
        same = (np.array_equal(read.node_ids, spikes.i)
                and np.array_equal(read.timestamps, spikes.t))
    med = {k: statistics.median(v) for k, v in
           (("in-process", inproc), ("program loop", loop), ("program wall", wall))}
    print(f"CUBA-{args.n}, {args.duration:g} ms, one thread, medians of {args.rounds} "
          "interleaved rounds:")
    for k, v in med.items():
        print(f"  {k}: {v:.3f} s")
    print(f"  program loop / in-process: {med['program loop'] / med['in-process']:.2f}x; "
          f"the same spikes (last round): {same}")


if __name__ == "__main__":
    main()
