"""What the standalone programs' tests share (test_export.py, test_export_sweep.py): the
CMake build of an exported project, and an exact comparison of two HDF5 files."""
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest


def _tool(cmd, cwd: Path, what: str) -> None:
    if shutil.which(cmd[0]) is None:
        pytest.fail(f"{cmd[0]} is not installed: the standalone export needs it ({what})")
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        hint = " (the HDF5 C library: apt-get install libhdf5-dev)" if "HDF5" in \
            out.stdout + out.stderr else ""
        pytest.fail(f"{' '.join(cmd)} failed{hint}:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")


def build(folder: Path) -> None:
    _tool(["cmake", "-B", "build"], folder, "CMake")
    _tool(["cmake", "--build", "build", "-j", "2"], folder, "CMake")


def differences(a, b, where: str = "/") -> list:
    """Where two HDF5 files differ: groups, datasets (dtype, shape, values), attributes
    (values and types); compared exactly."""
    found = [f"{where}: attributes {set(a.attrs) ^ set(b.attrs)}"] \
        if set(a.attrs) != set(b.attrs) else []
    for k in set(a.attrs) & set(b.attrs):
        if a.attrs.get_id(k).dtype != b.attrs.get_id(k).dtype \
                or not np.array_equal(a.attrs[k], b.attrs[k]):
            found.append(f"{where}@{k}: {a.attrs[k]!r} != {b.attrs[k]!r}")
    if isinstance(a, h5py.Dataset):
        if (a.dtype, a.shape) != (b.dtype, b.shape) or not np.array_equal(a[()], b[()]):
            found.append(f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape} or values")
        return found
    if set(a) != set(b):
        return found + [f"{where}: members {set(a) ^ set(b)}"]
    for k in sorted(a):
        found += differences(a[k], b[k], f"{where}{k}/")
    return found


def same_file(a: Path, b: Path) -> list:
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        return differences(fa, fb)
