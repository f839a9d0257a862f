"""``with net:`` collects the objects created inside the block into ``net``."""
from __future__ import annotations

import threading

_local = threading.local()


def push(network) -> None:
    _local.stack = getattr(_local, "stack", []) + [network]


def pop() -> None:
    _local.stack.pop()


def register(obj) -> None:
    """Called by every network object on creation."""
    stack = getattr(_local, "stack", [])
    if stack:
        stack[-1].add(obj)
