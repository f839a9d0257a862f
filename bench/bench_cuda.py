"""The CUDA backend's benchmarks (issue 4), on the GPU of the machine it runs on.

    python bench/bench_cuda.py [--cases pd14,brunel,batch] [--scale 1.0] [--duration 10000]
                               [--repeats 3] [--batch 1000] [--sequential 20]
                               [--backend cuda] [--write]

- ``pd14``: the Potjans-Diesmann microcircuit (examples/microcircuit.py) at ``--scale``,
  float32 and float64, no spike recording in the timed runs: wall seconds per model second
  (``--duration`` ms of model time per run, ``--repeats`` runs continuing one another;
  medians).  Published anchors: GeNN on an RTX 4090 0.272x, NEST GPU 0.386x real time.
- ``brunel``: a large Brunel network (regime C, 100,000 neurons, 1,000 inputs each) for
  1 s: synaptic events per second against the memory-bandwidth bound of 8 bytes per event
  (the bandwidth measured here, as a device-to-device copy).
- ``batch``: ``--batch`` CUBA-4000 instances for 1 s in one ``Network(batch=K)`` against
  separate runs of one instance each (a fresh network per run, its code from the cache),
  everything counted (construction, connectivity, build, upload, run); ``--sequential``
  separate runs are timed and their median scaled to K.  ``--backend cpu`` measures the
  same on the CPU.

``--write`` puts the section "## CUDA backend (issue 4)" at the end of bench/RESULTS.md,
replacing it if there, with the GPU's name and the command.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))
SECTION = "## CUDA backend (issue 4)"
ANCHORS = {"GeNN, RTX 4090": 0.272, "NEST GPU": 0.386}


def gpu_name() -> str:
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    return props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])


def bandwidth_gbs() -> float:
    """Device memory bandwidth (GB/s) of a 2 GiB device-to-device copy: read + write."""
    import cupy
    a = cupy.ones(2 ** 28, dtype=cupy.float64)
    b = cupy.empty_like(a)
    times = []
    for _ in range(5):
        start, stop = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        b[...] = a
        stop.record()
        stop.synchronize()
        times.append(cupy.cuda.get_elapsed_time(start, stop) * 1e-3)
    return 2 * a.nbytes / statistics.median(times) / 1e9


def pd14(scale: float, duration: float, repeats: int, precision: str) -> dict:
    import microcircuit
    import pyspike as ps
    net = ps.Network(dt=0.1, seed=1, backend="cuda", precision=precision)
    t0 = time.perf_counter()
    objs = microcircuit.microcircuit(net, scale)
    t1 = time.perf_counter()
    net.build()
    t2 = time.perf_counter()
    runs = []
    for _ in range(repeats):
        a = time.perf_counter()
        net.run(duration)
        runs.append(time.perf_counter() - a)
    n_syn = sum(S.n for S in objs["synapses"].values())
    return {"precision": precision, "connect_s": t1 - t0, "build_s": t2 - t1,
            "runs": runs, "rtf": statistics.median(runs) / (duration * 1e-3),
            "neurons": sum(g.N for g in objs["groups"].values()), "synapses": n_syn}


def brunel(repeats: int) -> dict:
    import networks
    import pyspike as ps
    results = []
    for r in range(repeats):
        net = ps.Network(dt=0.1, seed=r + 1, backend="cuda", precision="single")
        objs = networks.brunel(net, "C", n_exc=80000, n_inh=20000, p=0.01)
        with net:
            rate = ps.PopulationRateMonitor(objs["P"])
        net.build()
        net.run(100.0)            # warm-up: uploads, first graph
        a = time.perf_counter()
        net.run(1000.0)
        wall = time.perf_counter() - a
        spikes = rate.rate[-10000:].sum() * 0.1e-3 * objs["P"].N
        out_degree = (objs["Se"].n + objs["Si"].n) / objs["P"].N
        results.append({"wall": wall, "events": spikes * out_degree,
                        "rate_hz": spikes / objs["P"].N})
    wall = statistics.median(x["wall"] for x in results)
    events = statistics.median(x["events"] for x in results)
    return {"wall": wall, "events": events, "events_per_s": events / wall,
            "rate_hz": statistics.median(x["rate_hz"] for x in results)}


def batch(K: int, sequential: int, backend: str) -> dict:
    import networks
    import pyspike as ps

    def one(batch, seed):
        a = time.perf_counter()
        net = ps.Network(dt=0.1, seed=seed, backend=backend, precision="single",
                         batch=batch)
        objs = networks.cuba(net)
        with net:
            mon = ps.SpikeMonitor(objs["P"])
        net.run(1000.0)
        return time.perf_counter() - a, mon.num_spikes
    one(None, 0)                                    # compile once (both are cached then)
    one(K, 0)
    batched, spikes = one(K, 1)
    singles = [one(None, 1 + b)[0] for b in range(sequential)]
    return {"K": K, "batched_s": batched, "single_s": statistics.median(singles),
            "sequential_s": statistics.median(singles) * K,
            "rate_hz": float(spikes.mean()) / 4000, "backend": backend}


def report(args, pd14_rows, brunel_row, bw, batch_row=None) -> str:
    device = gpu_name() if args.backend == "cuda" else "CPU"
    lines = [SECTION, "",
             f"GPU: {device}; measured {time.strftime('%Y-%m-%d')} with "
             f"`python bench/bench_cuda.py {' '.join(sys.argv[1:])}` (medians).", ""]
    if pd14_rows:
        lines += ["| model | precision | neurons | synapses | connect s | build s | "
                  "x real time |", "|---|---|---|---|---|---|---|"]
        for r in pd14_rows:
            lines.append(f"| PD14 scale {args.scale:g} | {r['precision']} | {r['neurons']} | "
                         f"{r['synapses']:.3g} | {r['connect_s']:.1f} | {r['build_s']:.1f} | "
                         f"{r['rtf']:.3f} |")
        lines += ["", "Anchors: " + ", ".join(f"{k} {v}x" for k, v in ANCHORS.items()) +
                  "; target <= 0.2x on one H100.", ""]
    if brunel_row:
        bound = bw * 1e9 / 8
        lines += [f"Brunel C (100,000 neurons, 1,000 inputs each, float32): "
                  f"{brunel_row['rate_hz']:.1f} Hz, {brunel_row['events_per_s']:.3g} "
                  f"events/s = {100 * brunel_row['events_per_s'] / bound:.1f}% of the "
                  f"bandwidth bound ({bw:.0f} GB/s / 8 B = {bound:.3g} events/s; "
                  "target >= 30%).", ""]
    if batch_row:
        r = batch_row
        lines += [f"Batching ({r['backend']}): {r['K']} CUBA-4000 instances for 1 s "
                  f"(float32, {r['rate_hz']:.1f} Hz) in one batched network: "
                  f"{r['batched_s']:.2f} s; one instance alone: {r['single_s']:.3f} s, "
                  f"so {r['K']} sequential runs {r['sequential_s']:.1f} s: "
                  f"**{r['sequential_s'] / r['batched_s']:.3g}x** faster batched "
                  "(target >= 100x).", ""]
    return "\n".join(lines)


def write(section: str) -> None:
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + (text[nxt + 1:] if nxt >= 0 else "")
    open(path, "w").write(text.rstrip("\n") + "\n\n" + section + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="pd14,brunel,batch")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=10000.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--backend", default="cuda")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = args.cases.split(",")
    rows = [pd14(args.scale, args.duration, args.repeats, p)
            for p in ("single", "double")] if "pd14" in cases else []
    b = brunel(args.repeats) if "brunel" in cases else None
    k = batch(args.batch, args.sequential, args.backend) if "batch" in cases else None
    bw = bandwidth_gbs() if args.backend == "cuda" else 0.0
    text = report(args, rows, b, bw, k)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
