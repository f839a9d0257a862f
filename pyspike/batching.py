"""Batches: K independent instances of one network in the same kernels and launches.

Every per-neuron and per-synapse array of a batched network has a leading axis of K
instances; connectivity, delays and given spike times are shared by all instances.
Instance b draws all its random numbers (noise, ``rand()`` in kernels and in initial
values, Poisson inputs) from its own seed ``net.seeds[b]``: it is exactly the network
an unbatched ``Network(seed=net.seeds[b])`` with the same connectivity would simulate.

>>> seeds = instances(3, 5)[1]
>>> int(seeds[0]), len(set(seeds.tolist()))
(5, 3)
"""
from __future__ import annotations

import os
from typing import Optional, Tuple

import numpy as np

from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.expressions import Rand
from .codegen.streams import INIT_STEP

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64's finaliser: neighbouring inputs give unrelated outputs."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def instances(batch: Optional[int], seed) -> Tuple[Optional[int], np.ndarray]:
    """(batch, seeds): the number of instances (None: unbatched) and one seed each.

    ``seed`` may be one number (instance 0 gets it, the others seeds mixed from it and
    their number) or a sequence of one seed per instance.
    """
    if batch is not None and (isinstance(batch, bool) or int(batch) != batch or batch < 1):
        raise ModelError(f"batch must be a whole number of instances >= 1, not {batch!r}",
                         where="Network", symbol="batch")
    if seed is not None and np.ndim(seed) == 1:
        seeds = [_check_seed(s) for s in seed]
        if batch is None or len(seeds) != batch:
            raise ModelError(f"a list of seeds gives one per instance: {len(seeds)} seeds for "
                             f"batch={batch}", where="Network", symbol="seed")
        return int(batch), np.array(seeds, dtype=np.int64)
    first = (_check_seed(seed) if seed is not None
             else int.from_bytes(os.urandom(7), "little"))
    K = 1 if batch is None else int(batch)
    seeds = [first] + [_mix(first ^ (b << 40)) >> 1 for b in range(1, K)]
    return (None if batch is None else K), np.array(seeds, dtype=np.int64)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or np.ndim(seed) != 0 or int(seed) != seed \
            or not 0 <= int(seed) < 2 ** 63:
        raise ModelError(f"a seed must be a whole number in [0, 2**63), not {seed!r}",
                         where="Network", symbol="seed")
    return int(seed)


def shape_of(obj, n: int) -> tuple:
    """The shape of an object's per-element arrays: (n,), or (K, n) in a batch."""
    net = obj.network
    if net is not None and net.batch is not None:
        return (net.K, n)
    return (n,)


def as_values(value, shape: tuple, name: str, what: str, where: str, **checks
              ) -> np.ndarray:
    """``value`` as a new float64 array of ``shape``: a number, one value per element, or
    in a batch of K one row per instance ((K, n), or (K, 1) for one value per instance).
    ``checks``: checks.reals's (``minimum``, ``finite``, ``copy``: False where the caller
    copies the values into storage of its own, so that the array may be the caller's)."""
    from .checks import reals
    array = reals(value, name, where, **checks)
    n = shape[-1]
    ok = array.ndim == 0 or array.shape == (n,)
    if len(shape) == 2:
        ok = ok or array.shape in (shape, (shape[0], 1))
    if not ok:
        batched = (f", ({shape[0]}, {n}) for one row per instance or ({shape[0]}, 1)"
                   if len(shape) == 2 else "")
        raise ModelError(f"'{name}' needs one value per {what}: shape ({n},){batched}; got "
                         f"{array.shape}", where=where, symbol=name)
    if array.shape == tuple(shape) and array.flags.c_contiguous and (
            array.flags.owndata or not checks.get("copy", True)):
        return array          # (no second copy: 8 bytes per element of a large Synapses)
    return np.array(np.broadcast_to(array, shape), order="C")


def one_per_instance(obj, value) -> Optional[np.ndarray]:
    """``value`` as a (K, 1) column if it gives one number per instance of ``obj``'s
    batch (a parameter then stays a scalar of each instance), else None."""
    net = obj.network
    if net is None or net.batch is None or isinstance(value, str):
        return None
    array = np.asarray(value, dtype=np.float64)
    return array.copy() if array.shape == (net.K, 1) else None


def column(value, K: int, what: str) -> np.ndarray:
    """A runtime scalar as one value per instance: a number, or K of them."""
    array = np.asarray(value, dtype=np.float64).reshape(-1)
    if array.size not in (1, K):
        raise ModelError(f"{what} needs one value, or one per instance ({K}); got "
                         f"{array.size}", where="Network.run")
    return array


def expand(array: np.ndarray, K: int) -> np.ndarray:
    """A per-element array given a leading axis of K identical instances."""
    return np.array(np.broadcast_to(array, (K,) + array.shape[-1:]), order="C")


def init_draws(expr, ctx, network):
    """An initial-value expression with its random calls replaced by symbols, and what
    each draws: (symbol name, uniform?, call site, step).  The step is taken once per
    call, so every instance of a batch draws at the same step, each with its own seed."""
    sites = sorted(ctx.random_sites, key=lambda s: int(s.args[0]))
    draws = [(_draw_name(s), isinstance(s, Rand), int(s.args[0]),
              INIT_STEP - network._next_init()) for s in sites]
    return _replaced(expr, sites), draws


#: init_draws' expressions by the given expression's id (with it, so that the id stays
#: its): one object per text, so that evaluate's compiled form of it is found again when
#: a value is given at every run (an encoder's)
_REPLACED: dict = {}


def _draw_name(site) -> str:
    """The symbol that stands for a random call site's numbers."""
    return f"_init_rand{int(site.args[0])}"


def _replaced(expr, sites):
    """``expr`` with its random call sites replaced by the symbols init_draws names."""
    if not sites:
        return expr
    kept = _REPLACED.get(id(expr))
    if kept is not None and kept[0] is expr:
        return kept[1]
    if len(_REPLACED) > 2000:
        _REPLACED.clear()
    replaced = expr.xreplace({s: symbol(_draw_name(s)) for s in sites})
    _REPLACED[id(expr)] = (expr, replaced)
    return replaced


def draw_into(env: dict, draws, network, b: int, elem: np.ndarray, stream) -> None:
    """The random numbers of ``init_draws`` for instance b (its seed), into ``env``;
    ``stream(site)`` is the stream of a call site (codegen.streams).  Drawn by the
    compiled twin of :func:`pyspike.random.rand` and ``randn`` (the same numbers, bit
    for bit), one per element: about 30 times faster for large groups and synapses."""
    from . import _native
    elem = np.ascontiguousarray(elem, dtype=np.uint32).reshape(-1)
    for name, uniform, site, step in draws:
        draw = _native.philox_rand if uniform else _native.philox_randn
        env[name] = draw(int(network.seeds[b]) & _MASK, int(step) & _MASK, elem,
                         int(stream(site)) & 0xFFFFFFFF)
