"""What the commands share: the one error of a command line, durations, and progress
(a bar on a terminal, timestamped lines in a job's log).

>>> parse_duration("1s"), parse_duration("250ms"), parse_duration("20")
(1000.0, 250.0, 20.0)
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
from typing import Optional, TextIO

from ..codegen.errors import BuildError, ModelError
from ..finite import NonFiniteError

#: Units a duration may be given in, in ms (a number alone is in ms, as Network.run takes).
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "min": 6e4, "h": 3.6e6}
#: In a log, a line at every tenth of a run, and at least this often (seconds).
LOG_EVERY_S = 60.0
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$")


class CommandLineError(Exception):
    """A command line that cannot be run, in one sentence."""


def whole_argument(text: str) -> int:
    """An argparse type: a whole number (a seed), or a usage error saying so."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def parse_duration(text: str) -> float:
    """A duration in ms from text such as ``1s``, ``500ms``, ``2min`` or ``500`` (ms)."""
    match = _NUMBER.match(str(text))
    if match is None or match.group(2) not in ("", *UNITS):
        raise CommandLineError(f"'{text}' is not a duration: write a number and a unit, as "
                               f"1s or 500ms ({', '.join(UNITS)}; a number alone is in ms)")
    value = float(match.group(1)) * UNITS.get(match.group(2) or "ms")
    if not math.isfinite(value):
        raise CommandLineError(f"'{text}' is not a finite duration")
    return value


def show_ms(ms: float) -> str:
    """A time in ms as people read it: 850 ms, 12.5 s."""
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"


class Progress:
    """The progress of a command: a tqdm bar where ``stream`` is a terminal, else a
    timestamped line at every tenth of the work (and at least every minute); messages
    (:meth:`say`) the same way.  ``quiet``: messages and progress are not shown."""

    def __init__(self, name: str, quiet: bool = False, stream: Optional[TextIO] = None):
        self.name = name
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stdout
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar = None
        self._total = self._start = 0
        self._scale = 1.0
        self._logged = (0.0, -1)

    def say(self, text: str) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(f"{self.name}: {text}", file=self.stream)
        elif self.terminal:
            print(f"{self.name}: {text}", file=self.stream, flush=True)
        else:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            print(f"{stamp} {self.name}: {text}", file=self.stream, flush=True)

    def start(self, total: int, done: int = 0, scale: float = 1.0, unit: str = "ms") -> None:
        """Work of ``total`` units (``done`` of them done already), shown times ``scale``."""
        self._total, self._start, self._scale, self._unit = total, done, scale, unit
        self._t0 = time.monotonic()
        self._logged = (self._t0, int(10 * done / max(total, 1)))
        if self.terminal and not self.quiet:
            from tqdm import tqdm
            self._bar = tqdm(total=total, initial=done, unit=unit, unit_scale=scale,
                             file=self.stream, dynamic_ncols=True, leave=False,
                             bar_format="{percentage:3.0f}%|{bar}| {n:.0f} of {total:.0f} "
                             + unit + " [{elapsed}<{remaining}]")

    def update(self, done: int) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
            return
        now, tenth = time.monotonic(), int(10 * done / max(self._total, 1))
        if tenth > self._logged[1] or now - self._logged[0] >= LOG_EVERY_S:
            self._logged = (now, tenth)
            elapsed = now - self._t0
            rate = (done - self._start) / elapsed if elapsed > 0 else 0.0
            left = f", about {(self._total - done) / rate:.0f} s left" if rate > 0 and \
                done < self._total else ""
            self.say(f"{self._show(done)} of {self._show(self._total)} "
                     f"({100 * done / max(self._total, 1):.0f}%), {elapsed:.1f} s{left}")

    def _show(self, amount: int) -> str:
        value = amount * self._scale
        return show_ms(value) if self._unit == "ms" else f"{value:g} {self._unit}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def sentence(err: BaseException) -> str:
    """A failure in words: the message of pyspike's own errors, the kind and message of
    anything else (an error in pyspike itself, where --debug shows where)."""
    if isinstance(err, ModelError):
        return err.message if err.source is None else str(err)
    if isinstance(err, (BuildError, NonFiniteError, CommandLineError)):
        return str(err)
    if isinstance(err, OSError) and err.filename:
        return f"cannot use '{err.filename}': {err.strerror or err}"
    return (f"unexpected error, {type(err).__name__}: {err} (run again with --debug to see "
            "where)")
