"""Test-wide set-up: an isolated compile cache and the skipping of GPU tests."""
import functools
import importlib.util
import os
import shutil
import subprocess

import pytest


@functools.lru_cache(maxsize=None)
def _gpu_present() -> bool:
    """True when `nvidia-smi -L` lists a GPU, or else when CuPy sees a CUDA device."""
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                                 timeout=30)
            if out.returncode == 0 and out.stdout.strip():
                return True
        except (OSError, subprocess.SubprocessError):
            pass
    if importlib.util.find_spec("cupy") is not None:
        try:
            import cupy

            return cupy.cuda.runtime.getDeviceCount() > 0
        except Exception:  # no driver, no device, broken install
            return False
    return False


def pytest_configure(config):
    # also registered in pyproject.toml, which is not read when pytest runs from elsewhere
    config.addinivalue_line("markers", "gpu: needs an NVIDIA GPU (skips with a reason "
                            "where none is present)")
    config.addinivalue_line("markers", "slow: longer numerical tests")


def pytest_collection_modifyitems(config, items):
    if _gpu_present():
        return
    skip = pytest.mark.skip(reason="no NVIDIA GPU visible")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Compile into a cache of this test session, unless the user chose one.  The workers
    of a parallel run (pytest-xdist) share one cache: each model is compiled once, and the
    cache is safe for several processes (a lock per library, atomic renames)."""
    if os.environ.get("PYSPIKE_CACHE_DIR"):
        yield
        return
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # every worker's base folder lies in the run's one base folder
        path = tmp_path_factory.getbasetemp().parent / "pyspike-cache"
        path.mkdir(exist_ok=True)
    else:
        path = tmp_path_factory.mktemp("pyspike-cache")
    os.environ["PYSPIKE_CACHE_DIR"] = str(path)
    yield
    del os.environ["PYSPIKE_CACHE_DIR"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A fresh, empty compile cache for one test."""
    path = tmp_path / "cache"
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(path))
    return path
