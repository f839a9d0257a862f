"""A test-only CUDA-on-CPU emulator: the CUDA backend's generated source, its launches
rewritten, compiled with g++ against the shim in include/ (cuda_runtime.h: the runtime API,
streams and graphs; ps_emu_block.h: a block's threads as fibers, barriers, warp intrinsics,
atomics) and run on the CPU by CUDABackend's own host code (backend.py).

Used by tests/cuda/test_emulated.py (run it from outside the checkout, so that the
installed package is imported)::

    cd /tmp && python -m pytest /work/main/tests/cuda/test_emulated.py --rootdir /work/main

Elsewhere: ``monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated",
EmulatedBackend)``, then ``ps.Network(..., backend="cuda_emulated")``; the class attributes
``schedule`` ("random", "forward", "reverse"), ``seed`` and ``multiprocessors`` choose how
the threads and blocks are ordered and how many blocks grid-stride kernels get.
"""
