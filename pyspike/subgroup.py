"""Subgroups: contiguous slices ``G[a:b]`` of a NeuronGroup, views for synapses,
monitors and setting values."""
from __future__ import annotations

import numpy as np

from . import batching
from .distributions import Distribution
from .codegen.errors import ModelError


class Subgroup:
    """Neurons ``start..stop-1`` of a NeuronGroup, for synapses and for setting values.

    >>> import pyspike as ps
    >>> G = ps.NeuronGroup(10, ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0}))
    >>> exc = G[:8]
    >>> exc.v = 1.0
    >>> float(G.v[7]), float(G.v[8]), len(exc)
    (1.0, 0.0, 8)
    """

    def __init__(self, group, start: int, stop: int):
        self.__dict__.update(group=group, start=start, stop=stop, N=stop - start,
                             name=f"{group.name}[{start}:{stop}]", model=group.model)

    def __getattr__(self, name: str):
        value = getattr(self.group, name)
        if isinstance(value, np.ndarray) and value.shape[-1:] == (self.group.N,):
            return value[..., self.start:self.stop]
        return value

    def __setattr__(self, name: str, value) -> None:
        if not (name in self.group.state.variables or name in self.group.model.param_names):
            raise AttributeError(f"subgroup {self.name} has no variable or parameter '{name}'")
        if isinstance(value, (str, Distribution)):
            if self.group.network is None and (not isinstance(value, str) or "rand" in value):
                raise ModelError(f"'{value}' uses random numbers, which come from the "
                                 "network's seed: add the group to a Network before setting "
                                 "a subgroup's values with rand()", where=f"subgroup {self.name}",
                                 symbol=name)
            value = self.group.value_of(name, value)[..., self.start:self.stop]
        else:
            shape = self.group.shape[:-1] + (self.N,)
            value = batching.as_values(value, shape, name, "neuron of the subgroup",
                                       f"subgroup {self.name}")
        full = np.array(np.broadcast_to(getattr(self.group, name), self.group.shape),
                        order="C", dtype=np.float64)
        full[..., self.start:self.stop] = value
        setattr(self.group, name, full)

    def __len__(self) -> int:
        return self.N

    def __repr__(self) -> str:
        return f"Subgroup({self.name})"
