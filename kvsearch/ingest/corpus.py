"""Walk a corpus folder, parse every document, report bad files and keep duplicates once.

Pure Python (no Whoosh): the indexer and ``kvsearch parse`` both use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kvsearch.errors import CorpusError, KvsearchError, ParseError
from kvsearch.ingest.pdf_sandbox import PdfWorker
from kvsearch.ingest.safe_text import sanitize
from kvsearch.ingest.safe_xml import UnsafeXml, parse_xml
from kvsearch.ingest.sources import read_source, source_format
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, KIND_QUESTIONS, Document, Person
from kvsearch.parsing.document import parse_document
from kvsearch.parsing.ids import official_id_of_file
from kvsearch.parsing.metadata import OfficialMetadata, official_metadata

#: Where ``kvsearch fetch`` keeps each document's ``metadata.xml`` (``<id>.xml``) and SRU record
#: (``<id>.record.xml``), beside the documents it names ``<id>.pdf`` or ``<id>.xml`` (see kvsearch/fetch/store.py).
FETCH_METADATA = os.path.join(".kvsearch-fetch", "metadata")
#: A metadata file is a few kilobytes; anything far larger is not one.
METADATA_MAX_BYTES = 1 << 20

#: Files that live in a corpus folder without being documents.
IGNORED_NAMES = ("readme", "license", "licence", "changelog")


@dataclass(frozen=True)
class Problem:
    """A file that was skipped or read with a warning; ``path`` is relative to the corpus."""

    path: str
    message: str
    skipped: bool = True
    #: Reported by an earlier build already: the file has not changed since.
    known: bool = False

    def line(self) -> str:
        """One line for a terminal or a log: the name made safe, then what was wrong."""
        return f"{printable_path(self.path)}: {self.message}"


@dataclass
class CorpusFile:
    """One regular file found in the corpus, with what identifies its version."""

    path: Path
    relative: str
    size: int
    mtime_ns: int


@dataclass
class CorpusLoad:
    """Everything parsing a corpus produced."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def printable_path(path: str) -> str:
    """A file name safe to print: no control characters, undecodable bytes shown as escapes."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return sanitize(text.replace("\n", "\\n").replace("\r", "\\r"))


def iter_corpus(root: str | os.PathLike[str], notices: list[str] | None = None) -> Iterator[CorpusFile]:
    """The document files under ``root``, in a stable order.

    Symlinks are not followed (a link can point out of the corpus or into a loop); FIFOs,
    devices and sockets are skipped; hidden files and unknown extensions are skipped with a
    notice.

    Raises:
        CorpusError: ``root`` does not exist, is not a folder or cannot be read.
    """
    root_path = Path(root)
    if not root_path.exists():
        raise CorpusError(f"corpus folder not found: {printable_path(str(root))}")
    if not root_path.is_dir():
        raise CorpusError(f"corpus is not a folder: {printable_path(str(root))}")
    try:
        os.listdir(root_path)
    except OSError as error:
        raise CorpusError(f"cannot read corpus folder {printable_path(str(root))}: {error.strerror}") from None
    note = notices.append if notices is not None else (lambda _: None)
    yield from _walk(root_path, root_path, note)


def _walk(root: Path, folder: Path, note: Callable[[str], None]) -> Iterator[CorpusFile]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        note(f"{printable_path(str(folder.relative_to(root)))}: cannot read folder ({error.strerror}); skipped")
        return
    prefix = len(os.path.join(str(root), ""))  # entry.path is the root, a separator, the relative path
    for entry in entries:
        # Names are shown and stored in a printable form; the real path is kept for reading.
        relative = printable_path(entry.path[prefix:])
        if entry.name.startswith("."):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as error:
            note(f"{printable_path(relative)}: cannot stat ({error.strerror}); skipped")
            continue
        if stat.S_ISLNK(info.st_mode):
            note(f"{printable_path(relative)}: symbolic link, not followed; skipped")
        elif stat.S_ISDIR(info.st_mode):
            yield from _walk(root, Path(entry.path), note)
        elif not stat.S_ISREG(info.st_mode):
            note(f"{printable_path(relative)}: not a regular file; skipped")
        elif os.path.splitext(entry.name)[0].lower() in IGNORED_NAMES:
            continue
        elif source_format(entry.name) is None:
            note(f"{printable_path(relative)}: unknown file type, skipped")
        else:
            yield CorpusFile(Path(entry.path), relative, info.st_size, info.st_mtime_ns)


def parse_file(
    path: str | os.PathLike[str],
    display: str | None = None,
    pdf_text: Callable[[bytes], str] | None = None,
) -> Document:
    """Read and parse one file (``pdf_text``: see :func:`kvsearch.ingest.sources.read_source`).

    Raises:
        SourceError: the file cannot be read; ParseError: it is not a Kamervragen document (no questions,
            answers or notice found). The message names the problem, not the file.
    """
    official, problems = read_official_metadata(Path(path))
    document = parse_document(read_source(path, pdf_text), official)
    document.warnings.extend(problems)
    if display is not None:
        document.source = display
    if not document.passages and document.notice is None:
        raise ParseError(document.warnings[0] if document.warnings else "no questions found")
    return document


def read_official_metadata(path: Path) -> tuple[OfficialMetadata | None, list[str]]:
    """The metadata ``kvsearch fetch`` kept for the document at ``path``, with one line per file that
    could not be used (the document's text stands in for it)."""
    doc_id = official_id_of_file(path.name)
    if doc_id is None:
        return None, []
    roots: list[ET.Element] = []
    problems: list[str] = []
    for name in (f"{doc_id}.xml", f"{doc_id}.record.xml"):
        sidecar = os.path.join(FETCH_METADATA, name)
        try:
            data = _read_small_file(path.parent / sidecar)
            if data is None:
                continue
            root = parse_xml(data)
        except (OSError, UnsafeXml, ET.ParseError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            problems.append(f"metadata {sidecar} unusable ({reason}); the text's metadata is used")
            continue
        said = official_metadata(root)
        if said.doc_id and said.doc_id != doc_id:
            problems.append(f"metadata {sidecar} is of {said.doc_id}, not {doc_id}; the text's metadata is used")
            continue
        roots.append(root)
    return (official_metadata(*roots) if roots else None), [sanitize(p) for p in problems]


def _metadata_digest(path: Path) -> str:
    """What the metadata kept beside the document at ``path`` holds, as a suffix to the file's hash
    ("" when it has none): a document whose metadata changed is parsed again even if its bytes did not."""
    doc_id = official_id_of_file(path.name)
    if doc_id is None:
        return ""
    parts = []
    for name in (f"{doc_id}.xml", f"{doc_id}.record.xml"):
        try:
            data = _read_small_file(path.parent / FETCH_METADATA / name)
        except OSError as error:
            data = f"unusable: {error}".encode()
        if data is not None:
            parts.append(f"{name}\0{len(data)}\0".encode() + data)
    return "+" + hashlib.sha256(b"".join(parts)).hexdigest() if parts else ""


def _read_small_file(path: Path) -> bytes | None:
    """The bytes of a regular file that is not a symbolic link, or None when there is none.

    Raises:
        OSError: it cannot be read, or it is larger than a metadata file can be.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(METADATA_MAX_BYTES + 1)
    if len(data) > METADATA_MAX_BYTES:
        raise OSError(0, f"larger than {METADATA_MAX_BYTES} bytes")
    return data


def load_corpus(root: str | os.PathLike[str], progress: Callable[[int, int], None] | None = None) -> CorpusLoad:
    """Parse every document under ``root``; bad files are reported and skipped, never fatal."""
    load = CorpusLoad()
    files = list(iter_corpus(root, load.notices))
    with PdfWorker() as worker:
        for done, item in enumerate(files, start=1):
            _parse_into(load, item, worker.extract)
            if progress:
                progress(done, len(files))
    load.documents, load.duplicates = deduplicate(load.documents)
    return load


def _parse_into(load: CorpusLoad, item: CorpusFile, pdf_text: Callable[[bytes], str]) -> None:
    outcome = try_parse(item, pdf_text)
    if isinstance(outcome, str):
        load.problems.append(Problem(item.relative, outcome))
    else:
        load.documents.append(outcome)
        load.problems.extend(Problem(item.relative, w, skipped=False) for w in outcome.warnings)


def try_parse(item: CorpusFile, pdf_text: Callable[[bytes], str] | None = None) -> Document | str:
    """The parsed document, or the one-line reason the file is skipped (never raises)."""
    try:
        return parse_file(item.path, display=item.relative, pdf_text=pdf_text)
    except KvsearchError as error:
        return str(error)
    except Exception as error:  # a parser bug must not abort the build: report and go on
        return f"internal error while parsing: {type(error).__name__}: {error}"


@dataclass
class DocumentSummary:
    """What de-duplication needs of a parsed document, without its text (the build keeps one
    per document in memory, and the next build finds it in the cache).

    ``digest`` identifies the parsed document (a hash of its JSON); ``filled`` is what
    de-duplication took over from duplicates (see :func:`deduplicate`); ``content`` (not saved)
    is the hash of the file's bytes, when de-duplication knows it.
    """

    doc_id: str
    kind: str
    source: str
    digest: str
    answered: int = 0
    title: str | None = None
    askers: list[Any] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    date_submitted: str | None = None
    reference: str | None = None
    year: str | None = None
    question_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    filled: dict[str, Any] = field(default_factory=dict)
    #: Where the full document is (not saved): an offset in the build's spool, or None.
    spool: int | None = None
    content: str | None = None

    @classmethod
    def of(cls, document: Document, digest: str) -> DocumentSummary:
        return cls(
            doc_id=document.doc_id,
            kind=document.kind,
            source=document.source,
            digest=digest,
            answered=sum(1 for p in document.passages if p.answer),
            title=document.title,
            askers=[
                {"name": p.name, "party": p.party, "role": p.role, "ministry": p.ministry} for p in document.askers
            ],
            addressees=list(document.addressees),
            date_submitted=document.date_submitted,
            reference=document.reference,
            year=document.year,
            question_id=document.question_id,
            warnings=list(document.warnings),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["filled"], data["spool"], data["content"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentSummary:
        return cls(**data)

    def key(self) -> str:
        """Identifies the document as indexed: the parsed document plus what it took over."""
        if not self.filled:
            return self.digest
        extra = json.dumps(self.filled, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1((self.digest + extra).encode("utf-8")).hexdigest()


def fill_document(document: Document, summary: DocumentSummary) -> Document:
    """``document`` with what de-duplication took over from its duplicates (``summary.filled``)."""
    for name, value in summary.filled.items():
        if name == "askers":
            value = [Person(**person) for person in value]
        setattr(document, name, value)
    return document


#: Whole documents, or the summaries a build keeps: de-duplication returns what it was given.
_Deduplicated = TypeVar("_Deduplicated", Document, "DocumentSummary")


def deduplicate_summaries(
    summaries: list[DocumentSummary], order: dict[int, int] | None = None
) -> tuple[list[DocumentSummary], list[Problem]]:
    """:func:`deduplicate` on summaries; each kept one records in ``filled`` what it took over."""
    originals = {id(s): {name: getattr(s, name) for name in FILLED} for s in summaries}
    kept, duplicates = deduplicate(summaries, order)
    for summary in kept:
        before = originals[id(summary)]
        summary.filled = {name: getattr(summary, name) for name in FILLED if getattr(summary, name) != before[name]}
    return kept, duplicates


def deduplicate(
    documents: list[_Deduplicated], order: dict[int, int] | None = None
) -> tuple[list[_Deduplicated], list[Problem]]:
    """Keep each document once.

    Two files are the same document when they have the same official id, when one is the
    answered version of the other's questions (same Kamer reference, e.g. a kv-tk PDF of the
    questions and the DOCX of the answers), or when their bytes are the same (summaries whose
    ``content`` is known: a copy under another name, also without an id). The most complete
    one is kept and takes over the metadata only the other had (askers, subject, dates). An
    answer (or notice) kept in place of the questions' own publication records that one's id
    as ``question_id``: the answer repeats every question, so one document per Kamer number
    keeps each question once in a hit list, and the questions' id still leads to it. The
    kept ones come in the order in which they were last joined; ``order`` (when given)
    receives, per kept document's ``id()``, the index in ``documents`` at which that was.
    """
    kept: dict[str, _Deduplicated] = {}
    by_reference: dict[str, str] = {}
    by_content: dict[str, str] = {}
    duplicates: list[Problem] = []
    placed = order if order is not None else {}
    for index, document in enumerate(documents):
        key = document.doc_id
        content = _content(document)
        if key not in kept and document.reference and document.reference in by_reference:
            key = by_reference[document.reference]
        if key not in kept and content and content in by_content:
            key = by_content[content]
        if key not in kept:
            kept[key] = document
            placed[id(document)] = index
            if document.reference:
                by_reference.setdefault(document.reference, key)
            if content:
                by_content.setdefault(content, key)
            continue
        winner, loser = sorted((kept[key], document), key=_completeness, reverse=True)
        _fill_missing(winner, loser)
        _link_question(winner, loser)
        del kept[key]
        kept[winner.doc_id] = winner
        placed[id(winner)] = index
        if winner.reference:
            by_reference[winner.reference] = winner.doc_id
        for known in filter(None, (_content(winner), _content(loser))):
            by_content[known] = winner.doc_id
        duplicates.append(Problem(loser.source, f"duplicate of {winner.doc_id} ({winner.source}); kept once"))
    return list(kept.values()), duplicates


def _content(document: Document | DocumentSummary) -> str | None:
    """The hash of the document's file, when known (only summaries carry it)."""
    return document.content if isinstance(document, DocumentSummary) else None


def _completeness(document: Document | DocumentSummary) -> tuple[int, int, int, int]:
    kind_rank = {KIND_ANSWERED: 2, KIND_NOTICE: 1}.get(document.kind, 0)
    if isinstance(document, DocumentSummary):
        answered = document.answered
    else:
        answered = sum(1 for p in document.passages if p.answer)
    metadata = sum(
        1 for value in (document.title, document.askers, document.date_submitted, document.addressees) if value
    )
    return (kind_rank, answered, metadata, -len(document.warnings))


#: What de-duplication lets the kept document take over from a duplicate.
FILLED = ("title", "askers", "addressees", "date_submitted", "reference", "year", "question_id")


def _fill_missing(target: Document | DocumentSummary, other: Document | DocumentSummary) -> None:
    for name in FILLED:
        if not getattr(target, name) and getattr(other, name):
            setattr(target, name, getattr(other, name))


def _link_question(kept: Document | DocumentSummary, joined: Document | DocumentSummary) -> None:
    """Name the questions' own publication on the answer or notice kept in its place."""
    if joined.kind == KIND_QUESTIONS and kept.kind != KIND_QUESTIONS and not kept.question_id:
        kept.question_id = joined.doc_id


# --------------------------------------------------------------------------------------------
# Parsing in parallel

#: Parser processes for a build (the builder itself indexes meanwhile, or waits).
PARSE_JOBS = max(1, min(4, os.cpu_count() or 1))

_worker_pdf: PdfWorker | None = None


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex ("" when it cannot be read)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


#: What a parser process returns for a parsed file: its summary and its document as JSON text.
Parsed = tuple[DocumentSummary, str]


def _parse_job(job: tuple[CorpusFile, str | None]) -> tuple[str, Parsed | str | None]:
    """Hash a file (and the metadata kept beside it) and, unless its hash is ``known``, parse it:
    ``(sha256, outcome)``.

    The outcome is None (hash unchanged), the reason the file is skipped, or the parsed
    document's summary with the document as JSON text (what the build spools)."""
    item, known = job
    digest = file_sha256(item.path) + _metadata_digest(item.path)
    if known is not None and digest == known:
        return digest, None
    global _worker_pdf
    if _worker_pdf is None:
        _worker_pdf = PdfWorker()
    outcome = try_parse(item, _worker_pdf.extract)
    if isinstance(outcome, str):
        return digest, outcome
    text = json.dumps(outcome.to_json(), sort_keys=True, ensure_ascii=False)
    return digest, (DocumentSummary.of(outcome, hashlib.sha1(text.encode("utf-8")).hexdigest()), text)


def init_worker() -> None:
    """In a parser or writer process: die with the builder (a killed build leaves no workers behind)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    signal_default()


def signal_default() -> None:
    import signal

    # The builder handles interrupts; a parser just stops with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def parse_files(
    jobs: Iterable[tuple[CorpusFile, str | None]],
    processes: int | None = None,
    count: int | None = None,
    uninterrupted: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> Generator[tuple[str, Parsed | str | None]]:
    """``(sha256, outcome)`` for each ``(file, known sha256 or None)``, in order (see
    ``_parse_job``). Files are hashed and parsed in ``processes`` child processes, each with its
    own PDF worker (so each PDF is still extracted in a bounded grandchild; ``PARSE_JOBS``
    unless told). Given their ``count``, ``jobs`` are taken one at a time (by the pool's feeder
    thread), never listed. The pool is started within ``uninterrupted()``: a stop raised
    between a worker's fork and the pool's listing of it would leave that worker running, out
    of reach of the pool's end.
    """
    if count is None:
        jobs = list(jobs)
        count = len(jobs)
    if processes is None:
        processes = PARSE_JOBS
    if processes <= 1 or count < 8:
        try:
            yield from map(_parse_job, jobs)
        finally:
            _close_worker_pdf()
        return
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ExitStack() as stack:
        with uninterrupted():
            pool = stack.enter_context(context.Pool(processes, initializer=init_worker))
        yield from pool.imap(_parse_job, jobs, chunksize=4)


def _close_worker_pdf() -> None:
    global _worker_pdf
    if _worker_pdf is not None:
        _worker_pdf.close()
        _worker_pdf = None
