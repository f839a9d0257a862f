"""Shared by the tests of examples/brian2/: each example is loaded from its file and run
once per session at its quick scale, so that several test modules reuse the same runs."""
import contextlib
import importlib.util
import io
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, Tuple

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str, folder: str = "brian2") -> ModuleType:
    """The module of examples/<folder>/<name>.py (examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"{folder}_example_{name}",
                                                  EXAMPLES / folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_example() -> Callable[[str], ModuleType]:
    """(name, folder="brian2") -> the module of examples/<folder>/<name>.py (test modules
    cannot import from conftest under --import-mode=importlib)."""
    return _load


@pytest.fixture(scope="session")
def run() -> Callable[[str], Tuple[Dict[str, object], str]]:
    """name -> (returned results, printed text), each example run once per session."""
    done: Dict[str, Tuple[Dict[str, object], str]] = {}

    def get(name: str) -> Tuple[Dict[str, object], str]:
        if name not in done:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                results = _load(name).main(quick=True)
            done[name] = results, printed.getvalue()
        return done[name]
    return get
