"""SPAIC's Network: the top assembly, which builds and runs the description on
pyspike's compiled kernels.

``run(T)`` starts every neuron from its initial state (SPAIC's ``[stay]`` variables and
the weights excepted) and runs T ms with the encoders' current data; ``run_continue(T)``
goes on from where the last run stopped.  A batch of B samples runs as B instances of one
compiled network (instance b draws its random numbers from its own seed, so each sample
gives what it gives alone with that seed); a new batch size builds the network anew
(from the compile cache), keeping the weights.

>>> import numpy as np, pyspike.spaic as spaic
>>> class Net(spaic.Network):
...     def __init__(self):
...         super().__init__()
...         self.input = spaic.Encoder(num=3, coding_method="latency")
...         self.layer = spaic.NeuronGroup(2, model="lif")
...         self.con = spaic.Connection(self.input, self.layer, link_type="full",
...                                     weight=np.full((2, 3), 2.0))
...         self.spikes = spaic.SpikeMonitor(self.layer)
>>> net = Net()
>>> net.set_random_seed(1)
>>> net.build(backend="numpy")
>>> net.input(np.array([[1.0, 0.0, 0.5]]))
>>> net.run(1.0)
>>> [t.round(1).tolist() for t in net.spikes.spk_times]
[[0.1, 0.1, 0.5, 0.5]]
"""
from __future__ import annotations

from typing import Optional

from ..codegen.errors import ModelError
from . import context
from .assembly import Assembly
from .lowering import Lowered

_BACKENDS = ("cpu", "cuda", "numpy")


#: SPAIC's data types (torch's, NumPy's or their names) -> pyspike's precision
_PRECISIONS = {"float32": "single", "float": "single", "single": "single",
               "float64": "double", "double": "double"}


def _precision(data_type) -> str:
    """pyspike's precision for SPAIC's ``data_type`` (``torch.float32``, ``np.float64``,
    ``"float32"``)."""
    name = str(getattr(data_type, "__name__", data_type)).replace("torch.", "")
    if name not in _PRECISIONS:
        raise ModelError(f"data_type {data_type!r}: pyspike computes in float32 (SPAIC's "
                         "default) or float64", where="Backend", symbol="data_type")
    return _PRECISIONS[name]


class Backend:
    """Where and at which step a network runs: ``name`` is ``"cpu"``, ``"cuda"`` or
    ``"numpy"``; ``dt`` in ms (SPAIC's default 0.1); ``data_type`` float64 (pyspike's
    default) or float32 (SPAIC's: ``backend.data_type = torch.float32``, or the name).
    float32 is SPAIC's arithmetic and faster, but pyspike's time runs on across runs
    (SPAIC's starts each run at 0), and float32 times lose the sub-step precision of 0.1
    ms steps beyond about 4e5 ms (4000 samples of 100 ms): long training runs in float64.

    >>> b = Backend("numpy")
    >>> b.data_type, b.precision
    ('float64', 'double')
    >>> b.data_type = "float32"
    >>> b.precision
    'single'
    """

    def __init__(self, name: str = "cpu", dt: float = 0.1, data_type="float64"):
        if name not in _BACKENDS:
            raise ModelError(f"backend {name!r}: choose one of {', '.join(_BACKENDS)}",
                             where="Network.build", symbol=str(name))
        self.name, self.dt, self.precision = name, float(dt), _precision(data_type)
        self.backend_name = self.simulator_name = name

    @property
    def data_type(self) -> str:
        """``"float32"`` or ``"float64"``: what the compiled code computes in."""
        return "float32" if self.precision == "single" else "float64"

    @data_type.setter
    def data_type(self, value) -> None:
        self.precision = _precision(value)

    def __repr__(self) -> str:
        return f"Backend({self.name!r}, dt={self.dt})"


def Torch_Backend(device="cpu", **kwargs) -> Backend:
    """SPAIC's ``Torch_Backend(device)``: pyspike's compiled backend for that device
    (``"cuda"`` -> the CUDA backend, else the C++ one)."""
    device = device[0] if isinstance(device, (list, tuple)) else device
    return Backend("cuda" if str(device).startswith("cuda") else "cpu", **kwargs)


class Network(Assembly):
    """The top assembly of a SPAIC model (see the module's doc)."""

    _class_label = "<net>"

    def __init__(self, name: Optional[str] = None):
        super().__init__(name)
        for key, value in (("_backend", Backend()), ("_seed", None), ("_lowered", None),
                           ("_dirty", True), ("training", True)):
            object.__setattr__(self, key, value)

    # -- configuration ------------------------------------------------------------------
    def set_backend(self, backend=None, device=None, dt: Optional[float] = None,
                    partition=None) -> None:
        """Choose the backend: a Backend, a name (``"cpu"``, ``"cuda"``, ``"numpy"``), or
        ``device=``; ``dt`` in ms."""
        if isinstance(backend, Backend):
            object.__setattr__(self, "_backend", backend)
        elif backend is not None or device is not None:
            name = backend if isinstance(backend, str) else None
            new = Torch_Backend(device) if name is None else Backend(name)
            new.dt, new.precision = self._backend.dt, self._backend.precision
            object.__setattr__(self, "_backend", new)
        if dt is not None:
            self.set_backend_dt(dt)
        self._changed()

    def set_backend_dt(self, dt: float = 0.1) -> None:
        if not float(dt) > 0:
            raise ModelError(f"dt must be > 0 ms, not {dt!r}", where="Network", symbol="dt")
        self._backend.dt = float(dt)
        self._changed()

    @property
    def dt(self) -> float:
        return self._backend.dt

    @property
    def backend(self) -> Backend:
        return self._backend

    def set_random_seed(self, seed) -> None:
        """The seed of every random number of the runs (Poisson encoders, noise)."""
        object.__setattr__(self, "_seed", seed)
        self._changed()

    def _changed(self) -> None:
        object.__setattr__(self, "_dirty", True)
        super()._changed()

    # -- build and run ------------------------------------------------------------------
    def build(self, backend=None, strategy: int = 0, full_enable_grad=None,
              device=None) -> None:
        """Lower the description and compile it (for the batch of the data given last, or
        1 sample); SPAIC's strategy 0 is pyspike's order: every connection delivers a
        spike in the step after it (one step per connection)."""
        if backend is not None or device is not None:
            self.set_backend(backend, device)
        if strategy not in (0,):
            raise ModelError("build strategy 1 (SPAIC's forward build, no lag) is not built "
                             "yet: pyspike delivers each connection's spikes one step later",
                             where="Network.build", symbol="strategy")
        learner = self.gradient_learner()
        if learner is not None:           # (runs as a torch graph: learners_gradient.py)
            learner.prepare(self)
            return
        self._lower(self._batch())

    def gradient_learner(self):
        """The gradient learner (STCA, STBP, sbp) this network runs for, or None."""
        return next((learner for learner in self.all_members("_learners")
                     if getattr(learner, "gradient_based", False)), None)

    @property
    def changed(self) -> bool:
        """Whether the description changed since the network was last built."""
        return self._dirty

    def release_compiled(self) -> None:
        """Give the compiled network's state back to the members and drop it; the
        description counts as built (a gradient learner runs it as a torch graph)."""
        if self._lowered is not None:
            self._lowered.read_back()
            object.__setattr__(self, "_lowered", None)
        object.__setattr__(self, "_dirty", False)

    def batch_size(self) -> int:
        """The batch of the data the encoders were given last (1 without data)."""
        return self._batch()

    def _batch(self) -> int:
        from .nodes import Encoder
        sizes = {g.batch for g in self.groups() if isinstance(g, Encoder) and g.data is not None}
        if len(sizes) > 1:
            raise ModelError(f"the encoders were given batches of different sizes "
                             f"{sorted(sizes)}", where="Network.run", symbol="input")
        return sizes.pop() if sizes else 1

    def _lower(self, batch: int) -> Lowered:
        low = self._lowered
        if low is not None and not self._dirty and low.batch == batch and \
                low.ps_net.precision == self._backend.precision:
            return low
        if low is not None:
            low.read_back()
        b = self._backend
        with context.suspended():        # what the build makes is no user's member
            low = Lowered(self, batch, b.name, b.dt, self._seed, b.precision)
        low.ps_net.build()
        object.__setattr__(self, "_lowered", low)
        object.__setattr__(self, "_dirty", False)
        return low

    def _steps(self, run_time) -> int:
        steps = int(round(float(run_time) / self.dt))
        if steps < 1 or abs(steps * self.dt - float(run_time)) > 1e-6 * self.dt:
            raise ModelError(f"run_time {run_time!r} ms is not a whole number (>= 1) of "
                             f"steps of dt = {self.dt} ms", where="Network.run",
                             symbol="run_time")
        return steps

    def run(self, run_time: float) -> None:
        """Run ``run_time`` ms from the initial state (the weights stay)."""
        steps = self._steps(run_time)
        learner = self.gradient_learner()
        if learner is not None:
            learner.run_network(self, steps)
            return
        low = self._lower(self._batch())
        low.training = self.training
        low.reset()
        low.run(steps, new_run=True)

    def run_continue(self, run_time: float) -> None:
        """Run ``run_time`` ms more from where the last run stopped."""
        steps = self._steps(run_time)
        learner = self.gradient_learner()
        if learner is not None:
            learner.run_network(self, steps, new_run=False)
        if self._lowered is None or self._dirty:
            raise ModelError("run_continue goes on from a run: call run() first",
                             where="Network.run_continue")
        self._lowered.training = self.training
        self._lowered.run(steps, new_run=False)

    def reset(self) -> None:
        """Every neuron back to its initial state (the weights stay)."""
        if self._lowered is not None:
            self._lowered.reset()

    def train(self, mode: bool = True) -> None:
        """Learners change weights while running (the default)."""
        if bool(mode) != self.training and any(
                learner.algorithm == "custom_rule" for learner in self.all_members("_learners")):
            self._changed()              # a custom rule is compiled only while training
        object.__setattr__(self, "training", bool(mode))

    def eval(self) -> None:
        """Learners leave the weights as they are."""
        self.train(False)

    @property
    def seed(self):
        """The seed given by ``set_random_seed`` (None: drawn at each build)."""
        return self._seed

    @property
    def built(self):
        """The compiled network of the last build (a :class:`Lowered`), or None when
        there is none or the description changed since."""
        return None if self._dirty else self._lowered

    @property
    def seeds(self):
        """The seed of each sample of the last build: sample b of a batch draws what a
        run of that sample alone draws with ``set_random_seed(seeds[b])``."""
        return None if self._lowered is None else self._lowered.ps_net.seeds.copy()

    def save_state(self, filename=None, direct=None, save: bool = True, hdf5: bool = True):
        """The weights and state in an HDF5 file (SPAIC's ``save_state``; see
        :mod:`pyspike.spaic.saving`); ``save=False`` returns them as a dict."""
        from .saving import save_state
        return save_state(self, filename, direct, save, hdf5)

    def state_from_dict(self, state=None, filename=None, direct=None, device=None) -> None:
        """Load what ``save_state`` wrote (or returned), checked against this network."""
        from .saving import state_from_dict
        return state_from_dict(self, state, filename, direct, device)

    @property
    def time(self) -> float:
        """ms simulated since the build."""
        return 0.0 if self._lowered is None else self._lowered.ps_net.t
