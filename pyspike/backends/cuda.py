"""The CUDA backend: the generated CUDA source compiled with nvcc, its arrays on the GPU
through CuPy, and the library's host loop replaying one step's CUDA graph.

A run uploads the arrays, runs all its steps on the device (no copy per step) and copies
back the monitors' buffers.  The state stays on the GPU: the next run starts from it
without copies, and the host copies are brought up to date (``sync``) only when something
on the host reads or writes them (``Network._sync``); ``device_array`` hands out the GPU
arrays themselves.  The library returns early only when a spike monitor's buffer could
overflow; the runtime then grows it and calls again.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..codegen.errors import BuildError
from ..codegen.ir import NetworkKernel
from ..toolchain.compile import load_library
from ..toolchain.compile_cuda import compile_cuda_library
from .library import open_native
from .protocol import BaseBackend, Capabilities


def gpu_missing() -> Optional[str]:
    """Why this machine cannot run the CUDA backend (one sentence), or None if it can."""
    try:
        import cupy
    except ImportError:
        return ("backend='cuda' needs CuPy, which is not installed "
                "(pip install 'pyspike-sim[cuda]', or cupy-cuda12x)")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:    # no driver, or a driver too old for this CuPy
        return f"backend='cuda' needs an NVIDIA GPU, and CUDA reports none ({err})"
    if count == 0:
        return "backend='cuda' needs an NVIDIA GPU, and none is visible"
    return None


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two host arrays are the same memory (the runtime hands out fresh views)."""
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.nbytes == b.nbytes)


def _read_only_slots(kernel: NetworkKernel) -> set:
    """Arrays no kernel writes: uploaded for the run, never copied back."""
    slots = set()
    for g in kernel.groups:
        slots.update(ta.slot for ta in g.timed)
        slots.update(m.index_slot for m in g.state_monitors)
        if g.generator is not None:
            slots.update((g.generator.step_slot, g.generator.index_slot))
    for s in kernel.synapses:
        slots.update(x for x in (s.row_slot, s.col_slot, s.bitmask_slot) if x is not None)
        if s.delay_order is not None:
            slots.update((s.delay_order.order_slot, s.delay_order.start_slot))
        if s.columns is not None:
            slots.update((s.columns.start_slot, s.columns.synapse_slot))
    return slots


def _monitor_slots(kernel: NetworkKernel) -> set:
    """Monitor buffers: copied back after every run, for the runtime to read."""
    slots = set()
    for g in kernel.groups:
        for m in g.state_monitors:
            slots.update(m.buffer_slots)
        for m in g.spike_monitors + [m for ev in g.events for m in ev.monitors]:
            slots.update(m.record_slots)
        slots.update(m.slot for m in g.rate_monitors)
    return slots


class CUDABackend(BaseBackend):
    """``backend="cuda"``: fused CUDA kernels, the time loop in generated host code."""

    name = "cuda"
    #: Spikes of one step reach the monitors in the order the warps append them; float32
    #: kernels draw a Poisson count in float (ps_poisson), where exp(-mean) leaves the
    #: normal range near 87.  (Dense connections tested by bits: codegen.strategy.)
    capabilities = Capabilities(target="cuda", max_poisson_mean={"double": 500.0,
                                                                 "single": 80.0},
                                unordered_spikes=True,
                                resident_state=True, device_arrays=True)

    def __init__(self):
        self._lib = None
        self._path = None
        self._kernel: Optional[NetworkKernel] = None
        self._read_only: set = set()
        self._eager: set = set()
        # The arrays of the last run, on the host and on the GPU; while _resident, the GPU
        # holds the state and the host copies may be old.
        self._host: list = []
        self._device: list = []
        self._resident = False

    def build(self, source: str, cache_dir=None):
        """The compiled library of a generated source (tests/cuda/emulator compiles it
        for the CPU instead)."""
        missing = gpu_missing()
        if missing is not None:
            raise BuildError(missing)
        return compile_cuda_library(source, cache_dir=cache_dir)

    def prepare(self, generated, cache_dir=None) -> dict:
        # build verifies the library's checksum before it is opened; one the loader refuses
        # all the same is rebuilt once (load_library)
        built, self._lib = load_library(lambda: self.build(generated.source, cache_dir),
                                        self._open)
        self._path = str(built.path)
        if self._kernel is not None and self._kernel is not generated.kernel:
            self.sync()
            self._host, self._device = [], []
        self._kernel = generated.kernel
        self._read_only = _read_only_slots(generated.kernel)
        self._eager = _monitor_slots(generated.kernel)
        return {"compiled": built.compiled, "library": built.path, "source": built.source_path}

    def _open(self, path: str):
        """The library at ``path``, loaded (the one already open if it is that)."""
        if self._lib is not None and self._path == path:
            return self._lib
        return open_native(path)

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        import cupy

        counters = arrays[0]
        device = [None] * len(arrays)
        for slot in range(1, len(arrays)):
            host = arrays[slot]
            if host is None:
                continue
            old = self._host[slot] if slot < len(self._host) else None
            if self._resident and old is not None and _same(old, host):
                device[slot] = self._device[slot]      # still on the GPU from the last run
            else:
                device[slot] = cupy.asarray(host)
        # (the runtime's last counter of each instance is the device clock, counters[STEP])
        device[0] = cupy.asarray(counters)
        cupy.cuda.Device().synchronize()      # the library runs on a stream of its own
        pointers = [0 if d is None else int(d.data.ptr) for d in device]
        iargs = np.ascontiguousarray(iargs, dtype=np.int64)
        rargs = np.ascontiguousarray(rargs, dtype=np.float64)
        done = self._lib.run_pointers(pointers, iargs, rargs, int(n_steps))
        if done < 0:
            # A run that failed before its first step (at capture, say) left the GPU state
            # of the last run as it was: fetch it, unless the context is unusable (then the
            # host copies, from before that run, are all there is).
            try:
                self.sync()
            except Exception:
                self._resident = False
            raise RuntimeError("the CUDA run failed: " + self._lib.last_error())
        self._host, self._device, self._resident = list(arrays), device, True
        # What the runtime reads after every chunk: the counters.  The monitor buffers come
        # when it asks (collect), the state when something on the host does (sync).
        counters[...] = device[0].get()
        return int(done)

    def collect(self, arrays: List[np.ndarray]) -> None:
        """Copy the monitor buffers of the last run to the host arrays it ran on (also
        after a sync, which leaves them on the GPU)."""
        for slot in self._eager:
            if slot < len(self._host) and arrays[slot] is not None \
                    and arrays[slot] is self._host[slot]:
                arrays[slot][...] = self._device[slot].get()

    def nonfinite_slots(self, arrays: List[np.ndarray], slots: List[int]) -> List[int]:
        """The slots among ``slots`` whose state holds an inf or a NaN: on the GPU while it
        holds the state (one reduction and one boolean copied back per slot, no array
        copied), else in the host ``arrays``."""
        import cupy

        if not self._resident:
            return super().nonfinite_slots(arrays, slots)
        return [s for s in slots if not bool(cupy.isfinite(self._device[s]).all())]

    def manifest(self) -> str:
        return self._lib.manifest()

    def sync(self) -> None:
        """Copy the state the kernels may have changed back to the host arrays; from then
        on the host copies are the state (the next run uploads them)."""
        if not self._resident:
            return
        for slot in range(1, len(self._host)):
            host = self._host[slot]
            if host is not None and slot not in self._read_only and slot not in self._eager:
                host[...] = self._device[slot].get()
        self._resident = False

    def device_array(self, host: np.ndarray):
        """The CuPy array on the GPU holding the state that ``host`` holds on the CPU (no
        copy; writes to it are the state the next run starts from)."""
        import cupy

        for slot, a in enumerate(self._host):
            if a is not None and slot > 0 and _same(a, host):
                if not self._resident:     # the host is newer: put it all on the GPU
                    self._device = [None if x is None else cupy.asarray(x)
                                    for x in self._host]
                    self._resident = True
                return self._device[slot].reshape(host.shape)
        return None

    def close(self) -> None:
        self.sync()
        self._lib = None
