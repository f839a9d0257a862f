"""The toolchain: what turns codegen's pure output into a loaded library on this machine.

- :mod:`.generation`: codegen's door (:func:`pyspike.codegen.pipeline.generate`) behind a
  verified disk cache, with the ``PYSPIKE_DEBUG`` output;
- :mod:`.compile`: the C++ compiler, the cache folder, locks, checksums and loading;
- :mod:`.compile_cuda`: nvcc and the GPU architectures to build for;
- :mod:`.target`: the processor's identity, part of every library's cache key.

Everything that reads the environment, writes the cache or runs a program lives here;
codegen below it is pure (tests/test_imports.py checks it).
"""
