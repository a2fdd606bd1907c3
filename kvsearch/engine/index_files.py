"""A generation's Whoosh files as the indexer needs them: create them in parts, add to and
delete from a copy, read back the stored passages of documents, and check a new index.

The indexer decides what goes in and when; everything that opens, writes or queries Whoosh's
files is here, so that only this package knows Whoosh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import index as whoosh_index

from kvsearch.engine.parallel_writer import Work, write_segments
from kvsearch.engine.schema import KvCodec, build_schema
from kvsearch.engine.segment_writer import FastSegmentWriter

#: Whoosh's own files in a generation (segments and tables of contents), by their name's start.
INDEX_FILE_PREFIXES = ("_MAIN_", "MAIN_")


def is_index_file(name: str) -> bool:
    """Whether ``name`` is one of Whoosh's files (its write lock is not: it is never carried on)."""
    return name.startswith(INDEX_FILE_PREFIXES)


def create_index(
    folder: Path,
    work: Work[Any],
    parts: int,
    limitmb: int,
    progress: Callable[[int], None] | None = None,
    uninterrupted: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> int:
    """A new index in ``folder``, written as ``parts`` segments at once (``parallel_writer``,
    which forks its writers within ``uninterrupted()``); returns how many passages it holds."""
    ix = whoosh_index.create_in(str(folder), build_schema())
    try:
        write_segments(ix, work, parts, limitmb, progress, uninterrupted)
        return int(ix.doc_count())
    finally:
        ix.close()


def update_index(folder: Path, delete: Iterable[str], add: Callable[[FastSegmentWriter], None], limitmb: int) -> int:
    """The index in ``folder`` without the passages of the documents ``delete`` names, and with
    what ``add`` adds through the writer it is given, in one new segment; returns how many
    passages it holds. Nothing is committed when ``add`` fails.

    Whoosh never rewrites a file in place (deletions go into the new table of contents, new
    segments get new names), so files linked from another generation stay as they are."""
    ix = whoosh_index.open_dir(str(folder))
    try:
        writer = FastSegmentWriter(ix, limitmb=limitmb, codec=KvCodec())
        try:
            for doc_id in delete:
                writer.delete_by_term("doc_id", doc_id)
            add(writer)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return int(ix.doc_count())
    finally:
        ix.close()


def stored_passages(folder: Path, doc_ids: Iterable[str]) -> Iterator[list[dict[str, Any]]]:
    """The stored fields of each document's passages, in passage order, for those of
    ``doc_ids`` the index holds (in the order given)."""
    ix = whoosh_index.open_dir(str(folder), readonly=True)
    try:
        with ix.searcher() as searcher:
            for doc_id in doc_ids:
                stored = sorted(searcher.documents(doc_id=doc_id), key=lambda s: s.get("order", 0))
                if stored:
                    yield stored
    finally:
        ix.close()


def check_index(folder: Path, expected: int, terms: Sequence[tuple[str, str]]) -> tuple[int, int | None]:
    """Reopen the index in ``folder``: how many passages it holds and, when that is
    ``expected``, the position in ``terms`` of the first (field, term) no passage holds (None
    when each finds one). The terms are not searched for when the count is already wrong."""
    from whoosh.query import Term

    ix = whoosh_index.open_dir(str(folder), readonly=True)
    try:
        found = int(ix.doc_count())
        if found != expected:
            return found, None
        with ix.searcher() as searcher:
            for position, (field_name, text) in enumerate(terms):
                if not searcher.search(Term(field_name, text), limit=1):
                    return found, position
        return found, None
    finally:
        ix.close()
