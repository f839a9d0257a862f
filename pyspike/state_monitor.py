"""What a StateMonitor's arguments mean: which neurons or synapses it records
(``record=``) and where in the step (``when=``, Brian2's scheduling slots, whose mapping
onto pyspike's step codegen/schedule.py documents)."""
from __future__ import annotations

import numpy as np

from .codegen.errors import ModelError
from .codegen.schedule import WHEN, check_when
from . import checks

__all__ = ["WHEN", "check_when", "record_indices"]


def record_indices(record, n: int) -> np.ndarray:
    """StateMonitor's ``record``: True (all n neurons), False (none), one index, or a
    flat sequence of whole-number indices in 0..n-1.

    >>> record_indices(True, 3), record_indices(2, 3)
    (array([0, 1, 2]), array([2]))
    """
    if record is True or record is False:
        return np.arange(n) if record else np.zeros(0, dtype=np.int64)
    if isinstance(record, np.ndarray) and record.dtype.kind == "b":
        raise ModelError("record takes True, False or neuron indices, not a boolean array "
                         "(np.flatnonzero(mask) gives the indices)", where="StateMonitor",
                         symbol="record")
    return checks.indices(record, "record", "StateMonitor", n)
