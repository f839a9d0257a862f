"""Build of pyspike-sim: the Python packages, templates and headers as package data, and
the native loader pyspike._native through CMake (see CMakeLists.txt).

The repository's top-level codegen/, templates/ and csrc/ are installed inside the package
as pyspike/codegen, pyspike/templates and pyspike/csrc, so that they are siblings both in
the source tree and once installed.
"""
import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
#: Installed as package data at pyspike/<folder>/... (any depth; new files are picked up).
DATA = (("templates", ("*.j2",)), ("csrc", ("*.h", "*.cuh")))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configure and build CMakeLists.txt, then put the module where setuptools wants it."""

    def build_extension(self, ext):
        import pybind11

        out = Path(self.get_ext_fullpath(ext.name)).resolve()
        build_dir = ROOT / "build" / f"cmake-py{sys.version_info[0]}{sys.version_info[1]}"
        build_dir.mkdir(parents=True, exist_ok=True)
        with open(build_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one CMake build of this folder at a time
            self._cmake(build_dir, out, pybind11)

    @staticmethod
    def _cmake(build_dir, out, pybind11):
        # Reuse the build folder (incremental builds) unless the interpreter or pybind11 it
        # was configured with changed, e.g. a new isolated build environment.
        key = f"{sys.executable}\n{pybind11.get_cmake_dir()}\n"
        stamp = build_dir / "configured-for.txt"
        if not stamp.exists() or stamp.read_text() != key:
            shutil.rmtree(build_dir / "CMakeFiles", ignore_errors=True)
            (build_dir / "CMakeCache.txt").unlink(missing_ok=True)
        cmake = shutil.which("cmake") or "cmake"
        subprocess.run([cmake, "-S", str(ROOT), "-B", str(build_dir),
                        "-DCMAKE_BUILD_TYPE=Release",
                        f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
                        f"-DPython_EXECUTABLE={sys.executable}",
                        f"-DCMAKE_LIBRARY_OUTPUT_DIRECTORY={build_dir / 'lib'}"], check=True)
        stamp.write_text(key)
        subprocess.run([cmake, "--build", str(build_dir), "--parallel", "2"], check=True)
        built = next((build_dir / "lib").glob("_native*"))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, out)


class BuildPy(build_py):
    """Also copies templates/**/*.j2 and csrc/**/*.{h,cuh} into the package (new files
    are picked up without listing them)."""

    def run(self):
        target = Path(self.build_lib) / "pyspike"
        if not getattr(self, "editable_mode", False):
            # build/lib is reused between builds: start clean so that files deleted from
            # the source tree are not installed again.
            shutil.rmtree(target, ignore_errors=True)
        super().run()
        for folder, patterns in DATA:
            for pattern in patterns:
                for path in (ROOT / folder).rglob(pattern):
                    dest = target / folder / path.relative_to(ROOT / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)


class Sdist(sdist):
    """Also puts what a wheel build from the source distribution needs into it (CMake
    project, module source, headers, templates), without a MANIFEST.in to keep in step."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        extra = [ROOT / "CMakeLists.txt", *sorted((ROOT / "csrc").rglob("*.cpp"))]
        for folder, patterns in DATA:
            for pattern in patterns:
                extra += sorted((ROOT / folder).rglob(pattern))
        for path in extra:
            dest = Path(base_dir) / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def _lock_the_build_folder():
    """pip builds in the source tree (build/): serialise concurrent builds from one checkout
    (two `scripts/test.sh` at once) so that neither wipes the CMake folder of the other.
    A POSIX record lock, held until this process exits or drops the returned file."""
    try:
        import fcntl

        (ROOT / "build").mkdir(exist_ok=True)
        handle = open(ROOT / "build" / ".setup.lock", "w")
    except (ImportError, OSError):  # not POSIX, or a read-only source tree
        return None
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("setup.py: waiting for another build of this checkout to finish", flush=True)
        fcntl.lockf(handle, fcntl.LOCK_EX)
    return handle


# pyspike/ and its subpackages; codegen/ and its subpackages become pyspike.codegen[.*]
# (setuptools resolves the subpackages' folders through the package_dir mapping).
packages = ["pyspike"] + ["pyspike." + p for p in find_packages(where=str(ROOT / "pyspike"))]
packages += ["pyspike.codegen"] + ["pyspike.codegen." + p
                                   for p in find_packages(where=str(ROOT / "codegen"))]
_lock = _lock_the_build_folder()
setup(
    license="MIT",
    packages=packages,
    package_dir={"pyspike": "pyspike", "pyspike.codegen": "codegen"},
    ext_modules=[CMakeExtension("pyspike._native")],
    cmdclass={"build_ext": CMakeBuild, "build_py": BuildPy, "sdist": Sdist},
    zip_safe=False,
)
