"""No module of pyspike reads another class's private attributes (issue 13): state lives
in each object's state table (pyspike/state.py), reached through public names."""
import ast
from pathlib import Path

import pyspike

PACKAGE = Path(pyspike.__file__).parent
#: The protocol between a Network and its objects, private to the package and declared
#: here: the network asks each object for its spec, attaches it and casts its arrays to
#: the network's precision; an object asks its network to bring the state to the host
#: (after a GPU run) and for the number of its next initial value; a network split over
#: MPI ranks asks each object for a copy holding one rank's block (pyspike/partition_blocks.py).
PROTOCOL = frozenset({"_spec", "_attach", "_cast", "_sync", "_next_init", "_block"})
#: sympy's own conventions: printers dispatch to ``_print_<Class>``; the serializer
#: rebuilds numbers and symbols exactly from sympy's internal fields.
SYMPY = {"serialize.py": frozenset({"_prec", "_mpf_", "_assumptions_orig", "_new"})}


def _own_names(tree: ast.Module) -> set:
    """Private names a module defines: its functions, classes and attributes of self."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            names.add(node.attr)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, str):
            names.add(node.slice.value)          # self.__dict__["_pending"] = ...
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names


def _foreign_private(path: Path) -> list:
    tree = ast.parse(path.read_text())
    own = _own_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            value = node.value
            if isinstance(value, ast.Name) and value.id in ("self", "cls"):
                continue
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "super":
                continue
            allowed = PROTOCOL | SYMPY.get(path.name, frozenset())
            if node.attr == "__dict__" or (node.attr.startswith("_")
                                           and not node.attr.startswith(("__", "_print_"))
                                           and node.attr not in own
                                           and node.attr not in allowed):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            for alias in node.names:
                if alias.name.startswith("_") and alias.name not in PROTOCOL \
                        and not alias.name.startswith("__") and alias.name != "_context" \
                        and alias.name != "_native":
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
    return found


def test_no_module_reads_another_class_s_private_attributes():
    paths = [Path(d) / f for d, _, files in __import__("os").walk(PACKAGE, followlinks=True)
             for f in files if f.endswith(".py")]
    assert len(paths) > 40
    found = [hit for p in sorted(paths) for hit in _foreign_private(p)]
    assert not found, "\n".join(found)
