"""One network split over the ranks of an MPI job: ``Network(partition=True)``.

Every rank runs the same script, so every rank builds the whole network in Python (its
groups, initial values and connectivity, from the same seed).  The first run then makes a
network of this rank's share (a :class:`Partition`):

- each group is cut into blocks of neurons [lo, hi), one per rank, each starting at a
  multiple of 64 (:func:`pyspike.partition_exchange.blocks`); a block draws its random
  numbers as the whole group's neurons lo..hi-1 (``GroupSpec.first``), so the noise, the
  Poisson trains and every ``rand()`` of the dynamics are those of one process;
- a rank keeps the synapses onto its blocks, in the order of the whole network, from a
  *proxy* of each presynaptic group: a spike generator as large as the group that emits
  every rank's spikes D steps late, D being the smallest delay, with every delay
  shortened by D (:mod:`pyspike.partition_exchange`);
- between runs the whole network's objects hold the whole state: the ranks gather their
  blocks' variables, synapses and recordings after each run, on every rank, and take what
  the script changed in them before the next.

So 1, 2 or 4 ranks give the spikes and the state of one process for the same seed.
Network operations run on every rank between the pieces of a run, as in one process,
and see and set the whole network's state (each piece then gathers it: an operation
every few steps slows a split network down).  A rank
with no neuron of a small group runs one stand-in neuron, which reaches no synapse and
no result.  What a split network refuses is in :mod:`pyspike.partition_checks`.  Without
an MPI launcher (or with one rank) a network with ``partition=True`` runs through the
same blocks, proxies and exchange in one process.

>>> import pyspike as ps
>>> m = ps.NeuronModel("dv/dt = (1.2 - v)/tau : 1", threshold="v > 1", reset="v = 0",
...                    params={"tau": 10.0})
>>> net = ps.Network(dt=0.1, seed=1, partition=True)
>>> with net:
...     G = ps.NeuronGroup(4, m, init={"v": "rand()"})
...     S = ps.Synapses(G, G, on_pre="v += 0.1", delay=1.0)
...     mon = ps.SpikeMonitor(G)
>>> S.connect(j="(i + 1) % 4")
>>> net.run(20.0)
>>> mon.i.size > 0 and bool((G.v < 1).all())
True
"""
from __future__ import annotations

from typing import Callable, Dict, List

import numpy as np

from . import mpi, partition_checks as checks, partition_exchange as exchange, synapse_delays
from .connect import columns
from .group import NeuronGroup
from .inputs import SpikeGeneratorGroup
from .monitors import SpikeMonitor
from .partition_gather import Gathering

__all__ = ["Partition", "advance"]


def advance(net, n_steps: int) -> None:
    """Run ``n_steps`` of ``net`` split over the ranks (its share made at the first run)."""
    _made(net).run(n_steps)


def guarded(net, run: Callable[[], None]) -> None:
    """``run()`` (a run of ``net``, network operations included); an error on one rank
    ends the whole job (the others would wait for it forever) after one line naming it."""
    try:
        run()
    except BaseException as err:
        comm = net.ranks.comm if net.ranks is not None else _world()
        if comm is not None:
            comm.abort(err)
        raise


def build(net):
    """Build this rank's share of ``net`` (made now if not yet); its BuildInfo."""
    net.last_build = _made(net).local.build()
    return net.last_build


def _made(net) -> "Partition":
    if net.ranks is None:
        net.ranks = Partition(net, _world() or exchange.Alone())
    return net.ranks


def _world():
    """MPI's world where a launcher started several ranks, else None."""
    comm = mpi.communicator()
    return None if comm is None else exchange.World(comm)


class Proxy(SpikeGeneratorGroup):
    """Every rank's spikes of a split group, emitted D steps late: a spike generator
    whose given spikes are a buffer that the exchange refills each interval."""

    def __init__(self, n: int, name: str):
        self.__dict__.update(_stamps=np.full(max(1024, n // 16), exchange.NEVER, np.int64),
                             _used=0)
        self.__dict__["_ids"] = np.zeros(self._stamps.size, np.int32)
        super().__init__(n, [], [], name=name)

    @property
    def capacity(self) -> int:
        return self._stamps.size

    @property
    def buffers(self):
        """(stamps, neurons): the arrays the compiled code reads the given spikes from."""
        return self._stamps, self._ids

    def given_steps(self, dt: float):
        return (*self.buffers, None)

    def give(self, stamps: np.ndarray, ids: np.ndarray) -> bool:
        """Replace the spikes to emit (sorted by stamp) by ``stamps`` and ``ids``; True
        where the buffer had to grow (new arrays: the run must be given them)."""
        m, grown = stamps.size, stamps.size > self.capacity
        if grown:
            size = max(m, 2 * self.capacity)
            self.__dict__.update(_stamps=np.full(size, exchange.NEVER, np.int64),
                                 _ids=np.zeros(size, np.int32))
        self._stamps[:m], self._ids[:m] = stamps, ids
        self._stamps[m:self._used] = exchange.NEVER
        self.__dict__["_used"] = m
        return grown


class Partition:
    """This rank's share of ``net`` (see the module's doc), run in its place."""

    def __init__(self, net, comm):
        checks.check_network(net)
        self.net, self.comm = net, comm
        groups, synapses = net.groups, net.synapses
        for g in groups:
            checks.check_group(g)
        steps = {}
        for syn in synapses:
            checks.check_synapses(syn)
            d = synapse_delays.steps_of(syn.state.delay, net.dt)
            if np.size(d):
                steps[id(syn)] = int(np.min(d))
                checks.check_delay(syn, steps[id(syn)])
        self.interval = min(min(steps.values(), default=exchange.MAX_INTERVAL),
                            exchange.MAX_INTERVAL)
        self._objects = list(net.objects)
        self.blocks = {id(g): exchange.blocks(g.N, comm.size)[comm.rank] for g in groups}
        self.local = type(net)(dt=net.dt, seed=net.seed, backend="cpu",
                               precision=net.precision, cache_dir=net.cache_dir,
                               check_finite=net.check_finite, threads=net.threads,
                               progress=net.progress if comm.rank == 0 else False)
        self.local.step = net.step
        self.copies: Dict[int, NeuronGroup] = {}
        for g in groups:
            self.copies[id(g)] = self._block(g)
            self.local.add(self.copies[id(g)])
        sources = self._sources(synapses)
        checks.check_sources(len(sources), exchange.MAX_SOURCES)
        self.kept: Dict[int, List[np.ndarray]] = {}
        for syn in synapses:
            copied = self._synapses(syn, sources)
            if copied is not None:
                self.local.add(copied)
        self.gathering = Gathering(self)
        self.local.exchange = exchange.Exchange(comm, self.interval, list(sources.values()))

    # --- the blocks ------------------------------------------------------------------

    def _block(self, g) -> NeuronGroup:
        """This rank's block of group ``g``: a copy with the block's state."""
        lo, hi = self.blocks[id(g)]
        cut = slice(lo, hi) if hi > lo else slice(0, 1)    # (a stand-in neuron)
        table = g.state
        entries = {
            "variables": {k: v[cut].copy() for k, v in table.variables.items()},
            "per_element": {k: v[cut].copy() for k, v in table.per_element.items()},
            "lastspike": table.lastspike[cut].copy(),
            "not_refractory": table.not_refractory[cut].copy()}
        if isinstance(g, SpikeGeneratorGroup):
            indices, times = table.given[:2]
            mine = (indices >= lo) & (indices < hi)
            entries["given"] = ((indices[mine] - lo).astype(np.int32), times[mine])
        return g._block(N=cut.stop - cut.start, state=table.replaced(**entries),
                        first=lo if hi > lo else 0)

    def _sources(self, synapses) -> Dict[int, exchange.Source]:
        """A proxy and a collecting monitor for each group that synapses start from."""
        out: Dict[int, exchange.Source] = {}
        with self.local:
            for syn in synapses:
                g = syn.source
                if id(g) in out:
                    continue
                lo, hi = self.blocks[id(g)]
                proxy = Proxy(g.N, f"{g.name}_of_all_ranks")
                out[id(g)] = exchange.Source(lo, hi, SpikeMonitor(self.copies[id(g)]),
                                             proxy)
        return out

    def _synapses(self, syn, sources):
        """The synapses of ``syn`` onto this rank's block of its target, from the proxy
        of its source, with their delays shortened by the exchange's interval; None where
        the block holds none of the target's neurons."""
        a, b = syn.post_range
        post = syn.state.col.astype(np.int64) + a           # (in the whole target)
        per_rank = [np.flatnonzero((post >= lo) & (post < hi))
                    for lo, hi in exchange.blocks(syn.target.N, self.comm.size)]
        self.kept[id(syn)] = per_rank
        lo, hi = self.blocks[id(syn.target)]
        if max(a, lo) >= min(b, hi):
            return None
        keep = per_rank[self.comm.rank]
        table = syn.state
        col = table.col[keep].astype(np.int64) + a - max(a, lo)
        pre = np.repeat(np.arange(syn.n_pre), np.diff(table.row))[keep]
        row = np.concatenate([[0], np.cumsum(np.bincount(pre, minlength=syn.n_pre))])
        steps = synapse_delays.steps_of(table.delay, self.net.dt)
        delay = (steps[keep] if np.ndim(steps) else steps) - self.interval
        return syn._block(
            source=sources[id(syn.source)].proxy, target=self.copies[id(syn.target)],
            neurons=(max(a, lo) - lo, min(b, hi) - lo), state=table.replaced(
                variables={k: v[keep].copy() for k, v in table.variables.items()},
                per_element={k: v[keep].copy() for k, v in table.per_element.items()},
                row=row.astype(np.int64), col=columns(col, min(b, hi) - max(a, lo)),
                ring=None,
                delay=synapse_delays.compact(delay * self.net.dt, self.net.dt)))

    # --- runs ----------------------------------------------------------------------

    def agree(self, n_steps: int) -> int:
        """The fewest of the ranks' ``n_steps``: the ranks must run pieces of equal length
        (each gathers after its piece), which pieces timed by each rank's clock are not."""
        return self.comm.minimum(n_steps)

    def run(self, n_steps: int) -> None:
        net = self.net
        checks.check_unchanged(net, self._objects)
        self.gathering.to_blocks()
        self.local.step = net.step
        step0 = net.step
        try:
            self.local.run(n_steps * net.dt)
        finally:
            net.step = self.local.step
            net.seconds_per_step = self.local.seconds_per_step
            net.last_build = self.local.last_build
        self.gathering.from_blocks(step0, n_steps)

