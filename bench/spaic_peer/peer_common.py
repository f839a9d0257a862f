"""What the SPAIC workload scripts share: which SPAIC to import, one thread, timing and
the JSON line they print (read by bench/bench_spaic.py).

A workload script is SPAIC code that runs unchanged on either side; ``--impl spaic``
(SPAIC itself, in the venv of bench/peers/setup_spaic.sh) or ``--impl pyspike``
(``pyspike.spaic``), or the environment variable SPAIC_PEER, picks the import.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import json
import os
import time
from typing import Callable, List

import numpy as np

IMPLS = {"spaic": "spaic", "pyspike": "pyspike.spaic"}


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--impl", choices=sorted(IMPLS), default=os.environ.get("SPAIC_PEER", "spaic"),
                   help="spaic: SPAIC itself; pyspike: pyspike.spaic (default $SPAIC_PEER)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--warmup", type=int, default=1, help="untimed repetitions first")
    p.add_argument("--profile", default=None, help="write cProfile stats of the timed part here")
    p.add_argument("--data-type", default="float32", choices=("float32", "float64"),
                   help="the backend's data_type (SPAIC's default float32; pyspike.spaic's "
                   "own default is float64)")
    return p


def data_type(impl: str, name: str):
    """``Torch_Backend.data_type`` for ``name``: torch's dtype for SPAIC, the name for
    pyspike.spaic (which takes either)."""
    if impl == "spaic":
        import torch
        return getattr(torch, name)
    return name


def load(impl: str):
    """The spaic module of ``impl``, on one thread (torch's too, for SPAIC)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if impl == "spaic":
        import torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    return importlib.import_module(IMPLS[impl])


def no_grad(impl: str):
    """SPAIC's forward without autograd (torch.no_grad); nothing to switch off in pyspike."""
    if impl == "spaic":
        import torch
        return torch.no_grad()
    return contextlib.nullcontext()


def autograd():
    """Nothing switched off (SPAIC builds its autograd graph while running)."""
    return contextlib.nullcontext()


def to_numpy(x) -> np.ndarray:
    """A torch tensor (SPAIC) or an array (pyspike.spaic) as a float64 array."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def read_weight(con) -> np.ndarray:
    """The live (post, pre) weights of a built connection: SPAIC keeps them in its
    backend (``con.get_value('weight')``; ``con.weight`` is the initial array there),
    pyspike.spaic's ``con.weight`` reads the compiled synapses."""
    if hasattr(con, "get_value"):
        return to_numpy(con.get_value("weight"))
    return to_numpy(con.weight)


def timed(fn: Callable[[int], None], warmup: int, reps: int,
          profile: str = None) -> List[float]:
    """Seconds of each of ``reps`` calls ``fn(k)`` after ``warmup`` untimed ones."""
    for k in range(warmup):
        fn(k)
    prof = cProfile.Profile() if profile else None
    times = []
    for k in range(warmup, warmup + reps):
        if prof is not None:
            prof.enable()
        t0 = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t0)
        if prof is not None:
            prof.disable()
    if prof is not None:
        prof.dump_stats(profile)
    return times


def versions(impl: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {"numpy": np.__version__}
    for dist in (("spaic", "torch") if impl == "spaic" else ("pyspike-sim",)):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "?"
    return out


def emit(result: dict) -> None:
    """The one line bench/bench_spaic.py reads (prefixed, so that chatter can go around)."""
    print("RESULT " + json.dumps(result), flush=True)
