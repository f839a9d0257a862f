"""A neuron model's fused training kernels on the GPU (``NeuronKernels(backend="cuda")``).

The CUDA source (``templates/cuda/training.cu.j2``) has the C++ kernels' entry points and
layout; it is compiled with nvcc (through pyspike's compile cache) and loaded with ctypes.
:class:`CudaKernels` runs it on device arrays: CuPy's, or anything CuPy takes without a
copy (``__cuda_array_interface__``: a torch CUDA tensor, say).  Nothing is copied to or
from the host in a forward or backward pass: the outputs, the saved values and the
gradients are new device arrays, the parameter gradients 0-d device arrays (``float()``
copies one to the host), and the kernels run on CuPy's current stream, unwaited for.
Only the parameter vector is host memory: its values and the constants computed from them
go to the kernels as launch arguments.

CuPy is imported when a :class:`CudaKernels` is made, never when this module is.  The
tests run the same class on the CUDA emulator (tests/cuda/emulator) with NumPy arrays as
the "device" arrays (``xp=numpy``): the emulated library's device memory is host memory.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from ..codegen.errors import BuildError, ModelError
from ..codegen.render_training import TRAINING_ABI
from ..toolchain.compile import load_library
from ..toolchain.compile_cuda import compile_cuda_library

#: A recurrent layer runs a sample's neurons in one block of threads.
MAX_RECURRENT = 1024


@dataclass
class DeviceContext:
    """What a forward pass on the GPU keeps for its backward pass: the fields of
    :class:`~pyspike.train.kernels.Context`, device arrays but ``params`` (host)."""
    saved: Any
    state0: Any
    out: Any
    params: Any
    wrec: Any = None
    pn: Any = None          # the parameters with a value per neuron (device)


def cupy_on_a_gpu():
    """CuPy, or a BuildError saying why this machine cannot run the CUDA kernels."""
    try:
        import cupy
    except ImportError:
        raise BuildError("backend='cuda' needs CuPy, which is not installed (pip install "
                         "'pyspike-sim[cuda]', or cupy-cuda12x)") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:    # no driver, or a driver too old for this CuPy
        raise BuildError(f"backend='cuda' needs an NVIDIA GPU, and CUDA reports none "
                         f"({err})") from None
    if count == 0:
        raise BuildError("backend='cuda' needs an NVIDIA GPU, and none is visible")
    return cupy


def open_library(path: str) -> ctypes.CDLL:
    """The compiled training library at ``path`` with its entry points typed; refused
    (RuntimeError) when it has another ABI version."""
    lib = ctypes.CDLL(path)
    if lib.ps_train_abi() != TRAINING_ABI:
        raise RuntimeError(f"the training library {path} has ABI version "
                           f"{lib.ps_train_abi()}, not {TRAINING_ABI}")
    i64, vp = ctypes.c_int64, ctypes.c_void_p
    lib.ps_train_forward.argtypes = [i64, i64, i64] + [vp] * 10
    lib.ps_train_forward.restype = None
    lib.ps_train_backward.argtypes = [i64, i64, i64] + [vp] * 14
    lib.ps_train_backward.restype = None
    lib.ps_train_last_error.restype = ctypes.c_char_p
    lib.ps_train_set_stream.argtypes = [vp]
    lib.ps_train_set_stream.restype = None
    lib.ps_train_synchronize.restype = ctypes.c_int
    return lib


_LOADED: Dict[str, ctypes.CDLL] = {}


def compiled_library(source: str, cache_dir=None) -> ctypes.CDLL:
    """The library of a rendered training source, compiled with nvcc once (cached on disk
    and here)."""
    def opened(path: str) -> ctypes.CDLL:
        if path not in _LOADED:
            _LOADED[path] = open_library(path)
        return _LOADED[path]
    return load_library(lambda: compile_cuda_library(source, cache_dir=cache_dir), opened)[1]


def _pointer(a) -> Optional[int]:
    """The address of an array's first element (device memory, or host memory on the
    emulator)."""
    if a is None:
        return None
    face = getattr(a, "__cuda_array_interface__", None) or a.__array_interface__
    return face["data"][0]


class CudaKernels:
    """Runs a compiled training library on device arrays for a
    :class:`~pyspike.train.kernels.NeuronKernels` ``k`` (the model's parameters, initial
    states, dtype and recurrence; this module does not import it: kernels.py imports this).

    ``xp`` is the array module (CuPy by default); ``synchronize`` waits for the kernels
    after every call (the emulator runs them only then; on a GPU, to see a kernel's
    failure at its call rather than at a later synchronisation)."""

    def __init__(self, library: ctypes.CDLL, xp: Any = None, synchronize: bool = False):
        self.lib = library
        self.xp = cupy_on_a_gpu() if xp is None else xp
        self.sync = synchronize

    @classmethod
    def compile(cls, source: str, cache_dir=None) -> "CudaKernels":
        """The kernels of a rendered CUDA source on this machine's GPU (CuPy arrays)."""
        runner = cls(None)          # CuPy and a GPU first: no compilation without them
        runner.lib = compiled_library(source, cache_dir)
        return runner

    def _stream(self) -> None:
        stream = getattr(getattr(self.xp, "cuda", None), "get_current_stream", None)
        self.lib.ps_train_set_stream(stream().ptr if stream is not None else None)

    def _done(self, what: str) -> None:
        """Raises what the library reports of the call just made (and, synchronising,
        of its kernels)."""
        error = self.lib.ps_train_last_error().decode()
        if not error and self.sync and self.lib.ps_train_synchronize() != 0:
            error = self.lib.ps_train_last_error().decode()
        if error:
            raise RuntimeError(f"the CUDA training kernels failed in the {what}: {error}")

    def synchronize(self) -> None:
        """Waits for the kernels launched so far (raises if one failed)."""
        if self.lib.ps_train_synchronize() != 0:
            raise RuntimeError("the CUDA training kernels failed: "
                               + self.lib.ps_train_last_error().decode())

    def _array(self, k, a, name: str, ndim: int):
        xp = self.xp
        a = xp.ascontiguousarray(xp.asarray(a, dtype=k.dtype))
        if a.ndim != ndim:
            raise ModelError(f"{name} must have {ndim} dimensions (steps, samples, neurons),"
                             f" not the shape {a.shape}", where=name)
        return a

    def forward(self, k, input, state0=None, wrec=None) -> Tuple[Any, DeviceContext]:
        """As :meth:`NeuronKernels.forward`, on device arrays."""
        xp = self.xp
        x = self._array(k, input, "input", 3)
        T, B, N = x.shape
        if k.recurrent and N > MAX_RECURRENT:
            raise ModelError(f"a recurrent layer of {N} neurons: the CUDA kernels run a "
                             f"sample's neurons in one block of at most {MAX_RECURRENT} "
                             "threads; take backend='cpu', or at most that many neurons",
                             where="input", symbol="N")
        if state0 is None:
            state0 = xp.empty((len(k.init), B, N), dtype=k.dtype)
            for c, value in enumerate(k.init.tolist()):
                state0[c].fill(value)
        else:
            state0 = xp.ascontiguousarray(xp.asarray(state0, dtype=k.dtype))
            if state0.shape != (len(k.init), B, N):
                raise ModelError(f"state0 must have the shape {(len(k.init), B, N)} (states, "
                                 f"samples, neurons), not {state0.shape}", where="state0")
        w = None
        if k.recurrent:
            w = xp.ascontiguousarray(xp.asarray(wrec, dtype=k.dtype))
            if w.shape != (N, N):
                raise ModelError(f"the recurrent weights must be ({N}, {N}) (from, to), not "
                                 f"{w.shape}", where="wrec")
        out = xp.empty_like(x)
        saved = xp.empty((k.saved_per_step, T, B, N), dtype=k.dtype)
        state = xp.empty_like(state0)
        params = k.param_vector()
        pn = k.neuron_values(N)
        pn = None if pn is None else xp.asarray(pn)
        self._stream()
        self.lib.ps_train_forward(T, B, N, _pointer(x), _pointer(out), _pointer(saved),
                                  _pointer(state0), _pointer(state),
                                  params.ctypes.data, _pointer(w), None, None, _pointer(pn))
        self._done("forward pass")
        k.state = state
        return out, DeviceContext(saved, state0, out, params, w, pn)

    def backward(self, k, gout, ctx: DeviceContext) -> Tuple[Any, Dict[str, Any]]:
        """As :meth:`NeuronKernels.backward`, on device arrays; the parameter gradients
        are 0-d device arrays."""
        g = self._array(k, gout, "gout", 3)
        T, B, N = g.shape
        gin, gparams = k.gradient_buffers(g, ctx.out.shape, self.xp)
        self._stream()
        self.lib.ps_train_backward(T, B, N, _pointer(g), _pointer(ctx.saved),
                                   _pointer(ctx.state0), ctx.params.ctypes.data,
                                   _pointer(gin), _pointer(gparams), _pointer(ctx.out),
                                   _pointer(ctx.wrec), _pointer(k.gwrec), None, None, None,
                                   _pointer(ctx.pn), _pointer(k.gpn))
        self._done("backward pass")
        per_neuron = k.kernel.per_neuron
        return gin, {p: (k.gpn[per_neuron.index(p)] if p in per_neuron else gparams[n])
                     for n, p in enumerate(k.kernel.trained)}
