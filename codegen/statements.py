"""Statements: assignments such as ``v = v_reset; w += b``, parsed as expressions are
(:mod:`expressions`), one target and one operator each.

>>> import sympy
>>> v = sympy.Symbol("v", real=True)
>>> [(s.target, s.op, str(s.expr)) for s in parse_statements("v = 0; v += 2*v", {"v": v},
...                                                          {"v": v}, "the reset")]
[('v', '=', '0'), ('v', '+=', '2*v')]
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

import sympy as sp

from .expressions import BooleanName, Context, Builder, parse_text, value_problem

_AUGOPS = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/="}


@dataclass(frozen=True)
class Statement:
    """``target op expr`` with op one of '=', '+=', '-=', '*=', '/='."""
    target: str
    op: str
    expr: sp.Expr

    def value(self, old: sp.Expr) -> sp.Expr:
        """The new value of the target given its old value."""
        if self.op == "=":
            return self.expr
        return {"+=": old + self.expr, "-=": old - self.expr,
                "*=": old * self.expr, "/=": old / self.expr}[self.op]


def split_statements(text: str) -> List[Tuple[int, str]]:
    """Split code into (line number, statement) on newlines and ';', dropping comments."""
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        for part in line.split(";"):
            if part.strip():
                out.append((lineno, part))
    return out


def parse_statements(text: str, names: Mapping[str, sp.Basic], targets: Mapping[str, object],
                     where: str, ctx_sites: Optional[List] = None,
                     parts: Sequence[Tuple[str, str]] = ()) -> List[Statement]:
    """Parse assignments such as ``v = v_reset; w += b``.

    ``targets`` holds the names that may be assigned; ``names`` those that may be read.
    ``parts`` are further blocks ``(where, text)`` run after ``text`` (a library rule's
    code), each line's messages naming its block.
    """
    sites = [] if ctx_sites is None else ctx_sites
    statements = []
    numbered = [(block_where, lineno, part) for block_where, block in [(where, text), *parts]
                for lineno, part in split_statements(block)]
    for block_where, lineno, part in numbered:
        ctx = Context(where=block_where, line=part, lineno=lineno, random_sites=sites)
        tree = parse_text(part, "exec", ctx)
        body = tree.body
        if len(body) != 1 or not isinstance(body[0], (ast.Assign, ast.AugAssign)):
            raise ctx.error("expected an assignment such as 'v = v_reset' or 'w += 0.1'")
        node = body[0]
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if isinstance(node, ast.Assign) and len(node.targets) != 1:
            raise ctx.error("assign one variable per statement", node.col_offset)
        if not isinstance(target, ast.Name):
            raise ctx.error(f"cannot assign to '{ast.unparse(target)}': expected a variable name",
                            target.col_offset)
        if target.id not in targets:
            what = "an unknown" if target.id not in names else "a read-only"
            raise ctx.error(f"cannot assign to '{target.id}': it is {what} name here "
                            f"(assignable: {', '.join(sorted(targets)) or 'none'})",
                            target.col_offset, target.id)
        if isinstance(node, ast.AugAssign):
            op = _AUGOPS.get(type(node.op))
            if op is None:
                raise ctx.error("only =, +=, -=, *= and /= are allowed", node.col_offset)
        else:
            op = "="
        offset = len(part) - len(part.lstrip())
        ctx.offset = offset
        builder = Builder(names, ctx, part.strip())
        if isinstance(names.get(target.id), BooleanName):
            statement = Statement(target.id, op, _truth(builder, node, ctx, target.id))
        else:
            statement = Statement(target.id, op, builder.value(node.value))
        # 'v /= 0' divides by zero once read as v = v/0, as the kernels read it
        problem = value_problem(statement.value(sp.Symbol(target.id, real=True)))
        if problem:
            raise ctx.error(f"'{part.strip()}' {problem}", node.col_offset, target.id)
        statements.append(statement)
    return statements


def _truth(builder: Builder, node: ast.stmt, ctx: Context, target: str) -> sp.Expr:
    """The value assigned to the boolean variable ``target``: a condition (``v > 1``,
    ``True``, another boolean) stored as 1.0 or 0.0; the numbers 1 and 0 are True and
    False, as in Brian2, and no other number is."""
    value = node.value
    if isinstance(node, ast.AugAssign):
        raise ctx.error(f"'{target}' is boolean: assign it with '=' (True, False or a "
                        "condition), not with an arithmetic operator", node.col_offset, target)
    if isinstance(value, ast.Constant) and type(value.value) is int and value.value in (0, 1):
        return sp.Integer(value.value)
    built = builder.build(value)
    if isinstance(built, sp.Expr):                  # a number (sympy's conditions are not)
        raise ctx.error(f"'{target}' is boolean: it takes True, False or a condition such "
                        f"as 'v > 1', not the number '{ast.unparse(value)}'",
                        value.col_offset, target)
    condition = builder.condition(value, built)
    return sp.Piecewise((sp.Integer(1), condition), (sp.Integer(0), True))
