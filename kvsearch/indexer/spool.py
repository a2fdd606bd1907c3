"""The documents a build parsed, spooled to a file in the build folder and read back one at a
time, so that the build never holds the corpus in memory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from kvsearch.errors import PublishRefusedError
from kvsearch.indexer.faults import stops_held
from kvsearch.indexer.passages import count_definitions, count_words
from kvsearch.indexer.records import Catalog, WordCounter
from kvsearch.ingest.corpus import DocumentSummary, fill_document, parse_files
from kvsearch.models import Document, document_from_json

SPOOL = "parsed.jsonl"  # the documents parsed by this build (only while it runs)


class Spool:
    """Parsed documents as JSON lines in the build folder: written once, read back one at a
    time, so that the build never holds the corpus in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO = open(path, "w+b")  # noqa: SIM115
        self.end = 0

    def append(self, text: str) -> int:
        data = text.encode("utf-8") + b"\n"
        self.handle.seek(self.end)
        self.handle.write(data)
        offset, self.end = self.end, self.end + len(data)
        return offset

    @classmethod
    def reader(cls, path: Path) -> Spool:
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

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def documents(
    summaries: list[DocumentSummary], catalog: Catalog, spool: Spool, counter: WordCounter | None = None
) -> Iterator[Document]:
    """The full documents of ``summaries``, one at a time, as de-duplication left them.

    A document parsed by this build is read back from the spool; one from an unchanged file
    (needed only when a duplicate of it changed, or for a canary) is parsed again. Their
    surface words are added to ``counter``."""
    spool_missing(summaries, catalog, spool)
    yield from read_documents(summaries, spool, counter)


def spool_missing(summaries: list[DocumentSummary], catalog: Catalog, spool: Spool) -> None:
    """Parse again, into the spool, the documents of ``summaries`` that are not in it."""
    pairs = [(s, found) for s in summaries if s.spool is None and (found := catalog.walked_file(s.source))]
    outcomes = parse_files([(found, None) for _, found in pairs], uninterrupted=stops_held)
    for (_digest, outcome), (summary, _found) in zip(outcomes, pairs, strict=True):
        if isinstance(outcome, tuple) and outcome[0].digest == summary.digest:
            summary.spool = spool.append(outcome[1])
            catalog.set_spool(summary.doc_id, summary.spool)


def read_documents(
    summaries: Iterable[DocumentSummary], spool: Spool, counter: WordCounter | None = None
) -> Iterator[Document]:
    """The spooled documents of ``summaries``, filled in from them; their surface words are
    added to ``counter``."""
    for summary in summaries:
        if summary.spool is None:
            raise PublishRefusedError(
                f"{summary.source} changed during the build; nothing published (run the build again)"
            )
        document = fill_document(spool.read(summary.spool), summary)
        if counter is not None:
            count_words(document, counter.counts)
            count_definitions(document, counter.definitions)
            counter.check()
        yield document
