"""What the training peer scripts share (issue 17, "Speed"): one thread, the command line,
the seeded rate-coded input, the timed training loop and the JSON line they print.

Each peer script runs with the python of its own venv (bench/peers/setup_training.sh for
snnTorch and SpikingJelly, bench/peers/setup_spaic.sh for SPAIC), never pyspike's; it
imports this file from its own folder.  bench/bench_training_peers.py reads the last line
of stdout that parses as a JSON object.
"""
from __future__ import annotations

import os

# Before torch is imported: its intra-op pool reads these once (the runner sets them too).
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from typing import Callable, List, Sequence, Tuple  # noqa: E402

import numpy as np  # noqa: E402

#: the issue's two networks: layer sizes -> (batch, time steps)
NETS = {"64-100-10": (128, 25), "784-800-10": (128, 32)}


def sizes(net: str) -> List[int]:
    """'64-100-10' -> [64, 100, 10]."""
    return [int(n) for n in net.split("-")]


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", default="64-100-10", help="layer sizes, e.g. 64-100-10")
    p.add_argument("--batch", type=int, default=None, help="default: the issue's (128)")
    p.add_argument("--steps", type=int, default=None,
                   help="time steps T; default: the issue's (25 for 64-100-10, 32 for 784-800-10)")
    p.add_argument("--repeats", type=int, default=20, help="timed batches")
    p.add_argument("--warmup", type=int, default=3, help="untimed batches first")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    return p


def setup(args: argparse.Namespace) -> argparse.Namespace:
    """The parsed command line with the network's batch and T filled in; torch's threads
    set and its generator seeded."""
    batch, steps = NETS.get(args.net, (128, 25))
    args.batch = args.batch or batch
    args.steps = args.steps or steps
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    return args


def current_rss() -> int:
    """Resident bytes of this process now (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """Peak resident bytes so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rate_input(n_in: int, batch: int, steps: int, seed: int,
               n_classes: int = 10) -> Tuple[np.ndarray, np.ndarray]:
    """Seeded Bernoulli spikes (T, B, n_in) float32 of uniform [0, 1) rates, and labels (B,).
    The same numbers for every peer (NumPy's generator, not torch's)."""
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.0, 1.0, size=(batch, n_in))
    spikes = (rng.random((steps, batch, n_in)) < rates).astype(np.float32)
    labels = rng.integers(0, n_classes, size=batch)
    return spikes, labels


def timed(step: Callable[[], float], warmup: int, repeats: int) -> Tuple[List[float], float]:
    """Seconds of each of ``repeats`` calls of ``step`` after ``warmup`` untimed ones,
    and the loss the last one returned."""
    loss = float("nan")
    for _ in range(warmup):
        loss = step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    return times, loss


def torch_step(model, x, y, after_batch: Callable[[], None] = None) -> Callable[[], float]:
    """One training batch of a torch module mapping (T, B, n_in) to output spikes
    (T, B, n_out): cross-entropy on the spike counts, backward, one Adam (lr 1e-3) step."""
    import torch
    import torch.nn.functional as F
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> float:
        opt.zero_grad()
        counts = model(x).sum(0)
        loss = F.cross_entropy(counts, y)
        loss.backward()
        opt.step()
        if after_batch is not None:
            after_batch()
        return float(loss.detach())
    return step


def versions(dists: Sequence[str]) -> dict:
    out = {"numpy": np.__version__}
    for dist in dists:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "?"
    return out


def emit(library: str, args: argparse.Namespace, times: List[float], rss_imports: int,
         extra: dict = None) -> None:
    """The one JSON line the driver reads (the last JSON object on stdout)."""
    peak = peak_rss()
    result = {"library": library, "net": args.net, "batch": args.batch, "steps": args.steps,
              "threads": args.threads, "warmup": args.warmup, "times_s": times,
              "median_s": statistics.median(times), "peak_rss_bytes": peak,
              "rss_after_imports_bytes": rss_imports,
              "beyond_imports_bytes": peak - rss_imports}
    result.update(extra or {})
    print(json.dumps(result), flush=True)
