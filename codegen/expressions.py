"""A safe parser from expression and statement text to sympy.

User text is parsed with Python's ``ast`` module and rebuilt node by node as sympy
objects over a whitelist of operators and functions; nothing is ever evaluated and
nothing is passed on as text.  Any other construct raises :class:`ModelError` naming the
line and the symbol, and so does a term without a finite real value (``1/0``, ``log(0)``,
``sqrt(-1)``, ``10**400``), as it is built.  The size and nesting of the text are bounded
and exact powers are checked before sympy computes them: parsing ends quickly, whatever
the text.

>>> import sympy
>>> v, tau = sympy.symbols("v tau", real=True)
>>> parse_expression("exp(-v/tau)", {"v": v, "tau": tau})
exp(-v/tau)
"""
from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Optional

import sympy as sp

from .errors import ModelError

IDENTIFIER = re.compile(r"\A[A-Za-z][A-Za-z0-9_]*\Z")

#: Names with a fixed meaning inside every model.
RESERVED = frozenset({"t", "dt", "i", "j", "N", "xi", "not_refractory", "lastspike", "step",
                      "rand", "randn", "True", "False", "inf", "pi", "e"})


#: Bounds that keep parsing fast whatever the text: nesting levels of one expression (a
#: long sum or product counts as one level), its names, numbers and operations, and the
#: bits of an exact number (sympy computes 2**2**40 exactly, and at once; a double holds
#: up to 2**1024).
MAX_DEPTH, MAX_NODES, MAX_BITS = 100, 5000, 1024


from .units import unit_constant
from .functions import (FUNCTIONS, BooleanName, PoissonCount, Rand, Randn,  # noqa: F401
                        StepBound, TimedArrayCall, exprel, is_truth, timed_function)


_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a ** b, ast.Mod: lambda a, b: sp.Mod(a, b),
           ast.FloorDiv: lambda a, b: sp.floor(a / b)}       # Python's (and Brian2's) //
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge,
            ast.Eq: sp.Eq, ast.NotEq: sp.Ne}
_UNDEFINED = ("has no finite value (a division by zero, log(0), inf - inf, ...)")


def fits_double(number) -> bool:
    """Whether ``number`` (int, float, sympy number) is a finite double once rounded."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def value_problem(expr: sp.Basic) -> Optional[str]:
    """Why ``expr`` cannot be computed in real floating point (a division by zero, a complex
    or too large constant), or None.  Infinities are allowed: only ``inf`` writes them."""
    if not isinstance(expr, sp.Expr):
        return None
    if expr.has(sp.AccumBounds):
        return "has no single value (as sin(inf) or tan(inf))"
    for atom in expr.atoms():
        if atom is sp.zoo or atom is sp.nan:
            return _UNDEFINED
        if atom is sp.I:
            return "is not a real number"
        if atom.is_Rational and not (fits_double(atom.p) and fits_double(atom.q)) or \
                atom.is_Float and not fits_double(atom):
            return "is too large for a double"
    if expr.free_symbols or expr.is_Atom or expr.has(Rand, Randn, TimedArrayCall):
        return None
    # A constant such as exp(exp(9)) or (-8)**(1/3): its value, at double precision.
    if expr.is_extended_real is False:
        return "is not a real number"
    value = expr.evalf(17)
    if value.has(sp.I, sp.zoo, sp.nan):
        return _UNDEFINED if value.has(sp.zoo, sp.nan) else "is not a real number"
    if value.is_Number and value.is_infinite:
        return None if expr.has(sp.oo, -sp.oo) else "is too large for a double"
    if value.is_Float and not fits_double(value):
        return "is too large for a double"
    return None


@dataclass
class Context:
    """Where a piece of text comes from, for error messages, and the random call sites.

    ``line`` is the full source line, ``offset`` the column at which the parsed text starts.
    """
    where: str = "the model"
    line: Optional[str] = None
    lineno: Optional[int] = None
    offset: int = 0
    random_sites: List[sp.Expr] = field(default_factory=list)

    def error(self, message: str, col: Optional[int] = None, symbol: Optional[str] = None):
        source = self.line
        column = None if col is None else self.offset + col
        if source is not None:
            stripped = source.lstrip()
            if column is not None:
                column -= len(source) - len(stripped)
            source = stripped.rstrip()
        return ModelError(message, source=source, where=self.where, lineno=self.lineno,
                          col=column, symbol=symbol)


def check_identifier(name: str, ctx: Context, what: str = "name", col: Optional[int] = None):
    """Raise ModelError unless ``name`` may be declared by a user."""
    if not IDENTIFIER.match(name):
        raise ctx.error(f"'{name}' is not a valid {what}: use letters, digits and '_', "
                        "starting with a letter", col, name)
    if name in RESERVED or name.startswith("xi_") or name in FUNCTIONS or keyword.iskeyword(name):
        raise ctx.error(f"'{name}' is reserved in pyspike and cannot be used as a {what}",
                        col, name)


class Builder:
    def __init__(self, names: Mapping[str, sp.Basic], ctx: Context, text: str):
        self.names = names
        self.ctx = ctx
        self.text = text          # what ast parsed: node positions refer to it

    def build(self, node: ast.AST):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.ctx.error(f"'{self._shown(node)}' is not allowed in a model expression "
                                 "(only numbers, names, arithmetic, comparisons, and/or/not "
                                 "and the functions " + ", ".join(sorted(FUNCTIONS)) + ")",
                                 getattr(node, "col_offset", None))
        return self._guarded(node, method, node)

    def _guarded(self, node: ast.AST, fn: Callable, *args, check: bool = True):
        """``fn(*args)``, the value of ``node``: a ModelError naming it if sympy cannot
        compute it or (``check``) if it is not a finite real number."""
        try:
            value = fn(*args)
            problem = value_problem(value) if check else None
        except ModelError:
            raise
        except (ArithmeticError, TypeError, ValueError, RecursionError) as exc:
            # sympy evaluates constant terms as they are built (Mod(1, 0), floor(x) of
            # an x it cannot pin down): the term is refused, whatever sympy raised.
            why = "divides by zero" if isinstance(exc, ZeroDivisionError) else \
                f"cannot be computed ({type(exc).__name__}: {str(exc)[:80]})"
            raise self.ctx.error(f"'{self._segment(node)}' {why}", node.col_offset) from None
        if problem:
            raise self.ctx.error(f"'{self._segment(node)}' {problem}", node.col_offset)
        return value

    def _segment(self, node: ast.AST) -> str:
        """The user's text of ``node``, as written (shortened beyond 80 characters)."""
        text = ast.get_source_segment(self.text, node) or self._shown(node)
        return text if len(text) <= 80 else text[:60] + "..." + text[-10:]

    @staticmethod
    def _shown(node: ast.AST) -> str:
        try:
            return ast.unparse(node)
        except (ValueError, RecursionError):     # an integer of more than 4300 digits
            return "..."

    def _Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            return sp.true if value else sp.false
        if isinstance(value, (int, float)) and not fits_double(value):
            raise self.ctx.error(f"the number '{self._segment(node)}' is too large for a double"
                                 " (write inf for infinity)", node.col_offset)
        if isinstance(value, int):
            return sp.Integer(value)
        if isinstance(value, float):
            return sp.Float(value)
        raise self.ctx.error(f"{value!r} is not a number", node.col_offset)

    def _Name(self, node):
        name = node.id
        if isinstance(self.names.get(name), type):
            raise self.ctx.error(f"the TimedArray '{name}' must be called, as in {name}(t)",
                                 node.col_offset, name)
        if name in self.names:
            return self.names[name]
        if name in ("True", "False"):
            return sp.true if name == "True" else sp.false
        if name in ("pi", "e", "inf"):
            return {"pi": sp.pi, "e": sp.E, "inf": sp.oo}[name]
        if name in FUNCTIONS:
            raise self.ctx.error(f"the function '{name}' must be called, as in {name}(...)",
                                 node.col_offset, name)
        value = unit_constant(name)
        if value is not None:
            return sp.Float(value)
        known = ", ".join(sorted(n for n in self.names if not n.startswith("_")))
        raise self.ctx.error(f"unknown name '{name}': declare it in the equations or in "
                             f"params (known here: {known or 'none'})", node.col_offset, name)

    def _BinOp(self, node):
        # A long sum or product is a chain of left operands: built in a loop, not by
        # recursion, so that its length is not bounded by Python's stack.
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        for n in spine:
            if type(n.op) not in _BINOPS:
                hint = " (use ** for powers)" if isinstance(n.op, ast.BitXor) else ""
                raise self.ctx.error(f"the operator in '{self._shown(n)}' is not allowed{hint}",
                                     n.col_offset)
        value, values = self.value(spine[-1].left), []
        for n in reversed(spine):
            right = self.value(n.right)
            if isinstance(n.op, ast.Pow):
                self._check_power(n, value, right)
            value = self._guarded(n, _BINOPS[type(n.op)], value, right, check=False)
            values.append((n, value))
        # Checked once, not after every term (that would take the square of the length);
        # a nan or zoo stays in a sum or product, so the first term that has it is named.
        if value_problem(value):
            for n, partial in values:
                self._guarded(n, lambda x: x, partial)
        return value

    def _check_power(self, node, base, exponent):
        """Refuse an exact power too large for a double before sympy computes it: sympy
        evaluates 2**2**40 (or (2*v)**10**9, sqrt(2)**10**9) in full, at once."""
        if not isinstance(exponent, sp.Rational) or abs(exponent) <= 1:
            return
        bits = max((math.log2(max(abs(a.p), a.q)) for a in base.atoms(sp.Rational)), default=0)
        if bits * float(abs(exponent)) > MAX_BITS:
            raise self.ctx.error(f"'{self._segment(node)}' is out of the range of a double, or "
                                 f"its exact value has more than {MAX_BITS} bits",
                                 node.col_offset)

    def _UnaryOp(self, node):
        operand = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -self._as_value(operand, node.operand)
        if isinstance(node.op, ast.UAdd):
            return self._as_value(operand, node.operand)
        if isinstance(node.op, ast.Not):
            return sp.Not(self._as_bool(operand, node.operand))
        raise self.ctx.error("the operator '~' is not allowed (use 'not')", node.col_offset)

    def _BoolOp(self, node):
        values = [self._as_bool(self.build(v), v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def _Compare(self, node):
        terms, left = [], self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            rel = _COMPARE.get(type(op))
            if rel is None:
                raise self.ctx.error(f"the comparison in '{ast.unparse(node)}' is not allowed",
                                     node.col_offset)
            right = self.value(comparator)
            terms.append(rel(left, right))
            left = right
        return sp.And(*terms)

    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise self.ctx.error(f"'{ast.unparse(node.func)}' is not a function pyspike knows",
                                 node.col_offset)
        name = node.func.id
        timed = self.names.get(name)
        if isinstance(timed, type) and issubclass(timed, TimedArrayCall):
            return self._timed_call(timed, node)
        if name not in FUNCTIONS:
            raise self.ctx.error(f"unknown function '{name}': available are "
                                 + ", ".join(sorted(FUNCTIONS)), node.col_offset, name)
        if node.keywords:
            raise self.ctx.error(f"'{name}' takes no keyword arguments", node.col_offset, name)
        nargs, builder = FUNCTIONS[name]
        if len(node.args) != nargs:
            raise self.ctx.error(f"'{name}' takes {nargs} argument(s), got {len(node.args)}",
                                 node.col_offset, name)
        if name in ("rand", "randn"):
            site = (Rand if name == "rand" else Randn)(len(self.ctx.random_sites))
            self.ctx.random_sites.append(site)
            return site
        if name == "where":
            condition = self._as_bool(self.build(node.args[0]), node.args[0])
            a, b = (self.value(x) for x in node.args[1:])
            return sp.Piecewise((a, condition), (b, True))
        if name == "int":           # Brian2's: a condition counts 1 or 0, a number truncates
            arg = self.build(node.args[0])
            if isinstance(arg, BooleanName) or is_truth(arg):
                arg = self._as_bool(arg, node.args[0])
                return sp.Piecewise((sp.Integer(1), arg), (sp.Integer(0), True))
            return sp.Piecewise((sp.floor(arg), arg >= 0), (sp.ceiling(arg), True))
        return builder(*[self.value(a) for a in node.args])

    def _timed_call(self, fn: type, node):
        name = fn.array_name
        if node.keywords or len(node.args) != fn.ndim:
            form = f"{name}(t)" if fn.ndim == 1 else f"{name}(t, i)"
            raise self.ctx.error(f"the TimedArray '{name}' is {fn.ndim}-d: call it as {form}",
                                 node.col_offset, name)
        args = [self.value(a) for a in node.args]
        return fn(args[0], args[1] if len(args) == 2 else sp.Integer(0))

    def value(self, node):
        """The sympy value of an expression node (statements.py builds targets' values)."""
        return self._as_value(self.build(node), node)

    def condition(self, node, built=None):
        """The sympy condition of an expression node (``built``: its value, if built)."""
        return self._as_bool(self.build(node) if built is None else built, node)

    def _as_value(self, expr, node):
        if isinstance(expr, BooleanName):
            if expr.variable:      # stored as 1.0 or 0.0: Brian2's int(True) is 1
                return expr.symbol
            raise self.ctx.error(f"'{ast.unparse(node)}' is a boolean subexpression where a number"
                                 " is expected: int(...) counts it 1 or 0", node.col_offset,
                                 expr.symbol.name)
        if is_truth(expr):
            raise self.ctx.error(f"'{ast.unparse(node)}' is a condition where a number is "
                                 "expected", node.col_offset)
        return expr

    def _as_bool(self, expr, node):
        if isinstance(expr, BooleanName):
            return expr.condition()
        if is_truth(expr):
            return expr
        raise self.ctx.error(f"'{ast.unparse(node)}' is a number where a condition is expected",
                             node.col_offset)


def parse_text(text: str, mode: str, ctx: Context) -> ast.AST:
    if "\\" in text:
        raise ctx.error("backslashes are not allowed in model text", text.index("\\"))
    try:
        with warnings.catch_warnings():      # "invalid decimal literal" in '1and v': noise
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode=mode)
    except SyntaxError as exc:
        col = None if exc.offset is None else exc.offset - 1 + (len(text) - len(text.lstrip()))
        raise ctx.error(f"this is not a valid expression ({exc.msg})", col) from None
    except (ValueError, RecursionError, MemoryError):
        tree = None                  # Python's parser gives up on 100000 nested operators
    # Nodes and nesting levels, counted without recursion; a chain of left operands
    # (a + b + c) is one level: the builder walks it in a loop.
    stack, count, depth = ([(tree, 0)] if tree is not None else []), 0, 0
    while stack and count <= MAX_NODES and depth <= MAX_DEPTH:
        node, depth = stack.pop()
        count += isinstance(node, ast.expr)
        stack.extend((child, depth + (not (isinstance(node, ast.BinOp) and child is node.left)))
                     for child in ast.iter_child_nodes(node))
    if tree is None or count > MAX_NODES or depth > MAX_DEPTH:
        raise ctx.error(f"this expression is too long or nested too deeply (at most {MAX_DEPTH}"
                        f" levels of parentheses, calls and operators, {MAX_NODES} terms): "
                        "split it into subexpressions")
    return tree


def parse_expression(text: str, names: Mapping[str, sp.Basic], ctx: Optional[Context] = None
                     ) -> sp.Expr:
    """Parse a numeric expression over ``names``; raise ModelError if it is anything else."""
    ctx = ctx or Context(line=text)
    tree = parse_text(text, "eval", ctx)
    builder = Builder(names, _shifted(ctx, text), text.strip())
    return builder.value(tree.body)


def parse_condition(text: str, names: Mapping[str, sp.Basic], ctx: Optional[Context] = None
                    ) -> sp.Basic:
    """Parse a boolean condition (e.g. a threshold ``v > v_th``)."""
    ctx = ctx or Context(line=text)
    tree = parse_text(text, "eval", ctx)
    builder = Builder(names, _shifted(ctx, text), text.strip())
    return builder.condition(tree.body)


def is_condition(text: str) -> bool:
    """Whether ``text`` reads as a condition (a comparison or boolean operation)."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))


def _shifted(ctx: Context, text: str) -> Context:
    """Column offsets from ``ast`` are relative to the stripped text."""
    ctx.offset += len(text) - len(text.lstrip())
    return ctx
