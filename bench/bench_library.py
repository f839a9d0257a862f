"""The model library's costs (issue 14): merged synaptic state, and library models against
the same equations written by hand.

    python bench/bench_library.py [--repeats 5] [--n 4000] [--duration 1000] [--write]

Cases, each a 4000-neuron BrainPy ``Lif`` group at dt = 0.1 ms on the CPU backend:

- ``one_pathway``: one exponential-synapse pathway (``ps.models.synapses["Expon"]``) from
  1000 Poisson sources at 10 Hz, connection probability 0.02 (20 inputs per neuron);
- ``ten_pathways``: ten such pathways from ten groups of 100 sources (the same number of
  synapses and spikes), which the library merges into one state per neuron;
- ``ten_by_hand``: the same ten pathways written by hand with one conductance each (what
  a model without merging computes: ten decays per neuron);
- ``lif_library`` / ``lif_by_hand``: the library's ``Lif`` and the same text as a user's
  NeuronModel, with a constant input, no synapses.

Each run is ``duration`` ms, timed in one process after the build, median of ``repeats``
(the cases' runs interleaved).
Targets: ten_pathways <= 1.2 x one_pathway; lif_library = lif_by_hand.
``--write`` adds the table to bench/RESULTS.md.
"""
import argparse
import os
import platform
import statistics
import time

import pyspike as ps

HERE = os.path.dirname(os.path.abspath(__file__))
LIF_TEXT = """
    dV/dt = (-V + V_rest + R*I)/tau : mV
    I : pA
"""


def _lif_by_hand(text: str = LIF_TEXT, **params) -> ps.NeuronModel:
    """The library's Lif written out as a user would (same text, defaults, method)."""
    return ps.NeuronModel(text, threshold="V >= V_th", reset="V = V_reset",
                          method="exp_auto", params={**ps.models.neurons["Lif"].params,
                                                     **params})


def build(case: str, n: int) -> ps.Network:
    net = ps.Network(dt=0.1, seed=1, backend="cpu")
    with net:
        if case == "ten_by_hand":
            gs = "".join(f" + g{k}" for k in range(10))
            decays = "\n".join(f"dg{k}/dt = -g{k}/tau_s : pA" for k in range(10))
            G = ps.NeuronGroup(n, _lif_by_hand(LIF_TEXT.replace("R*I", f"R*(I{gs})") + decays,
                                               tau_s=8.0))
        elif case == "lif_by_hand":
            G = ps.NeuronGroup(n, _lif_by_hand())
        else:
            G = ps.NeuronGroup(n, "Lif")
        G.I = 15.0
        if case == "one_pathway":
            S = ps.Synapses(ps.PoissonGroup(1000, rates=10.0), G,
                            model=ps.models.synapses["Expon"])
            S.connect(p=0.02)
            S.w = 0.5
        elif case in ("ten_pathways", "ten_by_hand"):
            for k in range(10):
                src = ps.PoissonGroup(100, rates=10.0)
                if case == "ten_pathways":
                    S = ps.Synapses(src, G, model=ps.models.synapses["Expon"])
                else:
                    S = ps.Synapses(src, G, model="w : pA", on_pre=f"g{k}_post += w")
                S.connect(p=0.02)
                S.w = 0.5
    net.build()
    return net


def measure(n: int, duration: float, repeats: int) -> dict:
    """Median run time of each case; the cases' runs interleaved, so that a change in the
    machine's load falls on all of them alike."""
    nets = {case: build(case, n) for case in CASES}
    for net in nets.values():
        net.run(duration)                       # warm up (caches, page faults)
    times = {case: [] for case in CASES}
    for _ in range(repeats):
        for case, net in nets.items():
            t0 = time.perf_counter()
            net.run(duration)
            times[case].append(time.perf_counter() - t0)
    return {case: statistics.median(t) for case, t in times.items()}


CASES = ("one_pathway", "ten_pathways", "ten_by_hand", "lif_library", "lif_by_hand")


def _cpu() -> str:
    """The CPU's model name and its widest vector instructions (AVX2 and AVX-512 machines
    differ by about 2x here)."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return platform.processor() or platform.machine()
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("model name")), platform.machine())
    flags = " ".join(f for f in ("avx2", "avx512f") if f" {f}" in info)
    return f"{name}, {flags or 'no AVX2'}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    results = measure(args.n, args.duration, args.repeats)
    rows = [f"| {c} | {results[c] * 1000:.1f} |" for c in CASES]
    ratio = results["ten_pathways"] / results["one_pathway"]
    hand = results["ten_by_hand"] / results["one_pathway"]
    lib = results["lif_library"] / results["lif_by_hand"]
    text = "\n".join([
        f"Command: `python bench/bench_library.py --repeats {args.repeats} --n {args.n} "
        f"--duration {args.duration:g}` ({_cpu()}, {os.cpu_count()} cores); run of "
        f"{args.duration:g} ms, median of {args.repeats}, the cases' runs interleaved.",
        "", "| case | run (ms) |", "|---|---|", *rows, "",
        f"ten_pathways / one_pathway = {ratio:.2f} (target <= 1.2); ten_by_hand / "
        f"one_pathway = {hand:.2f}; lif_library / lif_by_hand = {lib:.2f} (target 1)."])
    print(text)
    if args.write:
        with open(os.path.join(HERE, "RESULTS.md"), "a") as f:
            f.write("\n## Model library: merged synapses, library models (issue 14)\n\n"
                    + text + "\n")


if __name__ == "__main__":
    main()
