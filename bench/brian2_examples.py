"""Brian2's own examples side by side: each port in examples/brian2/ against its Brian2 peer
in bench/brian2_peer/ (issue 15's benchmark).

    python bench/brian2_examples.py [--quick] [--only NAME ...] [--seeds 3]
                                    [--targets cython,cpp_standalone] [--brian2 run|stored]
                                    [--no-warmup] [--store] [--write] [--save/--merge FILE]

Run it with pyspike's python (PYTHONPATH=/work/devsite for a development install); the
Brian2 side runs in the peer venv made by ``bash bench/peers/setup.sh``
($PYSPIKE_BENCH_VENV, by default ~/.cache/pyspike-bench-venv), through
bench/brian2_peer/_runner.py. ``--brian2 stored`` takes Brian2's numbers (and times) from
bench/brian2_stored.json instead, where Brian2 is absent (CI).

For every port that has a peer: deterministic examples (the peer's ``STOCHASTIC`` is
False) run with seed 1 on both sides, stochastic ones with seeds 1..``--seeds`` on each
side. Every run is a process of its own. Wall time is the whole ``main()`` call of the port
(pyspike, cpu backend) or of the peer (Brian2): network construction, code generation,
compilation of what the caches do not hold, the simulation and reading the results; the
simulator is imported before the clock starts. Each side first runs seed 1 once to fill
its caches (pyspike's build cache; Brian2's Cython extension cache or the standalone
project, whose make then rebuilds nothing), and the time reported is that of the next seed-1
run. Brian2 runs on each of ``--targets``; the faster is reported (a failed target is
named in the table). Agreement follows the peer's ``COMPARE``: ``exact``, ``abs``, ``rel``
(per seed, lists element by element), ``spread`` (over the seeds, |mean_a - mean_b| <= k *
max(std_a, std_b), sample standard deviations, plus an absolute floor of 1e-9 *
max(1, |mean_b|) for zero spread; a list counts by its mean); an example agrees when every
compared key does, against every Brian2 target that ran. The peers use k = 4: with 3 seeds
a side, a key whose two sides share one distribution falls outside with probability 0.4%
(1.2% at k = 3), about 0.2 chance failures in a run of the ~45 stochastic keys.

``--store`` merges the Brian2 numbers into bench/brian2_stored.json (per scale and example:
seeds, results per seed, times per target, version, date); ``--write`` puts the table in
bench/RESULTS.md's section "## Brian2's examples side by side (issue 15)", subsection for
the scale; ``--merge FILE`` (from ``--save``) keeps the rows of examples not run now.
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PORTS = os.path.join(REPO, "examples", "brian2")
PEERS = os.path.join(HERE, "brian2_peer")
STORED = os.path.join(HERE, "brian2_stored.json")
SECTION = "## Brian2's examples side by side (issue 15)"
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "pyspike-bench-venv")
TARGETS = ("cython", "cpp_standalone")
sys.path[:0] = [HERE, PEERS]
import _runner  # noqa: E402  (load_peer(): peers import brian2 inside main() only)
import bench_networks  # noqa: E402  (machine(), git_rev())

#: One pyspike run: the port's main() on the cpu backend, timed as the runner times Brian2.
PYSPIKE_WORKER = r"""
import contextlib, importlib.util, io, json, sys, time
import pyspike
sys.path.insert(0, sys.argv[5])
import _runner
path, quick, seed, compare = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4]
spec = importlib.util.spec_from_file_location("port", path)
port = importlib.util.module_from_spec(spec)
spec.loader.exec_module(port)
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    results = port.main(quick=quick, backend="cpu", seed=seed)
wall = time.perf_counter() - t0
print(json.dumps({"wall_s": wall, "pyspike": getattr(pyspike, "__version__", "?"),
                  "results": _runner.scalar_results(results, json.loads(compare))}))
"""


def examples(only=None):
    """Ports with a peer (sorted), and ports without one."""
    ports = sorted(f[:-3] for f in os.listdir(PORTS) if f.endswith(".py")
                   and not f.startswith("_"))
    if only:
        ports = [p for p in ports if p in only]
    have = [p for p in ports if os.path.exists(os.path.join(PEERS, f"{p}.py"))]
    return have, [p for p in ports if p not in have]


def _process(cmd, cwd, timeout, env=None):
    """One run in its own process; its JSON line, or {"error": ...}."""
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:]
        return {"error": f"exit {out.returncode}: " + " ".join(tail).replace("|", "/")}
    try:
        return bench_networks._last_json(out.stdout)
    except ValueError as exc:
        return {"error": str(exc)}


def pyspike_run(name, quick, seed, compare, timeout, snapshot):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [snapshot["dir"]] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    return _process([sys.executable, "-c", PYSPIKE_WORKER, os.path.join(PORTS, f"{name}.py"),
                     "1" if quick else "0", str(seed), json.dumps(sorted(compare)), PEERS],
                    cwd=snapshot["dir"], timeout=timeout, env=env)


def brian2_run(py, name, quick, seed, target, timeout):
    cmd = [py, os.path.join(PEERS, "_runner.py"), name, "--seed", str(seed),
           "--target", target] + (["--quick"] if quick else [])
    return _process(cmd, cwd=os.path.expanduser("~"), timeout=timeout)


def measure(run_one, seeds, warmup):
    """Seed 1 once to fill the caches (when asked), then every seed; per-seed results and
    the time of the measured seed-1 run, or the first error."""
    if warmup:
        first = run_one(seeds[0])
        if "error" in first:
            return {"error": first["error"]}
    runs = []
    for s in seeds:
        r = run_one(s)
        if "error" in r:
            return {"error": f"seed {s}: {r['error']}"}
        runs.append(r)
    return {"results": [r["results"] for r in runs], "wall_s": runs[0]["wall_s"],
            "version": runs[0].get("brian2") or runs[0].get("pyspike")}


def _num(x):
    return float("nan") if x is None else float(x)


def _mean_std(values):
    """Mean and sample standard deviation; nan where a value is nan (statistics' are not)."""
    x = [_num(v) for v in values]
    mean = sum(x) / len(x)
    return mean, (math.sqrt(sum((v - mean) ** 2 for v in x) / (len(x) - 1)) if len(x) > 1
                  else 0.0)


def _agrees(a, b, kind, tol=0.0) -> bool:
    """One value (or list, element by element) by an exact, abs or rel rule; nan = nan."""
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_agrees(x, y, kind, tol) for x, y in zip(a, b)))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and (
            math.isnan(a) or math.isnan(b)):
        return math.isnan(a) and math.isnan(b)
    if kind == "exact" or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= tol * (abs(b) if kind == "rel" else 1.0)


def _show(v) -> str:
    if isinstance(v, list):
        return f"[{len(v)} values]" if len(v) > 10 else "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def compare_key(rule, a_runs, b_runs):
    """(agrees, text) for one key: a = pyspike's values per seed, b = Brian2's."""
    kind = rule[0]
    if kind == "spread" and isinstance(a_runs[0], list):
        # a list (e.g. a volley's size group by group): its mean per seed, since ten
        # element-by-element tests would each risk a chance failure
        a_runs, b_runs = [_mean_std(x)[0] for x in a_runs], [_mean_std(x)[0] for x in b_runs]
    if kind == "spread":
        (ma, sa), (mb, sb) = _mean_std(a_runs), _mean_std(b_runs)
        ok = (abs(ma - mb) <= rule[1] * max(sa, sb) + 1e-9 * max(1.0, abs(mb))
              or math.isnan(ma) and math.isnan(mb))
        return ok, f"{ma:.4g}±{sa:.2g} / {mb:.4g}±{sb:.2g}"
    if kind not in ("exact", "abs", "rel"):
        raise ValueError(f"unknown COMPARE rule {rule!r}")
    tol = rule[1] if kind != "exact" else 0.0
    oks = [_agrees(x, y, kind, tol) for x, y in zip(a_runs, b_runs)]
    a, b = a_runs[0], b_runs[0]
    if isinstance(a, list) and isinstance(b, list) and len(a) > 10 and len(a) == len(b):
        bad = sum(not _agrees(x, y, kind, tol) for x, y in zip(a, b))
        return all(oks), f"{bad} of {len(a)} differ"
    text = f"{_show(a)} / {_show(b)}"
    return all(oks), text + (f" (seed 1 of {len(a_runs)})" if len(a_runs) > 1 else "")


def compare(peer, ps_side, b2_side):
    """(agrees, [(key, ok, text)]) of pyspike's runs against one Brian2 target's."""
    rows = []
    for key, rule in peer.COMPARE.items():
        a = [r.get(key) for r in ps_side["results"]]
        b = [r.get(key) for r in b2_side["results"]]
        if any(x is None for x in a + b):
            rows.append((key, False, "missing on " + ("pyspike" if None in a else "Brian2")))
            continue
        ok, text = compare_key(rule, a, b)
        rows.append((key, ok, text))
    return all(ok for _, ok, _ in rows), rows


def run_example(name, args, py, stored):
    peer = _runner.load_peer(name)
    seeds = [1] if not peer.STOCHASTIC else list(range(1, getattr(peer, "SEEDS", args.seeds) + 1))
    t0 = time.perf_counter()
    ps_side = measure(lambda s: pyspike_run(name, args.quick, s, peer.COMPARE, args.timeout,
                                            args.snapshot), seeds, not args.no_warmup)
    brian2 = {}
    if stored is not None:
        entry = stored.get(args.scale, {}).get(name)
        if entry is not None:
            brian2 = {t: {"results": entry["results"], "wall_s": w, "version": entry["brian2"]}
                      for t, w in entry["wall_s"].items() if w is not None}
            brian2.update({t: {"error": e} for t, e in entry.get("failed", {}).items()})
            seeds = entry["seeds"] if peer.STOCHASTIC else seeds
    else:
        for target in args.targets:
            brian2[target] = measure(
                lambda s: brian2_run(py, name, args.quick, s, target, args.timeout),
                seeds, not args.no_warmup)
    row = {"example": name, "stochastic": bool(peer.STOCHASTIC), "seeds": seeds,
           "pyspike": ps_side, "brian2": brian2, "took_s": time.perf_counter() - t0}
    ok_targets = {t: b for t, b in brian2.items() if "error" not in b}
    if "error" in ps_side or not ok_targets:
        row.update(agree=None, checks=[])
        return row
    fastest = min(ok_targets, key=lambda t: ok_targets[t]["wall_s"])
    try:
        verdicts = {t: compare(peer, ps_side, b) for t, b in ok_targets.items()}
    except Exception as exc:                # a result the rules cannot read: say so, go on
        ps_side["error"] = f"comparing: {exc!r}"
        row.update(agree=None, checks=[])
        return row
    row.update(fastest=fastest, checks=verdicts[fastest][1],
               agree=all(v[0] for v in verdicts.values()),
               targets_differ=[t for t, v in verdicts.items() if v[0] != verdicts[fastest][0]])
    return row


def table_lines(rows):
    lines = ["| example | compared results, pyspike / Brian2 | agree | pyspike (s) "
             "| Brian2 (s, target) | ratio |", "|---|---|---|---|---|---|"]
    for r in rows:
        kind = f"stochastic, {len(r['seeds'])} seeds" if r["stochastic"] else "seed 1"
        ps_s = r["pyspike"].get("wall_s")
        if r["agree"] is None:
            errs = [f"{k}: {v['error']}" for k, v in
                    [("pyspike", r["pyspike"])] + list(r["brian2"].items()) if "error" in v]
            lines.append(f"| {r['example']} ({kind}) | not compared: {'; '.join(errs)} | – "
                         f"| {_f(ps_s)} | – | – |")
            continue
        checks = "; ".join(f"{k} {t}" + ("" if ok else " **differs**")
                           for k, ok, t in r["checks"])
        b2 = r["brian2"][r["fastest"]]["wall_s"]
        others = [f"{t} {_f(b['wall_s'])}" if "error" not in b else f"{t} failed: {b['error']}"
                  for t, b in r["brian2"].items() if t != r["fastest"]]
        where = r["fastest"] + ("; " + "; ".join(others) if others else "")
        if r["targets_differ"]:
            where += "; targets disagree: " + ", ".join(r["targets_differ"])
        lines.append(f"| {r['example']} ({kind}) | {checks} | {'yes' if r['agree'] else 'no'} "
                     f"| {_f(ps_s)} | {_f(b2)} ({where}) | {_f(ps_s / b2, '{:.2f}')} |")
    return lines


def summary_line(rows) -> str:
    done = [r for r in rows if r["agree"] is not None]
    agree = sum(bool(r["agree"]) for r in done)
    faster = sum(r["pyspike"]["wall_s"] < r["brian2"][r["fastest"]]["wall_s"] for r in done)
    return (f"agree {agree}/{len(done)}; pyspike faster than Brian2's fastest target "
            f"{faster}/{len(done)}" + (f"; {len(rows) - len(done)} not compared"
                                       if len(rows) > len(done) else ""))


def _f(x, fmt="{:.2f}"):
    return "–" if x is None else fmt.format(x)


def store(rows, scale):
    data = json.load(open(STORED)) if os.path.exists(STORED) else {}
    data["about"] = ("Brian2's results for bench/brian2_peer/ by bench/brian2_examples.py "
                     "--store, read by tests/examples/test_brian2_stored.py, --brian2 stored")
    for r in rows:
        ok = {t: b for t, b in r["brian2"].items() if "error" not in b}
        if not ok:
            continue
        best = min(ok, key=lambda t: ok[t]["wall_s"])
        data.setdefault(scale, {})[r["example"]] = {
            "scale": scale, "stochastic": r["stochastic"], "seeds": r["seeds"],
            "target": best, "results": ok[best]["results"], "brian2": ok[best]["version"],
            "wall_s": {t: ok[t]["wall_s"] for t in ok},
            "failed": {t: b["error"] for t, b in r["brian2"].items() if "error" in b},
            "pyspike_wall_s": r["pyspike"].get("wall_s"),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
        data[scale] = dict(sorted(data[scale].items()))
    with open(STORED, "w") as f:
        json.dump(data, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"stored Brian2's numbers in {STORED}")


def write_results(rows, args, took_s, missing):
    title = "### Quick scale" if args.quick else "### Full scale"
    versions = sorted({b["version"] for r in rows for b in r["brian2"].values() if "version" in b})
    argv = sys.argv[1:]
    if "--save" in argv:                    # a scratch file: not part of the command
        del argv[argv.index("--save"):argv.index("--save") + 2]
    cmd = "python bench/brian2_examples.py " + " ".join(argv)
    body = [title, "",
            f"Command: `{cmd}` ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} "
            f"UTC, took {took_s / 60:.1f} min; repository HEAD {bench_networks.git_rev()}, pyspike "
            f"fingerprint {args.snapshot['fingerprint']}). "
            f"Machine: {bench_networks.machine()}; Python {platform.python_version()}; "
            f"Brian2 {', '.join(versions) or 'not run'}"
            + (" (stored numbers)" if args.brian2 == "stored" else "") + ".", ""]
    body += table_lines(rows) + ["", summary_line(rows) + "."]
    if missing:
        body += ["", "Ports without a peer (not compared): " + ", ".join(missing) + "."]
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read()
    start = text.find(SECTION)
    if start < 0:
        text = (text.rstrip() + "\n\n" + SECTION + "\n\n"
                + __doc__.split("\n\n")[3].replace("\n", " ").strip() + "\n")
        start = text.find(SECTION)
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end + 1
    section = text[start:end].rstrip("\n") + "\n"
    sub = section.find(title + "\n")
    if sub >= 0:
        nxt = section.find("\n### ", sub + 1)
        section = section[:sub] + "\n".join(body) + "\n" + (section[nxt:] if nxt >= 0 else "")
    else:
        section = section.rstrip("\n") + "\n\n" + "\n".join(body) + "\n"
    text = text[:start] + section + ("\n" + text[end:] if end < len(text) else "")
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="each example's quick scale")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="these ports only")
    ap.add_argument("--targets", default=",".join(TARGETS), help="Brian2 targets, comma-separated")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per side, stochastic examples")
    ap.add_argument("--brian2", choices=("run", "stored"), default="run")
    ap.add_argument("--no-warmup", action="store_true", help="no cache-filling first run")
    ap.add_argument("--timeout", type=float, default=3600.0, help="s per process")
    ap.add_argument("--store", action="store_true", help="update bench/brian2_stored.json")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    ap.add_argument("--save", help="write the raw rows (JSON) to this file")
    ap.add_argument("--merge", help="rows saved by --save, kept for examples not run now")
    args = ap.parse_args()
    args.targets = [t for t in args.targets.split(",") if t]
    args.scale = "quick" if args.quick else "full"
    if any(t not in TARGETS for t in args.targets):
        ap.error(f"--targets: choose among {', '.join(TARGETS)}")
    py, stored = None, None
    if args.brian2 == "stored":
        stored = json.load(open(STORED))
    else:
        py = os.path.join(os.environ.get("PYSPIKE_BENCH_VENV", DEFAULT_VENV), "bin", "python")
        if not os.access(py, os.X_OK):
            sys.exit(f"no peer venv at {py}: run `bash bench/peers/setup.sh` "
                     "(or --brian2 stored)")
    names, missing = examples(args.only)
    t0, rows = time.perf_counter(), []
    with tempfile.TemporaryDirectory(prefix="pyspike-brian2-examples-") as snap:
        # every pyspike run imports this copy: others may reinstall pyspike meanwhile
        args.snapshot = bench_networks.snapshot_pyspike(snap)
        print(f"pyspike {args.snapshot['source']} (fingerprint "
              f"{args.snapshot['fingerprint']})", file=sys.stderr, flush=True)
        for name in names:
            print(f"{name} ...", file=sys.stderr, flush=True)
            rows.append(run_example(name, args, py, stored))
            print("\n".join(table_lines(rows[-1:])[2:]), file=sys.stderr, flush=True)
            if args.save:                   # after each example: a crash keeps the others
                with open(args.save, "w") as f:
                    json.dump(rows, f, indent=1)
    took, new_rows = time.perf_counter() - t0, rows
    if args.merge:                          # an earlier run's rows for the others
        merged = {r["example"]: r for r in json.load(open(args.merge))}
        merged.update({r["example"]: r for r in rows})
        rows = [merged[k] for k in sorted(merged)]
        if args.save:
            with open(args.save, "w") as f:
                json.dump(rows, f, indent=1)
    print("\n".join(table_lines(rows)))
    print(summary_line(rows))
    if missing:
        print("ports without a peer:", ", ".join(missing))
    if args.store and args.brian2 == "run":
        store(new_rows, args.scale)
    if args.write:
        write_results(rows, args, took, missing)


if __name__ == "__main__":
    main()
