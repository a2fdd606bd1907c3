"""A published generation opened for searching: the Whoosh index and searcher behind it, and
what the searcher reads of them (term frequencies, a field's values, stored passages).

The searcher and the query trees it builds pass through :mod:`kvsearch.searcher` as opaque
objects; only :mod:`kvsearch.engine` looks inside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import scoring
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from kvsearch import analysis


class SearchableIndex:
    """One generation, opened read-only and scored by BM25F.

    ``whoosh`` is Whoosh's searcher, for the engine's own modules and for tests and benchmarks
    that compare kvsearch's answers with Whoosh's."""

    def __init__(self, folder: Path, *, k1: float, b: dict[str, float]) -> None:
        #: The generation's folder (its build's records are there too).
        self.folder = folder
        # Memory-mapped and read in place (kvsearch.engine.whoosh_import): Whoosh alone would copy each
        # mapped segment part into memory when it opens it.
        self._index = FileStorage(str(folder), readonly=True).open_index()
        weighting = scoring.BM25F(K1=k1, **{f"{name}_B": value for name, value in b.items()})
        self.whoosh: Searcher = self._index.searcher(weighting=weighting)

    def close(self) -> None:
        self.whoosh.close()
        self._index.close()

    @property
    def chain(self) -> analysis.AnalyzerChain:
        """The analyzer chain the index was built with (its id is pickled in the schema)."""
        return self.whoosh.schema["question"].analyzer.chain

    def doc_count(self) -> int:
        """How many passages the index holds (deleted ones not counted)."""
        return int(self.whoosh.reader().doc_count())

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """How many passages have ``term`` in ``fieldname``."""
        return int(self.whoosh.reader().doc_frequency(fieldname, term))

    def values(self, fieldname: str) -> list[str]:
        """Every term of ``fieldname``, in the index's order (for a keyword field: its values)."""
        return [_text(btext) for btext in self.whoosh.reader().lexicon(fieldname)]

    def stored_passage(self, passage_id: str) -> dict[str, Any] | None:
        """The stored fields of a passage, or None when the index has no such passage."""
        found: dict[str, Any] | None = self.whoosh.document(passage_id=passage_id)
        return found

    def stored_passages(self, doc_id: str) -> list[dict[str, Any]]:
        """The stored fields of every passage of a document, in the index's order."""
        return list(self.whoosh.documents(doc_id=doc_id))

    def stored_passages_answering(self, question_id: str) -> list[dict[str, Any]]:
        """The stored fields of every passage of the document kept in place of the questions'
        own publication ``question_id`` (none when the index has no such document)."""
        if "question_id" not in self.whoosh.schema:
            return []
        return list(self.whoosh.documents(question_id=question_id))

    def all_stored_fields(self) -> Iterator[dict[str, Any]]:
        """The stored fields of every passage."""
        return iter(self.whoosh.all_stored_fields())

    def documents(self) -> list[tuple[str, dict[str, Any]]]:
        """Each document's id and metadata, read from its first passage only (reading every
        passage would inflate all their text too), in the order of those passages. A
        document is listed once for each segment that holds a live passage of it."""
        firsts: list[tuple[int, Any, int]] = []
        for leaf, offset in self.whoosh.leaf_searchers():
            reader = leaf.reader()
            for btext, info in reader.iter_field("doc_id"):
                first = info.min_id()  # the term table knows it: no posting list is read ...
                if first is None or reader.is_deleted(first):  # ... unless that passage is gone
                    passages = reader.postings("doc_id", btext)  # deleted passages left out
                    if not passages.is_active():
                        continue
                    first = passages.id()
                firsts.append((offset + first, reader, first))
        found = []
        for _number, reader, docnum in sorted(firsts, key=lambda first: first[0]):
            # The codec's own reader: Whoosh's checks each stored name against the schema.
            stored = reader._perdoc.stored_fields(docnum)
            found.append((stored["doc_id"], stored.get("document") or {}))
        return found


def _text(btext: Any) -> str:
    return btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
