"""Network: collects groups and monitors, builds them once, runs them in generated code."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .codegen.errors import ModelError
from .codegen.spec import NetworkSpec
from . import _context, batching, checks, manifest, network_operation, pathways
from .backends import get_backend
from .group import NeuronGroup
from .monitors import SpikeMonitor, StateMonitor
from .rate_monitor import PopulationRateMonitor
from .network_operation import NetworkOperation
from .state import NetworkState
from .threads import resolve as resolve_threads
from .synapses import Synapses
from .toolchain.generation import generate



@dataclass
class BuildInfo:
    """What the last build did: ``generated`` (sympy + templates ran), ``compiled``
    (the compiler ran), and how long each part took in seconds."""
    generated: bool
    compiled: bool
    generate_s: float
    compile_s: float
    library: Optional[str] = None
    source: Optional[str] = None


class Network:
    """A simulation: groups and monitors, a time step ``dt`` (ms), a seed and a backend.

    ``batch=K`` simulates K independent instances in the same kernels and launches
    (parameter sweeps, trials): every variable gains a leading axis of K, monitors too;
    connectivity and delays are shared; instance b draws its random numbers from its own
    seed ``net.seeds[b]`` (``seed`` may also be a list of K seeds).

    ``threads=N`` runs the CPU backend on N OpenMP threads, with the same results as one
    thread, bit for bit (default: ``OMP_NUM_THREADS``, else the cores this process may
    use; :mod:`pyspike.threads`); the NumPy and CUDA backends ignore it.

    ``partition=True`` splits the network over the ranks of an MPI job (``mpirun -n R``):
    each rank simulates a block of every group's neurons and the synapses onto them, and
    the ranks swap spikes once per minimum delay, with the spikes of the single process
    for the same seed (:mod:`pyspike.partition`; every rank runs the same script).

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = (I - v)/tau : mV", params={"I": 2.0, "tau": 10.0})
    >>> net = ps.Network(dt=0.1, seed=1, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(2, m)
    >>> net.run(10.0)
    >>> round(float(G.v[0]), 4)   # 2*(1 - exp(-1)) with exact integration
    1.2642
    >>> sweep = ps.Network(dt=0.1, seed=1, backend="numpy", batch=3)
    >>> with sweep:
    ...     H = ps.NeuronGroup(2, m)
    >>> H.I = [[1.0], [2.0], [3.0]]          # one value per instance
    >>> sweep.run(10.0)
    >>> H.v.shape, round(float(H.v[2, 0]), 4)
    ((3, 2), 1.8964)
    """

    def __init__(self, dt: float = 0.1, seed=None, backend: str = "cpu",
                 precision: str = "double", cache_dir: Optional[str] = None,
                 batch: Optional[int] = None, check_finite: bool = True,
                 progress: Optional[bool] = None, threads: Optional[int] = None,
                 partition: bool = False):
        dt = checks.unitless(dt, "dt", "Network", "ms")
        if not checks.is_number(dt) or not math.isfinite(dt) or not dt > 0:
            raise ModelError(f"dt must be a positive, finite number of ms, not {dt!r}",
                             where="Network", symbol="dt")
        checks.flag(check_finite, "check_finite", "Network")
        checks.flag(partition, "partition", "Network")
        if progress is not None:
            checks.flag(progress, "progress", "Network")
        if precision not in ("double", "single"):
            raise ModelError(f"precision must be 'double' or 'single', not {precision!r}",
                             where="Network", symbol=str(precision))
        #: The threads of the CPU backend's runs (:mod:`pyspike.threads`).
        self.threads = resolve_threads(threads)
        self.dt = float(dt)
        self.batch, self.seeds = batching.instances(batch, seed)
        self.seed = int(self.seeds[0])
        self.precision = precision
        self.backend = get_backend(backend)
        self.cache_dir = cache_dir
        #: Report inf and NaN in the state (``NonFiniteError``) after every chunk of a run.
        self.check_finite = bool(check_finite)
        #: A progress bar for long runs: None on a terminal only, True always, False never.
        self.progress = progress
        self.objects: List[object] = []
        #: The network operations (Python functions called between steps), in order added.
        self.operations: List[NetworkOperation] = []
        self.step = 0
        #: Wall time per step measured by the last run (it sizes the next run's chunks).
        self.seconds_per_step: Optional[float] = None
        self.last_build: Optional[BuildInfo] = None
        self._built_spec: Optional[NetworkSpec] = None
        self._kernel = None
        #: Initial values drawn so far: the position of their random streams.
        self.init_draws = 0
        #: The snapshots ``store`` keeps in memory, by name.
        self.snapshots = {}
        #: Split over the ranks of an MPI job (:mod:`pyspike.partition`): its runs are run
        #: by ``self.ranks``, a network of this rank's blocks, once it is made.
        self.partition = bool(partition)
        if partition and seed is None:
            raise ModelError("a network split over MPI ranks (partition=True) needs a seed: "
                             "every rank builds it, and they must draw the same numbers",
                             where="Network", symbol="seed")
        self.ranks = None
        #: What the runtime calls between the pieces of a run to swap spikes with the
        #: other ranks (set on a rank's own network by :mod:`pyspike.partition`).
        self.exchange = None

    @property
    def t(self) -> float:
        """Current time in ms."""
        return self.step * self.dt

    @property
    def state(self) -> NetworkState:
        """Every element array of the network by ``"<object>.<name>"`` (views):
        ``net.state["exc.v"]`` is ``exc.v``."""
        return NetworkState(self)

    @property
    def K(self) -> int:
        """The number of instances simulated together (1 without ``batch``)."""
        return len(self.seeds)

    @property
    def real(self):
        return np.float64 if self.precision == "double" else np.float32

    def add(self, *objects) -> None:
        for obj in objects:
            if isinstance(obj, (list, tuple)):
                self.add(*obj)
                continue
            if isinstance(obj, NetworkOperation):
                network_operation.attach(self, obj)
                continue
            if not isinstance(obj, (NeuronGroup, Synapses, SpikeMonitor, StateMonitor,
                                    PopulationRateMonitor)):
                raise ModelError(f"cannot add {type(obj).__name__} to a Network",
                                 where="Network.add")
            if any(o is obj for o in self.objects):
                continue
            if isinstance(obj, NeuronGroup):
                if any(g.name == obj.name for g in self.groups):
                    raise ModelError(f"two groups are named '{obj.name}'", where="Network.add")
                obj._attach(self, len(self.groups))
            if isinstance(obj, Synapses):
                self.objects.append(obj)
                try:
                    obj._attach(self, len(self.synapses) - 1)
                except BaseException:      # a refused object does not join the network
                    self.objects[:] = [o for o in self.objects if o is not obj]
                    raise
                continue
            self.objects.append(obj)

    def __enter__(self) -> "Network":
        _context.push(self)
        return self

    def __exit__(self, *exc) -> None:
        _context.pop()

    def _next_init(self) -> int:
        self.init_draws += 1
        return self.init_draws

    @property
    def groups(self) -> List[NeuronGroup]:
        return [o for o in self.objects if isinstance(o, NeuronGroup)]

    @property
    def synapses(self) -> List[Synapses]:
        return [o for o in self.objects if isinstance(o, Synapses)]

    def objects_of(self, kind) -> list:
        """The objects of the network of type ``kind``, in the order they were added."""
        return [o for o in self.objects if isinstance(o, kind)]

    def _spec(self) -> NetworkSpec:
        for mon in self.objects_of((SpikeMonitor, StateMonitor, PopulationRateMonitor)):
            if not any(g is mon.group for g in self.groups):
                raise ModelError(f"a monitor records group '{mon.group.name}', which is not in "
                                 "this network: add the group too", where="Network")
        for syn in self.synapses:
            for g in (syn.source, syn.target):
                if not any(g is h for h in self.objects):
                    raise ModelError(f"Synapses '{syn.name}' connect '{g.name}', which is not "
                                     "in this network: add it too", where="Network")
        return NetworkSpec(tuple(g._spec() for g in self.groups),
                           tuple(m._spec() for m in self.objects_of(StateMonitor)),
                           tuple(m._spec() for m in self.objects_of(SpikeMonitor)),
                           tuple(m._spec() for m in self.objects_of(PopulationRateMonitor)),
                           self.precision, self._synapse_specs(), self.K)

    def _synapse_specs(self) -> tuple:
        """Every Synapses object's spec, then one per further pathway (pathways.py)."""
        mains = tuple(s._spec() for s in self.synapses)
        return mains + tuple(p for s, m in zip(self.synapses, mains)
                             for p in pathways.specs(s, m))

    def build(self) -> BuildInfo:
        """Generate, compile (or find in the cache) and load the code; runs do this first."""
        if not self.groups:
            raise ModelError("the network has no NeuronGroup to simulate", where="Network")
        if self.partition:                 # (this rank's share: pyspike.partition)
            from . import partition
            return partition.build(self)
        spec = self._spec()
        if spec == self._built_spec:
            self.last_build = BuildInfo(False, False, 0.0, 0.0)
            return self.last_build
        t0 = time.perf_counter()
        generated = generate(spec, self.backend.capabilities.target, self.cache_dir)
        t1 = time.perf_counter()
        info = self.backend.prepare(generated, self.cache_dir)
        manifest.check_manifest(self.backend.manifest(), generated.kernel.manifest,
                                 info["library"])
        t2 = time.perf_counter()
        self._kernel, self._built_spec = generated.kernel, spec
        for obj in self.groups + self.synapses:
            obj._cast(self.real)
        self.last_build = BuildInfo(not generated.cached, info["compiled"], t1 - t0, t2 - t1,
                                    info["library"] and str(info["library"]),
                                    info["source"] and str(info["source"]))
        return self.last_build

    def export(self, folder, target: str = "cpp", name: str = "network"):
        """A standalone CMake project of this network in ``folder`` (:mod:`pyspike.export`)."""
        self._whole("export")
        from . import export
        return export.export(self, folder, target, name)

    def _sync(self) -> None:
        """The host copies of the state, up to date (a no-op but for a backend that keeps
        the state on a device, as backend='cuda' does: its capability resident_state)."""
        if self.backend.capabilities.resident_state:
            self.backend.sync()

    def store(self, name: str = "default", filename: Optional[str] = None) -> None:
        """Keep a snapshot of the complete state: variables, spikes in flight, monitors
        and the position of the random streams: in memory, or in ``filename``, an
        ``.npz`` file that cannot run code and is checked when read
        (see :mod:`pyspike.snapshot_file`).

        >>> import pyspike as ps
        >>> m = ps.NeuronModel("dv/dt = xi/sqrt(tau) : mV", params={"tau": 10.0})
        >>> net = ps.Network(dt=0.1, seed=2, backend="numpy")
        >>> with net:
        ...     G = ps.NeuronGroup(3, m)
        >>> net.store()
        >>> net.run(5.0); first = G.v.copy()
        >>> net.restore(); net.run(5.0)
        >>> bool((G.v == first).all())
        True
        """
        self._whole("store")
        from . import store
        store.store(self, name, filename)

    def restore(self, name: str = "default", filename: Optional[str] = None) -> None:
        """Go back to a state kept by :meth:`store`; the next run continues from there."""
        self._whole("restore")
        from . import store
        store.restore(self, name, filename)

    def checkpoint(self, path) -> None:
        """Write the run's complete state into ``path``, atomically, to continue it later
        with :meth:`from_checkpoint` (:mod:`pyspike.checkpoint`)."""
        self._whole("checkpoint")
        from . import checkpoint
        checkpoint.write(self, path)

    @classmethod
    def from_checkpoint(cls, path, build=None) -> "Network":
        """The network of a checkpoint, built again (from its model file, or by
        ``build()``) and at the checkpoint's state (:mod:`pyspike.checkpoint`)."""
        from . import checkpoint
        return checkpoint.load(cls, path, build)

    def _whole(self, what: str) -> None:
        """Refuse ``what`` for a network split over MPI ranks, which it does not cover."""
        if self.partition:
            raise ModelError(f"a network split over MPI ranks (partition=True) has no "
                             f"{what} yet: run it with partition=False for that",
                             where=f"Network.{what}", symbol="partition")

    def stop(self) -> None:
        """End the run in progress after the current step (from a network operation; the
        same as ``ps.stop()``, Brian2's ``stop()``)."""
        network_operation.stop(self)

    def run(self, duration: float) -> None:
        """Advance by ``duration`` ms, a whole number of steps.

        The compiled code returns to Python about every 0.1 s of wall time: Ctrl-C stops
        the run there (``KeyboardInterrupt``) with ``net.t``, the state and the monitors at
        the last completed step, and the next ``run`` continues as if uninterrupted.  A
        state variable that becomes inf or NaN stops it the same way with a
        ``NonFiniteError`` naming the group, variable, neuron and step (unless
        ``check_finite=False``).  Network operations are called where they are due, between
        compiled pieces of the run (:mod:`pyspike.network_operation`).
        """
        duration = checks.unitless(duration, "duration", "Network.run", "ms")
        if not checks.is_number(duration) or not math.isfinite(duration) or duration < 0:
            raise ModelError(f"the duration of a run must be a finite number of ms >= 0, "
                             f"not {duration!r}", where="Network.run", symbol="duration")
        n_steps = int(round(duration / self.dt))
        if abs(n_steps * self.dt - duration) > 1e-6 * max(1.0, abs(duration)):
            raise ModelError(f"duration {duration} ms is not a whole number of steps of "
                             f"dt = {self.dt} ms", where="Network.run", symbol="duration")
        if self.partition:             # (an error on one rank ends the job: partition.py)
            from . import partition
            partition.guarded(self, lambda: network_operation.run(self, n_steps,
                                                                   self._advance))
            return
        network_operation.run(self, n_steps, self._advance)

    def _advance(self, n_steps: int) -> None:
        """Build (if the network changed) and run ``n_steps`` steps of compiled code."""
        if self.partition:
            from . import partition
            partition.advance(self, n_steps)
            return
        self.build()
        for obj in self.groups + self.synapses:   # (a restore may bring other dtypes)
            obj._cast(self.real)
        if n_steps == 0:
            return
        from .runtime import run_steps
        run_steps(self, self._kernel, n_steps)    # (it advances self.step)

