"""pyspike._native: loading a compiled library through its C ABI and running it."""
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest

from pyspike.backends.library import ABI_VERSION

_native = pytest.importorskip("pyspike._native")

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="no g++ on PATH")

SOURCE = r"""
#include <cstdint>
extern "C" int pyspike_abi_version(void) { return %(abi)d; }
extern "C" const char* pyspike_manifest(void) { return "{}"; }
extern "C" int64_t pyspike_run(void** arrays, const int64_t* iargs, const double* rargs,
                               int64_t n_steps) {
    double* x = static_cast<double*>(arrays[0]);
    int32_t* count = static_cast<int32_t*>(arrays[1]);
    for (int64_t s = 0; s < n_steps; ++s) {
        for (int64_t k = 0; k < iargs[1]; ++k) x[k] += rargs[0] * iargs[0];
        count[0] += 1;
    }
    return n_steps;
}
"""


def _compile(tmp_path, abi=ABI_VERSION, name="libtoy.so", source=SOURCE):
    src = tmp_path / (name + ".cpp")
    src.write_text(source % {"abi": abi})
    lib = tmp_path / name
    subprocess.run(["g++", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return str(lib)


@pytest.fixture
def toy(tmp_path):
    lib = _native.Library(_compile(tmp_path))
    yield lib
    lib.close()


def _args(scale=3, n=4, rate=0.5):
    return np.array([scale, n], dtype=np.int64), np.array([rate], dtype=np.float64)


def test_run_updates_arrays_in_place(toy):
    x = np.arange(6, dtype=np.float64)
    count = np.zeros(1, dtype=np.int32)
    iargs, rargs = _args(scale=3, n=4, rate=0.5)
    assert toy.run([x, count], iargs, rargs, 10) == 10
    np.testing.assert_array_equal(x, [15.0, 16.0, 17.0, 18.0, 4.0, 5.0])
    assert count[0] == 10
    # a second call continues from the state the first one left
    assert toy.run([x, count], iargs, rargs, 2) == 2
    assert x[0] == 18.0 and count[0] == 12


def test_zero_steps_and_empty_arrays(toy):
    x = np.zeros(0, dtype=np.float64)
    count = np.zeros(1, dtype=np.int32)
    iargs, rargs = _args(n=0)
    assert toy.run([x, count, np.empty(0, dtype=np.uint8)], iargs, rargs, 0) == 0
    assert count[0] == 0


def test_path_property(toy, tmp_path):
    assert toy.path == str(tmp_path / "libtoy.so")
    with pytest.raises(AttributeError):
        toy.path = "elsewhere"


def test_abi_mismatch(tmp_path):
    path = _compile(tmp_path, abi=ABI_VERSION + 1, name="libold.so")
    with pytest.raises(RuntimeError, match=f"ABI version {ABI_VERSION + 1}") as err:
        _native.Library(path)
    assert path in str(err.value)
    assert f"expects {ABI_VERSION}" in str(err.value) and "clear the cache" in str(err.value)


def test_missing_entry_point(tmp_path):
    path = _compile(tmp_path, name="libnone.so",
                    source="extern \"C\" int f(void) { return %(abi)d; }\n")
    with pytest.raises(RuntimeError, match="libnone.so"):
        _native.Library(path)


def test_dlopen_failure_names_path(tmp_path):
    missing = str(tmp_path / "no_such_library.so")
    with pytest.raises(OSError, match="no_such_library.so"):
        _native.Library(missing)
    garbage = tmp_path / "garbage.so"
    garbage.write_text("not an ELF file")
    with pytest.raises(OSError, match="garbage.so"):
        _native.Library(str(garbage))


def test_non_contiguous_array_rejected(toy):
    x = np.zeros(8, dtype=np.float64)[::2]
    count = np.zeros(1, dtype=np.int32)
    iargs, rargs = _args()
    with pytest.raises(ValueError, match=r"arrays\[0\]"):
        toy.run([x, count], iargs, rargs, 1)


def test_read_only_array_rejected(toy):
    x = np.zeros(4, dtype=np.float64)
    count = np.zeros(1, dtype=np.int32)
    count.flags.writeable = False
    iargs, rargs = _args()
    with pytest.raises(ValueError, match=r"arrays\[1\]"):
        toy.run([x, count], iargs, rargs, 1)


def test_argument_dtypes_checked(toy):
    x = np.zeros(4, dtype=np.float64)
    count = np.zeros(1, dtype=np.int32)
    iargs, rargs = _args()
    with pytest.raises((TypeError, ValueError), match="iargs"):
        toy.run([x, count], iargs.astype(np.int32), rargs, 1)
    with pytest.raises((TypeError, ValueError), match="rargs"):
        toy.run([x, count], iargs, rargs.astype(np.float32), 1)
    with pytest.raises((TypeError, ValueError), match="iargs"):
        toy.run([x, count], np.zeros(4, dtype=np.int64)[::2], rargs, 1)
    with pytest.raises(TypeError):
        toy.run([x, [0]], iargs, rargs, 1)
    assert count[0] == 0


def test_run_after_close(tmp_path):
    lib = _native.Library(_compile(tmp_path))
    lib.close()
    lib.close()  # idempotent
    iargs, rargs = _args()
    with pytest.raises(RuntimeError, match="library closed"):
        lib.run([np.zeros(4), np.zeros(1, dtype=np.int32)], iargs, rargs, 1)


def test_gil_released_during_run(tmp_path):
    """A run that spins until another Python thread flips a flag can only finish if the GIL
    is released while the library runs."""
    source = r"""
#include <cstdint>
#include <atomic>
extern "C" int pyspike_abi_version(void) { return %(abi)d; }
extern "C" const char* pyspike_manifest(void) { return "{}"; }
extern "C" int64_t pyspike_run(void** arrays, const int64_t*, const double*, int64_t) {
    auto* flag = reinterpret_cast<volatile int64_t*>(arrays[0]);
    reinterpret_cast<volatile int64_t*>(arrays[1])[0] = 1;  // started
    for (int64_t spins = 0; spins < 4000000000LL; ++spins)
        if (*flag) return 1;
    return 0;
}
"""
    lib = _native.Library(_compile(tmp_path, name="libspin.so", source=source))
    flag = np.zeros(1, dtype=np.int64)
    started = np.zeros(1, dtype=np.int64)
    result = []
    worker = threading.Thread(target=lambda: result.append(
        lib.run([flag, started], np.zeros(0, np.int64), np.zeros(0), 1)))
    worker.start()
    deadline = time.monotonic() + 60
    while not started[0] and time.monotonic() < deadline:
        time.sleep(0.001)
    flag[0] = 1  # runs while the library spins only if run() gave up the GIL
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert result == [1]
    lib.close()
