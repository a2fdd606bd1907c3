"""Walk a corpus folder, parse every document, report bad files and keep duplicates once.

Pure Python (no Whoosh): the indexer and ``kvsearch parse`` both use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kvsearch.errors import CorpusError, KvsearchError, ParseError
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, Document
from kvsearch.parsing import parse_document
from kvsearch.pdfworker import PdfWorker
from kvsearch.sources import read_source, sanitize, source_format

#: Files that live in a corpus folder without being documents.
IGNORED_NAMES = ("readme", "license", "licence", "changelog")


@dataclass(frozen=True)
class Problem:
    """A file that was skipped or read with a warning; ``path`` is relative to the corpus."""

    path: str
    message: str
    skipped: bool = True

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
    for entry in entries:
        # Names are shown and stored in a printable form; the real path is kept for reading.
        relative = printable_path(str(Path(entry.path).relative_to(root)))
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
        elif Path(entry.name).stem.lower() in IGNORED_NAMES:
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
    """Read and parse one file (``pdf_text``: see :func:`kvsearch.sources.read_source`).

    Raises:
        SourceError: the file cannot be read; ParseError: it is not a Kamervragen document (no questions,
            answers or notice found). The message names the problem, not the file.
    """
    document = parse_document(read_source(path, pdf_text))
    if display is not None:
        document.source = display
    if not document.passages and document.notice is None:
        raise ParseError(document.warnings[0] if document.warnings else "no questions found")
    return document


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


def deduplicate(documents: list[Document]) -> tuple[list[Document], list[Problem]]:
    """Keep each document once.

    Two files are the same document when they have the same official id, or when one is the
    answered version of the other's questions (same Kamer reference, e.g. a kv-tk PDF of the
    questions and the DOCX of the answers). The most complete one is kept and takes over the
    metadata only the other had (askers, subject, dates).
    """
    kept: dict[str, Document] = {}
    by_reference: dict[str, str] = {}
    duplicates: list[Problem] = []
    for document in documents:
        key = document.doc_id
        if key not in kept and document.reference and document.reference in by_reference:
            key = by_reference[document.reference]
        if key not in kept:
            kept[key] = document
            if document.reference:
                by_reference.setdefault(document.reference, key)
            continue
        winner, loser = sorted((kept[key], document), key=_completeness, reverse=True)
        _fill_missing(winner, loser)
        del kept[key]
        kept[winner.doc_id] = winner
        if winner.reference:
            by_reference[winner.reference] = winner.doc_id
        duplicates.append(Problem(loser.source, f"duplicate of {winner.doc_id} ({winner.source}); kept once"))
    return list(kept.values()), duplicates


def _completeness(document: Document) -> tuple[int, int, int, int]:
    kind_rank = {KIND_ANSWERED: 2, KIND_NOTICE: 1}.get(document.kind, 0)
    answered = sum(1 for p in document.passages if p.answer)
    metadata = sum(1 for value in (document.title, document.askers, document.date_submitted, document.addressees) if value)
    return (kind_rank, answered, metadata, -len(document.warnings))


def _fill_missing(target: Document, other: Document) -> None:
    for name in ("title", "askers", "addressees", "date_submitted", "reference", "year"):
        if not getattr(target, name) and getattr(other, name):
            setattr(target, name, getattr(other, name))
