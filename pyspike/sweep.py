"""Parameter sweeps: every point of a grid run as an instance of a batched network, the
whole sweep compiled once, its results in a folder that a restarted sweep completes.

A grid is a list of axes, ``exc.tau=10,20,30`` (a parameter of a group or synapses, as
``--set`` names it, and its values) and ``seed=1:10`` (the seeds 1 to 10; ``a:b:step``
also; a list as other axes); its points are every combination, the last axis varying
fastest.  Points are run together as the instances of one network built with ``batch=K``
(:mod:`pyspike.batching`), each instance with its own value of every parameter (one value
per instance: parameters are run-time data, so no point needs code of its own):

- the points of one seed are the instances of one network built with that seed, every
  instance keeping it, so that a point computes what ``pyspike run --seed S --set ...``
  computes for it, random connectivity included (connectivity is shared by a batch's
  instances and drawn from the network's seed);
- K is what fits: the points of a seed, or fewer where their networks would fill more
  than half the memory available (:func:`fitting`), or at most ``max_batch``; the last
  network of a seed is filled up with copies of its last point, so that every network has
  the same K and the same code: one compile for the whole sweep.

The folder holds ``sweep.json`` (the model file and its SHA-256, the duration, the grid,
the settings and which network holds which point) and one results file per network,
``batch_<n>.h5`` (:func:`pyspike.save_results`: SONATA populations ``<group>_<k>`` for
instance k), written under another name and renamed once complete.  A sweep started again
with the same command skips every network whose file is there and readable, and runs the
others: a network killed while running or writing is run again.  A folder holding another
sweep (another grid, duration, model or settings) is refused.
"""
from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .codegen.errors import ModelError
from .model_file import target
from .results import load_results

FORMAT = "pyspike-sweep"
VERSION = 1
INDEX = "sweep.json"
_WHERE = "sweep"
#: The share of the memory available when a sweep starts that one of its networks may
#: fill, and how much a running instance takes over the bytes of its state arrays.
MEMORY_SHARE = 0.5
OVERHEAD = 3.0


@dataclass(frozen=True)
class Axis:
    """One axis of a grid: a parameter (``"exc.tau"``, or ``"seed"``) and its values."""
    name: str
    values: Tuple[float, ...]


def parse_axis(text: str) -> Axis:
    """An axis from text: ``exc.tau=10,20,30``, ``seed=1:10`` (1 to 10) or ``seed=0:20:5``.

    >>> parse_axis("exc.tau=10,20.5")
    Axis(name='exc.tau', values=(10.0, 20.5))
    >>> parse_axis("seed=1:4").values
    (1, 2, 3, 4)
    """
    name, sep, values = str(text).partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise ModelError(f"--grid {text}: write an axis as <group>.<parameter>=v1,v2,... or "
                         "seed=first:last", where=_WHERE)
    if name != "seed" and name.count(".") != 1:
        raise ModelError(f"--grid {text}: '{name}' is neither seed nor <group>.<parameter>",
                         where=_WHERE, symbol=name)
    try:
        if ":" in values:
            parts = [int(v) for v in values.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] < 1):
                raise ValueError
            found = tuple(range(parts[0], parts[1] + 1, parts[2] if len(parts) == 3 else 1))
        else:
            found = tuple((int if name == "seed" else float)(v) for v in values.split(","))
    except ValueError:
        raise ModelError(f"--grid {text}: the values are not "
                         + ("whole numbers (first:last[:step] or a list)" if name == "seed"
                            else "numbers (v1,v2,... or first:last[:step])"),
                         where=_WHERE, symbol=name) from None
    if not found:
        raise ModelError(f"--grid {text}: the range holds no value", where=_WHERE)
    return Axis(name, found)


def points(axes: Sequence[Axis]) -> List[Dict[str, float]]:
    """Every combination of the axes' values, the last axis varying fastest."""
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ModelError("--grid names an axis twice", where=_WHERE)
    return [dict(zip(names, values)) for values in itertools.product(*(a.values
                                                                         for a in axes))]


def plan(grid: List[Dict[str, float]], max_batch: Optional[int]) -> List[List[int]]:
    """The networks of a sweep: lists of K point indices (filled up with the last point),
    the points of one seed together.

    >>> plan([{"seed": s, "a": a} for s in (1, 2) for a in (0.0, 1.0, 2.0)], 2)
    [[0, 1], [2, 2], [3, 4], [5, 5]]
    """
    groups: Dict[object, List[int]] = {}
    for k, point in enumerate(grid):
        groups.setdefault(point.get("seed"), []).append(k)
    K = max(len(g) for g in groups.values())
    if max_batch is not None:
        K = min(K, max_batch)
    out = []
    for members in groups.values():
        for start in range(0, len(members), K):
            chunk = members[start:start + K]
            out.append(chunk + [chunk[-1]] * (K - len(chunk)))
    return out


# --- the folder of results -----------------------------------------------------------


def index(model, duration: float, axes: Sequence[Axis], settings: Sequence[str],
          network_args: dict, max_batch: Optional[int]) -> dict:
    """What ``sweep.json`` holds but its batches (see the module's doc)."""
    return {"format": FORMAT, "version": VERSION, "model": model.path,
            "sha256": model.sha256, "duration_ms": duration,
            "grid": [[a.name, list(a.values)] for a in axes], "settings": list(settings),
            "network": {k: v for k, v in network_args.items() if k != "threads"},
            "max_batch": max_batch}


def batch_file(n: int) -> str:
    return f"batch_{n:04d}.h5"


_DIFFERENCES = {"sha256": "the model file has changed", "grid": "its grid differs",
                "duration_ms": "its duration differs", "settings": "its --set differ",
                "network": "its seed or backend differs", "max_batch": "its --max-batch differs",
                "model": "its model file differs", "format": "it is of another format",
                "version": "it is of another version"}


def found_batches(folder: str, wanted: dict) -> Optional[List[List[int]]]:
    """The batches of the sweep ``wanted`` that ``folder`` holds already (None: no sweep
    there yet); a folder of another sweep is refused."""
    path = os.path.join(folder, INDEX)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            found = json.load(f)
        batches = [list(map(int, b["points"])) for b in found["batches"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelError(f"the sweep folder '{folder}' holds a damaged {INDEX} ({err}): "
                         "remove the folder or choose another --out", where=_WHERE) from None
    wanted = json.loads(json.dumps(wanted))
    what = next((k for k in _DIFFERENCES if found.get(k) != wanted.get(k)), None)
    if what is not None:
        raise ModelError(f"the folder '{folder}' holds another sweep ({_DIFFERENCES[what]}): "
                         "choose another --out, or remove the folder to start again",
                         where=_WHERE)
    return batches


def write_index(folder: str, wanted: dict, batches: List[List[int]]) -> None:
    """Write ``sweep.json``: ``wanted`` and which network holds which point."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, INDEX)
    content = dict(wanted, batches=[{"file": batch_file(n), "points": b}
                                    for n, b in enumerate(batches)])
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(content, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fitting(net, available: Optional[int]) -> int:
    """How many instances of ``net`` (a batched network) fit in MEMORY_SHARE of
    ``available`` bytes, at OVERHEAD times the bytes of their state arrays (the runtime's
    buffers, rings and recordings come on top of the state): at most ``net.K``, at least 1.
    """
    per_instance = OVERHEAD * sum(a.nbytes for a in net.state.values()) / net.K
    if available is None or per_instance <= 0:
        return net.K
    return max(1, min(net.K, int(MEMORY_SHARE * available // per_instance)))


def available_memory() -> Optional[int]:
    """The memory this machine has available now, in bytes (None where unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def done(folder: str, n: int) -> bool:
    """Whether network ``n``'s results file is there and readable (else it runs again)."""
    path = os.path.join(folder, batch_file(n))
    if not os.path.exists(path):
        return False
    try:
        load_results(path)
    except ModelError:
        return False
    return True


def set_per_instance(net, grid: List[Dict[str, float]], batch: List[int]) -> None:
    """Give every parameter axis of the grid its value in each instance of ``net``."""
    for name in grid[0]:
        if name == "seed":
            continue
        obj, param = target(net, name, f"--grid {name}")
        values = np.array([grid[k][name] for k in batch], dtype=np.float64)
        try:
            setattr(obj, param, values.reshape(len(batch), 1))
        except ModelError as err:
            raise ModelError(f"--grid {name}: {err.message}", where=_WHERE,
                             symbol=param) from None
