"""The training peers of issue 17 ("Speed"), one thread each: forward + backward + one Adam
step per batch of snnTorch 1.0, SpikingJelly 2.0 and SPAIC 0.6.3 (STCA) on the issue's two
networks, and optionally their digits accuracy curves.

    python bench/bench_training_peers.py [--nets 64-100-10,784-800-10] [--repeats 20]
        [--warmup 3] [--processes 1] [--libraries snntorch,spikingjelly,spaic]
        [--digits SECONDS] [--digits-lr 1e-3] [--save FILE]

Each peer is bench/training_peer/<library>_peer.py run by the python of its own venv
(snnTorch and SpikingJelly: ``bash bench/peers/setup_training.sh``, $PYSPIKE_TRAIN_VENV or
~/.cache/pyspike-train-venv; SPAIC: ``bash bench/peers/setup_spaic.sh``,
$PYSPIKE_SPAIC_VENV or ~/.cache/pyspike-spaic-venv) in a fresh process with
OMP/MKL/OpenBLAS threads 1 and torch.set_num_threads(1), on the same seeded Bernoulli input
(T, B, n_in).  The table gives the median over all timed batches of all processes, and the
peak RSS and the memory beyond imports (peak RSS less the RSS after importing torch and the
library) of the first process.  This file needs only the standard library and NumPy, so
that bench/bench_training.py can call :func:`peer_times` from pyspike's own python.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_DIR = os.path.join(HERE, "training_peer")
_CACHE = os.path.join(os.path.expanduser("~"), ".cache")
#: library -> (venv, the variable that moves it, the script that makes it)
VENVS = {
    "snntorch": ("PYSPIKE_TRAIN_VENV", "pyspike-train-venv", "bench/peers/setup_training.sh"),
    "spikingjelly": ("PYSPIKE_TRAIN_VENV", "pyspike-train-venv",
                     "bench/peers/setup_training.sh"),
    "spaic": ("PYSPIKE_SPAIC_VENV", "pyspike-spaic-venv", "bench/peers/setup_spaic.sh"),
}
LIBRARIES = tuple(VENVS)
NETS = ("64-100-10", "784-800-10")
#: the issue's table, measured on this machine when it was written (ms per batch)
ISSUE_MS = {"64-100-10": {"snntorch": 24.2, "spikingjelly": 16.7, "spaic": 19.1},
            "784-800-10": {"snntorch": 230.0, "spikingjelly": 212.0, "spaic": 225.0}}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}


def peer_python(library: str) -> str:
    """The python of ``library``'s venv; FileNotFoundError naming the setup script if the
    venv is not there."""
    var, name, script = VENVS[library]
    venv = os.environ.get(var, os.path.join(_CACHE, name))
    python = os.path.join(venv, "bin", "python")
    if not os.access(python, os.X_OK):
        raise FileNotFoundError(f"no venv for {library} at {venv}: run `bash {script}` "
                                f"(or set ${var})")
    return python


def run_peer(library: str, script: str, args, timeout: float = 900.0) -> dict:
    """One fresh process of a peer script; its JSON line, or {"error": ...}."""
    try:
        python = peer_python(library)
    except FileNotFoundError as e:
        return {"library": library, "error": str(e)}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(ONE_THREAD)
    cmd = [python, os.path.join(PEER_DIR, script)] + [str(a) for a in args]
    with tempfile.TemporaryDirectory() as cwd:      # no peer sees the source tree as cwd
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"library": library, "error": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
    return {"library": library, "error": "\n".join(tail) or f"exit status {proc.returncode}"}


def peer_times(net: str, repeats: int, warmup: int = 3, processes: int = 1,
               libraries=LIBRARIES, seed: int = 0) -> dict:
    """Per library: ``median_ms`` (over all timed batches of ``processes`` fresh processes
    of ``repeats`` batches each), ``times_s`` (all of them), ``peak_rss_bytes`` and
    ``beyond_imports_bytes`` (of the first process), ``versions``, ``runs`` (the JSON of
    each process); or ``error`` (a missing venv names the script that makes it)."""
    out = {}
    for lib in libraries:
        runs = [run_peer(lib, f"{lib}_peer.py",
                         ["--net", net, "--repeats", repeats, "--warmup", warmup,
                          "--threads", 1, "--seed", seed + k])
                for k in range(processes)]
        good = [r for r in runs if "times_s" in r]
        if not good:
            out[lib] = {"error": runs[0].get("error", "no result"), "runs": runs}
            continue
        times = [t for r in good for t in r["times_s"]]
        out[lib] = {"median_ms": 1e3 * statistics.median(times), "times_s": times,
                    "peak_rss_bytes": good[0]["peak_rss_bytes"],
                    "beyond_imports_bytes": good[0]["beyond_imports_bytes"],
                    "batch": good[0]["batch"], "steps": good[0]["steps"],
                    "versions": good[0].get("versions", {}), "runs": runs}
    return out


def digits_curves(seconds: float, seed: int = 0, libraries=("snntorch", "spikingjelly"),
                  batch: int = 128, lr: float = 1e-3) -> dict:
    """Per library: the JSON of bench/training_peer/digits_peer.py (held-out accuracy after
    each epoch with the training seconds so far, best, final), or {"error": ...}."""
    return {lib: run_peer(lib, "digits_peer.py",
                          ["--library", lib, "--seconds", seconds, "--seed", seed,
                           "--batch", batch, "--lr", lr], timeout=seconds * 4 + 300)
            for lib in libraries}


def speed_table(results: dict) -> str:
    lines = ["| network | library | ms per batch (median) | issue's ms | peak RSS MB "
             "| beyond imports MB |", "|---|---|---:|---:|---:|---:|"]
    for net, per_lib in results.items():
        for lib, r in per_lib.items():
            issue = ISSUE_MS.get(net, {}).get(lib)
            issue_s = f"{issue:.1f}" if issue else "-"
            if "error" in r:
                lines.append(f"| {net} | {lib} | error: {r['error'].splitlines()[-1]} "
                             f"| {issue_s} | - | - |")
                continue
            shape = f"{net} (B={r['batch']}, T={r['steps']})"
            lines.append(f"| {shape} | {lib} | {r['median_ms']:.2f} | {issue_s} "
                         f"| {r['peak_rss_bytes'] / 2**20:.0f} "
                         f"| {r['beyond_imports_bytes'] / 2**20:.0f} |")
    return "\n".join(lines)


def digits_table(curves: dict) -> str:
    lines = ["| library | s per epoch | after 5 epochs | after 10 s | final | best | epochs |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for lib, d in curves.items():
        if "error" in d:
            lines.append(f"| {lib} | error: {d['error'].splitlines()[-1]} | | | | | |")
            continue
        ep = d["epochs"]
        five = next((c["accuracy"] for c in ep if c["epoch"] == 5), None)
        ten = [c["accuracy"] for c in ep if c["train_s"] <= 10.0]
        cells = [f"{100 * a:.1f} %" if a is not None else "-"
                 for a in (five, ten[-1] if ten else None, d["final"], d["best"])]
        lines.append(f"| {lib} | {d['s_per_epoch'] or float('nan'):.3f} | "
                     + " | ".join(cells) + f" | {ep[-1]['epoch']:.4g} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nets", default=",".join(NETS))
    p.add_argument("--repeats", type=int, default=20, help="timed batches per process")
    p.add_argument("--warmup", type=int, default=3, help="untimed batches first")
    p.add_argument("--processes", type=int, default=1, help="fresh processes per peer")
    p.add_argument("--libraries", default=",".join(LIBRARIES))
    p.add_argument("--digits", type=float, default=0.0,
                   help="also train on digits for this many seconds (snnTorch, SpikingJelly)")
    p.add_argument("--digits-lr", type=float, default=1e-3, help="Adam's lr for --digits")
    p.add_argument("--save", default=None, help="write all results as JSON here")
    args = p.parse_args(argv)
    libs = [lib for lib in args.libraries.split(",") if lib]
    results = {}
    for net in args.nets.split(","):
        results[net] = peer_times(net, args.repeats, args.warmup, args.processes, libs)
        for lib, r in results[net].items():
            status = r.get("error", "").splitlines()[-1:] or [f"{r['median_ms']:.2f} ms"]
            print(f"  {net} {lib}: {status[0]}", file=sys.stderr)
    print(speed_table(results))
    saved = {"speed": results}
    if args.digits > 0:
        curves = digits_curves(args.digits, libraries=[lib for lib in libs if lib != "spaic"],
                               lr=args.digits_lr)
        print()
        print(digits_table(curves))
        saved["digits"] = curves
    if args.save:
        with open(args.save, "w") as f:
            json.dump(saved, f, indent=1)


if __name__ == "__main__":
    main()
