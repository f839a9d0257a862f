"""The NumPy reference of synaptic events: the same events, in the same order, as the
generated C++ (``templates/cpp/synapses.j2``), so that float sums round identically.

Events of one step are processed together where that cannot change the result (every
write to a neuron variable is ``+=``/``-=`` to a variable nothing else reads:
``np.add.at`` then adds in event order, as the C++ loop does); otherwise one by one.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from ..codegen.events import source_list
from ..codegen.ir import GroupKernel, NetworkKernel, Pathway, SynapsesKernel
from ..codegen.synaptic import POST_INDEX, PRE_INDEX
from .. import random as ps_random
from ..evaluate import evaluate


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, e) for each pair, in order."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets


class SynapsesReference:
    """Runs the pathways of one Synapses object on the runtime's arrays."""

    def __init__(self, sk: SynapsesKernel, net: NetworkKernel, real):
        self.sk, self.real = sk, real
        self.pre: GroupKernel = net.groups[sk.pre]
        # (the target's synapses, if post_synapses: they fire no spikes)
        self.post: Optional[GroupKernel] = None if sk.post_synapses else net.groups[sk.post]
        self.batch = {p.kind: _batchable(p, sk) for p in sk.paths()}

    # --- which synapses receive an event this step --------------------------------------

    def _rows(self, arrays, spikes: np.ndarray):
        sk = self.sk
        if sk.dense:
            s = _ranges(spikes.astype(np.int64) * sk.n_post,
                        (spikes.astype(np.int64) + 1) * sk.n_post)
            return s, s // sk.n_post, s % sk.n_post
        row = arrays[sk.row_slot]
        s = _ranges(row[spikes], row[spikes + 1])
        i = np.repeat(spikes, row[spikes + 1] - row[spikes])
        return s, i, arrays[sk.col_slot][s].astype(np.int64)   # (2-byte indices: no wrap)

    def _pre_events(self, arrays, iargs, counters, step: int):
        sk = self.sk
        source = source_list(sk, self.pre)       # its spikes, or a custom event's neurons
        spikes = arrays[source.slot][:counters[source.count]]
        spikes = spikes.astype(np.int64) - sk.pre_start
        spikes = spikes[(spikes >= 0) & (spikes < sk.n_pre)]
        if sk.delay == "none":
            return self._rows(arrays, spikes)
        R, c = int(iargs[sk.ring.length_iarg]), step + 1
        hist, stamp, count = (arrays[sk.ring.spikes_slot], arrays[sk.ring.step_slot],
                              arrays[sk.ring.count_slot])
        slot = c % R
        hist[slot * sk.n_pre:slot * sk.n_pre + spikes.size] = spikes
        count[slot], stamp[slot] = spikes.size, c

        def arrived(e):
            se = e % R
            return hist[se * sk.n_pre:se * sk.n_pre + count[se]].astype(np.int64)

        if sk.delay == "shared":
            e = c - int(iargs[sk.delay_steps_iarg])
            if e < 0 or stamp[e % R] != e:
                return self._rows(arrays, np.zeros(0, dtype=np.int64))
            return self._rows(arrays, arrived(e))
        doff, order = arrays[sk.delay_order.start_slot], arrays[sk.delay_order.order_slot]
        row = arrays[sk.row_slot]
        parts = []
        for d in range(min(R - 1, c) + 1):
            e = c - d
            if stamp[e % R] != e:
                continue
            i = arrived(e)
            lo, hi = doff[i * R + d], doff[i * R + d + 1]
            found = order[_ranges(lo, hi)].astype(np.int64)
            if sk.delay_order.in_row:            # places within the rows: add their starts
                found += np.repeat(row[i], hi - lo)
            parts.append(found)
        s = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        i = np.searchsorted(row, s, side="right") - 1
        j = s % sk.n_post if sk.dense else arrays[sk.col_slot][s].astype(np.int64)
        return s, i, j

    def _post_events(self, arrays, counters):
        sk = self.sk
        spikes = arrays[self.post.spike_list.slot][:counters[self.post.spike_list.count]]
        spikes = spikes.astype(np.int64) - sk.post_start
        spikes = spikes[(spikes >= 0) & (spikes < sk.n_post)]
        colptr, colsyn = arrays[sk.columns.start_slot], arrays[sk.columns.synapse_slot]
        s = colsyn[_ranges(colptr[spikes], colptr[spikes + 1])].astype(np.int64)
        j = np.repeat(spikes, colptr[spikes + 1] - colptr[spikes])
        i = s // sk.n_post if sk.dense else \
            np.searchsorted(arrays[sk.row_slot], s, side="right") - 1
        return s, i, j

    # --- running the statements ---------------------------------------------------------

    def events(self, kind: str, arrays, iargs, rargs, step: int, t, seed: int) -> None:
        """The on_pre (``kind`` "pre") or on_post ("post") events of this step."""
        sk, counters = self.sk, arrays[0]
        if kind == "pre":
            events = self._pre_events(arrays, iargs, counters, step)
            self._run(sk.pre_path, events, arrays, rargs, step, t, seed)
        else:
            events = self._post_events(arrays, counters)
            self._run(sk.post_path, events, arrays, rargs, step, t, seed)

    def before_groups(self, arrays, rargs, step: int, t, seed: int) -> None:
        """(summed) variables, then clock-driven equations, over every synapse."""
        sk = self.sk
        if sk.summed_path is None and sk.clock_path is None:
            return
        s, i, j = every_synapse(sk, arrays)
        if sk.summed_path is not None:
            targets = [(arrays[sk.access[a.target.name].slot], a.op == "=")   # "=": (max)
                       for a in sk.summed_path.code]
            part = slice(sk.post_start, sk.post_start + sk.n_post)
            for target, is_max in targets:
                target[part] = -np.inf if is_max else 0
            self._run(sk.summed_path, (s, i, j), arrays, rargs, step, t, seed)
            for target, is_max in targets:      # (max) targets no synapse reached: 0
                if is_max:
                    target[part] = np.where(np.isneginf(target[part]), 0, target[part])
        if sk.clock_path is not None:
            self._run(sk.clock_path, (s, i, j), arrays, rargs, step, t, seed)

    def _index(self, where: str, s, i, j, arrays):
        sk = self.sk
        if where == "kernel":                 # the element of the kernel each one reads
            return arrays[sk.kernel.slot][s]
        return {"syn": s, "pre": sk.pre_start + i, "post": sk.post_start + j}[where]

    def _run(self, path: Pathway, events, arrays, rargs, step: int, t, seed: int) -> None:
        s, i, j = events
        if s.size == 0:
            return
        if self.batch[path.kind]:
            self._run_batch(path, s, i, j, arrays, rargs, step, t, seed, True)
        else:
            for k in range(s.size):
                self._run_batch(path, s[k:k + 1], i[k:k + 1], j[k:k + 1], arrays, rargs,
                                step, t, seed, False)

    def _run_batch(self, path: Pathway, s, i, j, arrays, rargs, step: int, t, seed: int,
                   batch: bool):
        real, sk = self.real, self.sk
        env: Dict[str, object] = {"t": t, "dt": real(rargs[0]), PRE_INDEX.name: i.astype(real),
                                  POST_INDEX.name: j.astype(real)}
        for name, a in sk.access.items():
            if a.where == "scalar":
                env[name] = real(rargs[a.rarg])
        for name in path.loads:
            a = sk.access[name]
            env[name] = arrays[a.slot][self._index(a.where, s, i, j, arrays)]
        for d in path.draws:
            fn = ps_random.rand if d.kind == "uniform" else ps_random.randn
            env[d.symbol.name] = fn(seed, step, s.astype(np.uint32), d.stream, dtype=real)
        added = set()
        for a in path.code:
            if not batch:
                # one event: every name reads and writes memory, as the C++ references do
                for name in path.loads:
                    acc = sk.access[name]
                    env[name] = arrays[acc.slot][self._index(acc.where, s, i, j, arrays)]
            name = a.target.name
            value = np.broadcast_to(np.asarray(evaluate(a.expr, env, real), dtype=real),
                                    s.shape)
            if a.declare:                  # a local of the event code
                env[name] = value
                continue
            acc = sk.access[name]
            idx = self._index(acc.where, s, i, j, arrays)
            if batch and acc.where != "syn" and a.op != "=":
                # a neuron variable nothing else reads: add in event order
                (np.add if a.op == "+=" else np.subtract).at(arrays[acc.slot], idx, value)
                added.add(name)
                continue
            old = env[name]
            env[name] = {"=": value, "+=": old + value, "-=": old - value}[a.op]
            if not batch:
                arrays[acc.slot][idx] = env[name]
        for name in path.stores if batch else []:
            if name in added:
                continue
            a = sk.access[name]
            arrays[a.slot][self._index(a.where, s, i, j, arrays)] = env[name]


def every_synapse(sk: SynapsesKernel, arrays):
    """(synapse, pre, post) numbers of every synapse, in storage order."""
    row = arrays[sk.row_slot]
    s = np.arange(int(row[-1]), dtype=np.int64)
    i = np.repeat(np.arange(sk.n_pre, dtype=np.int64), np.diff(row))
    j = s % sk.n_post if sk.dense else arrays[sk.col_slot].astype(np.int64)
    return s, i, j


def _batchable(path: Pathway, sk: SynapsesKernel) -> bool:
    """Whether all events of a step may run statement by statement, vectorised."""
    neuron_writes: List[int] = []
    for a in path.code:
        acc = sk.access.get(a.target.name)
        if acc is None or acc.where == "syn":      # a local, or a synaptic variable
            continue
        if a.op == "=" or acc.slot in neuron_writes:
            return False
        neuron_writes.append(acc.slot)
    for a in path.code:
        for sym in a.expr.free_symbols:
            acc = sk.access.get(sym.name)
            if acc is not None and acc.where != "syn" and acc.slot in neuron_writes:
                return False
    return True
