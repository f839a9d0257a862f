"""Training kernels on the GPU (issue 17), for the next machine with one.

    python bench/bench_cuda_training.py [--steps 4,16,32] [--batch 64] [--neurons 65536]
                                        [--dtype float32] [--repeats 20] [--backend cuda]

- ``lif``: a LIF layer's forward + backward kernels alone (``NeuronKernels``, CuPy arrays,
  no copy to the host) at SpikingJelly's published setting: batch 64 of C = 64*32*32 =
  65,536 neurons, T = 4, 16 and 32 steps.  Anchor (SpikingJelly's docs, RTX 4090, fp16):
  T = 32 in 5.19 ms with its CuPy kernels, 3.37 ms with Triton; T = 4 in 0.67 ms.  These
  run in ``--dtype`` (float32 by default: the kernels have no fp16 yet).
- ``net``: the issue's 784-800-10 network, batch 128, T = 32, through pyspike.torch on CUDA
  tensors (torch.nn.Linear + the kernels), forward + backward + one Adam step.

Medians over ``--repeats`` after 3 warm-up calls, timed with CUDA events (``--backend cpu``:
the same on the CPU kernels with wall time, down-scaled, to check the script itself).
"""
from __future__ import annotations

import argparse
import json
import statistics
import time


def _timer(backend: str):
    """(start, stop -> seconds) around GPU work, or wall time on the CPU."""
    if backend == "cpu":
        t0 = [0.0]

        def start():
            t0[0] = time.perf_counter()
        return start, lambda: time.perf_counter() - t0[0]
    import cupy
    events = [None, None]

    def start_gpu():
        events[0], events[1] = cupy.cuda.Event(), cupy.cuda.Event()
        events[0].record()

    def stop_gpu():
        events[1].record()
        events[1].synchronize()
        return cupy.cuda.get_elapsed_time(events[0], events[1]) * 1e-3
    return start_gpu, stop_gpu


def lif(steps: int, batch: int, neurons: int, dtype: str, repeats: int, backend: str) -> dict:
    """The median seconds of one forward + backward pass of a LIF layer."""
    import numpy as np
    from pyspike.train import NeuronKernels
    k = NeuronKernels("lif", dtype=dtype, backend=backend, trainable=("tau_m",))
    rng = np.random.default_rng(0)
    x = rng.random((steps, batch, neurons), dtype=np.float32).astype(dtype) * 0.6
    g = rng.standard_normal((steps, batch, neurons), dtype=np.float32).astype(dtype)
    if backend == "cuda":
        import cupy
        x, g = cupy.asarray(x), cupy.asarray(g)
    start, stop = _timer(backend)
    times = []
    for r in range(repeats + 3):
        start()
        out, ctx = k.forward(x)
        k.backward(g, ctx)
        seconds = stop()
        if r >= 3:
            times.append(seconds)
    return {"case": "lif", "T": steps, "batch": batch, "neurons": neurons, "dtype": dtype,
            "median_ms": 1e3 * statistics.median(times),
            "saved_bytes_per_neuron_step": k.saved_per_step * np.dtype(dtype).itemsize}


def net(repeats: int, backend: str, sizes=(784, 800, 10), batch: int = 128,
        steps: int = 32) -> dict:
    """The median seconds of a training batch of the issue's network through
    pyspike.torch on ``backend``'s tensors."""
    import torch
    import pyspike.torch as pst
    device = "cuda" if backend == "cuda" else "cpu"
    torch.manual_seed(0)
    model = torch.nn.Sequential(*[pst.SpikingLinear(a, b, "lif") for a, b in
                                  zip(sizes[:-1], sizes[1:])]).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = (torch.rand(steps, batch, sizes[0], device=device) < 0.5).float()
    y = torch.randint(0, sizes[-1], (batch,), device=device)
    start, stop = _timer(backend)
    times = []
    for r in range(repeats + 3):
        start()
        loss = torch.nn.functional.cross_entropy(model(x).sum(0), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        seconds = stop()
        if r >= 3:
            times.append(seconds)
    return {"case": "net", "sizes": list(sizes), "batch": batch, "T": steps,
            "median_ms": 1e3 * statistics.median(times)}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", default="4,16,32")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--neurons", type=int, default=64 * 32 * 32)
    p.add_argument("--dtype", default="float32")
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--backend", default="cuda", choices=("cuda", "cpu"))
    p.add_argument("--net-batch", type=int, default=128)
    args = p.parse_args(argv)
    rows = [lif(int(t), args.batch, args.neurons, args.dtype, args.repeats, args.backend)
            for t in args.steps.split(",")]
    rows.append(net(args.repeats, args.backend, batch=args.net_batch))
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
