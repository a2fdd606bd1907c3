"""The corpus side of fetching: atomic files, per-document change stamps, the watermark.

Layout inside the corpus folder::

    <id>.xml or <id>.pdf            the document, as ``kvsearch index`` reads it
    .kvsearch-fetch/state.sqlite    change stamp and files per document; the watermark
    .kvsearch-fetch/metadata/<id>.xml, <id>.record.xml   metadata.xml and the SRU record
    .kvsearch-fetch/lock            one fetch at a time

The state folder starts with a dot, so ``kvsearch index`` never reads it. Every file lands
under a hidden temporary name and is renamed into place, so an index build (or a reader)
sees a file whole or not at all, and a killed fetch leaves only hidden leftovers, removed by
the next run. A document's stamp is written after all its files landed: a document whose
fetch was cut short has no stamp and is fetched again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from kvsearch.errors import CorpusWriteError, LockedError

STATE_DIR = ".kvsearch-fetch"
TEMP_MARK = ".part-"

#: Identifiers become file names: only letters, digits, dots, dashes and underscores, no
#: leading dot (``ah-tk-20232024-1064``, ``ah-1251487``, ``kv-tk-2024Z18792``).
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,
    files TEXT NOT NULL,      -- corpus-relative paths, one per line
    status TEXT NOT NULL,     -- fetched | gone | refused
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watermarks (
    name TEXT PRIMARY KEY,
    day TEXT NOT NULL         -- YYYY-MM-DD: everything changed before it was fetched
);
"""


def is_safe_id(identifier: str) -> bool:
    return bool(SAFE_ID.fullmatch(identifier)) and ".." not in identifier


class Store:
    """The fetched documents of one corpus folder and what is known about them."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.state_dir = corpus / STATE_DIR
        try:
            (self.state_dir / "metadata").mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.state_dir / "state.sqlite", isolation_level=None)
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise CorpusWriteError(f"cannot write into the corpus folder {corpus}: {_reason(error)}") from None

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the fetch lock; raise LockedError at once if another fetch has it."""
        fd = os.open(self.state_dir / "lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockedError(f"another kvsearch fetch is filling {self.corpus}") from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def remove_leftovers(self) -> int:
        """Delete temporary files a killed fetch left behind (only while holding the lock)."""
        removed = 0
        for folder in (self.corpus, self.state_dir / "metadata"):
            for entry in os.scandir(folder):
                if entry.name.startswith(".") and TEMP_MARK in entry.name and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed += 1
        return removed

    # -- documents ---------------------------------------------------------------------------

    def known(self, identifier: str) -> tuple[str, list[str]] | None:
        """The stamp and files of a document fetched before, or None."""
        row = self._db.execute("SELECT stamp, files FROM documents WHERE id = ?", (identifier,)).fetchone()
        return (row[0], row[1].split("\n") if row[1] else []) if row else None

    def is_complete(self, files: list[str]) -> bool:
        return all((self.corpus / name).is_file() for name in files)

    def land(self, relative: str, data: bytes) -> None:
        """Write ``data`` to ``corpus/relative`` atomically (hidden temporary name, then rename)."""
        target = self.corpus / relative
        temporary = target.with_name(f".{target.name}{TEMP_MARK}{os.getpid()}")
        try:
            with open(temporary, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise CorpusWriteError(f"cannot write {target}: {_reason(error)}") from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def remove(self, files: list[str]) -> None:
        """Delete files of a document's earlier version."""
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.corpus / name)

    def remember(self, identifier: str, stamp: str, files: list[str], status: str = "fetched") -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO documents (id, stamp, files, status, fetched_at) VALUES (?, ?, ?, ?, ?)",
            (identifier, stamp, "\n".join(files), status, datetime.now(UTC).isoformat(timespec="seconds")),
        )

    # -- watermark ---------------------------------------------------------------------------

    def watermark(self, name: str) -> str | None:
        row = self._db.execute("SELECT day FROM watermarks WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def move_watermark(self, name: str, day: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO watermarks (name, day) VALUES (?, ?)", (name, day))


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)
