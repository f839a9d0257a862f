"""The ``with assembly:`` blocks that are open: a member made inside one joins the
innermost (SPAIC's way of building without class attributes).

>>> import pyspike.spaic as spaic
>>> net = spaic.Network()
>>> with net:
...     g = spaic.NeuronGroup(2, model="lif")
>>> list(net._groups.values()) == [g]
True
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List

#: the assemblies whose ``with`` blocks are open, innermost last
_OPEN: List[object] = []


def enter(assembly) -> None:
    _OPEN.append(assembly)


def leave(assembly) -> None:
    _OPEN.remove(assembly)


def register(member) -> None:
    """``member`` joins the innermost open assembly, if a block is open."""
    if _OPEN:
        _OPEN[-1].adopt(member)


@contextmanager
def suspended() -> Iterator[None]:
    """No block is open inside: what is made there (a build's own monitors) joins none."""
    saved = _OPEN[:]
    _OPEN.clear()
    try:
        yield
    finally:
        _OPEN[:] = saved
