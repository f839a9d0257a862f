"""A precompiled header of the lines every generated C++ source starts with.

A generated network starts with the same includes (``<math.h>``, ``<atomic>``, pyspike's
headers), which g++ takes about 0.45 s to read: 40% of a small network's build.  g++
reads them from a precompiled header in a few milliseconds instead: this module keeps one
in the default cache (``$PYSPIKE_CACHE_DIR``, shared by every ``cache_dir=``: it depends
on nothing else), ``pch/<key>/prelude.h.gch``, for each distinct head of a source (its
leading comments, ``#include`` and ``#define`` lines) and each compiler and set of
options, and :mod:`pyspike.toolchain.compile` names its ``prelude.h`` with ``-include``.
The source's own includes of the same headers then find them included (every header of
csrc/pyspike is guarded), so the compiler sees the same declarations in the same order:
the library is the same file, byte for byte, with or without the precompiled header.
Where g++ cannot use it (another compiler, other options), it reads ``prelude.h`` as text;
where it cannot be built, sources compile as before.  ``PYSPIKE_PCH=0`` turns it off.

>>> head("// note\\n#include <math.h>\\n#define X 1\\n#include \\"a.h\\"\\nint x;\\n")
'// note\\n#include <math.h>\\n#define X 1\\n#include "a.h"\\n'
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import List, Sequence, Tuple

from ..codegen.errors import BuildError
from .cache_files import file_lock, mkstemp_beside, write_atomic

#: A head with fewer includes than this is not worth a precompiled header.
MIN_INCLUDES = 3
#: The name of the lock and temporary files in a precompiled header's folder.
_KEY = "prelude"


def head(source: str) -> str:
    """The leading lines of ``source`` that are comments, blank, ``#include`` or
    ``#define`` lines."""
    lines: List[str] = []
    for line in source.splitlines(keepends=True):
        text = line.strip()
        if text and not text.startswith(("//", "#include", "#define")):
            break
        lines.append(line)
    return "".join(lines)


def flags(root: Path, compiler: str, identity: str, options: Sequence[str],
          headers: str, source: str) -> Tuple[str, ...]:
    """The options that make g++ read ``source``'s head from a precompiled header in
    ``root`` (built now if missing): ``("-include", path)``, or none where there is no
    precompiled header to use."""
    text = head(source)
    if (os.environ.get("PYSPIKE_PCH", "1") == "0" or "g++" not in compiler
            or "GCC" not in identity and "g++" not in identity
            or text.count("#include") < MIN_INCLUDES):
        return ()
    options = tuple(o for o in options if not o.startswith("-l"))
    key = hashlib.sha256("\0".join((text, compiler, identity, " ".join(options),
                                    headers)).encode()).hexdigest()[:24]
    folder = root / "pch" / key
    header, failed = folder / "prelude.h", folder / "failed"
    pch = folder / "prelude.h.gch"
    try:
        if not pch.exists() and not failed.exists():
            with file_lock(folder, _KEY):    # (it removes a killed builder's files)
                if not pch.exists() and not failed.exists():
                    _build(compiler, options, text, header, pch, failed)
    except (OSError, BuildError):      # (a cache that cannot be written: compile without)
        return ()
    return ("-include", str(header)) if pch.exists() else ()


def _build(compiler: str, options: Sequence[str], text: str, header: Path, pch: Path,
           failed: Path) -> None:
    """Write ``header`` and compile it into ``pch`` (renamed into place when whole);
    ``failed`` records a compiler that could not, so that no later build tries again."""
    write_atomic(header, text, _KEY)
    fd, tmp = mkstemp_beside(pch, _KEY, ".gch.tmp")
    os.close(fd)
    try:
        done = subprocess.run([*compiler.split(), *options, "-x", "c++-header",
                               str(header), "-o", tmp], capture_output=True)
        if done.returncode == 0:
            os.replace(tmp, pch)
        else:
            write_atomic(failed, done.stderr[-2000:], _KEY)
    except OSError as err:
        write_atomic(failed, str(err), _KEY)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
