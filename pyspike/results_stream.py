"""Recordings written to a results file while the network runs, so that memory stays bounded
however long the run.

A :class:`ResultsStream` is a network operation (:mod:`pyspike.network_operation`) that,
every ``every`` ms of model time, appends what the monitors recorded since its last write
to the file and empties them.  The file has the layout of :func:`pyspike.save_results`,
with the same numbers: a run in pieces gives the numbers of a run in one piece, and a
report's frames and a population's spikes are appended in time order.  While the run goes
on the file is ``<path>.tmp`` (flushed after every write); ``close()`` — or the end of the
``with`` block, also when the run stopped with an error or Ctrl-C — writes what is left
and renames it to ``path``.

With checkpoints (``pyspike run --checkpoint``), the stream is cut at every checkpoint:
``cut()`` closes the part written since the last one as a complete file of its own,
``<path>.part<k>``, and the checkpoint records how many parts there are.  A run resumed
from it starts its stream with ``parts=k``: the parts after the checkpoint's (and the half
written one a killed run left) are removed, and the run writes on from there.  ``close()``
joins the parts into ``path``.  So a run killed at any moment and resumed writes the file
an uninterrupted run writes, and the checkpoints stay small: they hold what the monitors
recorded since the last cut, which is nothing.
"""
from __future__ import annotations

import glob
import os
import re
from typing import Optional, Union

from .codegen.errors import ModelError
from .network_operation import NetworkOperation
from .results_write import Recordings, ResultsWriter, monitors_of, recording
from . import checks

#: The memory the state monitors may fill between two writes when ``every`` is not given.
MAX_BYTES = 64 << 20
#: The longest model time (ms) between two writes when ``every`` is not given (spikes,
#: whose number is not known in advance, are held at most this long).
MAX_EVERY = 1000.0
_WHERE = "ResultsStream"


class ResultsStream:
    """Write the recordings of ``source`` (a Network, or a list of monitors of one) to the
    HDF5 file ``path`` while the network runs, every ``every`` ms of model time (default:
    as often as keeps the state monitors below 64 MiB, at least once per second of model
    time).  The monitors keep in memory only what is not written yet.

    >>> import tempfile, pyspike as ps
    >>> net = ps.Network(dt=0.1, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(2, ps.NeuronModel("dv/dt = 1/ms : 1", threshold="v > 1",
    ...                                          reset="v = 0"), name="exc")
    ...     mon = ps.SpikeMonitor(G)
    >>> path = tempfile.mkdtemp() + "/run.h5"
    >>> with ps.ResultsStream(net, path, every=2.0):
    ...     net.run(5.0)
    >>> len(mon.t)                   # all written: nothing left in memory
    0
    >>> ps.load_results(path).spikes["exc"].timestamps.round(6).tolist()
    [1.1, 1.1, 2.2, 2.2, 3.3, 3.3, 4.4, 4.4]
    """

    def __init__(self, source, path: Union[str, os.PathLike], every: Optional[float] = None,
                 *, parts: Optional[int] = None, keep: bool = True):
        self.monitors = monitors_of(source, _WHERE)
        nets = {id(m.group.network): m.group.network for m in self.monitors}
        if len(nets) != 1:
            raise ModelError("a ResultsStream writes the monitors of one network; "
                             f"{'none was given' if not nets else 'these belong to several'}",
                             where=_WHERE, symbol="source")
        self.network = next(iter(nets.values()))
        if every is None:
            every = _default_every(self.monitors, self.network.dt)
        every = checks.duration(every, "every", _WHERE, positive=True)
        Recordings(self.monitors, _WHERE)          # what cannot be written: refused now
        self.path = os.path.realpath(os.fspath(path))
        #: the number of parts closed so far (None: one file, no parts)
        self.parts = None if parts is None else _keep_parts(self.path, parts)
        # (keep=False: the ranks but the first of a network split over MPI ranks, which
        # run the same writes, so that the ranks' runs stay in step, into no file)
        self._writer = ResultsWriter(self._target(), _WHERE) if keep else _Nowhere()
        self._operation = NetworkOperation(self.write, dt=every, order=-2 ** 31,
                                           name="ResultsStream")
        try:
            self.network.add(self._operation)
        except BaseException:
            self._writer.abort()
            raise

    def _target(self) -> str:
        return self.path if self.parts is None else part_path(self.path, self.parts)

    def write(self) -> None:
        """Append what the monitors hold to the file and empty them (called by the
        network every ``every`` ms; calling it by hand is harmless)."""
        if self._writer is None:
            raise ModelError(f"this ResultsStream of '{self.path}' is closed", where=_WHERE)
        try:
            self._writer.append(Recordings(self.monitors, _WHERE))
            self._writer.flush()
        except BaseException:
            self._abandon()
            raise
        for mon in self.monitors:
            _empty(mon)

    def cut(self) -> int:
        """Write what the monitors hold and close the part written so far as a file of its
        own (a stream made with ``parts=``); returns the number of parts, which a
        checkpoint taken now records."""
        if self.parts is None:
            raise ModelError("cut() ends a part of a stream made with parts= (for "
                             "checkpoints)", where=_WHERE)
        self.write()
        writer = self._writer
        writer.finish()
        self.parts += 1
        self._writer = ResultsWriter(self._target(), _WHERE)
        return self.parts

    def close(self) -> None:
        """Write what is left, stop writing, and give the file its name (joining the
        parts, if the stream has parts)."""
        if self._writer is None:
            return
        self.write()
        writer, self._writer = self._writer, None
        self._detach()
        writer.finish()
        if self.parts is not None:
            _join(self.path, self.parts + 1)

    def _abandon(self) -> None:
        """A write failed: the file cannot be trusted; remove it and stop writing."""
        writer, self._writer = self._writer, None
        self._detach()
        if writer is not None:
            writer.abort()

    def _detach(self) -> None:
        ops = self.network.operations
        ops[:] = [op for op in ops if op is not self._operation]

    def __enter__(self) -> "ResultsStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()           # (after an error too: the file holds the run until then)


def part_path(path: str, k: int) -> str:
    """The file of part ``k`` of the results file ``path``."""
    return f"{path}.part{k}"


def _keep_parts(path: str, k: int) -> int:
    """Keep parts 0 .. k-1 of ``path`` (refused if one is missing) and remove the others
    and their temporary files: what a run after the checkpoint wrote."""
    if not isinstance(k, int) or k < 0:
        raise ModelError(f"parts must be a whole number >= 0, not {k!r}", where=_WHERE,
                         symbol="parts")
    missing = [part_path(path, j) for j in range(k) if not os.path.isfile(part_path(path, j))]
    if missing:
        raise ModelError(f"the results written before the checkpoint are missing "
                         f"({missing[0]}): they cannot be continued; start the run again",
                         where=_WHERE, symbol="parts")
    pattern = re.compile(re.escape(path) + r"\.part(\d+)(\.tmp)?$")
    for name in glob.glob(glob.escape(path) + ".part*"):
        m = pattern.match(name)
        if m and (int(m.group(1)) >= k or m.group(2)):
            os.unlink(name)
    return k


def _join(path: str, n: int) -> None:
    """Parts 0 .. n-1 of ``path``, joined in order into ``path`` (atomically), then
    removed."""
    writer = ResultsWriter(path, _WHERE)
    try:
        for k in range(n):
            writer.append_file(part_path(path, k))
    except BaseException:
        writer.abort()
        raise
    writer.finish()
    for k in range(n):
        os.unlink(part_path(path, k))


def _default_every(monitors, dt: float) -> float:
    """The model time that fills MAX_BYTES of state monitor samples, within [dt, MAX_EVERY]
    and a whole number of steps."""
    per_step = 0.0
    for mon in monitors:
        if recording(mon) == "states":
            K = mon.group.network.batch or 1
            per_step += 8.0 * K * len(mon.record) * len(mon.variables) / mon.every
    steps = MAX_EVERY / dt if per_step == 0 else min(MAX_BYTES / per_step, MAX_EVERY / dt)
    return max(1, int(steps)) * dt


def _empty(mon) -> None:
    """Drop a monitor's recordings (written to the file), keeping its per-neuron counts."""
    table = mon.state
    if recording(mon) == "states":
        table.steps.clear()
    else:
        table.i.clear()
        table.step.clear()
    for runs in table.data.values():
        runs.clear()


class _Nowhere:
    """The writer of a stream that keeps nothing (``ResultsStream(..., keep=False)``)."""

    def append(self, recordings) -> None:
        pass

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass
