"""The CUDA backend's benchmarks (issue 4), on the GPU of the machine it runs on.

    python bench/bench_cuda.py [--cases pd14,brunel,batch] [--scale 1.0] [--duration 10000]
                               [--repeats 3] [--batch 1000] [--sequential 20]
                               [--backend cuda] [--write]

- ``pd14``: the Potjans-Diesmann microcircuit (examples/microcircuit.py) at ``--scale``,
  float32 and float64, no spike recording in the timed runs: wall seconds per model second
  (``--duration`` ms of model time per run, ``--repeats`` runs continuing one another;
  medians).  Published anchors: GeNN on an RTX 4090 0.272x, NEST GPU 0.386x real time.
- ``brunel``: a large Brunel network (regime C, 100,000 neurons at ``--scale`` 1, 1,000
  inputs each) for 1 s: synaptic events per second against the memory-bandwidth bound of
  8 bytes per event (the bandwidth measured here, as a device-to-device copy).
- ``batch``: ``--batch`` CUBA-4000 instances for 1 s in one ``Network(batch=K)`` against
  separate runs of one instance each (a fresh network per run, its code from the cache),
  everything counted (construction, connectivity, build, upload, run); ``--sequential``
  separate runs are timed and their median scaled to K.  ``--backend cpu`` measures the
  same on the CPU.

``--write`` puts each measured case under its heading in the section "## CUDA backend
(issue 4)" at the end of bench/RESULTS.md, with the GPU's name and the command, keeping
the cases measured by earlier calls (each case may get a call of its own).  A quick check
of the script itself, on the CPU: ``--backend cpu --scale 0.02 --duration 20 --repeats 1
--batch 2 --sequential 1``.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))
SECTION = "## CUDA backend (issue 4)"
CASE_TITLES = {"pd14": "### PD14 microcircuit", "brunel": "### Synaptic events per second",
               "batch": "### Batching"}
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


def pd14(scale: float, duration: float, repeats: int, precision: str,
         backend: str = "cuda") -> dict:
    import microcircuit
    import pyspike as ps
    net = ps.Network(dt=0.1, seed=1, backend=backend, precision=precision)
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


def brunel(repeats: int, scale: float = 1.0, backend: str = "cuda") -> dict:
    import networks
    import pyspike as ps
    results = []
    for r in range(repeats):
        net = ps.Network(dt=0.1, seed=r + 1, backend=backend, precision="single")
        # 1,000 inputs per neuron at any scale (p = 1000 / N)
        n_exc, n_inh = int(80000 * scale), int(20000 * scale)
        objs = networks.brunel(net, "C", n_exc=n_exc, n_inh=n_inh,
                               p=min(1.0, 1000 / (n_exc + n_inh)))
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
            "rate_hz": statistics.median(x["rate_hz"] for x in results),
            "neurons": objs["P"].N}


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


def report(args, pd14_rows, brunel_row, bw, batch_row=None) -> dict:
    """The text of each case measured, under its own heading (### ...)."""
    device = gpu_name() if args.backend == "cuda" else "CPU"
    measured = (f"{device}; measured {time.strftime('%Y-%m-%d')} with "
                f"`python bench/bench_cuda.py {' '.join(sys.argv[1:])}` (medians).")
    parts = {}
    if pd14_rows:
        lines = [CASE_TITLES["pd14"], "", measured, ""]
        lines += ["| model | precision | neurons | synapses | connect s | build s | "
                  "x real time |", "|---|---|---|---|---|---|---|"]
        for r in pd14_rows:
            lines.append(f"| PD14 scale {args.scale:g} | {r['precision']} | {r['neurons']} | "
                         f"{r['synapses']:.3g} | {r['connect_s']:.1f} | {r['build_s']:.1f} | "
                         f"{r['rtf']:.3f} |")
        lines += ["", "Anchors: " + ", ".join(f"{k} {v}x" for k, v in ANCHORS.items()) +
                  "; target <= 0.2x on one H100."]
        parts["pd14"] = lines
    if brunel_row:
        bound = bw * 1e9 / 8 if bw else float("nan")
        parts["brunel"] = [CASE_TITLES["brunel"], "", measured, ""]
        lines = parts["brunel"]
        lines += [f"Brunel C ({brunel_row['neurons']:,} neurons, 1,000 inputs each, float32): "
                  f"{brunel_row['rate_hz']:.1f} Hz, {brunel_row['events_per_s']:.3g} "
                  f"events/s = {100 * brunel_row['events_per_s'] / bound:.1f}% of the "
                  f"bandwidth bound ({bw:.0f} GB/s / 8 B = {bound:.3g} events/s; "
                  "target >= 30%)."]
    if batch_row:
        r = batch_row
        parts["batch"] = [CASE_TITLES["batch"], "", measured, ""]
        lines = parts["batch"]
        lines += [f"Batching ({r['backend']}): {r['K']} CUBA-4000 instances for 1 s "
                  f"(float32, {r['rate_hz']:.1f} Hz) in one batched network: "
                  f"{r['batched_s']:.2f} s; one instance alone: {r['single_s']:.3f} s, "
                  f"so {r['K']} sequential runs {r['sequential_s']:.1f} s: "
                  f"**{r['sequential_s'] / r['batched_s']:.3g}x** faster batched "
                  "(target >= 100x)."]
    return {case: "\n".join(lines) for case, lines in parts.items()}


def write(parts: dict) -> None:
    """Puts each measured case's text in the section, replacing that case's earlier text
    and keeping the others' (the cases may be measured in separate calls)."""
    path = os.path.join(HERE, "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    old = {}
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        body = text[start + len(SECTION):nxt if nxt >= 0 else len(text)]
        text = text[:start] + (text[nxt + 1:] if nxt >= 0 else "")
        for chunk in body.split("\n### ")[1:]:
            title = "### " + chunk.split("\n", 1)[0]
            case = next((c for c, t in CASE_TITLES.items() if t == title), None)
            if case is not None:
                old[case] = "### " + chunk.strip("\n")
    old.update(parts)
    section = "\n\n".join([SECTION] + [old[c] for c in CASE_TITLES if c in old])
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
    parser.add_argument("--precisions", default="single,double",
                        help="PD14's precisions (the tests' down-scaled run: single)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = args.cases.split(",")
    rows = [pd14(args.scale, args.duration, args.repeats, p, args.backend)
            for p in args.precisions.split(",")] if "pd14" in cases else []
    b = brunel(args.repeats, args.scale, args.backend) if "brunel" in cases else None
    k = batch(args.batch, args.sequential, args.backend) if "batch" in cases else None
    bw = bandwidth_gbs() if args.backend == "cuda" and b else 0.0
    parts = report(args, rows, b, bw, k)
    print("\n\n".join(parts.values()))
    if args.write:
        write(parts)


if __name__ == "__main__":
    main()
