"""Build and run times of a 4000-neuron LIF group (issue 2's benchmark).

    python bench/bench_lif.py [--repeats 7] [--n 4000] [--duration 1000] [--write]

Cases: LIF with heterogeneous constant input (exact integration), and the same group
with a white-noise term (Euler-Maruyama), each in float64 and float32.  For each: the cold
build (empty cache:
sympy + templates + g++), the warm build (a new process, same cache: load only), and the
run of ``duration`` ms at dt = 0.1 ms (median of ``repeats`` runs).  ``--write`` updates
bench/RESULTS.md.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
#: Issue 2's target for the noiseless run of 1 s of model time (the noise may cost 3x it).
TARGET_S = 0.020


def _target(args) -> float:
    """The noiseless target for the run length benchmarked, in seconds."""
    return TARGET_S * args.duration / 1000.0

LIF = """
    dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)
    I : nA
"""
LIF_NOISE = """
    dv/dt = (v_rest - v + R*I) / tau_m + sigma*xi/sqrt(tau_m) : mV (unless refractory)
    I : nA
"""
CASES = {
    "lif": (LIF, "double"),
    "lif_noise": (LIF_NOISE, "double"),
    "lif_single": (LIF, "single"),
    "lif_noise_single": (LIF_NOISE, "single"),
}

SCRIPT = r"""
import json, sys, time
import numpy as np
import pyspike as ps
case, n, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
repeats, mode = int(sys.argv[4]), sys.argv[5]
eqs, precision = json.loads(sys.argv[6]), sys.argv[7]
model = ps.NeuronModel(eqs, threshold="v > v_th", reset="v = v_reset", refractory=2.0,
    params={"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0, "v_reset": -65.0,
            "sigma": 2.0})
net = ps.Network(dt=0.1, seed=1, backend="cpu", precision=precision)
with net:
    G = ps.NeuronGroup(n, model, init={"v": "v_rest + rand()*(v_th - v_rest)",
                                       "I": "10 + 20*rand()"})
t0 = time.perf_counter(); info = net.build(); build = time.perf_counter() - t0
runs = []
if mode == "run":
    net.run(duration)                        # warm-up: page in the arrays
    for _ in range(repeats):
        t0 = time.perf_counter(); net.run(duration); runs.append(time.perf_counter() - t0)
print(json.dumps({"build": build, "generated": info.generated, "compiled": info.compiled,
                  "generate_s": info.generate_s, "compile_s": info.compile_s, "runs": runs}))
"""


def measure(case, n, duration, repeats, cache, mode):
    env = dict(os.environ, PYSPIKE_CACHE_DIR=cache)
    equations, precision = CASES[case]
    out = subprocess.run([sys.executable, "-c", SCRIPT, case, str(n), str(duration),
                          str(repeats), mode, json.dumps(equations), precision],
                         capture_output=True, text=True, env=env, check=True,
                         cwd=cache)   # not the repository: import the installed pyspike
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--duration", type=float, default=1000.0)
    p.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = p.parse_args()
    steps = int(round(args.duration / 0.1))
    rows = []
    for case in CASES:
        colds, warms = [], []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as cache:
                cold = measure(case, args.n, args.duration, 0, cache, "build")
                assert cold["compiled"], "the cold build should compile"
                warm = measure(case, args.n, args.duration, 0, cache, "build")
                assert not warm["compiled"] and not warm["generated"]
                colds.append(cold)
                warms.append(warm["build"])
        with tempfile.TemporaryDirectory() as cache:
            run = measure(case, args.n, args.duration, args.repeats, cache, "run")
        med = statistics.median(run["runs"])
        rows.append({"case": case, "cold": statistics.median(c["build"] for c in colds),
                     "cold_generate": statistics.median(c["generate_s"] for c in colds),
                     "cold_compile": statistics.median(c["compile_s"] for c in colds),
                     "warm": statistics.median(warms), "run": med,
                     "ns_per_neuron_step": med / (args.n * steps) * 1e9,
                     "runs": run["runs"]})
        print(f"{case:17s} cold build {rows[-1]['cold']:.2f} s "
              f"(sympy+render {rows[-1]['cold_generate']:.2f}, g++ {rows[-1]['cold_compile']:.2f})"
              f"  warm build {rows[-1]['warm'] * 1e3:.0f} ms  run {med * 1e3:.1f} ms "
              f"per {args.duration:g} ms ({rows[-1]['ns_per_neuron_step']:.2f} ns/neuron-step)")
    noise_ratio = rows[1]["run"] / rows[0]["run"]
    print(f"noise costs {noise_ratio:.2f}x the noiseless run (float64), "
          f"{rows[3]['run'] / rows[2]['run']:.2f}x (float32); the noise runs are "
          f"{rows[1]['run'] / _target(args):.2f}x and "
          f"{rows[3]['run'] / _target(args):.2f}x the 20 ms "
          "target")
    if args.write:
        write_results(rows, noise_ratio, args)


def write_results(rows, noise_ratio, args) -> None:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    lines = [
        "## LIF group, CPU backend (issue 2)", "",
        f"Machine: {cpu}, {os.cpu_count()} cores; {args.n} neurons, "
        f"{args.duration:g} ms of model time at dt = 0.1 ms; medians (builds over 3 fresh "
        f"caches, runs over {args.repeats} runs after a warm-up).", "",
        "Command: `python bench/bench_lif.py --write`", "",
        "| case | cold build (s) | of which sympy+render | of which g++ | warm build (ms) "
        "| run (ms) | ns / neuron-step |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['cold']:.2f} | {r['cold_generate']:.2f} | "
                     f"{r['cold_compile']:.2f} | {r['warm'] * 1e3:.0f} | {r['run'] * 1e3:.1f} | "
                     f"{r['ns_per_neuron_step']:.2f} |")
    lines += ["", f"Noise costs {noise_ratio:.2f}x the noiseless run in float64 and "
              f"{rows[3]['run'] / rows[2]['run']:.2f}x in float32; the noise runs take "
              f"{rows[1]['run'] / _target(args):.2f}x and "
              f"{rows[3]['run'] / _target(args):.2f}x the "
              "noiseless target. Targets (issue 2): cold build <= 5 s, warm <= 0.3 s, "
              "run <= 20 ms, noise <= 3x.", ""]
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n\n"
    start = text.find("## LIF group, CPU backend (issue 2)")
    if start >= 0:
        # replace the generated part (up to the targets line); keep the prose after it
        marker = text.find("noise <= 3x.", start)
        end = text.find("\n## ", start + 1) if marker < 0 else marker + len("noise <= 3x.")
        rest = text[end:] if end >= 0 else ""
        text = text[:start] + "\n".join(lines).rstrip("\n") + rest
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines)
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
