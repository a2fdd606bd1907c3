"""Build the index: corpus → documents → one Whoosh document per passage, published atomically.

On disk (``index/``)::

    .kvsearch-index         marks the folder as a kvsearch index, with its id (kvsearch.storage.folder)
    CURRENT                 name of the live generation (replaced atomically with os.replace)
    gen-<time>-<pid>/       a complete, verified index; never modified after publishing
    .build-<time>-<pid>/    a build in progress; removed on failure, or by the next build
    .lock, .lock.info       one writer at a time (flock, released by the kernel on death)

The live generation and the one before it (for ``--rollback``) are kept; older ones are
removed only when a new generation is published, and only folders stamped with this index's
id (``.kvsearch-owner``) are ever removed.

Each generation holds ``manifest.json`` (versions, counts) and ``records.sqlite``: per source
file its size, mtime, SHA-256 and a summary of its parsed document (so that the next build
re-parses only what changed), per document a hash of what was indexed (so that only changed
documents are replaced), and the word counts behind "bedoelde u …?". A build parses in
parallel processes and spools the parsed documents to a file; what it knows of every file,
document and word is in SQLite (``kvsearch.indexer.records``), so memory does not grow with the corpus.
Whoosh never sees a directory a reader may open: readers follow ``CURRENT`` only.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import gzip
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import index as whoosh_index

from kvsearch import analysis
from kvsearch.analysis import vocabulary
from kvsearch.engine.parallel_writer import write_segments
from kvsearch.engine.schema import KvCodec, build_schema
from kvsearch.engine.segment_writer import FastSegmentWriter
from kvsearch.errors import IndexVersionError, IndexWriteError, KvsearchError, LockedError, PublishRefusedError
from kvsearch.indexer.records import RECORDS, SEQ_PER_FILE, Catalog, WordCounter, top_words
from kvsearch.ingest.corpus import DocumentSummary, Problem, fill_document, iter_corpus, parse_files
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, Document, Passage, document_from_json
from kvsearch.storage import folder as indexfolder
from kvsearch.storage.folder import fsync_dir, write_atomic
from kvsearch.storage.generations import (
    CURRENT,
    MANIFEST,
    VOCABULARY,
    changed_files,
    check_trusted,
    file_checksum,
    generation_problem,
    listed_files,
    live_generation,
    read_json,
    read_manifest,
    rollback_generation,
    usable_generations,
    versions,
)

#: Memory for the writer's posting pool; past it, sorted runs go to a temporary file.
WRITER_MB = 256

#: A build that would publish this share fewer documents than the live index is refused.
SHRINK_LIMIT = 0.20

ProgressFn = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did; ``summary()`` is the closing line a user sees."""

    generation: str = ""
    documents: int = 0
    passages: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False

    def summary(self) -> str:
        return (
            f"indexed {self.documents} documents, {self.passages} passages "
            f"({self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped with errors, {len(self.duplicates)} duplicates) "
            f"in {self.seconds:.1f} s"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("skipped", "warnings", "duplicates"):
            data[name] = [
                {"path": p.path, "message": p.message, **({"known": True} if p.known else {})}
                for p in getattr(self, name)
            ]
        return data

    @property
    def newly_skipped(self) -> bool:
        """Whether this build skipped a file no earlier build had reported (exit code 6)."""
        return any(not p.known for p in self.skipped)


# --------------------------------------------------------------------------------------------
# Locking


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the exclusive build lock; raise LockedError at once if another build has it.

    Raises:
        LockedError: another build holds it.
        IndexWriteError: the lock cannot be taken or recorded (read-only, permissions, full disk).
    """
    try:
        fd = os.open(index_dir / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as error:
        raise _cannot_write(index_dir, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another index build is running ({_lock_holder(index_dir)})") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now_iso()}
        try:
            write_atomic(index_dir / ".lock.info", json.dumps(info))
        except OSError as error:
            (index_dir / ".lock.info.tmp").unlink(missing_ok=True)
            raise _cannot_write(index_dir, error) from None
        yield
    finally:
        os.close(fd)


def _cannot_write(index_dir: Path, error: OSError) -> IndexWriteError:
    reason = "no space left on device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    return IndexWriteError(f"cannot write the index in {index_dir}: {reason}; the live index is unchanged")


@contextmanager
def _private_files() -> Iterator[None]:
    """Everything a build creates is writable by its owner only, whatever the umask: searches
    refuse an index that others can write (Whoosh unpickles it)."""
    old = os.umask(0o022)
    os.umask(old | 0o022)
    try:
        yield
    finally:
        os.umask(old)


def _lock_holder(index_dir: Path) -> str:
    try:
        info = json.loads((index_dir / ".lock.info").read_text())
        return f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


# --------------------------------------------------------------------------------------------
# Generations


def _now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _fsync_tree(path: Path) -> None:
    for item in path.iterdir():
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
            indexfolder.safe_mode(item)
    indexfolder.safe_mode(path)
    fsync_dir(path)


def _checksums(build: Path, live: Path | None, live_manifest: dict[str, Any] | None) -> dict[str, list[int]]:
    """Size and CRC-32 of every file of the new generation but the manifest, for the manifest.
    Files hard-linked from the live generation keep the figures it recorded (the incremental
    build checks them against the files before it publishes)."""
    recorded = listed_files(live_manifest or {}) if live else {}
    files: dict[str, list[int]] = {}
    for item in sorted(build.iterdir(), key=lambda p: p.name):
        if item.name in (MANIFEST, indexfolder.OWNER_MARKER) or not item.is_file():
            continue
        known = recorded.get(item.name)
        if known and live and _same_file(item, live / item.name):
            files[item.name] = list(known)
        else:
            files[item.name] = list(file_checksum(item))
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# The build


def build_index(
    corpus_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    *,
    full: bool = False,
    allow_shrink: bool = False,
    progress: ProgressFn | None = None,
) -> BuildReport:
    """Build a new generation from ``corpus_dir`` and publish it.

    Only files whose size, mtime or content changed since the live generation are parsed
    again (``full=True`` parses everything). The result is the same as a full build. The
    outcome, good or bad, is recorded in ``index/last-build.json`` for ``kvsearch status``.
    The analyzer chain is :func:`kvsearch.analysis.building_chain`; it is recorded in
    the index, and searches use the chain that built it.

    Raises:
        CorpusError: the corpus folder is missing or unreadable (nothing published).
        LockedError: another build is running.
        PublishRefusedError: the corpus yields no documents, far fewer than the live index,
            or the new index fails its checks; the live index stays.
        IndexWriteError: the index cannot be written (e.g. disk full); the live index stays.
    """
    index_path = Path(index_dir)
    indexfolder.claim(index_path)
    with _private_files(), writer_lock(index_path):
        report = BuildReport(full=full)
        try:
            try:
                index_id = indexfolder.mark(index_path)
            except OSError as error:
                raise _cannot_write(index_path, error) from None
            build = functools.partial(
                _build,
                Path(corpus_dir),
                index_path,
                index_id,
                allow_shrink=allow_shrink,
                progress=_stoppable(progress),
            )
            try:
                published = build(report)
            except _DamagedBase as damaged:
                # The live generation cannot be updated: build it again from the corpus.
                notices = [*report.notices, f"{damaged}; building the index again in full"]
                report = BuildReport(full=True, notices=notices)
                published = build(report)
        except BaseException as error:
            _record_outcome(index_path, report, error)
            raise
        finally:
            _STOP.clear()
        _record_outcome(index_path, report, None, published)
    return report


class _DamagedBase(Exception):
    """The generation an incremental build starts from cannot be read back as it was written."""


_STOP = threading.Event()


def request_stop() -> None:
    """Make a running build stop at its next progress report or checkpoint, publishing nothing.

    For signal handlers: the ``KeyboardInterrupt`` a handler raises is lost when it lands in
    a finalizer (Python prints "Exception ignored" and goes on), and the build would then
    publish after all. The build raises ``KeyboardInterrupt`` itself when it sees the request."""
    _STOP.set()


def _stop_if_requested() -> None:
    if _STOP.is_set():
        raise KeyboardInterrupt


def _stoppable(progress: ProgressFn | None) -> ProgressFn:
    """``progress``, preceded by the check for a requested stop (progress is reported often)."""

    def report(phase: str, done: int, total: int) -> None:
        _stop_if_requested()
        if progress:
            progress(phase, done, total)

    return report


def _build(
    corpus: Path,
    index_path: Path,
    index_id: str,
    report: BuildReport,
    allow_shrink: bool,
    progress: ProgressFn | None,
) -> bool:
    """Build and publish; False when nothing changed and the live generation stays."""
    started = time.monotonic()
    live, notice = _base_generation(index_path, index_id)
    if notice:
        report.notices.append(notice)
    # Leftovers of a killed build go; the live generation and the one to roll back to stay.
    keep = {g.name for g in (live_generation(index_path), live, rollback_generation(index_path, live)) if g}
    indexfolder.remove_builds(index_path, index_id, keep=keep)
    previous = read_manifest(live) if live else None
    reuse = bool(live and previous and not report.full and previous.get("versions") == versions())
    name = f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    while (index_path / f"gen-{name}").exists() or (index_path / f".build-{name}").exists():
        name += "-2"  # a second build of this process within the second
    build = index_path / f".build-{name}"
    generation = index_path / f"gen-{name}"
    try:
        build.mkdir()
        indexfolder.stamp(build, index_id)
        with _Spool(build / SPOOL) as spool:
            catalog = Catalog(build)
            try:
                if live and reuse:
                    catalog.load_old(live)
                published = _build_in(
                    corpus,
                    index_path,
                    build,
                    generation,
                    live,
                    previous,
                    catalog,
                    spool,
                    report,
                    allow_shrink,
                    progress,
                    started,
                )
            finally:
                catalog.close()
    except BaseException as error:
        _discard(build)
        if isinstance(error, _DamagedBase):
            raise
        if reuse and live and _read_failure(error):
            damaged = _damaged_files(live)
            if damaged:
                raise _DamagedBase(_not_as_written(live, damaged[0])) from error
            raise _DamagedBase(f"the live generation {live.name} cannot be read ({_describe_error(error)})") from error
        reason = _write_failure(error)
        if reason is None:
            raise
        raise IndexWriteError(
            f"cannot write the index in {index_path}: {reason}; the live index is unchanged"
        ) from None
    if not published:
        _discard(build)
        if live and live != live_generation(index_path):
            write_atomic(index_path / CURRENT, live.name + "\n")  # CURRENT was damaged: name the live one again
        return False
    # Keep the previous generation for rollback and for readers that opened it just now.
    indexfolder.remove_builds(index_path, index_id, keep={generation.name, *([live.name] if live else [])})
    return True


def _base_generation(index_path: Path, index_id: str) -> tuple[Path | None, str | None]:
    """The generation a build starts from and keeps for rollback: the live one, or — when
    ``CURRENT`` is damaged or names a missing, damaged or untrusted generation — the newest
    whole generation this index made, with a notice saying so."""
    live = live_generation(index_path)
    problem = generation_problem(live) if live else None
    if live and problem is None:
        try:
            check_trusted(live)
            return live, None
        except IndexVersionError as error:
            problem = str(error)
    if live is None and not (index_path / CURRENT).exists():
        return None, None  # a new index
    fallback = next((g for g in usable_generations(index_path) if g != live and indexfolder.owned(g, index_id)), None)
    why = f"{index_path / CURRENT} is missing or damaged" if live is None else f"{live.name} is damaged ({problem})"
    if (index_path / CURRENT).is_dir():
        _move_aside(index_path / CURRENT)
    if fallback is None:
        return None, f"{why}; no whole generation is left to start from"
    return fallback, f"{why}; starting from {fallback.name}"


def _move_aside(path: Path) -> None:
    """Rename something that is in the way of kvsearch's own file, keeping it."""
    os.rename(path, path.with_name(f"{path.name}.damaged-{datetime.now().strftime('%Y%m%dT%H%M%S')}"))


def _read_failure(error: BaseException) -> bool:
    """Whether ``error``, raised by an incremental build, may come from reading a damaged live
    generation (Whoosh and SQLite raise many kinds) rather than from the build's own work."""
    if isinstance(error, KvsearchError | KeyboardInterrupt | MemoryError) or not isinstance(error, Exception):
        return False
    if isinstance(error, OSError):
        return error.errno == errno.ENOENT
    return _write_failure(error) is None


def _describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _build_in(
    corpus: Path,
    index_path: Path,
    build: Path,
    generation: Path,
    live: Path | None,
    previous: dict[str, Any] | None,
    catalog: Catalog,
    spool: _Spool,
    report: BuildReport,
    allow_shrink: bool,
    progress: ProgressFn | None,
    started: float,
) -> bool:
    load = _load_incremental(corpus, catalog, report, progress, spool)
    kept = catalog.kept_count()
    _guard_shrink(kept, previous, allow_shrink)
    report.documents = kept
    report.duplicates = load.duplicates
    report.notices += load.notices
    catalog.record_keys()
    if live and catalog.unchanged():
        # Nothing changed: the live generation is already this index.
        report.generation = live.name
        report.passages = int(previous.get("passages", 0)) if previous else 0
        report.seconds = round(time.monotonic() - started, 2)
        return False

    changed = catalog.changed_documents() if live else None
    if live and changed is not None and catalog.count_changes():
        # The live files are read back against their checksums while the build works (the
        # reading and the checksums run outside the GIL); the result is needed only to publish.
        with ThreadPoolExecutor(max_workers=1) as background:
            damaged = background.submit(_damaged_files, live)
            counter = catalog.counter()
            _count_live(live, changed, counter, -1)
            wanted = catalog.kept_with_ids(changed)
            documents = _documents(wanted, catalog, spool, counter)
            shipped = analysis.building_chain() is analysis.SHIPPED
            analysis.use_known_index_terms(catalog.known_terms() if shipped else None)
            try:
                report.passages = _update_whoosh(build, live, documents, changed, len(wanted), progress)
            finally:
                analysis.use_known_index_terms(None)
            if damaged.result():
                raise _DamagedBase(_not_as_written(live, damaged.result()[0]))
        counter.flush()
        if shipped:
            catalog.keep_terms(analysis.index_terms_cache().items())
    else:
        report.passages = _write_whoosh(build, catalog, spool, progress)
    canaries = {s.doc_id: s for s in (catalog.kept_at(0), catalog.kept_at(kept // 2), catalog.kept_at(kept - 1)) if s}
    _verify(build, report.passages, list(_documents(list(canaries.values()), catalog, spool)))
    report.generation = generation.name
    report.seconds = round(time.monotonic() - started, 2)
    manifest = {
        "versions": versions(),
        "built": _now_iso(),
        "corpus": str(corpus.resolve()),
        "replaces": live.name if live else None,
        "documents": report.documents,
        "passages": report.passages,
        "report": report.to_json(),
    }
    spool.close()
    os.remove(build / SPOOL)
    catalog.publish(build)
    _write_json(build / VOCABULARY, top_words(build))
    catalog.remove()
    manifest["files"] = _checksums(build, live, previous)
    _write_json(build / MANIFEST, manifest)
    _fsync_tree(build)
    os.rename(build, generation)
    fsync_dir(index_path)
    checkpoint("publishing")
    write_atomic(index_path / CURRENT, generation.name + "\n")  # the commit point
    return True


def _write_failure(error: BaseException) -> str | None:
    """Why the build folder could not be written (the disk is full, permissions), or None when
    ``error`` is of another kind. SQLite (the catalog, ``records.sqlite``) reports a full disk
    as its own error, not as an OSError."""
    if isinstance(error, OSError):
        return "no space left on device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    if isinstance(error, sqlite3.OperationalError) and getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return "no space left on device"
    return None


def _discard(*folders: Path) -> None:
    """Remove a failed build, so that its disk space is free again."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _write_json(path: Path, data: Any) -> None:
    """JSON, gzip'd when the name ends in .gz (the manifest, and the vocabulary of up to
    60,000 words behind "bedoelde u"), written an object's members a piece at a time
    (``_dump_json``) rather than as one string, its bytes and their compressed copy."""
    with open(path, "wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as packed:
                _dump_json(data, packed)
        else:
            _dump_json(data, raw)


def _dump_json(data: Any, out: Any, members: int = 4096) -> None:
    """``json.dumps(data)`` (compact, UTF-8) written to ``out`` in pieces of ``members``
    members of an object: each piece is one ``json.dumps`` call, in C (a call per member cost
    seconds for the 500k word counts of a million passages)."""
    if not isinstance(data, dict) or not data:
        out.write(_compact_json(data).encode("utf-8"))
        return
    items = iter(data.items())
    separator = "{"
    while piece := dict(itertools.islice(items, members)):
        out.write((separator + _compact_json(piece)[1:-1]).encode("utf-8"))
        separator = ","
    out.write(b"}")


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


LAST_BUILD = "last-build.json"


def _record_outcome(index_path: Path, report: BuildReport, error: BaseException | None, published: bool = True) -> None:
    """What the last build did, for ``kvsearch status`` (best effort: never masks ``error``)."""
    from kvsearch.errors import ExitCode, exit_code_for

    if error is None:
        code = ExitCode.PARTIAL if report.newly_skipped else ExitCode.OK
        outcome, message = ("published" if published else "unchanged"), report.summary()
    else:
        code = exit_code_for(error)
        outcome = {ExitCode.REFUSED: "refused", ExitCode.CORPUS: "refused"}.get(code, "failed")
        message = str(error) or type(error).__name__
    record = {
        "finished": _now_iso(),
        "outcome": outcome,
        "exit_code": int(code),
        "message": message,
        "report": report.to_json(),
    }
    try:
        write_atomic(index_path / LAST_BUILD, json.dumps(record, ensure_ascii=False))
    except OSError:
        pass


def checkpoint(name: str) -> None:
    """Fault injection for the crash tests: ``KVSEARCH_FAULT=<name>:kill`` kills the process
    with SIGKILL at that point, ``<name>:sleep:<seconds>`` pauses there. Points: ``reading``,
    ``writing``, ``publishing``. A requested stop (``request_stop``) is honoured here too."""
    _stop_if_requested()
    spec = os.environ.get("KVSEARCH_FAULT", "")
    point, _, action = spec.partition(":")
    if point != name:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("sleep:"):
        time.sleep(float(action.split(":", 1)[1]))


def rollback(index_dir: str | os.PathLike[str]) -> str:
    """Make the previous generation live again; returns its name.

    Raises:
        LockedError: a build is running.
        UsageError: there is no previous generation to go back to.
    """
    from kvsearch.errors import UsageError

    index_path = Path(index_dir)
    indexfolder.claim(index_path, create=False)
    with _private_files(), writer_lock(index_path):
        target = rollback_generation(index_path, live_generation(index_path))
        if target is None:
            raise UsageError(f"no previous generation in {index_path} to roll back to")
        write_atomic(index_path / CURRENT, target.name + "\n")
        return target.name


SPOOL = "parsed.jsonl"  # the documents parsed by this build (only while it runs)


class _Spool:
    """Parsed documents as JSON lines in the build folder: written once, read back one at a
    time, so that the build never holds the corpus in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "w+b")  # noqa: SIM115
        self.end = 0

    def append(self, text: str) -> int:
        data = text.encode("utf-8") + b"\n"
        self.handle.seek(self.end)
        self.handle.write(data)
        offset, self.end = self.end, self.end + len(data)
        return offset

    @classmethod
    def reader(cls, path: Path) -> _Spool:
        """A second, read-only handle on the spool (a process of its own needs one)."""
        spool = cls.__new__(cls)
        spool.path, spool.handle, spool.end = path, open(path, "rb"), 0  # noqa: SIM115
        return spool

    def flush(self) -> None:
        self.handle.flush()

    def read(self, offset: int) -> Document:
        self.handle.seek(offset)
        return document_from_json(json.loads(self.handle.readline()))

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.close()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Load:
    duplicates: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _load_incremental(
    corpus: Path, catalog: Catalog, report: BuildReport, progress: ProgressFn | None, spool: _Spool
) -> _Load:
    """Hash and parse what changed; every document's summary, de-duplicated, in ``catalog``.

    Parsed documents go to ``spool``; the cache entry of a file (``records.sqlite``) holds its
    size, mtime, hash and its documents' summaries, never their text. Files whose size and
    mtime are unchanged keep their entry and summaries without passing through Python
    (``Catalog.add_unchanged``); only the others are looked at here, in walk order."""
    load = _Load()
    total, to_parse = catalog.record_walk(iter_corpus(corpus, load.notices))
    problems: list[tuple[int, Problem]] = []
    # The others are hashed (and parsed unless the hash is unchanged) in parser processes; the
    # unchanged files' records are copied while they work (after the first outcome).
    jobs = ((item, old.get("sha256") if old else None) for _, item, old, _ in catalog.walked(changed_only=True))
    outcomes = parse_files(jobs, count=to_parse)
    files: list[tuple[str, dict[str, Any]]] = []
    summaries: list[tuple[DocumentSummary, dict[str, Any]]] = []
    file_seqs: list[int] = []
    summary_seqs: list[int] = []

    def save() -> None:
        catalog.add_files(files, file_seqs)
        catalog.add_summaries(summaries, summary_seqs)
        for batch in (files, summaries, file_seqs, summary_seqs):
            batch.clear()

    unchanged = total - to_parse
    checkpoint("reading")
    if progress:
        progress("parse", unchanged, total)
    try:
        for done, (seq, item, old, _cached) in enumerate(catalog.walked(changed_only=True), start=unchanged + 1):
            digest, outcome = next(outcomes)
            if done == unchanged + 1:
                problems += catalog.add_unchanged()
            fresh: DocumentSummary | None = None
            if outcome is None and old:
                entry = {**old, "mtime_ns": item.mtime_ns}
            else:
                entry = {"size": item.size, "mtime_ns": item.mtime_ns, "sha256": digest}
                if isinstance(outcome, str):
                    entry["error"] = outcome
                elif outcome is not None:
                    fresh, text = outcome
                    fresh.spool = spool.append(text)
                    entry["documents"] = [fresh.to_json()]
                if old:
                    report.updated += 1
                else:
                    report.added += 1
            if entry.get("error"):
                problems.append((seq, Problem(item.relative, entry["error"])))
            for index, data in enumerate(entry.get("documents", [])):
                summary = fresh if fresh is not None else DocumentSummary.from_json(data)
                summaries.append((summary, data))
                summary_seqs.append(seq * SEQ_PER_FILE + index)
                problems.extend((seq, Problem(item.relative, w, skipped=False)) for w in summary.warnings)
            files.append((item.relative, entry))
            file_seqs.append(seq)
            if len(files) >= 1000:
                save()
            if progress:
                progress("parse", done, total)
    finally:
        outcomes.close()
    if not to_parse:
        problems += catalog.add_unchanged()
    save()
    problems.sort(key=lambda pair: pair[0])  # stable: a file's error before its warnings, as before
    report.unchanged = total - report.added - report.updated
    report.removed = catalog.removed_files()
    report.skipped = [p for _, p in problems if p.skipped]
    report.warnings = [p for _, p in problems if not p.skipped]
    load.duplicates = catalog.deduplicate()
    return load


def _documents(
    summaries: list[DocumentSummary], catalog: Catalog, spool: _Spool, counter: WordCounter | None = None
) -> Iterator[Document]:
    """The full documents of ``summaries``, one at a time, as de-duplication left them.

    A document parsed by this build is read back from the spool; one from an unchanged file
    (needed only when a duplicate of it changed, or for a canary) is parsed again. Their
    surface words are added to ``counter``."""
    _spool_missing(summaries, catalog, spool)
    yield from _read_documents(summaries, spool, counter)


def _spool_missing(summaries: list[DocumentSummary], catalog: Catalog, spool: _Spool) -> None:
    """Parse again, into the spool, the documents of ``summaries`` that are not in it."""
    pairs = [(s, found) for s in summaries if s.spool is None and (found := catalog.walked_file(s.source))]
    outcomes = parse_files([(found, None) for _, found in pairs])
    for (_digest, outcome), (summary, _found) in zip(outcomes, pairs, strict=True):
        if isinstance(outcome, tuple) and outcome[0].digest == summary.digest:
            summary.spool = spool.append(outcome[1])
            catalog.set_spool(summary.doc_id, summary.spool)


def _read_documents(
    summaries: Iterable[DocumentSummary], spool: _Spool, counter: WordCounter | None = None
) -> Iterator[Document]:
    for summary in summaries:
        if summary.spool is None:
            raise PublishRefusedError(
                f"{summary.source} changed during the build; nothing published (run the build again)"
            )
        document = fill_document(spool.read(summary.spool), summary)
        if counter is not None:
            count_words(document, counter.counts)
            counter.check()
        yield document


def _guard_shrink(documents: int, previous: dict[str, Any] | None, allow_shrink: bool) -> None:
    if allow_shrink:
        return
    if not documents:
        raise PublishRefusedError(
            "the corpus gave no documents; nothing published (use --allow-shrink to publish an empty index)"
        )
    before = int(previous.get("documents", 0)) if previous else 0
    if before and documents < before * (1 - SHRINK_LIMIT):
        raise PublishRefusedError(
            f"the corpus shrank from {before} to {documents} documents; nothing published "
            "(is the corpus folder mounted? use --allow-shrink if this is intended)"
        )


#: Processes writing a full build's segments (one segment each), and the fewest documents
#: worth a second one. Two (on two cores) build 100k passages about 1.9 times as fast as one,
#: with less peak memory. Searches rank the same however many segments there are
#: (kvsearch.engine.whole_index), and compact postings blocks (kvsearch.engine.schema) more than pay for the
#: second segment's own term table. README, "Performance".
WRITE_JOBS = max(1, min(2, os.cpu_count() or 1))
PARALLEL_MIN_DOCUMENTS = 64


def _write_whoosh(build: Path, catalog: Catalog, spool: _Spool, progress: ProgressFn | None) -> int:
    """A new Whoosh index in ``build`` holding every passage of the kept documents.

    The documents are split, in order, into up to ``WRITE_JOBS`` parts, each written as a
    segment of its own by a process of its own (``kvsearch.engine.parallel_writer``); their surface
    words are counted into the catalog."""
    for missing in catalog.unspooled():
        _spool_missing(missing, catalog, spool)
    catalog.db.commit()
    spool.flush()
    total = catalog.kept_count()
    parts = WRITE_JOBS if total >= PARALLEL_MIN_DOCUMENTS else 1
    bounds = catalog.balanced_bounds(parts, spool.end)

    def work(writer: FastSegmentWriter, part: int, tick: Callable[[], None]) -> None:
        counter = catalog.counter(part)
        mine = catalog.kept(bounds[part], bounds[part + 1])
        half = (bounds[part + 1] - bounds[part]) // 2 + 1
        with _Spool.reader(spool.path) as reader:
            for done, document in enumerate(_read_documents(mine, reader, counter), start=1):
                for record in passage_records(document):
                    writer.add_document(**record)
                if part == 0 and done == half:
                    checkpoint("writing")
                tick()
        if part == 0 and bounds[1] == 0:
            checkpoint("writing")
        counter.flush()
        if analysis.building_chain() is analysis.SHIPPED:  # the words analysed, for the next (incremental) build
            counter.add_terms(analysis.index_terms_cache().items())

    def report(done: int) -> None:
        if progress:
            progress("index", done, total)

    ix = whoosh_index.create_in(str(build), build_schema())
    try:
        write_segments(ix, work, parts, WRITER_MB, report)
        for part in range(parts):
            catalog.merge_words(part)
        return int(ix.doc_count())
    finally:
        ix.close()


def _update_whoosh(
    build: Path, live: Path, documents: Iterable[Document], changed: set[str], total: int, progress: ProgressFn | None
) -> int:
    """The live Whoosh index linked into ``build``, with only the changed documents replaced.

    Whoosh never rewrites a file in place (a segment's deletions go into the new table of
    contents, new segments and tables of contents get new names), so the live generation stays
    untouched; the result holds the same passages as a full build.
    """
    for item in live.iterdir():
        if item.name.startswith(("_MAIN_", "MAIN_")) and not item.name.endswith("WRITELOCK"):
            _link_or_copy(item, build / item.name)
    ix = whoosh_index.open_dir(str(build))
    try:
        _add_documents(ix, documents, total, changed, progress)
        return int(ix.doc_count())
    finally:
        ix.close()


def _not_as_written(live: Path, name: str) -> str:
    return f"{live.name}/{name} does not hold what was written (its checksum differs)"


def _damaged_files(live: Path) -> list[str]:
    """The files of the live generation an incremental build carries on (Whoosh's, linked into
    the new generation, and the records) that no longer hold what was written."""
    names = sorted(p.name for p in live.iterdir() if p.name.startswith(("_MAIN_", "MAIN_")) or p.name == RECORDS)
    return changed_files(live, names)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to ``source``: no copy of the whole index, nothing new to sync, and the
    previous generation shares the space; a copy where the file system has no links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _add_documents(
    ix: Any, documents: Iterable[Document], total: int, delete: set[str], progress: ProgressFn | None
) -> None:
    writer = FastSegmentWriter(ix, limitmb=WRITER_MB, codec=KvCodec())
    try:
        for doc_id in sorted(delete):
            writer.delete_by_term("doc_id", doc_id)
        done = 0
        for done, document in enumerate(documents, start=1):
            for record in passage_records(document):
                writer.add_document(**record)
            if done == total // 2 + 1:
                checkpoint("writing")
            if progress:
                progress("index", done, total)
        if not done:
            checkpoint("writing")
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def passage_records(document: Document) -> Iterator[dict[str, Any]]:
    """The Whoosh fields of each passage of ``document``."""
    meta = replace(document, passages=[], warnings=[]).to_json()
    meta.pop("passages")
    meta.pop("warnings")
    day = document.date_answered or document.date_submitted
    status = {KIND_ANSWERED: "beantwoord", KIND_NOTICE: "uitgesteld"}.get(document.kind, "onbeantwoord")
    askers = [t for p in document.askers for t in vocabulary.name_terms(p.name)]
    parties = [t for p in document.askers for t in vocabulary.party_terms(p.party)]
    answerer = document.answered_by
    ministries = vocabulary.ministry_terms(answerer.ministry if answerer else None)
    for office in document.addressees:
        portfolio = office.split(" ", 2)[-1] if " van " in office or " voor " in office else office
        ministries += vocabulary.ministry_terms(portfolio)
    # A notice without questions is still findable, as one passage holding the notice.
    passages = document.passages or [Passage(questions=(), question="", answer=document.notice or "")]
    for order, passage in enumerate(passages):
        yield {
            "passage_id": f"{document.doc_id}#{passage.key}",
            "doc_id": document.doc_id,
            "question_id": document.question_id,
            "order": order,
            "questions": ",".join(str(n) for n in passage.questions),
            "title": document.title or "",
            "question": passage.question,
            "answer": passage.answer,
            "kind": document.kind,
            "status": status,
            "number": document.number or "",
            "year": document.year or "",
            "date": datetime.fromisoformat(day) if day else None,
            "askers": ",".join(dict.fromkeys(askers)),
            "parties": ",".join(dict.fromkeys(parties)),
            "minister": ",".join(vocabulary.name_terms(answerer.name if answerer else None)),
            "ministry": ",".join(dict.fromkeys(ministries)),
            "document": meta,
            "notes": list(passage.notes),
        }


_SURFACE_WORD = re.compile(r"[^\W\d_]{3,}")


def _surface_texts(document: Document) -> list[str]:
    texts = [document.title or "", *(p.question + " " + p.answer for p in document.passages)]
    texts += [p.name for p in document.askers]
    if document.answered_by:
        texts.append(document.answered_by.name)
    return texts


def count_words(document: Document, counts: Counter[str], sign: int = 1) -> None:
    """Add (``sign`` -1: remove) the surface words of ``document`` to ``counts``, as they
    are: ``WordCounter`` folds each distinct word once, when it writes the counts."""
    words = _SURFACE_WORD.findall("\n".join(_surface_texts(document)))
    if sign == 1:
        counts.update(words)  # counted in C (Counter's _count_elements)
    else:
        counts.subtract({word: -sign * n for word, n in Counter(words).items()})


def _count_live(live: Path, doc_ids: set[str], counter: WordCounter, sign: int) -> None:
    """Count the surface words of documents as the live index holds them (the version a build
    replaces), from their stored fields."""
    ix = whoosh_index.open_dir(str(live), readonly=True)
    try:
        with ix.searcher() as searcher:
            for doc_id in sorted(doc_ids):
                stored = sorted(searcher.documents(doc_id=doc_id), key=lambda s: s.get("order", 0))
                if stored:
                    count_words(_stored_document(stored), counter.counts, sign)
                    counter.check()
    finally:
        ix.close()


def _stored_document(stored: list[dict[str, Any]]) -> Document:
    """A document rebuilt from its passages' stored fields, as far as its words go."""
    meta = dict(stored[0].get("document") or {})
    passages = [
        {
            "questions": [int(n) for n in (s.get("questions") or "").split(",") if n],
            "question": s.get("question", ""),
            "answer": s.get("answer", ""),
            "notes": list(s.get("notes") or ()),
        }
        for s in stored
    ]
    # A notice without questions is indexed as one passage holding the notice (passage_records).
    only = passages[0] if len(passages) == 1 else None
    if only and not only["questions"] and not only["question"] and only["answer"] == (meta.get("notice") or ""):
        passages = []
    return document_from_json({**meta, "passages": passages, "warnings": []})


def _verify(build: Path, expected: int, documents: list[Document]) -> None:
    """Reopen the new generation before it goes live: it must hold every passage, and a few
    canary queries (a rare word of the first, middle and last document) must find them."""
    from whoosh.query import Term

    ix = whoosh_index.open_dir(str(build), readonly=True)
    try:
        found = ix.doc_count()
        if found != expected:
            raise PublishRefusedError(f"the new index holds {found} passages instead of {expected}; nothing published")
        with ix.searcher() as searcher:
            for document in {
                id(d): d for d in (documents[:1] + documents[len(documents) // 2 :][:1] + documents[-1:])
            }.values():
                canary = _canary_term(document)
                if canary and not searcher.search(Term(canary[0], canary[1]), limit=1):
                    raise PublishRefusedError(
                        f"canary query {canary[1]!r} did not find {document.doc_id} in the new index; nothing published"
                    )
    finally:
        ix.close()


def _canary_term(document: Document) -> tuple[str, str] | None:
    for passage in document.passages:
        for field_name, text in (("answer", passage.answer), ("question", passage.question)):
            words = [t.text for t in analysis.building_chain().analyze(text, query=True) if len(t.text) >= 6]
            if words:
                return field_name, max(words, key=len)
    return None


def index_status(index_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The live generation, the outcome of the last build, and whether a build runs now."""
    index_path = Path(index_dir)
    live = live_generation(index_path)
    manifest = (read_manifest(live) if live else None) or {}
    status: dict[str, Any] = {
        "index": str(index_path),
        "generation": live.name if live else None,
        "built": manifest.get("built"),
        "versions": manifest.get("versions"),
        "compatible": manifest.get("versions") == versions() if live else None,
        "documents": manifest.get("documents"),
        "passages": manifest.get("passages"),
        "previous": [target.name] if (target := rollback_generation(index_path, live)) else [],
        "last_build": read_json(index_path / LAST_BUILD),
        "build_running": None,
    }
    lock = index_path / ".lock"
    if lock.exists():
        fd = os.open(lock, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            status["build_running"] = False
        except BlockingIOError:
            status["build_running"] = _lock_holder(index_path)
        finally:
            os.close(fd)
    else:
        status["build_running"] = False
    return status
