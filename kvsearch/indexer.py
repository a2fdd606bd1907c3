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

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kvsearch import analysis, vocabulary
from kvsearch.corpus import CorpusLoad, Problem, deduplicate, iter_corpus, try_parse
from kvsearch.errors import IndexWriteError, LockedError, PublishRefusedError
from kvsearch.fastwriter import FastSegmentWriter
from kvsearch.generations import (
    CURRENT,
    DOCUMENTS,
    FILES,
    MANIFEST,
    VOCABULARY,
    live_generation,
    read_json,
    read_manifest,
    versions,
)
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, Document, Passage, document_from_json
from kvsearch.pdfworker import PdfWorker
from kvsearch.schema import build_schema

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
            data[name] = [{"path": p.path, "message": p.message} for p in getattr(self, name)]
        return data


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


def _now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


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
    again (``full=True`` parses everything). The result is the same as a full build. The
    outcome, good or bad, is recorded in ``index/last-build.json`` for ``kvsearch status``.
    ``variant`` selects the analyzer chain (a baseline from ``analysis.VARIANTS``, for
    evaluation); it is recorded in the index, and searches use the chain that built it.

    Raises:
        CorpusError: the corpus folder is missing or unreadable (nothing published).
        LockedError: another build is running.
        PublishRefusedError: the corpus yields no documents, far fewer than the live index,
            or the new index fails its checks; the live index stays.
        IndexWriteError: the index cannot be written (e.g. disk full); the live index stays.
    """
    index_path = Path(index_dir)
    with writer_lock(index_path):
        report = BuildReport(full=full)
        try:
            published = _build(Path(corpus_dir), index_path, report, allow_shrink, progress, variant)
        except BaseException as error:
            _record_outcome(index_path, report, error)
            raise
        _record_outcome(index_path, report, None, published)
    return report


def _build(
    corpus: Path,
    index_path: Path,
    report: BuildReport,
    allow_shrink: bool,
    progress: ProgressFn | None,
    variant: str,
) -> bool:
    """Build and publish; False when nothing changed and the live generation stays."""
    started = time.monotonic()
    live = live_generation(index_path)
    previous = read_manifest(live) if live else None
    keep = {live.name} if live else set()
    _remove_stale(index_path, keep)  # leftovers of a killed build
    reuse = bool(live and previous and not report.full and previous.get("versions") == versions(variant))
    old_files = (read_json(live / FILES) if live and reuse else None) or {}
    with PdfWorker() as worker:
        load, files = _load_incremental(corpus, old_files, report, progress, worker.extract)
    _guard_shrink(load, previous, allow_shrink)
    report.documents = len(load.documents)
    report.duplicates = load.duplicates
    report.notices = load.notices

    hashes = {d.doc_id: _document_hash(d) for d in load.documents}
    old_hashes = (read_json(live / DOCUMENTS) if live and reuse else None) or None
    if live and old_hashes == hashes and old_files == files:
        # Nothing changed: the live generation is already this index.
        report.generation = live.name
        report.passages = int(previous.get("passages", 0)) if previous else 0
        report.seconds = round(time.monotonic() - started, 2)
        return False

    name = f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    build = index_path / f".build-{name}"
    generation = index_path / f"gen-{name}"
    try:
        build.mkdir()
        changed = _changed(old_hashes, hashes) if live and old_hashes is not None else None
        if live and changed is not None and len(changed) <= len(hashes) // 2:
            report.passages = _update_whoosh(build, live, load.documents, changed, progress)
        else:
            report.passages = _write_whoosh(build, load.documents, progress, variant)
        _verify(build, report.passages, load.documents, variant)
        report.generation = generation.name
        report.seconds = round(time.monotonic() - started, 2)
        manifest = {
            "versions": versions(variant),
            "built": _now_iso(),
            "corpus": str(corpus.resolve()),
            "documents": report.documents,
            "passages": report.passages,
            "report": report.to_json(),
        }
        _write_json(build / MANIFEST, manifest)
        _write_json(build / FILES, files)
        _write_json(build / DOCUMENTS, hashes)
        _write_json(build / VOCABULARY, surface_vocabulary(load.documents))
        _fsync_tree(build)
        os.rename(build, generation)
        _fsync_dir(index_path)
        checkpoint("publishing")
        _write_atomic(index_path / CURRENT, generation.name + "\n")  # the commit point
    except OSError as error:
        _discard(build, generation)
        reason = "no space left on device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
        raise IndexWriteError(f"cannot write the index in {index_path}: {reason}; the live index is unchanged") from None
    except BaseException:
        _discard(build, generation)
        raise
    # Keep the previous generation for rollback and for readers that opened it just now.
    _remove_stale(index_path, {generation.name, *keep})
    return True


def _document_hash(document: Document) -> str:
    return hashlib.sha1(json.dumps(document.to_json(), sort_keys=True).encode("utf-8")).hexdigest()


def _changed(old: dict[str, str], new: dict[str, str]) -> set[str]:
    """Ids of documents added, changed or removed since the live generation."""
    return {doc_id for doc_id in old.keys() | new.keys() if old.get(doc_id) != new.get(doc_id)}


def _discard(*folders: Path) -> None:
    """Remove a failed build, so that its disk space is free again."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


LAST_BUILD = "last-build.json"


def _record_outcome(index_path: Path, report: BuildReport, error: BaseException | None, published: bool = True) -> None:
    """What the last build did, for ``kvsearch status`` (best effort: never masks ``error``)."""
    from kvsearch.errors import ExitCode, exit_code_for

    if error is None:
        code = ExitCode.PARTIAL if report.skipped else ExitCode.OK
        outcome, message = ("published" if published else "unchanged"), report.summary()
    else:
        code = exit_code_for(error)
        outcome = {ExitCode.REFUSED: "refused", ExitCode.CORPUS: "refused"}.get(code, "failed")
        message = str(error) or type(error).__name__
    record = {"finished": _now_iso(), "outcome": outcome, "exit_code": int(code), "message": message,
              "report": report.to_json()}
    try:
        _write_atomic(index_path / LAST_BUILD, json.dumps(record, ensure_ascii=False))
    except OSError:
        pass


def checkpoint(name: str) -> None:
    """Fault injection for the crash tests: ``KVSEARCH_FAULT=<name>:kill`` kills the process
    with SIGKILL at that point, ``<name>:sleep:<seconds>`` pauses there. Points: ``reading``,
    ``writing``, ``publishing``."""
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
    with writer_lock(index_path):
        live = live_generation(index_path)
        candidates = sorted(
            (g for g in index_path.glob("gen-*") if g != live and read_manifest(g)),
            key=lambda g: g.name,
            reverse=True,
        )
        if not candidates:
            raise UsageError(f"no previous generation in {index_path} to roll back to")
        _write_atomic(index_path / CURRENT, candidates[0].name + "\n")
        return candidates[0].name


def _load_incremental(
    corpus: Path,
    old_files: dict[str, Any],
    report: BuildReport,
    progress: ProgressFn | None,
    pdf_text: Callable[[bytes], str],
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
                outcome = try_parse(item, pdf_text)
                if isinstance(outcome, str):
                    entry["error"] = outcome
                else:
                    entry["documents"] = [outcome.to_json()]
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
        if done == 1:
            checkpoint("reading")
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
    """A new Whoosh index in ``build`` holding every passage of ``documents``."""
    ix = whoosh_index.create_in(str(build), build_schema(variant))
    try:
        _add_documents(ix, documents, set(), progress, optimize=True)
        return int(ix.doc_count())
    finally:
        ix.close()


def _update_whoosh(build: Path, live: Path, documents: list[Document], changed: set[str], progress: ProgressFn | None) -> int:
    """The live Whoosh index copied into ``build``, with only the changed documents replaced.

    Whoosh never rewrites a segment file in place, and the copy is private to this build, so
    the live generation stays untouched; the result holds the same passages as a full build.
    """
    for item in live.iterdir():
        if item.name.startswith(("_MAIN_", "MAIN_")) and not item.name.endswith("WRITELOCK"):
            shutil.copyfile(item, build / item.name)
    ix = whoosh_index.open_dir(str(build))
    try:
        _add_documents(ix, [d for d in documents if d.doc_id in changed], changed, progress, optimize=False)
        return int(ix.doc_count())
    finally:
        ix.close()


def _add_documents(ix: Any, documents: list[Document], delete: set[str], progress: ProgressFn | None, *, optimize: bool) -> None:
    writer = FastSegmentWriter(ix, limitmb=WRITER_MB)
    try:
        for doc_id in sorted(delete):
            writer.delete_by_term("doc_id", doc_id)
        for done, document in enumerate(documents, start=1):
            for record in passage_records(document):
                writer.add_document(**record)
            if done == len(documents) // 2 + 1:
                checkpoint("writing")
            if progress:
                progress("index", done, len(documents))
        if not documents:
            checkpoint("writing")
        writer.commit(optimize=optimize)
    except BaseException:
        writer.cancel()
        raise


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


def _verify(build: Path, expected: int, documents: list[Document], variant: str = "shipped") -> None:
    """Reopen the new generation before it goes live: it must hold every passage, and a few
    canary queries (a rare word of the first, middle and last document) must find them."""
    from whoosh.query import Term

    ix = whoosh_index.open_dir(str(build), readonly=True)
    try:
        found = ix.doc_count()
        if found != expected:
            raise PublishRefusedError(f"the new index holds {found} passages instead of {expected}; nothing published")
        with ix.searcher() as searcher:
            for document in {id(d): d for d in (documents[:1] + documents[len(documents) // 2 :][:1] + documents[-1:])}.values():
                canary = _canary_term(document, variant)
                if canary and not searcher.search(Term(canary[0], canary[1]), limit=1):
                    raise PublishRefusedError(
                        f"canary query {canary[1]!r} did not find {document.doc_id} in the new index; nothing published"
                    )
    finally:
        ix.close()


def _canary_term(document: Document, variant: str) -> tuple[str, str] | None:
    for passage in document.passages:
        for field_name, text in (("answer", passage.answer), ("question", passage.question)):
            words = [t.text for t in analysis.analyze(text, query=True, variant=variant) if len(t.text) >= 6]
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
        "previous": sorted(g.name for g in index_path.glob("gen-*") if g != live) if index_path.is_dir() else [],
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
