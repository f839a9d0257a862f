"""SPAIC 0.6.3 itself against pyspike.spaic on the same SPAIC scripts (issue 16, "Speed"),
side by side in one run, one thread each.

    python bench/bench_spaic.py [--workloads clif,stdp] [--reps 5] [--samples 40]
                                [--seeds 0,1,2] [--spaic-python PATH]
                                [--pyspike-python PATH] [--learner-attr _learner]
                                [--profile-dir DIR] [--save FILE] [--data-type float32]

The workloads are SPAIC code in bench/spaic_peer/, one text run by both sides
(``--impl spaic`` imports ``spaic``, ``--impl pyspike`` imports ``pyspike.spaic``):

- clif_forward.py: a clif 784-100-10 network, Poisson input, batch 100, 500 steps of
  dt = 0.1 ms, forward only (SPAIC under torch.no_grad); ms per batch.
- stdp_train.py: SPAIC's STDP example (784 Poisson inputs -> 100 lifstdp_ex neurons with
  lateral inhibition through 100 lifstdp_ih, nearest_online_stdp, batch 1, 256 steps);
  ms per training sample, and the input weights' mean and spread after the samples.

Data: seeded uniform [0, 1] arrays of MNIST's shape (784 values per sample), no download.
Both sides compute in ``--data-type`` (default float32, SPAIC's default; the scripts set
``Torch_Backend.data_type``, which pyspike.spaic takes too: its own default is float64).
Every measurement is a fresh process (OMP/MKL/OpenBLAS threads 1, torch.set_num_threads(1))
that builds, runs ``--warmup`` untimed repetitions, then the timed ones; tables give the
median of the timed repetitions (over all seeds for stdp) and the learned statistics as
mean +- standard deviation over the seeds.

SPAIC runs with the python of the venv made by ``bash bench/peers/setup_spaic.sh``
($PYSPIKE_SPAIC_VENV, by default ~/.cache/pyspike-spaic-venv), without PYTHONPATH; pyspike
with ``--pyspike-python`` (default: this interpreter) and this process's PYTHONPATH (in
development: ``cd / && PYTHONPATH=/work/devsite python bench/bench_spaic.py``).
``--profile-dir`` writes cProfile stats of the timed part of one more run of each
(``<workload>_<impl>.prof``; those runs are not in the tables).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "spaic_peer")
DEFAULT_VENV = os.environ.get("PYSPIKE_SPAIC_VENV",
                              os.path.join(os.path.expanduser("~"), ".cache",
                                           "pyspike-spaic-venv"))
SCRIPTS = {"clif": "clif_forward.py", "stdp": "stdp_train.py"}
#: the issue's targets: pyspike's ms per batch (clif) and per training sample (stdp)
TARGETS_MS = {"clif": 54.0, "stdp": 18.0}
IMPLS = ("spaic", "pyspike")
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}


def run_one(python: str, script: str, impl: str, extra, env_path, timeout: float) -> dict:
    """One fresh process; its RESULT line, or {"error": ...}."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(ONE_THREAD)
    if env_path:
        env["PYTHONPATH"] = env_path
    cmd = [python, os.path.join(PEER, script), "--impl", impl] + list(extra)
    with tempfile.TemporaryDirectory() as cwd:      # no script sees the source tree as cwd
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s", "cmd": cmd}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
    return {"error": "\n".join(tail) or f"exit status {proc.returncode}", "cmd": cmd}


def median_ms(results) -> float:
    times = [t for r in results if "times_s" in r for t in r["times_s"]]
    return 1e3 * statistics.median(times) if times else float("nan")


def spread(results, key: str) -> str:
    vals = [r[key] for r in results if key in r]
    if not vals:
        return "-"
    if len(vals) == 1:
        return f"{vals[0]:.4g}"
    return f"{statistics.mean(vals):.4g} +- {statistics.stdev(vals):.2g}"


def measure(args) -> dict:
    pythons = {"spaic": args.spaic_python, "pyspike": args.pyspike_python}
    paths = {"spaic": None, "pyspike": os.environ.get("PYTHONPATH")}
    out = {}
    for wl in args.workloads:
        runs = {impl: [] for impl in IMPLS}
        seeds = args.seeds if wl == "stdp" else args.seeds[:1]
        for seed in seeds:
            for impl in IMPLS:
                extra = ["--seed", str(seed), "--warmup", str(args.warmup),
                         "--data-type", args.data_type]
                extra += (["--reps", str(args.reps)] if wl == "clif" else
                          ["--samples", str(args.samples), "--learner-attr", args.learner_attr])
                r = run_one(pythons[impl], SCRIPTS[wl], impl, extra, paths[impl],
                            args.timeout)
                r["seed"] = seed
                runs[impl].append(r)
                status = r.get("error", "").splitlines()[-1:] or \
                    [f"{median_ms([r]):.1f} ms"]
                print(f"  {wl:5s} {impl:8s} seed {seed}: {status[0]}", file=sys.stderr)
                if args.profile_dir and seed == seeds[0]:
                    # a run of its own: the profiler's overhead stays out of the timings
                    os.makedirs(args.profile_dir, exist_ok=True)
                    prof = os.path.join(os.path.abspath(args.profile_dir), f"{wl}_{impl}.prof")
                    run_one(pythons[impl], SCRIPTS[wl], impl, extra + ["--profile", prof],
                            paths[impl], args.timeout)
        out[wl] = runs
    return out


def report(results, args) -> str:
    lines = ["| workload | SPAIC ms | pyspike ms | SPAIC / pyspike | target (pyspike) |",
             "|---|---:|---:|---:|---:|"]
    names = {"clif": "clif 784-100-10, batch 100, 500 steps (per batch)",
             "stdp": "STDP example, batch 1, 256 steps (per sample)"}
    errors, stats = [], []
    for wl, runs in results.items():
        ms = {impl: median_ms(runs[impl]) for impl in IMPLS}
        ratio = ms["spaic"] / ms["pyspike"]
        tgt = TARGETS_MS[wl]
        met = "met" if ms["pyspike"] <= tgt else "not met"
        lines.append(f"| {names[wl]} | {ms['spaic']:.1f} | {ms['pyspike']:.2f} | "
                     f"{ratio:.1f}x | <= {tgt:g} ms: {met} |")
        for impl in IMPLS:
            for r in runs[impl]:
                if "error" in r:
                    errors.append(f"{wl} / {impl} / seed {r['seed']}:\n{r['error']}")
        builds = {impl: spread(runs[impl], "build_s") for impl in IMPLS}
        stats.append(f"{wl}: build s: SPAIC {builds['spaic']}, pyspike {builds['pyspike']}")
        keys = (("out_spikes_per_neuron", "output spikes per neuron per sample"),
                ("out_silent_fraction", "samples with a silent output layer")) \
            if wl == "clif" else (("w_mean", "weights' mean"), ("w_std", "weights' std"),
                                  ("dw_rms", "rms change from the normalised start"),
                                  ("dw_max", "largest change from the normalised start"),
                                  ("w_at_1", "fraction of weights at 1"),
                                  ("spikes_per_sample", "layer1 spikes per sample"))
        for key, label in keys:
            stats.append(f"  {label}: SPAIC {spread(runs['spaic'], key)}, "
                         f"pyspike {spread(runs['pyspike'], key)}")
        if wl == "stdp":
            n = next((r["samples"] for r in runs["pyspike"] if "samples" in r), "?")
            stats.append(f"  (after {n} samples, over seeds {args.seeds})")
            # the initial weights are U(0, 0.3): mean 0.15; a learner that ran leaves 0.1
            if any(abs(r.get("w_mean", 0.1) - 0.1) > 0.02 for r in runs["pyspike"]):
                stats.append("  WARNING: pyspike's weights keep their initial mean (0.15): "
                             "its learner did not train (see --learner-attr)")
    versions = {impl: next((r["versions"] for rs in results.values() for r in rs[impl]
                            if "versions" in r), {}) for impl in IMPLS}
    text = "\n".join(lines) + "\n\n" + "\n".join(stats)
    text += "\n\nversions: " + json.dumps(versions)
    if errors:
        text += "\n\nFAILURES:\n" + "\n\n".join(errors)
    return text


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workloads", default="clif,stdp")
    p.add_argument("--reps", type=int, default=5, help="timed batches (clif)")
    p.add_argument("--samples", type=int, default=40, help="timed training samples (stdp)")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--seeds", default="0,1,2", help="seeds (stdp; clif uses the first)")
    p.add_argument("--spaic-python", default=os.path.join(DEFAULT_VENV, "bin", "python"))
    p.add_argument("--pyspike-python", default=sys.executable)
    p.add_argument("--learner-attr", default="_learner",
                   help="the STDP example's learner attribute (SPAIC's: _learner)")
    p.add_argument("--profile-dir", default=None)
    p.add_argument("--data-type", default="float32", choices=("float32", "float64"),
                   help="both sides' Torch_Backend.data_type (SPAIC's default: float32)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per process")
    p.add_argument("--save", default=None, help="write the raw results (JSON) here")
    args = p.parse_args(argv)
    args.workloads = [w for w in args.workloads.split(",") if w]
    for w in args.workloads:
        if w not in SCRIPTS:
            p.error(f"unknown workload {w!r}: choose from {', '.join(SCRIPTS)}")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if not os.path.exists(args.spaic_python):
        p.error(f"no SPAIC python at {args.spaic_python}: run bash bench/peers/setup_spaic.sh")
    results = measure(args)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(results, f, indent=1)
    print("command: " + " ".join([os.path.basename(sys.executable)] + sys.argv))
    print(report(results, args))


if __name__ == "__main__":
    main()
