"""Time of the native connectivity builders for ~1e8 synapses on one core.

    python bench/bench_connect.py [--synapses 1e8] [--repeats 3]

Cases: connect_fixed_probability on n x n pairs at p = 0.1, and connect_fixed_indegree /
connect_fixed_outdegree with k = 0.1 n, where n = sqrt(synapses / 0.1) (31623 for 1e8).
Each case runs in its own process, so that its peak resident memory (getrusage) is its
own: the two int32 output arrays alone take 8 bytes per synapse.  Prints the median time,
synapses per second and the peak RSS.
"""
import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time

CASES = ("fixed_probability", "fixed_indegree", "fixed_outdegree")


def run_one(case, n, repeats):
    """Runs in the child process: times `repeats` calls of one builder."""
    from pyspike import _native

    k = round(0.1 * n)
    call = {
        "fixed_probability": lambda: _native.connect_fixed_probability(1, 0, n, n, 0.1),
        "fixed_indegree": lambda: _native.connect_fixed_indegree(1, 0, n, n, k),
        "fixed_outdegree": lambda: _native.connect_fixed_outdegree(1, 0, n, n, k),
    }[case]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, count = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        i, j = call()
        times.append(time.perf_counter() - t0)
        count = len(i)
        del i, j  # free before the next call: the peak is that of one result
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"case": case, "n": n, "synapses": count, "seconds": statistics.median(times),
                      "peak_rss_mib": peak / 1024, "rss_before_mib": rss_before / 1024}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapses", type=float, default=1e8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = round(math.sqrt(args.synapses / 0.1))
    if args.one:
        run_one(args.one, n, args.repeats)
        return
    print(f"n_pre = n_post = {n}, p = 0.1 / k = {round(0.1 * n)}, median of {args.repeats}")
    print(f"{'case':<20}{'synapses':>12}{'seconds':>10}{'synapses/s':>13}{'peak RSS (MiB)':>15}")
    for case in CASES:
        out = subprocess.run([sys.executable, __file__, "--one", case, "--synapses",
                              str(args.synapses), "--repeats", str(args.repeats)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{case:<20}{r['synapses']:>12}{r['seconds']:>10.2f}"
              f"{r['synapses'] / r['seconds']:>13.3g}{r['peak_rss_mib']:>15.0f}")
    print("(peak RSS includes the interpreter and numpy, "
          f"{r['rss_before_mib']:.0f} MiB before the first call)")


if __name__ == "__main__":
    main()
