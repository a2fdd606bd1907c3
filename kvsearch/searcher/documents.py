"""A document's passages, or one passage, by id."""

from __future__ import annotations

import os
import re
from typing import Any

from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import NotFoundError, UsageError
from kvsearch.results import Hit
from kvsearch.searcher.highlight import hit_of
from kvsearch.searcher.open import open_searcher

#: What every id the indexer makes looks like: letters, digits and hyphens (``ah-tk-20232024-1064``,
#: ``file-<name>``), and for a passage ``#`` and its question numbers (``#8``, ``#6-7``).
_ID_SHAPE = re.compile(r"[\w-]{1,300}(?:#[\w-]{1,100})?")


def get_document(doc_id: str, *, index_dir: str | os.PathLike[str]) -> list[Hit]:
    """All passages of a document in order, or one passage for ``ID#N``. The id of the questions'
    own publication gives the answer kept in its place (its ``question_id``).

    Raises:
        UsageError: ``doc_id`` is not shaped like an id.
        NotFoundError: no such document or passage.
    """
    check_id(doc_id)
    with open_searcher(index_dir) as (index, _info):
        if "#" in doc_id:
            wanted = resolve_passage_id(index, doc_id)
            return [hit_of(stored_passage(index, wanted), 0.0, set())]
        stored = index.stored_passages(doc_id) or index.stored_passages_answering(doc_id)
        stored.sort(key=lambda s: s.get("order", 0))
        if not stored:
            raise NotFoundError(f"no document {doc_id!r} in the index")
        return [hit_of(s, 0.0, set()) for s in stored]


def check_id(wanted: str, *, passage: bool = False) -> None:
    """Refuse what cannot be an id (a path, a sentence, a megabyte) before the index is opened.

    Raises:
        UsageError: says what an id looks like.
    """
    what = "passage id" if passage else "document id"
    if not _ID_SHAPE.fullmatch(wanted):
        shown = wanted if len(wanted) <= 60 else wanted[:60] + "…"
        example = "ah-tk-20232024-1064#8" if passage else "ah-tk-20232024-1064"
        raise UsageError(f"not a {what}: {shown!r} (an id looks like {example})")
    if passage and "#" not in wanted:
        raise UsageError(f"{what} needs '#' and a question number, such as {wanted}#1")


def stored_passage(index: SearchableIndex, passage_id: str) -> dict[str, Any]:
    """The stored fields of a passage.

    Raises:
        NotFoundError: the index has no such passage.
    """
    found = index.stored_passage(passage_id)
    if found is None:
        raise NotFoundError(f"no passage {passage_id!r} in the index (see: kvsearch show {passage_id.split('#')[0]})")
    return found


def resolve_passage_id(index: SearchableIndex, wanted: str) -> str:
    """Accept ``ID#8`` for the passage holding question 8 (e.g. ``ID#6-7``), also when ``ID`` is the
    questions' own publication of an answer in the index.

    Raises:
        NotFoundError: no passage has that id or question number.
    """
    doc_id, _, key = wanted.partition("#")
    if index.stored_passage(wanted) is not None:
        return wanted
    for stored in index.stored_passages(doc_id) or index.stored_passages_answering(doc_id):
        passage_id = str(stored["passage_id"])
        if passage_id.rpartition("#")[2] == key or (
            key.isdigit() and key in (stored.get("questions") or "").split(",")
        ):
            return passage_id
    raise NotFoundError(f"no passage {wanted!r} in the index")
