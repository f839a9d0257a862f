"""CUBA, COBA and COBAHH side by side: pyspike against Brian2 and NEST (issue 3's benchmark).

    python bench/bench_networks.py [--models cuba,coba,cobahh] [--sizes 4000,40000,400000]
                                   [--cases cuba:4000,cuba:400000] [--repeats 3]
                                   [--big-repeats R] [--peers auto|none] [--write]
                                   [--save FILE] [--merge FILE] [--report-only]

Run it with the system python (where pyspike is installed). The peers run in their own
virtual environment, made by ``bash bench/peers/setup.sh`` ($PYSPIKE_BENCH_VENV, by default
~/.cache/pyspike-bench-venv); with ``--peers auto`` they are measured when that venv exists,
with ``--peers none`` never, with ``--peers brian2`` Brian2 only.

For each model and size (``--cases`` lists model:size pairs instead of all models x sizes),
``repeats`` times (``--big-repeats`` for sizes >= 100000), each in its own process:

- pyspike cold: a fresh cache directory; network construction with connect() ("set-up"),
  ``net.build()`` (sympy + templates + g++), ``net.run(1000 ms)``.
- pyspike warm: a new process on the same cache: set-up, ``net.build()`` (loads the cached
  library), ``net.run(1000 ms)``.
- Brian2 (bench/peers/brian2_nets.py): C++ standalone in a fresh directory, one thread.
- NEST (bench/peers/nest_nets.py, CUBA only): one thread.

Every process reports its own peak RSS, so memory is per process; compilers run as
children and are not counted for pyspike nor Brian2 (Brian2 counts its Python process plus
its standalone binary, which are alive together). Repeat r uses seed r+1 in every
simulator. Tables give medians (rates: means). Each measurement has its own timeout; a
failed one is reported and the others go on. ``--write`` puts the section
"## CUBA/COBA/COBAHH vs Brian2 and NEST (issue 3)" at the end of bench/RESULTS.md
(replacing that section if it is there, leaving the others as they are).

pyspike is imported from a copy of the installed package taken at the start (the workers get
it first on PYTHONPATH), so a reinstall during a long run cannot mix two versions; its
fingerprint (a hash of the files) is reported. ``--save FILE`` keeps the raw results;
``--merge FILE`` starts from such a file, so that, e.g., pyspike can be re-measured with
``--peers none`` while the slow peer runs are kept; ``--report-only --merge FILE --write``
only rewrites the section. The section lists every command that its numbers come from.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
EXAMPLES = os.path.join(REPO, "examples")
PEERS = os.path.join(HERE, "peers")
SECTION = "## CUBA/COBA/COBAHH vs Brian2 and NEST (issue 3)"
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "pyspike-bench-venv")
NEST_MODELS = ("cuba",)
BIG = 100_000
TARGETS = {"run": 0.5, "cold": 0.5, "warm_s": 0.3, "mem": 1.0}

# One pyspike measurement: set-up (construction + connect), build, one run of ``duration``.
# Runs with cwd outside the repository so that the installed pyspike is imported.
PYSPIKE_WORKER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import pyspike as ps
t_import = time.perf_counter() - t0
model, n, cache, seed, duration, examples = (sys.argv[1], int(sys.argv[2]), sys.argv[3],
                                             int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
sys.path.insert(0, examples)
import networks
t0 = time.perf_counter()
net = ps.Network(dt=0.1, seed=seed, backend="cpu", cache_dir=cache)
objs = getattr(networks, model)(net, n)
with net:
    mon = ps.SpikeMonitor(objs["P"])
t1 = time.perf_counter()
info = net.build()
t2 = time.perf_counter()
net.run(duration)
t3 = time.perf_counter()
n_syn = sum(int(objs[k].n) for k in ("Ce", "Ci"))
print(json.dumps({
    "simulator": "pyspike", "version": getattr(ps, "__version__", "?"), "model": model,
    "n": n, "import_s": t_import, "setup_s": t1 - t0, "build_s": t2 - t1,
    "generated": info.generated, "compiled": info.compiled, "generate_s": info.generate_s,
    "compile_s": info.compile_s, "run_s": t3 - t2, "n_spikes": mon.num_spikes,
    "n_synapses": n_syn, "rate_hz": mon.num_spikes / (n * duration * 1e-3),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "pyspike_file": ps.__file__}))
"""


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


def _call(cmd, cwd, timeout, env=None):
    """Run one measurement process; its JSON result, or {"error": ...}."""
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                             env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {out.returncode}: " + " | ".join(tail)}
    try:
        res = _last_json(out.stdout)
    except ValueError as exc:
        return {"error": str(exc)}
    res["process_wall_s"] = wall
    return res


def snapshot_pyspike(dest: str) -> dict:
    """Copy the installed pyspike into ``dest`` so that every measurement of this run uses
    the same code, even if the package is reinstalled meanwhile (others work on it)."""
    probe = subprocess.run([sys.executable, "-c", "import os, pyspike; "
                            "print(os.path.dirname(os.path.abspath(pyspike.__file__)))"],
                           cwd=dest, capture_output=True, text=True, check=True)
    src = probe.stdout.strip().splitlines()[-1]
    shutil.copytree(src, os.path.join(dest, "pyspike"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(os.path.join(dest, "pyspike"))):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            h.update(os.path.relpath(path, dest).encode())
            with open(path, "rb") as f:
                h.update(f.read())
    installed = datetime.datetime.fromtimestamp(
        os.path.getmtime(os.path.join(src, "__init__.py")), datetime.timezone.utc)
    return {"dir": dest, "source": src, "fingerprint": h.hexdigest()[:12],
            "installed_at": installed.strftime("%Y-%m-%d %H:%M UTC"), "repo_head": git_rev()}


def pyspike_measure(model, n, cache, seed, duration, timeout, snapshot=None):
    env = None
    if snapshot:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [snapshot["dir"]] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                 if p]))
    res = _call([sys.executable, "-c", PYSPIKE_WORKER, model, str(n), cache, str(seed),
                 str(duration), EXAMPLES], cwd=cache, timeout=timeout, env=env)
    if snapshot and "error" not in res:
        if not res["pyspike_file"].startswith(snapshot["dir"]):
            res["error"] = f"imported {res['pyspike_file']}, not the snapshot"
        res["pyspike_fingerprint"] = snapshot["fingerprint"]
    return res


def brian2_measure(py, model, n, seed, duration, timeout, threads=1):
    d = tempfile.mkdtemp(prefix="pyspike-bench-brian2-")
    try:
        return _call([py, os.path.join(PEERS, "brian2_nets.py"), model, str(n),
                      os.path.join(d, "project"), "--seed", str(seed), "--duration",
                      str(duration), "--threads", str(threads)], cwd=d, timeout=timeout)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def nest_measure(py, model, n, seed, duration, timeout, threads=1):
    d = tempfile.mkdtemp(prefix="pyspike-bench-nest-")
    try:
        return _call([py, os.path.join(PEERS, "nest_nets.py"), model, str(n), "--seed",
                      str(seed), "--duration", str(duration), "--threads", str(threads)],
                     cwd=d, timeout=timeout)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def peer_python(mode: str):
    if mode == "none":
        return None
    venv = os.environ.get("PYSPIKE_BENCH_VENV", DEFAULT_VENV)
    py = os.path.join(venv, "bin", "python")
    return py if os.access(py, os.X_OK) else None


def _med(results, key):
    vals = [r[key] for r in results if "error" not in r and r.get(key) is not None]
    return statistics.median(vals) if vals else None


def _mean(results, key):
    vals = [r[key] for r in results if "error" not in r and r.get(key) is not None]
    return statistics.fmean(vals) if vals else None


def summarise(case) -> dict:
    """Medians per simulator for one (model, n)."""
    cold, warm = case["pyspike_cold"], case["pyspike_warm"]
    s = {"model": case["model"], "n": case["n"], "repeats": case["repeats"], "rows": {},
         "duration_ms": case.get("duration_ms", 1000.0)}
    ok_cold = [r for r in cold if "error" not in r]
    if ok_cold:
        runs = [r for r in cold + warm if "error" not in r]
        s["rows"]["pyspike"] = {
            "setup_s": _med(cold + warm, "setup_s"), "cold_build_s": _med(cold, "build_s"),
            "cold_generate_s": _med(cold, "generate_s"),
            "cold_compile_s": _med(cold, "compile_s"), "warm_build_s": _med(warm, "build_s"),
            "run_s": _med(runs, "run_s"), "n_runs": len(runs),
            "peak_rss_mb": _med(cold, "peak_rss_mb"), "warm_rss_mb": _med(warm, "peak_rss_mb"),
            "rate_hz": _mean(runs, "rate_hz"), "n_synapses": _med(cold, "n_synapses"),
            "end_to_end_s": _med([dict(x=r["setup_s"] + r["build_s"] + r["run_s"])
                                  for r in ok_cold], "x"),
            "n_ok": len(ok_cold)}
    b = [r for r in case.get("brian2", []) if "error" not in r]
    if b:
        s["rows"]["brian2"] = {
            "setup_s": _med(b, "setup_s"), "cold_build_s": _med(b, "build_s"),
            "cold_generate_s": _med(b, "codegen_s"), "cold_compile_s": _med(b, "compile_s"),
            "run_s": _med(b, "run_s"), "binary_s": _med(b, "binary_s"),
            "peak_rss_mb": _med(b, "peak_rss_mb"), "python_rss_mb": _med(b, "python_rss_mb"),
            "binary_rss_mb": _med(b, "binary_rss_mb"), "rate_hz": _mean(b, "rate_hz"),
            "n_synapses": _med(b, "n_synapses"), "n_ok": len(b), "version": b[0]["version"],
            "end_to_end_s": _med([dict(x=r["setup_s"] + r["build_s"] + r["binary_s"])
                                  for r in b], "x")}
    ne = [r for r in case.get("nest", []) if "error" not in r]
    if ne:
        s["rows"]["nest"] = {
            "setup_s": _med(ne, "setup_s"), "cold_build_s": _med(ne, "build_s"),
            "run_s": _med(ne, "run_s"), "peak_rss_mb": _med(ne, "peak_rss_mb"),
            "rate_hz": _mean(ne, "rate_hz"), "n_synapses": _med(ne, "n_synapses"),
            "n_ok": len(ne), "version": ne[0]["version"],
            "connect_rule": ne[0].get("connect_rule", "pairwise_bernoulli"),
            "end_to_end_s": _med([dict(x=r["setup_s"] + r["build_s"] + r["run_s"])
                                  for r in ne], "x")}
    s["errors"] = [f"{sim}: {r['error']}" for sim in ("pyspike_cold", "pyspike_warm",
                                                       "brian2", "nest")
                   for r in case.get(sim, []) if "error" in r]
    p, b2 = s["rows"].get("pyspike"), s["rows"].get("brian2")
    if p and b2:
        s["ratios"] = {"run": p["run_s"] / b2["run_s"],
                       "cold": p["cold_build_s"] / b2["cold_build_s"],
                       "mem": p["peak_rss_mb"] / b2["peak_rss_mb"]}
    return s


def _f(x, fmt="{:.3f}"):
    return "–" if x is None else fmt.format(x)


def table_lines(summaries):
    lines = ["| model | N | synapses | simulator | set-up (s) | cold build (s) | warm build (s) "
             "| run 1 s (s) | end-to-end cold (s) | peak RSS (MB) | rate (Hz) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in summaries:
        for sim, r in s["rows"].items():
            if sim == "pyspike":
                mem = f"{r['peak_rss_mb']:.0f} (warm {r['warm_rss_mb']:.0f})" \
                    if r.get("warm_rss_mb") is not None else _f(r["peak_rss_mb"], "{:.0f}")
                warm = _f(r["warm_build_s"])
                build = f"{r['cold_build_s']:.2f}"
            elif sim == "brian2":
                mem = (f"{r['peak_rss_mb']:.0f} (py {r['python_rss_mb']:.0f} + "
                       f"binary {r['binary_rss_mb']:.0f})")
                warm = "–"
                build = f"{r['cold_build_s']:.2f}"
            else:
                mem, warm = f"{r['peak_rss_mb']:.0f}", "–"
                build = f"{r['cold_build_s']:.2f} (create+connect, {r['connect_rule']})"
            run = _f(r["run_s"])
            if sim == "brian2":
                run += f" (binary {r['binary_s']:.2f})"
            lines.append(f"| {s['model']} | {s['n']} | {_f(r['n_synapses'], '{:.0f}')} | "
                         f"{sim} x{r['n_ok']} | "
                         f"{_f(r['setup_s'])} | {build} | {warm} | {run} | "
                         f"{_f(r['end_to_end_s'], '{:.2f}')} | {mem} | "
                         f"{_f(r['rate_hz'], '{:.2f}')} |")
    return lines


def ratio_lines(summaries):
    lines = ["| model | N | run pyspike/Brian2 | cold build pyspike/Brian2 | "
             "peak RSS pyspike/Brian2 | pyspike warm build (s) | targets met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in summaries:
        if "ratios" not in s:
            continue
        q, warm = s["ratios"], s["rows"]["pyspike"]["warm_build_s"]
        met = [f"run {'yes' if q['run'] <= TARGETS['run'] else 'NO'}",
               f"cold {'yes' if q['cold'] <= TARGETS['cold'] else 'NO'}",
               f"warm {'yes' if warm is not None and warm <= TARGETS['warm_s'] else 'NO'}"]
        if s["n"] >= 100 * 4000:                 # the memory target is for the 100x size
            met.append(f"memory {'yes' if q['mem'] <= TARGETS['mem'] else 'NO'}")
        lines.append(f"| {s['model']} | {s['n']} | {q['run']:.2f} | {q['cold']:.2f} | "
                     f"{q['mem']:.2f} | {_f(warm)} | {', '.join(met)} |")
    return lines


def machine() -> str:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l.split()[1] for l in f if l.startswith("MemTotal")))
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{cpu} ({vector_isa()}), {os.cpu_count()} cores{mem}, "
            f"{platform.system()} {platform.release()}")


def vector_isa() -> str:
    """The widest vector instructions the CPU has (the libraries use -march=native)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(l for l in f if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return "instruction set unknown"
    for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX")):
        if flag in flags:
            return name
    return "SSE"


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def write_results(summaries, runs, raw) -> None:
    versions = {}
    for s in summaries:
        for sim in ("brian2", "nest"):
            if sim in s["rows"]:
                versions[sim] = s["rows"][sim]["version"]
    cmd_lines = []
    for run in runs:
        kept = []
        for case in raw:
            sims = sorted({sim.split("_")[0] for sim, cmd in case.get("by", {}).items()
                           if cmd == run["command"]})
            if sims:
                kept.append(f"{case['model']} {case['n']}: {'+'.join(sims)}")
        if not kept:
            continue
        snap = run.get("pyspike")
        about = [run["date"]] if run.get("date") else []
        if "elapsed_s" in run:
            about.append(f"took {run['elapsed_s'] / 60:.1f} min")
        if any("pyspike" in k for k in kept):
            about.append(f"pyspike = a copy of the install of {snap['installed_at']} "
                         f"(fingerprint {snap['fingerprint']}, repository HEAD "
                         f"{snap['repo_head']})" if snap else "pyspike imported as installed")
        cmd_lines.append(f"- `{run['command']}`" + (f" ({'; '.join(about)})" if about else "")
                         + f": gives {'; '.join(kept)}")
    lines = [
        SECTION, "",
        f"Machine: {machine()}; every simulator single-threaded. Python "
        f"{platform.python_version()}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
        + " (venv made by `bash bench/peers/setup.sh`).", "",
        "Commands (with `--save FILE` and `--merge FILE` between them; what each gives "
        "below):", "", *cmd_lines, "",
        "1000 ms of model time at dt = 0.1 ms; N neurons, 80% excitatory, connection "
        "probability min(0.02, 80/N), no delays. Medians over the repeats (the count is next "
        "to each simulator; each repeat is a new process per measurement, seed = repeat "
        "number in every simulator); rates are means. pyspike run = median over the cold and "
        "the warm processes (one 1 s run each, so 2 per repeat).", "",
        "- set-up: network construction in Python; for pyspike it includes connect() (the "
        "synapses are made there), for Brian2 connect() only records what the binary will "
        "do. NEST's \"cold build\" is Create + Connect (no code is generated).",
        "- cold build: pyspike `net.build()` on an empty cache (sympy + templates + one g++); "
        "Brian2 the `run()` call that generates the code objects + "
        "`device.build(compile=True, run=False)` (make -j: both cores compile). Warm build: "
        "pyspike `net.build()` in a new process with the cache of the cold one.",
        "- run: pyspike `net.run(1000)` wall clock; Brian2 `device._last_run_time` "
        "(std::clock of the time loop, no synapse creation nor I/O; \"binary\" is the wall "
        "clock of the whole standalone binary, synapse creation included); NEST "
        "`nest.Simulate(1000)` wall clock.",
        "- NEST connects with pairwise_bernoulli (as pyspike and Brian2) up to N = 40000 "
        "and with fixed_indegree above (pairwise_bernoulli draws one number per pair, O(N^2): "
        "over 20 min at N = 400000); fixed in-degrees lower NEST's CUBA rate by ~8% "
        "(5.2 instead of 5.6 Hz at N = 4000 too).",
        "- end-to-end cold: set-up + cold build + run (Brian2: + the whole binary).",
        "- peak RSS: ru_maxrss of each process (compilers not counted); pyspike: the cold "
        "process (warm process in brackets); Brian2: its Python process + the standalone "
        "binary, alive together.", "",
    ]
    lines += table_lines(summaries) + [""]
    lines += ["Ratios (below 1: pyspike is faster / smaller). Targets (issue 3): run <= 0.5x "
              "Brian2's, cold build <= 0.5x Brian2's, warm build <= 0.3 s, peak memory <= "
              "Brian2's at the 100x size (N = 400000).", ""]
    lines += ratio_lines(summaries) + [""]
    scale = []
    for s in summaries:
        steps = s.get("duration_ms", 1000.0) / 0.1
        bits = [f"{sim} {r['run_s'] / (s['n'] * steps) * 1e9:.1f}" for sim, r in s["rows"].items()
                if r.get("run_s") is not None]
        scale.append(f"- {s['model']} N = {s['n']}: " + ", ".join(bits))
    lines += ["Run time per neuron and time step (ns; the synapses per neuron stay ~80, so "
              "flat means linear scaling):", ""] + scale + [""]
    rate_bits = []
    for s in summaries:
        bits = [f"{sim} {r['rate_hz']:.2f}" for sim, r in s["rows"].items()
                if r.get("rate_hz") is not None]
        rate_bits.append(f"- {s['model']} N = {s['n']}: " + ", ".join(bits) + " Hz")
    lines += ["Mean firing rates (they should agree; CUBA ~5.6 Hz):", ""] + rate_bits + [""]
    errors = [f"- {s['model']} N = {s['n']}: {e}" for s in summaries for e in s["errors"]]
    if errors:
        lines += ["Failed measurements:", ""] + errors + [""]
    if not any("brian2" in s["rows"] for s in summaries):
        lines += ["The peers were not measured (no venv; run `bash bench/peers/setup.sh`).",
                  ""]
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        rest = text[end + 1:] if end >= 0 else ""
        text = text[:start].rstrip() + "\n\n" + "\n".join(lines).rstrip() + "\n"
        if rest:         # a section after ours: keep it (ours stays where it was)
            text += "\n" + rest
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines).rstrip() + "\n"
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {path}")


SIMULATORS = ("pyspike_cold", "pyspike_warm", "brian2", "nest")
MODEL_ORDER = {"cuba": 0, "coba": 1, "cobahh": 2}


def merge(files, raw, runs):
    """Cases and run records of earlier --save files, updated with this run's."""
    cases, old_runs = {}, []
    for path in files:
        with open(path) as f:
            saved = json.load(f)
        old_runs += saved.get("runs") or [{"command": saved.get("command", "?"),
                                           "pyspike": None, "cases": []}]
        for case in saved["raw"]:
            case.setdefault("by", {sim: saved.get("command", "?") for sim in SIMULATORS
                                   if case.get(sim)})
            cases[(case["model"], case["n"])] = case
    for case in raw:
        key = (case["model"], case["n"])
        if key in cases:
            old = cases[key]
            for sim in SIMULATORS:
                if case[sim]:
                    old[sim] = case[sim]
                    old["by"][sim] = case["by"][sim]
            if case["pyspike_cold"]:
                old["repeats"] = case["repeats"]
        else:
            cases[key] = case
    merged = sorted(cases.values(), key=lambda c: (c["n"], MODEL_ORDER.get(c["model"], 9)))
    return merged, old_runs + runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="cuba,coba,cobahh")
    ap.add_argument("--sizes", default="4000,40000,400000")
    ap.add_argument("--cases", default=None,
                    help="model:N[:repeats] list, e.g. cuba:4000,cuba:400000:2 (instead of "
                         "models x sizes)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--big-repeats", type=int, default=None,
                    help=f"repeats for N >= {BIG} (default: --repeats)")
    ap.add_argument("--duration", type=float, default=1000.0, help="ms of model time")
    ap.add_argument("--peers", choices=["auto", "brian2", "none"], default="auto",
                    help="brian2: Brian2 only (NEST takes minutes per run at N = 400000)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="s per measurement")
    ap.add_argument("--save", default=None, help="also write the raw results (JSON) here")
    ap.add_argument("--merge", action="append", default=[], metavar="FILE",
                    help="start from the results saved (--save) by earlier runs: cases not "
                         "measured now are kept, and for a case measured now each simulator "
                         "measured now replaces the earlier one (e.g. --peers none re-measures "
                         "pyspike and keeps the peers)")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: print (and --write) the results of the --merge files")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="import the installed pyspike directly instead of a copy taken at "
                         "the start")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = ap.parse_args()
    cases = []                                   # (model, N, repeats)
    for model, n in ([c.split(":")[:2] for c in args.cases.split(",")] if args.cases else
                     [(m, n) for n in args.sizes.split(",") for m in args.models.split(",")]):
        n = int(n)
        cases.append((model, n, args.big_repeats if (args.big_repeats and n >= BIG)
                      else args.repeats))
    if args.cases:                               # model:N:repeats overrides the repeats
        cases = [(m, n, int(c.split(":")[2]) if c.count(":") == 2 else r)
                 for (m, n, r), c in zip(cases, args.cases.split(","))]
    if args.report_only:
        if not args.merge:
            ap.error("--report-only needs --merge FILE")
        cases = []
    py = peer_python(args.peers)
    if args.peers == "auto" and py is None:
        print("no peer venv: measuring pyspike only (run bash bench/peers/setup.sh)",
              file=sys.stderr)
    shown, skip = [], False
    for a in sys.argv[1:]:                       # the command, less --save FILE
        if skip or a.startswith("--save"):
            skip = a == "--save" and not skip
            continue
        shown.append(a)
    command = " ".join(["python bench/bench_networks.py"] + shown)
    snap_dir = tempfile.mkdtemp(prefix="pyspike-bench-snapshot-")
    snapshot = None if (args.no_snapshot or not cases) else snapshot_pyspike(snap_dir)
    if snapshot:
        print(f"pyspike: a copy of {snapshot['source']} (installed {snapshot['installed_at']},"
              f" fingerprint {snapshot['fingerprint']})", flush=True)
    t_start = time.perf_counter()
    raw = []
    for model, n, repeats in cases:
        case = {"model": model, "n": n, "repeats": repeats, "duration_ms": args.duration,
                "pyspike_cold": [],
                "pyspike_warm": [], "brian2": [], "nest": []}
        for r in range(repeats):
            seed = r + 1
            cache = tempfile.mkdtemp(prefix="pyspike-bench-cache-")
            try:
                cold = pyspike_measure(model, n, cache, seed, args.duration, args.timeout,
                                       snapshot)
                if "error" not in cold and not cold["compiled"]:
                    cold["error"] = "the cold build did not compile"
                case["pyspike_cold"].append(cold)
                warm = pyspike_measure(model, n, cache, seed, args.duration, args.timeout,
                                       snapshot)
                if "error" not in warm and (warm["compiled"] or warm["generated"]):
                    warm["error"] = "the warm build generated or compiled"
                case["pyspike_warm"].append(warm)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            if py:
                case["brian2"].append(brian2_measure(py, model, n, seed, args.duration,
                                                     args.timeout))
                if model in NEST_MODELS and args.peers == "auto":
                    case["nest"].append(nest_measure(py, model, n, seed, args.duration,
                                                     args.timeout))
            done = {k: (v[-1] if v else None) for k, v in case.items()
                    if k in ("pyspike_cold", "pyspike_warm", "brian2", "nest")}
            print(f"{model} N={n} repeat {r + 1}/{repeats}: " + "; ".join(
                f"{k} " + (v["error"] if "error" in v else
                           f"build {v['build_s']:.2f} run {v['run_s']:.3f} "
                           f"rss {v['peak_rss_mb']:.0f} rate {v['rate_hz']:.2f}")
                for k, v in done.items() if v), flush=True)
        case["by"] = {sim: command for sim in SIMULATORS if case[sim]}
        raw.append(case)
    elapsed = time.perf_counter() - t_start
    shutil.rmtree(snap_dir, ignore_errors=True)
    runs = [{"command": command, "elapsed_s": elapsed, "pyspike": snapshot,
             "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "cases": [f"{c['model']}:{c['n']}" for c in raw]}]
    raw, runs = merge(args.merge, raw, runs)
    summaries = [summarise(case) for case in raw]
    print()
    print("\n".join(table_lines(summaries)))
    print()
    print("\n".join(ratio_lines(summaries)))
    print(f"\n{len(cases)} cases measured in {elapsed / 60:.1f} min")
    if args.save:
        with open(args.save, "w") as f:
            json.dump({"raw": raw, "runs": runs, "summaries": summaries}, f, indent=1)
    if args.write:
        write_results(summaries, runs, raw)


if __name__ == "__main__":
    main()
