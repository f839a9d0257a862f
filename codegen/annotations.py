"""The text after the ':' of an equation line: a unit, then at most one parenthesised list
of flags, last on the line; anything else is refused, never read as unit text.

>>> from pyspike.codegen.expressions import Context
>>> line = "dv/dt = -v/tau : mV (unless refractory)"
>>> split_unit_flags(" mV (unless refractory)", Context(line=line))
('mV', {'unless refractory'})
"""
from __future__ import annotations

import ast
import warnings
from typing import Optional, Set, Tuple

from .errors import ModelError
from .expressions import IDENTIFIER, Context

ALLOWED_FLAGS = ("unless refractory", "constant", "shared", "event-driven", "clock-driven",
                 "summed", "max", "constant over dt", "linked")


def split_unit_flags(text: str, ctx: Context):
    """``text`` after the ':' of a line: a unit, then optionally flags in parentheses."""
    start = len(ctx.line) - len(text) if ctx.line else 0      # columns in the line
    opening = _flags_start(text)
    unit = (text if opening is None else text[:opening]).strip()
    if unit and not _is_unit(unit):
        hint = " (flags go in parentheses)" if any(f in unit for f in ALLOWED_FLAGS) else ""
        raise _unit_error(ctx, text, hint, start + len(text) - len(text.lstrip()), unit)
    if opening is None:
        return unit or "1", set()
    close = text.find(")", opening)
    inner, trailing = text[opening + 1:close], text[close + 1:]
    if close < 0 or "(" in inner:
        raise _unit_error(ctx, text, " (the parenthesis of the flags is not closed)",
                          start + opening)
    if trailing.strip():
        at = start + close + 1 + len(trailing) - len(trailing.lstrip())
        raise _unit_error(ctx, text, f" (unexpected '{trailing.strip()}' after the flags)", at,
                          trailing.strip())
    if not inner.strip():
        raise _unit_error(ctx, text, " (empty parentheses: no flags)", start + opening)
    return unit or "1", _flags(inner, start + opening + 1, ctx)


def _unit_error(ctx: Context, text: str, problem: str, col: int,
                symbol: Optional[str] = None) -> ModelError:
    return ctx.error(f"'{text.strip()}' is not a unit with flags{problem}: write a unit such "
                     "as mV, nS, 1 or 1/ms, then any flags in parentheses, as in "
                     "': mV (unless refractory)'; note that ':' starts the unit", col, symbol)


def _flags_start(text: str) -> Optional[int]:
    """Where the flags' '(' is: the first one not opening a part of the unit, as in
    '1/(ms*mV)'; a part of the unit follows an operator."""
    depth = 0
    for k, char in enumerate(text):
        if char == "(":
            before = text[:k].rstrip()
            if depth == 0 and (not before or before[-1] not in "*/^(+-"):
                return k
            depth += 1
        elif char == ")":
            depth -= 1
    return None


def _is_unit(text: str) -> bool:
    """Whether ``text`` reads as a unit: names and numbers joined by *, / and ** (or ^),
    as in 'mV', '1', '1/ms', 'siemens/meter**2', 'metre^-2'."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.replace("^", "**"), mode="eval") if text.isascii() else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is None:
        return False
    exponents = {id(n.right) for n in ast.walk(tree)
                 if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)}
    return all(isinstance(n, (ast.Expression, ast.Load, ast.Mult, ast.Div, ast.Pow, ast.USub,
                              ast.UAdd))
               or isinstance(n, ast.Name) and IDENTIFIER.match(n.id)
               or isinstance(n, ast.Constant) and type(n.value) in (int, float)
               or isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mult, ast.Div, ast.Pow))
               or isinstance(n, ast.UnaryOp) and id(n) in exponents
               and isinstance(n.op, (ast.USub, ast.UAdd))
               for n in ast.walk(tree))


def _flags(inner: str, col: int, ctx: Context) -> Set[str]:
    """The comma-separated flags ``inner``, which starts at column ``col`` of the line."""
    flags: Set[str] = set()
    for raw in inner.split(","):
        flag = " ".join(raw.split())
        at = col + len(raw) - len(raw.lstrip())
        if flag not in ALLOWED_FLAGS:
            raise ctx.error(f"unknown flag '{flag}': allowed flags are "
                            + ", ".join(f"'{f}'" for f in ALLOWED_FLAGS), at, flag or None)
        if flag in flags:
            raise ctx.error(f"the flag '{flag}' is given twice", at, flag)
        flags.add(flag)
        col += len(raw) + 1
    return flags


def take_linked(rest: str) -> Tuple[str, bool]:
    """The text after a line's ':' without the flag ``linked``, padded to its length (the
    columns of later messages stay right), and whether it was there.

    >>> take_linked(" 1 (linked)")
    (' 1         ', True)
    >>> take_linked(" mV (shared, linked)")[0].rstrip(), take_linked(" 1/(ms)")
    (' mV (shared)', (' 1/(ms)', False))
    """
    body = rest.rstrip()
    if not body.endswith(")"):
        return rest, False
    opening = body.rfind("(")
    items = body[opening + 1:-1].split(",")
    kept = [f for f in items if " ".join(f.split()) != "linked"]
    if len(kept) == len(items):
        return rest, False
    text = body[:opening] + (f"({','.join(kept)})" if kept else "")
    return text.ljust(len(rest)), True


def linked_flags(kind: str, flags: Set[str], synaptic: bool, ctx: Context,
                  name: str) -> Set[str]:
    """The flags of a line flagged (linked): Brian2's rules (a declared variable of a
    neuron model, no other flag)."""
    if synaptic:
        raise ctx.error("the flag '(linked)' applies to neuron models only", None, name)
    if kind != "decl":
        raise ctx.error(f"the flag '(linked)' applies to declared variables, as in "
                        f"'{name} : 1 (linked)': a linked variable reads another group's "
                        "variable and has no equation", None, name)
    if flags:
        raise ctx.error(f"the flag '(linked)' cannot be combined with other flags "
                        f"('{sorted(flags)[0]}')", None, name)
    return {"linked"}
