"""The files of pyspike's cache (:mod:`pyspike.toolchain.compile`,
:mod:`pyspike.toolchain.generation`): locks per key, atomic writes, checksums, and the
temporary files a killed build or a full disk left behind.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Iterator, Optional, Tuple, Union

from ..codegen.errors import BuildError

#: A temporary file with no lock to tell whether its writer lives is stale after this long.
STALE_AFTER_S = 3600.0


class CacheWarning(UserWarning):
    """A damaged file was found in the pyspike cache; it is deleted and rebuilt."""


@contextlib.contextmanager
def file_lock(folder: Path, key: str) -> Iterator[None]:
    """Hold the lock of ``key`` in ``folder`` (one writer per key across processes; the
    OS releases it when its holder dies), after removing stale temporary files there."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{key}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            remove_stale_tmp(folder, key)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def remove_stale_tmp(folder: Path, key: str) -> None:
    """Delete the temporary files in ``folder`` that no live build writes: those of
    ``key`` (whose lock the caller holds), those of keys whose lock is free, and
    unattributable ones older than :data:`STALE_AFTER_S`."""
    for tmp in folder.glob("*.tmp"):
        owner = tmp.name.split(".", 1)[0]
        lock = folder / f"{owner}.lock"
        try:
            if owner == key:
                stale = True
            elif lock.exists():
                stale = _lock_is_free(lock)
            else:
                stale = time.time() - tmp.stat().st_mtime > STALE_AFTER_S
            if stale:
                tmp.unlink()
        except OSError:          # removed meanwhile by another build: nothing to do
            continue


def _lock_is_free(path: Path) -> bool:
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


def write_atomic(path: Path, data: Union[str, bytes], key: str) -> None:
    """Write ``data`` to ``path`` through a temporary file of ``key`` renamed into place: a
    reader sees the old file or the whole new one, and a failed write leaves nothing."""
    fd, tmp = mkstemp_beside(path, key, ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except OSError as err:
        raise BuildError(_write_failure(path, err)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def mkstemp_beside(path: Path, key: str, suffix: str) -> Tuple[int, str]:
    try:
        return tempfile.mkstemp(dir=path.parent, prefix=f"{key}.", suffix=suffix)
    except OSError as err:
        raise BuildError(_write_failure(path, err)) from None


def _write_failure(path: Path, err: OSError) -> str:
    full = " (the disk is full)" if err.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return (f"cannot write {path} into the pyspike cache{full}: {err.strerror or err}; "
            "free some space or set PYSPIKE_CACHE_DIR to another folder")


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:           # read, never mapped: a short file cannot crash
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path) -> Optional[str]:
    """None if ``path`` has the content its checksum file records, else why not."""
    try:
        recorded = checksum_path(path).read_text().split()
    except FileNotFoundError:
        return "its checksum file is missing"
    except (OSError, UnicodeDecodeError):
        return "its checksum file cannot be read"
    if len(recorded) != 2 or recorded[1] != path.name:
        return "its checksum file is damaged or belongs to another file"
    try:
        actual = sha256_file(path)
    except OSError as err:
        return f"it cannot be read ({err.strerror or err})"
    if actual != recorded[0]:
        return "its content does not match its checksum (truncated, overwritten or swapped)"
    return None


def warn_damaged(path: Path, reason: str) -> None:
    warnings.warn(f"pyspike: the cached file {path} is damaged ({reason}); it is deleted "
                  "and rebuilt", CacheWarning, stacklevel=4)


