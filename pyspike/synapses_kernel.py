"""Kernel variables of Synapses (``Synapses(..., kernel=("w",))``): one value per element
of a kernel that many synapses read, as a convolution reads one small kernel of weights
at every position of its input.  ``S.kernel_index`` gives each synapse the element it
reads (in the synapses' order, as ``S.i`` and ``S.j``); ``S.w`` holds the elements.  The
values are read-only in the compiled code, one copy for all the instances of a batch
(codegen/kernel_synapses.py); they live in the state table's ``kernel`` entry, so that
store/restore keeps them with the rest.

>>> import numpy as np, pyspike as ps
>>> m = ps.NeuronModel("v : 1")
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     P, Q = ps.NeuronGroup(3, m), ps.NeuronGroup(2, m)
...     S = ps.Synapses(P, Q, model="w : 1", on_pre="v_post += w", kernel=("w",))
>>> S.connect(i=[0, 1, 1, 2], j=[0, 0, 1, 1])
>>> S.kernel_index = [0, 1, 0, 1]          # two weights, each used at two places
>>> S.w = [0.5, 2.0]
>>> S.w, S.kernel_index
(array([0.5, 2. ]), array([0, 1, 0, 1], dtype=int32))
"""
from __future__ import annotations

from typing import Dict, Sequence

import numpy as np

from . import checks
from .codegen.errors import ModelError
from .host_sync import sync_state


def kernel_entry(names: Sequence[str]) -> Dict[str, object]:
    """The state table's ``kernel`` entry: each synapse's element, and each variable's
    values (none until set)."""
    return {"index": np.zeros(0, dtype=np.int32),
            "values": {n: np.zeros(0) for n in names}}


def check_names(syn, names: Sequence[str]) -> None:
    """Each kernel name one of the model's variables."""
    for n in names:
        if n not in syn.variables:
            raise ModelError(f"kernel names '{n}', which is not a variable of the model "
                             f"({', '.join(syn.variables) or 'none'})",
                             where=f"Synapses '{syn.name}'", symbol=str(n))


def read(syn, name: str) -> np.ndarray:
    """``S.w`` (the values of a kernel variable) or ``S.kernel_index``."""
    if name == "kernel_index":
        return syn.state.kernel["index"] if syn.kernel else np.zeros(0, dtype=np.int32)
    sync_state(syn)
    return syn.state.kernel["values"][name]


def write(syn, name: str, value) -> None:
    """``S.w = [...]`` or ``S.kernel_index = [...]``."""
    (set_index(syn, value) if name == "kernel_index" else set_values(syn, name, value))


def set_values(syn, name: str, value) -> None:
    """``S.w = [...]``: one value per element of the kernel (its length sets the size)."""
    sync_state(syn)
    array = checks.reals(value, name, f"Synapses '{syn.name}'", dim=syn.dims.get(name))
    array = np.array(array, dtype=np.float64).reshape(-1)
    old = syn.state.kernel["values"][name]
    syn.state.kernel["values"][name] = array.astype(old.dtype if old.size else np.float64)


def set_index(syn, value) -> None:
    """``S.kernel_index = [...]``: one element number >= 0 per synapse."""
    sync_state(syn)
    where = f"Synapses '{syn.name}'"
    array = np.asarray(value)
    if array.ndim != 1 or array.size != syn.n or (array.size and array.dtype.kind not in "iu"):
        raise ModelError(f"kernel_index gives one whole number per synapse ({syn.n}), not "
                         f"{checks.show(value)}", where=where, symbol="kernel_index")
    if array.size and (array.min() < 0 or array.max() >= 2 ** 31):
        raise ModelError("kernel_index numbers elements of the kernel from 0",
                         where=where, symbol="kernel_index")
    syn.state.kernel = {"index": array.astype(np.int32), "values": syn.state.kernel["values"]}


def not_recorded(kernel: Sequence[str], names: list, who: str) -> list:
    """``names``, none of them in ``kernel`` (a monitor records variables per synapse; a
    kernel's are per element, and no run changes them: read ``S.w``)."""
    for n in names:
        if n in kernel:
            raise ModelError(f"{who} cannot record '{n}', which the synapses keep in a "
                             "kernel (one value per element, which no run changes): read "
                             f"S.{n} instead", where=who, symbol=n)
    return names


def check_ready(syn) -> None:
    """Before a build: an element for every synapse, and every variable that long."""
    if not syn.kernel:
        return
    where = f"Synapses '{syn.name}'"
    entry = syn.state.kernel
    if entry["index"].size != syn.n:
        raise ModelError(f"the synapses keep {', '.join(syn.kernel)} in a kernel: set "
                         f"kernel_index, the element each of the {syn.n} synapses reads "
                         "(after connect)", where=where, symbol="kernel_index")
    sizes = {n: v.size for n, v in entry["values"].items()}
    size = max(sizes.values())
    if min(sizes.values()) != size or (syn.n and size <= int(entry["index"].max())):
        raise ModelError(f"the kernel variables hold {sizes} values, and kernel_index names "
                         f"elements up to {int(entry['index'].max()) if syn.n else -1}: give "
                         "each variable a value for every element", where=where,
                         symbol=min(sizes, key=sizes.get))


def lay_out(sk, syn, arrays, iargs, real) -> None:
    """The kernel's arrays for the compiled code: the values (one copy for every
    instance), each synapse's element, and the kernel's size."""
    entry = syn.state.kernel
    for name, values_ in entry["values"].items():
        if values_.dtype != real:
            entry["values"][name] = values_.astype(real)
        arrays[sk.arrays[name].slot] = entry["values"][name]
    arrays[sk.kernel.slot] = entry["index"]
    iargs[sk.kernel.size_iarg] = max((v.size for v in entry["values"].values()), default=0)
