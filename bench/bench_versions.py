"""pyspike against pyspike: two installed versions side by side (issue 13's "no slower").

    python bench/bench_versions.py --before DIR --after DIR [--repeats 6] [--write]
                                   [--lif-cases lif,lif_noise] [--cases cuba:4000,...]

``DIR`` is a folder holding an installed ``pyspike`` (``pip install --no-deps --target DIR
.`` from a checkout of the commit), put first on the workers' PYTHONPATH.  Cases: the
LIF groups of bench/bench_lif.py (4000 neurons) and CUBA, COBA, COBAHH of
examples/networks.py at 4000 and 40,000 neurons; a run time is the median of several runs
of 1 s of model time in one process, after a first run (whose time is reported too).
Every measurement is a process of its own with an empty cache, so its build is cold
(sympy + templates + g++).  The two versions alternate which runs first, repeat by
repeat: on a small machine the second of two back-to-back processes runs a few per cent
slower, so the repeats must be even for that to fall on both alike.  Tables give medians
and the ratio after/before; ``--write`` puts them in bench/RESULTS.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_lif  # noqa: E402
import bench_networks  # noqa: E402

SECTION = "## pyspike before and after a refactor (issue 13)"
NETWORK_CASES = [f"{m}:{n}" for n in (4000, 40000) for m in ("cuba", "coba", "cobahh")]


def _env(site: str) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([site] + [
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def lif(site: str, case: str, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        equations, precision = bench_lif.CASES[case]
        env = dict(_env(site), PYSPIKE_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", bench_lif.SCRIPT, case, "4000", "1000",
                              str(repeats), "run", json.dumps(equations), precision],
                             capture_output=True, text=True, env=env, check=True, cwd=cache)
        res = json.loads(out.stdout.strip().splitlines()[-1])
    return {"build_s": res["build"], "run_s": statistics.median(res["runs"])}


#: One network: cold build, a first run of 1 s, then the median of more runs.
NETWORK_WORKER = r"""
import json, statistics, sys, time
import pyspike as ps
model, n, cache, seed, runs, examples, ms = sys.argv[1:8]
sys.path.insert(0, examples)
import networks
net = ps.Network(dt=0.1, seed=int(seed), backend="cpu", cache_dir=cache)
objs = getattr(networks, model)(net, int(n))
with net:
    mon = ps.SpikeMonitor(objs["P"])
t0 = time.perf_counter(); net.build(); build = time.perf_counter() - t0
t0 = time.perf_counter(); net.run(1000.0); first = time.perf_counter() - t0
spikes = mon.num_spikes
times = []
for _ in range(int(runs)):   # (a run of ms model time, reported per second of it)
    t0 = time.perf_counter(); net.run(float(ms))
    times.append((time.perf_counter() - t0) * 1000.0 / float(ms))
print(json.dumps({"build_s": build, "first_s": first, "run_s": statistics.median(times),
                  "spikes": spikes, "file": ps.__file__}))
"""


def network(site: str, case: str, seed: int, runs: int, ms: float = 1000.0) -> dict:
    model, n = case.split(":")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", NETWORK_WORKER, model, n, cache,
                              str(seed), str(runs), bench_networks.EXAMPLES, str(ms)],
                             cwd=cache,
                             capture_output=True, text=True, env=_env(site), check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res.pop("file").startswith(site):
        raise RuntimeError(f"{case} imported another pyspike than {site}")
    return res


def measure(args) -> dict:
    versions = {"before": args.before, "after": args.after}
    results = {}
    cases = [("lif", c) for c in args.lif_cases.split(",") if c] + \
        [("network", c) for c in args.cases.split(",") if c]
    for r in range(args.repeats):
        for kind, case in cases:
            for label in (("before", "after") if r % 2 == 0 else ("after", "before")):
                site = versions[label]
                res = lif(site, case, 7) if kind == "lif" else \
                    network(site, case, r + 1, 3 if case.endswith("40000") else 7,
                            args.run_ms)
                results.setdefault(case, {}).setdefault(label, []).append(res)
                print(f"{case} {label} r{r}: {res}", flush=True)
    return results


def report(results: dict, args) -> str:
    lines = [SECTION, "",
             f"`python bench/bench_versions.py --before {args.before} --after {args.after} "
             f"--repeats {args.repeats}` on {bench_networks.machine()}; medians of "
             f"{args.repeats} processes each, every build cold; a run time is the median, in "
             f"its process, of 7 runs of {args.run_ms / 1000:g} s of model time (times per "
             "simulated second) after a first one (3 at 40,000 "
             "neurons; for the networks, the first run's ratio is the last column).", "",
             "| case | build before (s) | build after (s) | ratio | run before (s) | "
             "run after (s) | ratio | first run ratio |", "|---|---|---|---|---|---|---|---|"]
    for case, by in results.items():
        keys = ("build_s", "run_s", "first_s")
        med = {label: {k: statistics.median(r[k] for r in runs) for k in keys if k in runs[0]}
               for label, runs in by.items()}
        b, a = med["before"], med["after"]
        first = f"{a['first_s'] / b['first_s']:.3f}" if "first_s" in b else ""
        lines.append(f"| {case} | {b['build_s']:.3f} | {a['build_s']:.3f} | "
                     f"{a['build_s'] / b['build_s']:.3f} | {b['run_s']:.4f} | "
                     f"{a['run_s']:.4f} | {a['run_s'] / b['run_s']:.3f} | {first} |")
        spikes = {label: {r.get("spikes") for r in runs} for label, runs in by.items()}
        if spikes["before"] != spikes["after"]:
            lines.append(f"| {case}: spike counts differ: {spikes} | | | | | | | |")
    return "\n".join(lines) + "\n"


def write(section: str) -> None:
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read()
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--repeats", type=int, default=6, help="even: each version first as often")
    p.add_argument("--lif-cases", default="lif,lif_noise,lif_single,lif_noise_single")
    p.add_argument("--cases", default=",".join(NETWORK_CASES))
    p.add_argument("--run-ms", type=float, default=1000.0,
                   help="model time of each timed network run (times are per second)")
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    if args.repeats % 2:
        p.error("--repeats must be even: each version runs first in half of them")
    args.before, args.after = os.path.abspath(args.before), os.path.abspath(args.after)
    section = report(measure(args), args)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
