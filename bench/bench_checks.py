"""What runs in chunks with non-finite checks cost (issue 12): the LIF benchmark group and
CUBA, run by this checkout and by an earlier pyspike installed elsewhere, side by side.

    python bench/bench_checks.py --baseline-site /tmp/base_site [--repeats 15] [--rounds 3]

``--baseline-site`` is a folder holding an installed pyspike from before the change
(``pip install --no-deps --target /tmp/base_site .`` in a checkout of that commit); the
current code is the pyspike this interpreter imports.  Cases, each 1 s of model time at
dt = 0.1 ms on the CPU backend: ``lif`` (4000 neurons, bench_lif's model) and ``cuba``
(4000 neurons, examples/networks.py).  Configurations: ``before`` (the baseline), ``after``
(this code, defaults: chunks and checks), ``after_unchecked`` (``check_finite=False``).
Each process builds, runs once to warm up, then times ``--repeats`` runs; rounds
alternate the configurations so that drifts of the machine hit all alike.  Reports the
median run time of each, its ratio to ``before``, and the median time the non-finite
checks themselves took per run (and their share of the run): on a busy machine the
ratios move by several per cent either way, the checks' own time does not.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPT = r"""
import json, sys, time, importlib.util
import pyspike as ps
case, repeats, unchecked, examples = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
kw = {"check_finite": False} if unchecked else {}
net = ps.Network(dt=0.1, seed=1, backend="cpu", **kw)
with net:
    if case == "lif":
        model = ps.NeuronModel('''
            dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)
            I : nA''', threshold="v > v_th", reset="v = v_reset", refractory=2.0,
            params={"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0,
                    "v_reset": -65.0})
        ps.NeuronGroup(4000, model, init={"v": "v_rest + rand()*(v_th - v_rest)",
                                          "I": "10 + 20*rand()"})
    else:
        spec = importlib.util.spec_from_file_location("networks", examples)
        mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
        mod.cuba(net, 4000)
checking = [0.0]
try:                                  # the checks' own time, where there are checks
    from pyspike import finite
    _check = finite.FiniteCheck._check
    def timed(self, *a, **k):
        t0 = time.perf_counter()
        try:
            return _check(self, *a, **k)
        finally:
            checking[0] += time.perf_counter() - t0
    finite.FiniteCheck._check = timed
except ImportError:
    pass
net.run(1000.0)                       # build, warm-up
times, checks = [], []
for _ in range(repeats):
    checking[0] = 0.0
    t0 = time.perf_counter(); net.run(1000.0); times.append(time.perf_counter() - t0)
    checks.append(checking[0])
print(json.dumps([times, checks]))
"""


def _measure(case: str, config: str, args) -> list:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if config == "before":
        env["PYTHONPATH"] = args.baseline_site
    cmd = [sys.executable, "-c", SCRIPT, case, str(args.repeats),
           "1" if config == "after_unchecked" else "0",
           os.path.join(HERE, "..", "examples", "networks.py")]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/", check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])   # [run times, check times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-site", required=True)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    configs = ("before", "after", "after_unchecked")
    times = {(c, k): [] for c in ("lif", "cuba") for k in configs}
    checks = {(c, k): [] for c in ("lif", "cuba") for k in configs}
    for r in range(args.rounds):
        for case in ("lif", "cuba"):
            for config in (configs if r % 2 == 0 else configs[::-1]):
                run, check = _measure(case, config, args)
                times[(case, config)] += run
                checks[(case, config)] += check
    print(f"{'case':6} {'configuration':16} {'median run':>11} {'vs before':>10} "
          f"{'checks':>10} {'share':>7}")
    for case in ("lif", "cuba"):
        base = statistics.median(times[(case, "before")])
        for config in configs:
            med = statistics.median(times[(case, config)])
            check = statistics.median(checks[(case, config)])
            print(f"{case:6} {config:16} {med * 1e3:8.2f} ms {med / base:9.3f}x "
                  f"{check * 1e6:7.1f} us {check / med:7.3%}")


if __name__ == "__main__":
    main()
