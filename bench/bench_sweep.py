"""A sweep of 100 CUBA-4000 points against 100 single runs (issue 18: total <= 1.2x).

    python bench/bench_sweep.py [--points-per-seed 10] [--seeds 10] [--duration 1s]

Both sides run the same model file through the command line's code, in this process,
with the compiled code already in the cache (the compile, once per side, is reported
apart): one ``pyspike run`` of a point (build, connect, run, write its results), timed
three times, its median times the number of points; and one ``pyspike sweep`` of all the
points (one network of K instances per seed).  Prints one JSON line.

    python bench/bench_sweep.py --mpi 2 [--points-per-seed 4 --seeds 2 --threads 1]

times instead the same sweep as a command started from the shell, ``python -m pyspike
sweep`` (one process) against ``mpirun -n R ... python -m pyspike sweep`` (its networks
over R ranks), each three times into an empty folder (median), the code in the cache:
what a job pays, Python's start and the import of pyspike on every rank included.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import pyspike as ps
from pyspike.cli import main as cli

MODEL = '''
import pyspike as ps

def build(**network):
    net = ps.Network(dt=0.1, **network)
    n, n_exc = 4000, 3200
    with net:
        P = ps.NeuronGroup(n, ps.models.neurons["brette_cuba"], name="cuba",
                           init={"v": "Vr + rand()*(Vt - Vr)"})
        Ce = ps.Synapses(P[:n_exc], P, on_pre="ge_post += we", params={"we": 60 * 0.27 / 10},
                         name="Ce")
        Ci = ps.Synapses(P[n_exc:], P, on_pre="gi_post += wi", params={"wi": -20 * 4.5 / 10},
                         name="Ci")
        Ce.connect(p=0.02)
        Ci.connect(p=0.02)
        ps.SpikeMonitor(P)
    return net
'''


def timed(argv) -> float:
    t0 = time.perf_counter()
    if cli(argv) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points-per-seed", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--duration", default="1s")
    ap.add_argument("--mpi", type=int, metavar="R", help="one process against R MPI ranks")
    ap.add_argument("--threads", type=int, help="threads of each process's networks")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bench_sweep_")
    os.environ.setdefault("PYSPIKE_CACHE_DIR", os.path.join(work, "cache"))
    model = os.path.join(work, "model.py")
    with open(model, "w") as f:
        f.write(MODEL)
    we = ",".join(f"{1.2 + 0.05 * k:g}" for k in range(a.points_per_seed))
    points = a.points_per_seed * a.seeds
    common = ["--duration", a.duration, "--backend", "cpu", "--quiet"]
    if a.threads is not None:
        common += ["--threads", str(a.threads)]
    if a.mpi is not None:
        return over_ranks(a, work, model, common)
    single = ["run", model, *common, "--seed", "1", "--set", "Ce.we=1.5"]
    sweep = ["sweep", model, *common, "--grid", f"Ce.we={we}", "--grid", f"seed=1:{a.seeds}"]
    first_single = timed(single + ["--out", os.path.join(work, "w.h5")])   # compiles K=1
    first_sweep = timed(["sweep", model, *common, "--grid", f"Ce.we={we}", "--grid", "seed=1:1",
                         "--out", os.path.join(work, "warm")])              # compiles K
    runs = [timed(single + ["--out", os.path.join(work, f"r{k}.h5")]) for k in range(3)]
    total = timed(sweep + ["--out", os.path.join(work, "sweep")])
    one = statistics.median(runs)
    print(json.dumps({"points": points, "instances_per_network": a.points_per_seed,
                      "duration": a.duration, "one_run_s": round(one, 3),
                      "hundred_runs_s": round(one * points, 2), "sweep_s": round(total, 2),
                      "ratio": round(total / (one * points), 3),
                      "first_run_with_compile_s": round(first_single, 2),
                      "first_sweep_network_with_compile_s": round(first_sweep, 2),
                      "python": sys.version.split()[0], "pyspike": ps.__file__}))


def over_ranks(a, work: str, model: str, common) -> None:
    """One process against ``a.mpi`` ranks, each a command from the shell (see the doc)."""
    if shutil.which("mpirun") is None:
        raise SystemExit("mpirun is not installed (apt-get install openmpi-bin)")
    we = ",".join(f"{1.2 + 0.05 * k:g}" for k in range(a.points_per_seed))
    sweep = [sys.executable, "-m", "pyspike", "sweep", model, *common,
             "--grid", f"Ce.we={we}", "--grid", f"seed=1:{a.seeds}"]
    mpirun = ["mpirun", "-n", str(a.mpi), "--oversubscribe"]
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ps.__file__)),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

    def shell(argv, out) -> float:
        t0 = time.perf_counter()
        subprocess.run(argv + ["--out", os.path.join(work, out)], env=env, check=True)
        return time.perf_counter() - t0

    first = shell(sweep, "warm")                                   # compiles
    one = [shell(sweep, f"one{k}") for k in range(3)]
    ranks = [shell(mpirun + sweep, f"ranks{k}") for k in range(3)]
    print(json.dumps({"points": a.points_per_seed * a.seeds, "networks": a.seeds,
                      "instances_per_network": a.points_per_seed, "duration": a.duration,
                      "threads": a.threads, "one_process_s": round(statistics.median(one), 2),
                      f"{a.mpi}_ranks_s": round(statistics.median(ranks), 2),
                      "ratio": round(statistics.median(ranks) / statistics.median(one), 3),
                      "runs_one": [round(t, 2) for t in one],
                      "runs_ranks": [round(t, 2) for t in ranks],
                      "first_with_compile_s": round(first, 2),
                      "python": sys.version.split()[0], "pyspike": ps.__file__}))


if __name__ == "__main__":
    main()
