"""One writer at a time: the build lock (``.lock``, ``.lock.info``) and the file mode of what a
writer creates."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kvsearch.errors import IndexWriteError, LockedError
from kvsearch.indexer.report import now_iso
from kvsearch.storage.folder import write_atomic

LOCK = ".lock"
LOCK_INFO = ".lock.info"


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the exclusive build lock; raise LockedError at once if another build has it.

    Raises:
        LockedError: another build holds it.
        IndexWriteError: the lock cannot be taken or recorded (read-only, permissions, full disk).
    """
    try:
        fd = os.open(index_dir / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as error:
        raise cannot_write(index_dir, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another index build is running ({lock_holder(index_dir)})") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": now_iso()}
        try:
            write_atomic(index_dir / LOCK_INFO, json.dumps(info))
        except OSError as error:
            (index_dir / f"{LOCK_INFO}.tmp").unlink(missing_ok=True)
            raise cannot_write(index_dir, error) from None
        yield
    finally:
        os.close(fd)


def running_build(index_dir: Path) -> str | bool:
    """Who holds the build lock now (``lock_holder``), or False when no build runs."""
    lock = index_dir / LOCK
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return lock_holder(index_dir)
    finally:
        os.close(fd)


def lock_holder(index_dir: Path) -> str:
    try:
        info = json.loads((index_dir / LOCK_INFO).read_text())
        return f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


def cannot_write(index_dir: Path, error: OSError) -> IndexWriteError:
    reason = "no space left on device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    return IndexWriteError(f"cannot write the index in {index_dir}: {reason}; the live index is unchanged")


@contextmanager
def private_files() -> Iterator[None]:
    """Everything a build creates is writable by its owner only, whatever the umask: searches
    refuse an index that others can write (Whoosh unpickles it)."""
    old = os.umask(0o022)
    os.umask(old | 0o022)
    try:
        yield
    finally:
        os.umask(old)
