"""A run in chunks of about a tenth of a second of wall time.

The compiled loop never looks at signals, so a run is cut into chunks: between two chunks
Python handles Ctrl-C, updates the progress bar and checks that the state is finite.
A run in pieces gives the same numbers as a run in one piece (random numbers are keyed
by step, and every counter lives in the arrays), so the chunk lengths — which follow the
wall clock — change no result.

Ctrl-C during a chunk only sets a flag (:class:`DeferredInterrupt`): the chunk ends, the
network's clock and monitors are brought to the last completed step, and only then is
``KeyboardInterrupt`` raised, so nothing of the run done so far is lost.
"""
from __future__ import annotations

import signal
import sys
import threading
from typing import Optional

#: Wall time between two returns to Python: Ctrl-C stops a run within about this long.
CHUNK_SECONDS = 0.1
#: Steps of the first chunk of a network's first run, before its speed is known.
PROBE_STEPS = 64
#: Seconds a run must have taken before its progress bar appears.
PROGRESS_DELAY = 1.0
#: A chunk is at most this many times the last one: the first chunks include warm-up
#: (page faults, a GPU's graph capture) and would overestimate the speed.
GROWTH = 16


class Pacer:
    """How many steps the next chunk has, from the speed measured so far.

    >>> p = Pacer(seconds_per_step=None)
    >>> p.next(10_000)                 # speed unknown: a short probe
    64
    >>> p.record(64, 0.0001)           # 1.6 us per step
    >>> p.next(10_000_000)             # 0.1 s worth, at most 16 times the last chunk
    1024
    """

    def __init__(self, seconds_per_step: Optional[float] = None):
        self.seconds_per_step = seconds_per_step
        self._last: Optional[int] = None

    def next(self, left: int) -> int:
        if self.seconds_per_step is None:
            steps = PROBE_STEPS
        else:
            steps = int(CHUNK_SECONDS / max(self.seconds_per_step, 1e-12))
            if self._last is not None:
                steps = min(steps, GROWTH * self._last)
        steps = max(1, min(left, steps))
        self._last = steps
        return steps

    def record(self, steps: int, seconds: float) -> None:
        if steps > 0:
            self.seconds_per_step = max(seconds, 1e-9) / steps


class DeferredInterrupt:
    """While active, SIGINT sets ``interrupted`` instead of raising KeyboardInterrupt in
    the middle of the runtime's bookkeeping.  Only where Python's own handler is in place
    and only in the main thread (elsewhere signals cannot be handled; nothing changes)."""

    def __init__(self):
        self.interrupted = False
        self._previous = None

    def __enter__(self) -> "DeferredInterrupt":
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.interrupted = True

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


class Progress:
    """A tqdm bar over the steps of a run, on a terminal only (``progress=None``), always
    (``True``) or never (``False``); it appears only for runs longer than a second."""

    def __init__(self, enabled: Optional[bool], n_steps: int, dt: float):
        if enabled is None:
            enabled = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self._bar = None
        if enabled and n_steps > 0:
            from tqdm import tqdm
            self._bar = tqdm(total=n_steps, unit="step", delay=PROGRESS_DELAY, leave=False,
                             desc=f"pyspike run ({n_steps * dt:g} ms)", file=sys.stderr)

    def update(self, steps: int) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
