"""The spike exchange of a network split over MPI ranks (:mod:`pyspike.partition`).

Every rank runs its blocks of the groups for D steps, D being the network's smallest
synaptic delay in steps, then the ranks swap the spikes of those D steps (one
``Allgatherv`` of (group, step, global neuron) triples), and each rank gives them to its
*proxies*: one spike generator per split group, as large as the whole group, which emits
a spike of step s at step s + D.  The synapses from a proxy have their delays shortened
by D, so that the spike arrives at s + d as in one process, and in the same order: by
emission step, then by global neuron, as one process's ascending spike lists give them.

>>> blocks(1000, 3)                     # multiples of 64, the last one takes the rest
[(0, 320), (320, 640), (640, 1000)]
>>> blocks(100, 4)                      # a small group: ranks 1 and 2 have no neuron
[(0, 0), (0, 0), (0, 64), (64, 100)]
>>> Alone().gather(np.arange(3)).tolist()
[0, 1, 2]
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np

#: The element offset of a block is a multiple of this (Philox draws four normals per
#: block of elements and the CPU fills them 64 neurons at a time: codegen/render.py).
ALIGN = 64
#: A stamp no run reaches: the free places of a proxy's spike buffer.
NEVER = np.int64(2 ** 62)
#: No spikes: (steps, neurons).
NONE = (np.zeros(0, np.int64), np.zeros(0, np.int64))
#: The longest interval between swaps (steps): a longer minimum delay is swapped more
#: often than it needs, which changes nothing but the number of swaps.
MAX_INTERVAL = 2 ** 10
#: A spike swapped as one int64 key: source (12 bits), step within the interval (20
#: bits), global neuron (31 bits); the keys sort as the proxies emit.
STEP_SHIFT, SOURCE_SHIFT = 31, 51
NEURON_MASK, STEP_MASK = 2 ** 31 - 1, 2 ** 20 - 1
#: The most split groups that synapses start from (their number fits the source bits).
MAX_SOURCES = 2 ** 12


def blocks(n: int, ranks: int) -> List[Tuple[int, int]]:
    """Rank r's neurons [lo, hi) of a group of ``n``: equal shares, each starting at a
    multiple of :data:`ALIGN` (a rank may get none: then lo == hi)."""
    starts = [min(n, (n * r // ranks) // ALIGN * ALIGN) for r in range(ranks)] + [n]
    return [(starts[r], starts[r + 1]) for r in range(ranks)]


class Alone:
    """The communicator of a single rank: a partitioned network run without MPI, through
    the same proxies and exchange (the tests' way to check them without ``mpirun``)."""
    rank, size = 0, 1

    def gather(self, values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values)

    def minimum(self, value: int) -> int:
        return int(value)

    def abort(self, err: BaseException) -> None:
        """Nothing: the error goes on to the caller."""


class World:
    """MPI's world through mpi4py: every rank's array, concatenated in rank order."""

    def __init__(self, comm):
        from mpi4py import MPI
        self._comm, self._byte = comm, MPI.BYTE
        self.rank, self.size = int(comm.Get_rank()), int(comm.Get_size())

    def counts(self, n: int) -> np.ndarray:
        """Every rank's ``n``."""
        out = np.zeros(self.size, dtype=np.int64)
        self._comm.Allgather(np.array([n], dtype=np.int64), out)
        return out

    def gather(self, values: np.ndarray) -> np.ndarray:
        """Every rank's ``values`` (one dtype on all ranks), joined in rank order."""
        values = np.ascontiguousarray(values)
        raw = values.reshape(-1).view(np.uint8)
        sizes = self.counts(raw.size)
        out = np.empty(int(sizes.sum()), dtype=np.uint8)
        places = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self._comm.Allgatherv(raw, [out, sizes, places, self._byte])
        return out.view(values.dtype)

    def minimum(self, value: int) -> int:
        from mpi4py import MPI
        return int(self._comm.allreduce(int(value), op=MPI.MIN))

    def abort(self, err: BaseException) -> None:
        """End every rank of the job after one line naming ``err`` (the other ranks wait
        in the next swap for this one, which will not come)."""
        sys.stderr.write(f"pyspike: rank {self.rank} of {self.size} stopped the job: "
                         f"{type(err).__name__}: {err}\n")
        sys.stderr.flush()
        self._comm.Abort(1)


@dataclass
class Source:
    """A split group whose spikes the ranks swap: this rank's block of it (neurons
    [lo, hi) of the whole), the monitor that collects the block's spikes for the
    exchange, and the proxy that emits every rank's spikes D steps later."""
    lo: int
    hi: int
    monitor: object
    proxy: object
    carry: Tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: NONE)


class Exchange:
    """What the runtime calls during a rank's run (pyspike/runtime.py): ``begin`` once the
    arrays are laid out, ``limit`` to end each piece where an interval of ``interval``
    steps ends, ``after`` each piece (it swaps at the end of an interval), ``end`` when
    the run stops (the spikes of an unfinished interval wait for the next run)."""

    def __init__(self, comm, interval: int, sources: List[Source]):
        self.comm, self.interval, self.sources = comm, int(interval), sources
        self._last: Optional[int] = None
        #: Wall time spent swapping spikes (waiting for the other ranks included), s.
        self.seconds = 0.0
        self._arrays = None
        self._slots: list = []

    def begin(self, kernel, arrays, pending) -> None:
        self._arrays = arrays
        irs = {id(mon): ir for kind, mon, ir, _ in pending if kind == "spike"}
        self._slots = [(irs[id(s.monitor)], kernel.groups[s.proxy.index].generator)
                       for s in self.sources]

    def limit(self, step: int, chunk: int) -> int:
        return min(chunk, self.interval - step % self.interval)

    def after(self, step: int) -> None:
        if step % self.interval == 0 and step != self._last:
            self._last = step
            t0 = time.perf_counter()
            self._swap()
            self.seconds += time.perf_counter() - t0

    def end(self) -> None:
        for s, (ir, _) in zip(self.sources, self._slots):
            s.carry = self._take(s, ir)
        self._arrays = None

    def _take(self, s: Source, ir) -> Tuple[np.ndarray, np.ndarray]:
        """(steps, global neurons) of the block's spikes since the last swap, in order,
        and the collecting monitor's buffer emptied."""
        counters = self._arrays[0]
        fill = int(counters[0, ir.fill])
        i = self._arrays[ir.i_slot][0, :fill]
        steps = self._arrays[ir.step_slot][0, :fill]
        counters[0, ir.fill] = 0
        if fill and i[fill - 1] >= s.hi - s.lo:   # (the stand-in neuron of no block)
            mine = i < s.hi - s.lo
            i, steps = i[mine], steps[mine]
        if s.carry[0].size:
            return (np.concatenate([s.carry[0], steps]),
                    np.concatenate([s.carry[1], i.astype(np.int64) + s.lo]))
        return steps, i.astype(np.int64) + s.lo

    def _swap(self) -> None:
        """Every rank's spikes of the interval that ends at ``self._last`` into the
        proxies, as keys (source, step in the interval, neuron) that sort as the
        proxies emit: by step, then neuron."""
        first = self._last - self.interval   # (a spike found in step s is stamped s + 1)
        keys = []
        for k, (s, (ir, _)) in enumerate(zip(self.sources, self._slots)):
            steps, neurons = self._take(s, ir)
            s.carry = NONE
            if self.interval > 1:
                neurons |= (steps - first) << STEP_SHIFT
            keys.append(neurons | (k << SOURCE_SHIFT) if k else neurons)
        every = self.comm.gather(np.concatenate(keys) if len(keys) != 1 else keys[0])
        every.sort()
        counters = self._arrays[0]
        ends = (0, every.size) if len(keys) == 1 else \
            np.searchsorted(every >> SOURCE_SHIFT, np.arange(len(self.sources) + 1))
        for k, (s, (_, gen)) in enumerate(zip(self.sources, self._slots)):
            mine = every[ends[k]:ends[k + 1]]
            stamps = ((mine >> STEP_SHIFT) & STEP_MASK) + (first + self.interval) \
                if self.interval > 1 else np.full(mine.size, self._last + 1)
            if s.proxy.give(stamps, mine & NEURON_MASK):     # (its buffer grew)
                self._arrays[gen.step_slot], self._arrays[gen.index_slot] = s.proxy.buffers
                counters[0, gen.count] = s.proxy.capacity
            counters[0, gen.position] = 0
