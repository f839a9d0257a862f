"""How many threads a network's runs use: ``Network(threads=...)``.

The CPU backend runs its group updates, synaptic pathways and monitors on threads, with
results identical to one thread, bit for bit (``csrc/pyspike/threads.h`` says how);
the NumPy and CUDA backends ignore the number.  Without ``threads``, a network uses the
number in the environment variable ``OMP_NUM_THREADS`` when it holds one (the variable
a cluster's job script sets: ``export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK``), else every core this
process may run on (``os.sched_getaffinity``, which honours ``taskset`` and cgroups'
CPU sets).  Small networks run on one thread whatever the number: below
``pyspike.backends.cpu.PARALLEL_NEURONS`` neurons per instance the threads would wait
for each other longer than they work.

>>> resolve(2)
2
>>> resolve(None) >= 1
True
>>> try:
...     resolve(0)
... except ValueError as err:
...     print(err.message)
threads must be a whole number of at least 1 (or None: the cores this process may use), not 0
"""
from __future__ import annotations

import numbers
import os
from typing import Optional

from .codegen.errors import ModelError

__all__ = ["available", "resolve"]


def available() -> int:
    """The threads a network uses without ``threads=``: ``OMP_NUM_THREADS`` if it is a
    whole number >= 1 (the first of a list such as ``4,2``), else the cores this process
    may run on."""
    text = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if text.isdigit() and int(text) >= 1:
        return int(text)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):          # (no sched_getaffinity: macOS)
        return max(1, os.cpu_count() or 1)


def resolve(threads: Optional[int]) -> int:
    """The number of threads for ``Network(threads=threads)``: ``threads`` itself, a whole
    number >= 1, or :func:`available` for None."""
    if threads is None:
        return available()
    if (not isinstance(threads, numbers.Integral) or isinstance(threads, bool)
            or int(threads) < 1):
        raise ModelError("threads must be a whole number of at least 1 (or None: the cores "
                         f"this process may use), not {threads!r}", where="Network",
                         symbol="threads")
    return int(threads)
