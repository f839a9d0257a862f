"""The one interface every backend implements, and the record of what a backend can do.

The runtime and the front end talk to a backend only through :class:`Backend`: they call
its methods and read its :class:`Capabilities`, never probe for attributes.  A backend
inherits :class:`BaseBackend`, which gives every optional method its default (the host
arrays are the state: nothing to sync, collect or fetch from a device), and declares its
capabilities as one frozen record; a field it leaves out has the default written here.

>>> caps = Capabilities(target="cpp")
>>> caps.unordered_spikes, caps.resident_state, caps.device_arrays
(False, False, False)
>>> caps.poisson_limit("float32"), Capabilities("cuda", {"single": 80.0}).poisson_limit("float32")
(500.0, 80.0)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar, List, Mapping, Optional, Protocol

import numpy as np

#: The largest PoissonInput mean count per step, where a backend states no limit: the
#: count is drawn in double precision (ps_poisson), good far beyond any sensible input.
DEFAULT_POISSON_MEAN = 500.0
PRECISIONS = ("double", "single")


@dataclass(frozen=True)
class Capabilities:
    """What the runtime and the front end must know of a backend, as data."""

    #: The code generator's target for this backend: "cpp", "cuda" or "numpy".
    target: str
    #: The largest PoissonInput mean count per step, by precision ("double", "single");
    #: a precision not named has DEFAULT_POISSON_MEAN.
    max_poisson_mean: Mapping[str, float] = field(default_factory=dict, hash=False)
    #: A step's spikes reach the monitors in no particular order: the runtime sorts each
    #: step's spikes by neuron, as the other backends give them.
    unordered_spikes: bool = False
    #: The state lives on a device between runs: the host copies are brought up to date
    #: by ``sync`` before the host reads them, the monitor buffers by ``collect`` (both
    #: called only where this is declared).
    resident_state: bool = False
    #: ``device_array`` hands out the device's arrays (``NeuronGroup.device``).
    device_arrays: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.max_poisson_mean) - set(PRECISIONS)
        if unknown:
            raise ValueError(f"max_poisson_mean names no precision {sorted(unknown)}: "
                             f"the precisions are {', '.join(PRECISIONS)}")
        object.__setattr__(self, "max_poisson_mean",
                           MappingProxyType(dict(self.max_poisson_mean)))

    def poisson_limit(self, real) -> float:
        """The largest PoissonInput mean per step for arrays of dtype ``real``."""
        precision = "single" if np.dtype(real) == np.float32 else "double"
        return float(self.max_poisson_mean.get(precision, DEFAULT_POISSON_MEAN))


class Backend(Protocol):
    """What every backend offers (``BaseBackend`` implements all but the first three)."""

    #: The name ``Network(backend=...)`` takes.
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def prepare(self, generated, cache_dir=None) -> dict:
        """Compile (or find in the cache) and load ``generated``; returns ``compiled``
        (whether a compiler ran), ``library`` and ``source`` (paths, or None)."""

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        """Run up to ``n_steps`` over the runtime's arrays; returns the steps done (fewer
        when a spike monitor's buffer could overflow)."""

    def set_threads(self, threads: int) -> None:
        """Run the next runs on up to ``threads`` threads (the results do not change)."""

    def threads_used(self) -> int:
        """The threads the last run used."""

    def manifest(self) -> str:
        """What the loaded code expects of ``run``'s arguments, as JSON
        (codegen.layout.Manifest), read from the compiled library where there is one."""

    def sync(self) -> None:
        """Bring the host arrays of the last run up to date with the state."""

    def collect(self, arrays: List[np.ndarray]) -> None:
        """Bring the monitor buffers and counters of the last run to the host ``arrays``."""

    def nonfinite_slots(self, arrays: List[np.ndarray], slots: List[int]) -> List[int]:
        """The slots among ``slots`` whose state holds an inf or a NaN."""

    def device_array(self, host: np.ndarray):
        """The device's array holding what ``host`` holds, or None (not on the device)."""

    def close(self) -> None:
        """Let go of the loaded code (the state stays on the host)."""


class BaseBackend:
    """The defaults of :class:`Backend` for a backend whose state is the host arrays."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def sync(self) -> None:
        """Nothing to do: the host arrays are the state."""

    def collect(self, arrays: List[np.ndarray]) -> None:
        """Nothing to do: the monitors write the host arrays."""

    def set_threads(self, threads: int) -> None:
        """Nothing to do: this backend ignores the number of threads."""

    def threads_used(self) -> int:
        return 1

    def nonfinite_slots(self, arrays: List[np.ndarray], slots: List[int]) -> List[int]:
        return [s for s in slots if not np.isfinite(arrays[s]).all()]

    def device_array(self, host: np.ndarray) -> Optional[object]:
        return None

    def close(self) -> None:
        """Nothing to let go of."""
