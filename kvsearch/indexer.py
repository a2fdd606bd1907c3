"""Build the index: corpus → documents → one Whoosh document per passage, published atomically.

On disk (``index/``)::

    CURRENT                 name of the live generation (replaced atomically with os.replace)
    gen-<time>-<pid>/       a complete, verified index; never modified after publishing
    .build-<time>-<pid>/    a build in progress; removed on failure, or by the next build
    .lock, .lock.info       one writer at a time (flock, released by the kernel on death)

Each generation holds ``manifest.json``: versions, counts, and per source file its size,
mtime, SHA-256 and parsed documents, so that the next build re-parses only what changed.
Whoosh never sees a directory a reader may open: readers follow ``CURRENT`` only.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kvsearch import __version__, analysis, vocabulary
from kvsearch.corpus import CorpusLoad, Problem, deduplicate, iter_corpus, parse_file
from kvsearch.errors import IndexWriteError, KvsearchError, LockedError, PublishRefusedError
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, Document, Passage, document_from_json
from kvsearch.schema import SCHEMA_VERSION, build_schema

MANIFEST = "manifest.json"
FILES = "files.json"  # per source file: size, mtime, hash, parsed documents (the build cache)
VOCABULARY = "vocabulary.json"  # surface words and their frequency, for "bedoelde u …?"
CURRENT = "CURRENT"
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
            data[name] = [{"path": p.path, "message": p.message} for p in getattr(self, name)]
        return data


def versions(variant: str = "shipped") -> dict[str, Any]:
    """What built an index: a reader refuses an index whose versions differ.

    ``variant`` is the analyzer chain (``analysis.VARIANTS``); only baselines record it.
    """
    import whoosh

    return {
        "kvsearch": __version__,
        "schema": SCHEMA_VERSION,
        "whoosh": ".".join(str(v) for v in whoosh.versionstring().split(".")),
        **analysis.analyzer_info(variant),
    }


# --------------------------------------------------------------------------------------------
# Locking


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the exclusive build lock; raise LockedError at once if another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another index build is running ({_lock_holder(index_dir)})") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now_iso()}
        _write_atomic(index_dir / ".lock.info", json.dumps(info))
        yield
    finally:
        os.close(fd)


def _lock_holder(index_dir: Path) -> str:
    try:
        info = json.loads((index_dir / ".lock.info").read_text())
        return f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


# --------------------------------------------------------------------------------------------
# Generations


def live_generation(index_dir: Path) -> Path | None:
    """The published generation ``CURRENT`` names, or None when there is none."""
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except OSError:
        return None
    if not name.startswith("gen-") or "/" in name:
        return None
    path = index_dir / name
    return path if path.is_dir() else None


def read_manifest(generation: Path) -> dict[str, Any] | None:
    return read_json(generation / MANIFEST)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file of the index, or None when it is missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for item in path.iterdir():
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Remove half-built and superseded generations (only while holding the lock)."""
    for item in index_dir.iterdir():
        if item.name.startswith(".build-") or (item.name.startswith("gen-") and item.name not in keep):
            shutil.rmtree(item, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The build


def build_index(
    corpus_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    *,
    full: bool = False,
    allow_shrink: bool = False,
    progress: ProgressFn | None = None,
    variant: str = "shipped",
) -> BuildReport:
    """Build a new generation from ``corpus_dir`` and publish it.

    Only files whose size, mtime or content changed since the live generation are parsed
    again (``full=True`` parses everything). The result is the same as a full build.
    ``variant`` selects the analyzer chain (a baseline from ``analysis.VARIANTS``, for
    evaluation); it is recorded in the index, and searches use the chain that built it.

    Raises:
        CorpusError: the corpus folder is missing or unreadable (nothing published).
        LockedError: another build is running.
        PublishRefusedError: the corpus yields no documents, or far fewer than the live index.
        IndexWriteError: the index cannot be written (e.g. disk full); the live index stays.
    """
    started = time.monotonic()
    index_path = Path(index_dir)
    report = BuildReport(full=full)
    with writer_lock(index_path):
        live = live_generation(index_path)
        previous = read_manifest(live) if live else None
        keep = {live.name} if live else set()
        _remove_stale(index_path, keep)
        reuse = previous if previous and not full and previous.get("versions") == versions(variant) else None
        old_files = read_json(live / FILES) if live and reuse else {}
        load, files = _load_incremental(Path(corpus_dir), old_files or {}, report, progress)
        _guard_shrink(load, previous, allow_shrink)

        name = f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        build = index_path / f".build-{name}"
        try:
            build.mkdir()
            report.passages = _write_whoosh(build, load.documents, progress, variant)
            _verify(build, report.passages)
            report.generation = f"gen-{name}"
            report.documents = len(load.documents)
            report.duplicates = load.duplicates
            report.notices = load.notices
            report.seconds = round(time.monotonic() - started, 2)
            manifest = {
                "versions": versions(variant),
                "built": _now_iso(),
                "corpus": str(Path(corpus_dir).resolve()),
                "documents": report.documents,
                "passages": report.passages,
                "report": report.to_json(),
            }
            (build / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            (build / FILES).write_text(json.dumps(files, ensure_ascii=False), encoding="utf-8")
            vocabulary_words = surface_vocabulary(load.documents)
            (build / VOCABULARY).write_text(json.dumps(vocabulary_words, ensure_ascii=False), encoding="utf-8")
            _fsync_tree(build)
            generation = index_path / report.generation
            os.rename(build, generation)
            _fsync_dir(index_path)
            _write_atomic(index_path / CURRENT, report.generation + "\n")  # the commit point
        except OSError as error:
            shutil.rmtree(build, ignore_errors=True)
            reason = "no space left on device" if error.errno == 28 else (error.strerror or str(error))
            raise IndexWriteError(f"cannot write the index in {index_path}: {reason}; the live index is unchanged") from None
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        # Keep the previous generation for rollback and for readers that opened it just now.
        _remove_stale(index_path, {report.generation, *keep})
    return report


def _load_incremental(
    corpus: Path,
    old_files: dict[str, Any],
    report: BuildReport,
    progress: ProgressFn | None,
) -> tuple[CorpusLoad, dict[str, Any]]:
    load = CorpusLoad()
    files: dict[str, Any] = {}
    found = list(iter_corpus(corpus, load.notices))
    documents: list[Document] = []
    for done, item in enumerate(found, start=1):
        old = old_files.get(item.relative)
        entry: dict[str, Any] | None = None
        if old and old.get("size") == item.size and old.get("mtime_ns") == item.mtime_ns:
            entry = old
        else:
            digest = _sha256(item.path)
            if old and old.get("sha256") == digest:
                entry = {**old, "mtime_ns": item.mtime_ns}
            else:
                entry = {"size": item.size, "mtime_ns": item.mtime_ns, "sha256": digest}
                try:
                    document = parse_file(item.path, display=item.relative)
                    entry["documents"] = [document.to_json()]
                except KvsearchError as error:
                    entry["error"] = str(error)
                except Exception as error:  # a parser bug must not abort the build
                    entry["error"] = f"internal error while parsing: {type(error).__name__}: {error}"
                if old:
                    report.updated += 1
                else:
                    report.added += 1
        if entry.get("error"):
            load.problems.append(Problem(item.relative, entry["error"]))
        for data in entry.get("documents", []):
            document = document_from_json(data)
            documents.append(document)
            report.warnings.extend(Problem(item.relative, w, skipped=False) for w in document.warnings)
        files[item.relative] = entry
        if progress:
            progress("parse", done, len(found))
    report.unchanged = len(found) - report.added - report.updated
    report.removed = len(set(old_files) - set(files))
    report.skipped = [p for p in load.problems if p.skipped]
    load.documents, load.duplicates = deduplicate(documents)
    return load, files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _guard_shrink(load: CorpusLoad, previous: dict[str, Any] | None, allow_shrink: bool) -> None:
    if allow_shrink:
        return
    if not load.documents:
        raise PublishRefusedError("the corpus gave no documents; nothing published (use --allow-shrink to publish an empty index)")
    before = int(previous.get("documents", 0)) if previous else 0
    if before and len(load.documents) < before * (1 - SHRINK_LIMIT):
        raise PublishRefusedError(
            f"the corpus shrank from {before} to {len(load.documents)} documents; nothing published "
            "(is the corpus folder mounted? use --allow-shrink if this is intended)"
        )


def _write_whoosh(build: Path, documents: list[Document], progress: ProgressFn | None, variant: str = "shipped") -> int:
    ix = whoosh_index.create_in(str(build), build_schema(variant))
    writer = ix.writer(limitmb=128)
    count = 0
    try:
        for done, document in enumerate(documents, start=1):
            for record in passage_records(document):
                writer.add_document(**record)
                count += 1
            if progress:
                progress("index", done, len(documents))
        writer.commit(optimize=True)
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    return count


def passage_records(document: Document) -> Iterator[dict[str, Any]]:
    """The Whoosh fields of each passage of ``document``."""
    meta = document.to_json()
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


def surface_vocabulary(documents: list[Document], limit: int = 60000) -> dict[str, int]:
    """Folded words as written, with their frequency: the source of "bedoelde u …?"."""
    counts: Counter[str] = Counter()
    for document in documents:
        texts = [document.title or "", *(p.question + " " + p.answer for p in document.passages)]
        texts += [p.name for p in document.askers]
        if document.answered_by:
            texts.append(document.answered_by.name)
        for text in texts:
            counts.update(analysis.fold(w) for w in re.findall(r"[^\W\d_]{3,}", text))
    return dict(counts.most_common(limit))


def _verify(build: Path, expected: int) -> None:
    """Reopen the new generation before it goes live: it must hold every passage."""
    ix = whoosh_index.open_dir(str(build), readonly=True)
    try:
        found = ix.doc_count()
    finally:
        ix.close()
    if found != expected:
        raise PublishRefusedError(f"the new index holds {found} passages instead of {expected}; nothing published")
