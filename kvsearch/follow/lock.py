"""One writer of a watches file at a time.

A report reads what each watch saw, prints what is new and then remembers it; two reports
running at once would both print the same news, and two writers of the file would replace
each other's changes (or the temporary file they both write). So everything that changes the
file holds an exclusive ``flock`` on ``WATCHES.lock`` for the whole of it. The lock goes with
the process: a report that is killed leaves no stale lock behind. The lock file also says who
holds it, for the message of the one that has to wait.

Within one thread the lock is re-entrant, so a report that holds it can remember itself
through the same functions a lone caller uses.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from kvsearch.errors import LockedError, OutputError

#: How often a waiting caller tries the lock again.
_RETRY_SECONDS = 0.05
#: How often a holder's record is read before it is given up as unreadable.
_HOLDER_READS = 10
#: Lock files this thread holds, and how deeply (re-entrant within a thread only: another
#: thread of the same process opens the file again and so waits like another process).
_held = threading.local()


def lock_path(watches: Path) -> Path:
    return watches.with_name(watches.name + ".lock")


@contextmanager
def watches_file_lock(watches: Path, *, doing: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the exclusive lock of the watches file ``watches`` while the block runs.

    ``doing`` says what the holder does (``watch report``), for whoever finds it taken;
    ``wait``: seconds to wait for a holder to finish before giving up.

    Raises:
        LockedError: another process (or thread) holds it still after ``wait`` seconds.
        OutputError: the lock file cannot be made (read-only folder, permissions).
    """
    path = lock_path(watches)
    depth: dict[Path, int] = getattr(_held, "depth", None) or {}
    _held.depth = depth
    if depth.get(path):
        depth[path] += 1
        try:
            yield
        finally:
            depth[path] -= 1
        return
    fd = _open(path)
    try:
        _take(fd, path, wait)
        _record_holder(fd, doing)
        depth[path] = 1
        try:
            yield
        finally:
            del depth[path]
            _forget_holder(fd)
    finally:
        os.close(fd)  # closing the file releases the lock


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as error:
        raise OutputError(f"{path}: cannot lock the watches file: {error.strerror or error}") from None


def _take(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockedError(f"the watches file is in use by {_holder(path)}; try again later") from None
            time.sleep(_RETRY_SECONDS)


def _record_holder(fd: int, doing: str) -> None:
    """Say in the lock file who holds it; a lock that cannot say so still locks."""
    since = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    info = json.dumps({"doing": doing, "pid": os.getpid(), "host": socket.gethostname(), "since": since})
    data = info.encode("utf-8")
    try:
        # Written over the old holder, then cut to length: a reader never finds it empty.
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    except OSError:
        pass


def _forget_holder(fd: int) -> None:
    """Empty the lock file before letting go, so that whoever finds the lock taken next reads
    its new holder (who may not have written yet: see ``_holder``), never this one."""
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass


def _holder(path: Path) -> str:
    """Who holds the lock, as its lock file says; a holder that has only just taken it may
    not have said so yet, so an unreadable file is read again for a moment."""
    for _attempt in range(_HOLDER_READS):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            return f"kvsearch {info['doing']} (pid {info['pid']} on {info['host']}, since {info['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(_RETRY_SECONDS)
    return "another kvsearch"
