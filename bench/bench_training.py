"""Training speed (issue 17): forward + backward + one Adam step per batch, float32, one
thread, on the issue's two networks, pyspike side by side with snnTorch 1.0, SpikingJelly
2.0 and SPAIC 0.6.3 (STCA) in one run, each in a fresh process, rounds interleaved so
that the machine's load falls on all alike.

    python bench/bench_training.py [--nets 64-100-10,784-800-10] [--rounds 3]
        [--repeats 20] [--libraries snntorch,spikingjelly,spaic] [--save FILE]

pyspike runs two ways: ``pyspike.train`` (NumPy: the connections' products through
NumPy's BLAS, the neurons in the generated kernels, NumPy's Adam) and ``pyspike.torch``
(the same kernels behind torch.nn.Linear and torch.optim.Adam).  For each network it also
reports the time of the matrix products alone (the five products of a batch: two forward,
two weight gradients, one input gradient, at the shapes pyspike computes them) and the
bytes the forward pass keeps per neuron and step for the backward pass.  The inputs are
the peers' (bench/training_peer/common.py: seeded Bernoulli spikes); the peers need their
venvs (bench/peers/setup_training.sh, bench/peers/setup_spaic.sh).
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "training_peer"))


def _worker(net: str, repeats: int, warmup: int, kind: str) -> dict:
    """One pyspike measurement in this process (run by main in a fresh one)."""
    import numpy as np
    from common import NETS, current_rss, peak_rss, rate_input, sizes, timed
    import pyspike.train as pt
    from pyspike.train import losses
    batch, steps = NETS[net]
    n = sizes(net)
    x, y = rate_input(n[0], batch, steps, seed=0)
    if kind == "torch":         # (imported before the memory after imports is taken)
        import torch
        import pyspike.torch as pst
    rss_imports = current_rss()
    if kind == "torch":
        torch.set_num_threads(1)
        torch.manual_seed(0)
        model = torch.nn.Sequential(*[pst.SpikingLinear(a, b, "lif")
                                      for a, b in zip(n[:-1], n[1:])])
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def step():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt).sum(0), yt)
            loss.backward()
            opt.step()
            return float(loss)
        saved = model[0].neurons.kernels.saved_per_step * 4
    else:
        layers = [pt.Linear(a, b, "lif", seed=k) for k, (a, b) in enumerate(zip(n[:-1], n[1:]))]
        model = pt.Sequential(*layers)
        opt = pt.Adam(1e-3)
        opt.attach(model.params)

        def step():
            value, grad = losses.cross_entropy_count(model.forward(x), y)
            model.backward(grad)
            opt.step(model.grads)
            return value
        saved = layers[0].kernels.saved_per_step * np.dtype(np.float32).itemsize
    times, loss = timed(step, warmup, repeats)
    out = {"library": f"pyspike.{kind}", "net": net, "times_s": times,
           "median_s": statistics.median(times), "peak_rss_bytes": peak_rss(),
           "beyond_imports_bytes": peak_rss() - rss_imports, "loss": loss,
           "saved_bytes_per_neuron_step": saved}
    if kind == "train":
        out.update(_products(n, batch, steps, repeats, warmup))
    return out


def _products(n, batch: int, steps: int, repeats: int, warmup: int) -> dict:
    """The median time of a batch's matrix products alone, and their GFLOP/s."""
    import numpy as np
    from common import timed
    rng = np.random.default_rng(0)
    rows = steps * batch
    acts = [rng.random((rows, k), dtype=np.float32) for k in n]
    ws = [rng.random((b, a), dtype=np.float32) for a, b in zip(n[:-1], n[1:])]
    flops = 0
    for k, (a, b) in enumerate(zip(n[:-1], n[1:])):
        flops += 2 * rows * a * b * (2 if k == 0 else 3)   # (the data's gradient: none)

    def products():
        for k, w in enumerate(ws):
            acts[k] @ w.T                     # forward
            acts[k + 1].T @ acts[k]           # weight gradient
            if k > 0:
                acts[k + 1] @ w               # the input's gradient
        return 0.0
    times, _ = timed(products, warmup, repeats)
    med = statistics.median(times)
    return {"products_median_s": med, "products_gflops": flops / med / 1e9}


def _run_worker(net: str, repeats: int, warmup: int, kind: str) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--nets", net,
           "--repeats", str(repeats), "--warmup", str(warmup)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         cwd="/", env=dict(os.environ))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nets", default="64-100-10,784-800-10")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--libraries", default="snntorch,spikingjelly,spaic")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--save", default=None)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.nets, args.repeats, args.warmup, args.worker)))
        return
    from bench_training_peers import peer_times
    libraries = [s for s in args.libraries.split(",") if s]
    results = {}
    for net in args.nets.split(","):
        runs = {}
        for _ in range(args.rounds):
            for kind in ("train", "torch"):
                r = _run_worker(net, args.repeats, args.warmup, kind)
                runs.setdefault(r["library"], []).append(r)
            for lib, r in peer_times(net, args.repeats, args.warmup,
                                     libraries=libraries).items():
                runs.setdefault(lib, []).append(r)
        results[net] = runs
        _print(net, runs)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(results, f, indent=1)


def _median_ms(rs) -> float:
    return 1e3 * statistics.median([t for r in rs for t in r.get("times_s", [])] or [float("nan")])


def _print(net: str, runs: dict) -> None:
    med = {lib: _median_ms(rs) for lib, rs in runs.items()}
    peers = [v for k, v in med.items() if not k.startswith("pyspike")]
    fastest = min(peers) if peers else float("nan")
    print(f"\n{net} (median ms per batch over all rounds; ratio: fastest peer / this)")
    for lib, v in sorted(med.items(), key=lambda kv: kv[1]):
        r0 = runs[lib][0]
        mem = r0.get("beyond_imports_bytes", 0) / 2**20
        print(f"  {lib:22s} {v:8.2f} ms  {fastest / v:5.2f}x  peak RSS "
              f"{r0.get('peak_rss_bytes', 0) / 2**20:6.0f} MB, beyond imports {mem:5.0f} MB")
    train = runs.get("pyspike.train", [])
    if train:
        prod = 1e3 * statistics.median([r["products_median_s"] for r in train])
        gf = statistics.median([r["products_gflops"] for r in train])
        print(f"  matrix products alone: {prod:.2f} ms ({gf:.0f} GFLOP/s); pyspike.train / "
              f"products = {med['pyspike.train'] / prod:.2f}; saved for backward: "
              f"{train[0]['saved_bytes_per_neuron_step']} B per neuron-step")
    print(f"  ({time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
