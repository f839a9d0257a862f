"""Every CUDA source the feature networks need compiles with nvcc for sm_80 and sm_90,
without a GPU; float32 kernels hold no double-precision instruction."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import pyspike as ps
import pyspike.codegen
from pyspike.toolchain import compile_cuda
from pyspike.codegen.errors import BuildError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.spec import GroupSpec, NetworkSpec
from pyspike.codegen.render_cuda import render_cuda

from . import networks

CSRC = Path(os.path.dirname(pyspike.codegen.__file__)).parent / "csrc"
NVCC = compile_cuda.find_nvcc()
if NVCC is None and os.environ.get("CI"):
    raise RuntimeError("CI must have nvcc: every generated CUDA source is compiled in tests")
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc is not installed on this machine")


def _source(name: str, precision: str, batch=None) -> str:
    net, _ = networks.build(name, "cuda", precision, batch=batch)
    return render_cuda(build_network(net._spec()))


def _nvcc(source: str, tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    src = tmp_path / "network.cu"
    src.write_text(source)
    cmd = [NVCC, *options, f"-I{CSRC}", str(src)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)


def _doubles(ptx: str) -> list:
    return [line.strip() for line in ptx.splitlines() if re.search(r"\.f64\b|%fd\d", line)]


@needs_nvcc
@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_the_cuda_source_of_every_feature_network_compiles_for_sm80_and_sm90(
        name, precision, tmp_path):
    flags = compile_cuda.cuda_flags(["80", "90"])
    source = _source(name, precision)
    assert "blocks(0)" not in source     # a launch of no block fails on the GPU
    # -keep leaves the PTX that nvcc made on the way: the float32 kernels' is read below.
    # The device code is compiled for both architectures (--fatbin), and nvcc's front end
    # checks the host code too (a wrong launch or pointer type is refused); the host
    # compiler and the link (a third of the call) run for the example networks below, in
    # the cache's test and in the CUDA export's build.
    out = _nvcc(source, tmp_path, *flags, "--fatbin", "-keep", "-keep-dir", str(tmp_path),
                "-o", str(tmp_path / "lib.fatbin"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]
    ptx = (tmp_path / "network.compute_90.ptx").read_text()
    if precision == "single":   # float32 kernels hold no double-precision instruction
        assert not _doubles(ptx), _doubles(ptx)[:10]
    else:                       # (so that the check above cannot pass vacuously)
        assert _doubles(ptx)


@needs_nvcc
@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_the_cuda_source_of_every_feature_network_compiles_batched(name, tmp_path):
    source = _source(name, "double", batch=3)
    assert "d_seeds[K]" in source and "blockIdx.y" in source
    # one architecture: no generated line depends on it (no __CUDA_ARCH__ branch), and
    # both are compiled unbatched above
    flags = compile_cuda.cuda_flags(["80"])
    out = _nvcc(source, tmp_path, *flags, "--fatbin", "-o", str(tmp_path / "lib.fatbin"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]


@needs_nvcc
@pytest.mark.parametrize("example", ["cuba", "coba", "cobahh", "brunel"])
def test_the_example_networks_compile_for_the_gpu(example, tmp_path):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    try:
        import networks as examples
    finally:
        sys.path.pop(0)
    import pyspike as ps
    net = ps.Network(dt=0.1, seed=1, backend="cuda")
    with net:
        kwargs = {"n_exc": 400, "n_inh": 100} if example == "brunel" else {"n": 400}
        getattr(examples, example)(net, **kwargs)
    flags = compile_cuda.cuda_flags(["80", "90"])
    out = _nvcc(render_cuda(build_network(net._spec())), tmp_path, *flags,
                "-o", str(tmp_path / "lib.so"))
    assert out.returncode == 0, out.stderr[-3000:]


@needs_nvcc
def test_the_cache_compiles_a_cuda_library_once(tmp_path):
    source = _source("iterative_no_threshold", "double")
    first = compile_cuda.compile_cuda_library(source, cache_dir=tmp_path, archs=["80"])
    again = compile_cuda.compile_cuda_library(source, cache_dir=tmp_path, archs=["80"])
    assert first.compiled and not again.compiled and first.path == again.path
    assert first.source_path.suffix == ".cu"


def test_a_machine_without_nvcc_is_told_so(monkeypatch):
    monkeypatch.setattr(compile_cuda.shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match="needs the CUDA compiler nvcc"):
        compile_cuda.compile_cuda_library("int main() {}")


def test_the_architectures_come_from_PYSPIKE_CUDA_ARCH(monkeypatch):
    monkeypatch.setenv("PYSPIKE_CUDA_ARCH", "sm_80; 90")
    assert compile_cuda.architectures() == ("80", "90")
    flags = compile_cuda.cuda_flags(compile_cuda.architectures())
    assert "arch=compute_80,code=sm_80" in flags
    assert "arch=compute_90,code=[sm_90,compute_90]" in flags
    monkeypatch.setenv("PYSPIKE_CUDA_ARCH", "hopper")
    with pytest.raises(BuildError, match="PYSPIKE_CUDA_ARCH"):
        compile_cuda.architectures()


def test_a_batch_larger_than_a_grid_column_is_refused_before_nvcc():
    group = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", params=("tau",))
    with pytest.raises(ps.ModelError, match="70000 instances"):
        render_cuda(build_network(NetworkSpec(groups=(group,), batch=70000)))
