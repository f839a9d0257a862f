"""Errors raised while turning a model description into code.

Every problem a user can cause is reported as a :class:`ModelError` that quotes the
offending line, marks the symbol and says what was expected, *before* any compiler runs.
"""
from __future__ import annotations

from typing import Optional


class ModelError(ValueError):
    """A model description (equations, threshold, reset, parameters) is not valid.

    >>> err = ModelError("unknown name 'J'", source="dv/dt = -v/J", where="equations",
    ...                  lineno=1, col=11, symbol="J")
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    In equations, line 1:
        dv/dt = -v/J
                   ^
    unknown name 'J'
    """

    def __init__(self, message: str, *, source: Optional[str] = None, where: str = "",
                 lineno: Optional[int] = None, col: Optional[int] = None,
                 symbol: Optional[str] = None):
        self.message = message
        self.source = source
        self.where = where
        self.lineno = lineno
        self.col = col
        self.symbol = symbol
        super().__init__(self._format())

    def _format(self) -> str:
        if self.source is None:
            return f"In {self.where}: {self.message}" if self.where else self.message
        head = f"In {self.where}" if self.where else "In the model"
        if self.lineno is not None:
            head += f", line {self.lineno}"
        text = f"{head}:\n    {self.source}\n"
        if self.col is not None:
            text += "    " + " " * self.col + "^\n"
        return text + self.message


class BuildError(RuntimeError):
    """The generated code could not be compiled or loaded (a bug in pyspike or the toolchain)."""
