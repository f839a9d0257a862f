"""The import graph has the shape the layout table of the README describes: no cycles;
codegen is a pure compiler (nothing of pyspike above it, no environment, no programs, no
cache files, no CuPy); the front end reaches the backends only through their registry.

The graph is read from the source with ``ast``: every import statement counts, those
inside functions too (a function-local import hides a cycle from Python, not from this
test).  codegen/ is installed as pyspike.codegen (setup.py), so it is named so here.
"""
import ast
from pathlib import Path
from typing import Dict, List, Optional, Set

ROOT = Path(__file__).resolve().parents[1]
#: Source folder -> the package it is installed as.
PACKAGES = {"pyspike": "pyspike", "codegen": "pyspike.codegen"}
#: Modules codegen must not import: it reads no environment variable, runs no program,
#: writes no cache file and never touches the GPU (pyspike.toolchain does all of that).
NOT_IN_CODEGEN = {"os", "subprocess", "shutil", "tempfile", "fcntl", "cupy"}
#: How codegen could read the environment without importing os by that name.
ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv"}
#: Compiled modules of the package (built from csrc/ with CMake): leaves of the graph.
EXTENSIONS = {"pyspike._native"}
#: The backends' registry: the one module of pyspike.backends the front end may import.
BACKENDS_DOOR = "pyspike.backends"


def _modules() -> Dict[str, Path]:
    """Installed module name -> source file, for every module of the package."""
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` names, its relative dots resolved."""
    if not node.level:
        return node.module or ""
    base = _package_of(module).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> List[str]:
    """Every module ``module`` imports, anywhere in its body (package-internal names are
    the most specific module the statement names: ``from . import x`` is ``pkg.x``)."""
    out = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            for alias in node.names:
                inner = f"{target}.{alias.name}"
                out.append(inner if inner in MODULES or inner in EXTENSIONS else target)
    return out


def _internal_graph() -> Dict[str, Set[str]]:
    return {m: {i for i in imports(m) if i in MODULES and i != m} for m in MODULES}


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """One cycle of ``graph`` as a list of modules (the first repeated at the end), or None."""
    state: Dict[str, int] = {}        # 1: on the current path, 2: done
    path: List[str] = []

    def visit(m: str) -> Optional[List[str]]:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_graph_is_read_from_both_source_folders_with_relative_imports_resolved():
    graph = _internal_graph()
    assert "pyspike.codegen.spec" in graph["pyspike.network"]       # from .codegen.spec
    assert "pyspike.codegen.errors" in graph["pyspike.codegen.kernels"]   # from .errors


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_pyspike_imports_itself_back_through_others():
    cycle = find_cycle(_internal_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_codegen_imports_nothing_of_pyspike_outside_codegen():
    wrong = {m: sorted(i for i in imports(m) if (i == "pyspike" or i.startswith("pyspike."))
                       and not i.startswith("pyspike.codegen"))
             for m in MODULES if m.startswith("pyspike.codegen")}
    assert not {m: i for m, i in wrong.items() if i}


def test_codegen_runs_no_program_writes_no_cache_and_never_imports_cupy():
    wrong = {m: sorted({i.split(".")[0] for i in imports(m)} & NOT_IN_CODEGEN)
             for m in MODULES if m.startswith("pyspike.codegen")}
    assert not {m: i for m, i in wrong.items() if i}


def test_codegen_reads_no_environment_variable():
    wrong = {}
    for m in (m for m in MODULES if m.startswith("pyspike.codegen")):
        for node in ast.walk(TREES[m]):
            name = (node.attr if isinstance(node, ast.Attribute) else
                    node.id if isinstance(node, ast.Name) else
                    None)
            if name in ENVIRONMENT:
                wrong.setdefault(m, []).append(node.lineno)
            if isinstance(node, ast.ImportFrom):
                names = {alias.name for alias in node.names} & ENVIRONMENT
                if names:
                    wrong.setdefault(m, []).append(node.lineno)
    assert not wrong, f"environment read at (module: lines) {wrong}"


def test_the_front_end_imports_no_backend_but_their_registry():
    front = [m for m in MODULES if m.startswith("pyspike.") and not m.startswith(
        ("pyspike.backends", "pyspike.codegen", "pyspike.toolchain"))]
    wrong = {m: sorted(i for i in imports(m) if i.startswith(BACKENDS_DOOR + "."))
             for m in ["pyspike", *front]}
    assert not {m: i for m, i in wrong.items() if i}


def test_the_toolchain_builds_on_codegen_alone():
    toolchain = [m for m in MODULES if m.startswith("pyspike.toolchain.")]
    assert toolchain, "no pyspike/toolchain/: compiling and caching live in codegen"
    wrong = {m: sorted(i for i in imports(m) if i.startswith("pyspike") and not i.startswith(
        ("pyspike.codegen", "pyspike.toolchain"))) for m in toolchain}
    assert not {m: i for m, i in wrong.items() if i}
