"""Test-wide set-up: an isolated compile cache and the skipping of GPU tests."""
import os
import shutil
import subprocess

import pytest


def _gpu_present() -> bool:
    if shutil.which("nvidia-smi"):
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
        if out.returncode == 0 and "GPU" in out.stdout:
            return True
    return False


def pytest_collection_modifyitems(config, items):
    if _gpu_present():
        return
    skip = pytest.mark.skip(reason="no NVIDIA GPU visible (nvidia-smi -L finds none)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Compile into a cache of this test session, unless the user chose one."""
    if os.environ.get("PYSPIKE_CACHE_DIR"):
        yield
        return
    os.environ["PYSPIKE_CACHE_DIR"] = str(tmp_path_factory.mktemp("pyspike-cache"))
    yield
    del os.environ["PYSPIKE_CACHE_DIR"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A fresh, empty compile cache for one test."""
    path = tmp_path / "cache"
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(path))
    return path
