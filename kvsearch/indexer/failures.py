"""What went wrong in a build, in the user's words: a build folder that cannot be written, and a
live generation that cannot be read back (then the build starts again in full)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from kvsearch.errors import KvsearchError


class DamagedBase(Exception):
    """The generation an incremental build starts from cannot be read back as it was written."""


def not_as_written(live: Path, name: str) -> str:
    return f"{live.name}/{name} does not hold what was written (its checksum differs)"


def write_failure(error: BaseException) -> str | None:
    """Why the build folder could not be written (the disk is full, permissions), or None when
    ``error`` is of another kind. SQLite (the catalog, ``records.sqlite``) reports a full disk
    as its own error, not as an OSError."""
    if isinstance(error, OSError):
        return "no space left on device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    if isinstance(error, sqlite3.OperationalError) and getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return "no space left on device"
    return None


def read_failure(error: BaseException) -> bool:
    """Whether ``error``, raised by an incremental build, may come from reading a damaged live
    generation (Whoosh and SQLite raise many kinds) rather than from the build's own work."""
    if isinstance(error, KvsearchError | KeyboardInterrupt | MemoryError) or not isinstance(error, Exception):
        return False
    if isinstance(error, OSError):
        return error.errno == errno.ENOENT
    return write_failure(error) is None


def describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
