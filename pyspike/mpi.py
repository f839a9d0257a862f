"""MPI ranks for the command line: whether this process is one of several ranks that an MPI
launcher started, and the few collective steps a sweep over ranks needs
(:mod:`pyspike.cli.sweep`).

A process is one of several ranks where its launcher says so in the environment it gives
its processes: ``mpirun`` of Open MPI (``OMPI_COMM_WORLD_SIZE``), ``mpiexec`` of MPICH or
Intel MPI and ``srun --mpi=pmi2`` (``PMI_SIZE``), MVAPICH (``MV2_COMM_WORLD_SIZE``), a
PMIx launcher such as ``srun --mpi=pmix`` (``PMIX_RANK``; the size is then MPI's).  Only
then is mpi4py imported and MPI started: without a launcher, pyspike needs neither mpi4py
nor an MPI library, and one rank (``mpirun -n 1``) runs as a plain process.

>>> world({}).size, world({"OMPI_COMM_WORLD_SIZE": "1"}).rank     # no MPI for one process
(1, 0)
>>> launched({"PMI_SIZE": "4"}), launched({"PMIX_RANK": "0"}), launched({})
(4, 0, None)
"""
from __future__ import annotations

import os
import time
from typing import Callable, List, Mapping, Optional, Sequence, TypeVar

from .codegen.errors import ModelError

__all__ = ["Failed", "Ranks", "communicator", "launched", "world"]

#: Variables holding the number of ranks, as the launchers set them.
SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE")
#: Variables that say a process was started by an MPI launcher, without the size.
RANK_VARIABLES = ("PMIX_RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK")
_WHERE = "MPI"
#: The longest sleep of a rank waiting for the others (seconds).
MAX_PAUSE_S = 0.05
T = TypeVar("T")


class Failed(Exception):
    """Another rank failed and rank 0 says so: this rank ends with a non-zero exit status
    and says nothing more (one sentence in the job's log, not one per rank)."""


def launched(environ: Mapping[str, str]) -> Optional[int]:
    """How many ranks an MPI launcher started, as ``environ`` says: None where no launcher
    started this process, 0 where one did without saying how many."""
    for name in SIZE_VARIABLES:
        text = environ.get(name, "").strip()
        if text.isdigit():
            return int(text)
    return 0 if any(name in environ for name in RANK_VARIABLES) else None


def world(environ: Optional[Mapping[str, str]] = None) -> "Ranks":
    """The ranks of this run: MPI's world where a launcher started several processes
    (mpi4py then starts MPI), else this process alone."""
    return Ranks(communicator(environ))


def communicator(environ: Optional[Mapping[str, str]] = None):
    """mpi4py's ``COMM_WORLD`` where a launcher started several processes (mpi4py then
    starts MPI), else None: this process alone."""
    environ = os.environ if environ is None else environ
    size = launched(environ)
    if size is None or size == 1:
        return None
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ModelError(f"this process was started by an MPI launcher, but mpi4py cannot be "
                         f"imported ({err}): pip install mpi4py, built against the MPI that "
                         "mpirun belongs to", where=_WHERE) from None
    comm = MPI.COMM_WORLD
    if size and comm.Get_size() != size:
        raise ModelError(f"the launcher started {size} processes but MPI sees "
                         f"{comm.Get_size()} (mpi4py uses another MPI library than mpirun, or "
                         "srun lacks --mpi=pmix): every process would do all the work",
                         where=_WHERE)
    return comm


class Ranks:
    """The ranks of a run: this one (``rank``, 0 to ``size`` - 1) and the steps they take
    together.  Without a communicator, one process whose steps are plain calls.

    >>> ranks = Ranks()
    >>> ranks.first(lambda: "plan"), ranks.mine(range(5)), ranks.total(3), ranks.gather(7)
    ('plan', [0, 1, 2, 3, 4], 3, [7])
    """

    def __init__(self, comm=None):
        self._comm = comm
        self.rank = 0 if comm is None else int(comm.Get_rank())
        self.size = 1 if comm is None else int(comm.Get_size())

    def first(self, work: Callable[[], T]) -> T:
        """``work()`` on rank 0 while the others wait, and its result on every rank (it
        must pickle); where it fails, it raises on rank 0 and :class:`Failed` elsewhere."""
        if self._comm is None:
            return work()
        if self.rank != 0:
            self._meet()
            ok, result = self._comm.bcast(None, root=0)
            if not ok:
                raise Failed("rank 0 failed")
            return result
        try:
            result = work()
        except BaseException:
            self._meet()
            self._comm.bcast((False, None), root=0)
            raise
        self._meet()
        self._comm.bcast((True, result), root=0)
        return result

    def mine(self, items: Sequence[T]) -> List[T]:
        """This rank's share of ``items``: every ``size``-th from its ``rank`` on."""
        return list(items)[self.rank::self.size]

    def gather(self, value: T) -> List[T]:
        """Every rank's ``value``, in the order of the ranks, on every rank."""
        if self._comm is None:
            return [value]
        self._meet()
        return list(self._comm.allgather(value))

    def total(self, count: int) -> int:
        """The sum of every rank's ``count``."""
        return int(sum(self.gather(int(count))))

    def _meet(self) -> None:
        """Wait until every rank is here, asleep between looks (MPI's blocking calls spin:
        a rank waiting for a slower one would take a core from it where they share one)."""
        request, pause = self._comm.Ibarrier(), 0.001
        while not request.Test():
            time.sleep(pause)
            pause = min(2 * pause, MAX_PAUSE_S)
