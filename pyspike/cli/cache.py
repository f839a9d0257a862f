"""``pyspike cache`` (where the cache is and its size) and ``pyspike cache clear``.

The cache is the folder the toolchain uses (:func:`pyspike.toolchain.compile.cache_dir`:
``$PYSPIKE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pyspike``, else ``~/.cache/pyspike``).
Clearing removes what pyspike writes there, the generated code (``generated/``) and the
compiled libraries (folders named by two hex digits), and nothing else: a cache folder
pointed at by mistake loses no other file.  Lock files and the temporary files of a build
in progress in another process are left, so that build can finish.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> size(folder)
(0, 0)
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Iterator, Tuple

from ..toolchain.compile import cache_dir

NAME = "cache"
HELP = "show the place and size of pyspike's cache of compiled code, or clear it"
#: The folders of the cache that pyspike writes: generated code, and libraries by key.
_OURS = re.compile(r"^(generated|[0-9a-f]{2})$")
#: Files of a build in progress: left to it.
_IN_PROGRESS = (".lock", ".tmp")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=("size", "clear"), default="size",
                   help="size (the default): where the cache is and its size; clear: empty it")


def main(args: argparse.Namespace) -> int:
    folder = cache_dir()
    if args.action == "clear":
        removed, freed = clear(folder)
        print(f"cache: removed {removed} files ({human(freed)}) from {folder}")
    print(f"cache: {describe(folder)}")
    return 0


def _files(folder: os.PathLike) -> Iterator[Path]:
    """The files of the cache's own folders in ``folder``."""
    root = Path(folder)
    if not root.is_dir():
        return
    for top in sorted(root.iterdir()):
        if top.is_dir() and not top.is_symlink() and _OURS.match(top.name):
            for dirpath, _, names in os.walk(top):
                for name in names:
                    yield Path(dirpath) / name


def size(folder: os.PathLike) -> Tuple[int, int]:
    """Bytes and files the cache holds in ``folder``."""
    total = count = 0
    for path in _files(folder):
        try:
            total += path.lstat().st_size
            count += 1
        except OSError:               # removed meanwhile by another process
            pass
    return total, count


def clear(folder: os.PathLike) -> Tuple[int, int]:
    """Remove the cache's files from ``folder``; returns the files removed and bytes freed."""
    removed = freed = 0
    for path in list(_files(folder)):
        if path.name.endswith(_IN_PROGRESS):
            continue
        try:
            n = path.lstat().st_size
            path.unlink()
        except OSError:
            continue
        removed, freed = removed + 1, freed + n
    for top in Path(folder).iterdir() if Path(folder).is_dir() else ():
        if top.is_dir() and _OURS.match(top.name):
            for dirpath, _, _ in sorted(os.walk(top), reverse=True):
                try:
                    os.rmdir(dirpath)             # only the empty ones
                except OSError:
                    pass
    return removed, freed


def describe(folder: os.PathLike) -> str:
    """Where the cache is and how much it holds, in words."""
    total, count = size(folder)
    return f"{folder} ({human(total)} in {count} files)"


def human(n: int) -> str:
    """A number of bytes as people read it."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"
