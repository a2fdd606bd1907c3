"""Passages that answer much the same question as a given passage or text."""

from __future__ import annotations

import math
import os
import time
from collections import Counter

from kvsearch.engine import queries, ranking
from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import QuerySyntaxError
from kvsearch.results import SearchResult
from kvsearch.searcher.documents import check_id, resolve_passage_id, stored_passage
from kvsearch.searcher.fields import FIELD_WEIGHTS
from kvsearch.searcher.highlight import Highlighter, hit_of
from kvsearch.searcher.open import open_searcher


def similar(
    *,
    index_dir: str | os.PathLike[str],
    passage_id: str | None = None,
    text: str | None = None,
    limit: int = 10,
) -> SearchResult:
    """Passages that answer much the same question as ``passage_id`` or as ``text``.

    The question's most telling words (by how rare they are in the index) are searched in
    questions and answers; any of them may match, passages with more of them rank higher.
    """
    started = time.perf_counter()
    if passage_id is not None:
        check_id(passage_id, passage=True)
    with open_searcher(index_dir) as (index, info):
        same_document = None
        if passage_id:
            stored = stored_passage(index, resolve_passage_id(index, passage_id))
            text = f"{stored.get('question', '')}"
            same_document = stored["doc_id"]
        if not text or not text.strip():
            raise QuerySyntaxError("similar needs a passage id (ID#N) or question text on standard input")
        key_terms = _key_terms(index, text)
        if not key_terms:
            raise QuerySyntaxError("the text has no searchable words")
        subqueries = [
            queries.term(field, term, boost=weight * FIELD_WEIGHTS.get(field, 1.0))
            for term, weight in key_terms
            for field in ("question", "answer", "title")
        ]
        planned = queries.for_the_whole_index(queries.any_of(subqueries), index)
        highlighter = Highlighter({term for term, _ in key_terms})
        # Other documents only: the passages around the question itself are no news.
        hits = [
            hit_of(found, score, highlighter)
            for found, score in ranking.ranked(index, planned, limit * 3 + 20)
            if found["doc_id"] != same_document
        ]
        hits.sort(key=lambda h: -h.score)
        seconds = time.perf_counter() - started
        return SearchResult(query=text, hits=hits[:limit], total=len(hits), seconds=seconds, notice=info.notice)


def _key_terms(index: SearchableIndex, text: str, count: int = 25) -> list[tuple[str, float]]:
    total = max(1, index.doc_count())
    frequencies = Counter(t.text for t in index.chain.analyze(text, query=True))
    scored = []
    for term, tf in frequencies.items():
        df = max(index.doc_frequency("question", term), index.doc_frequency("answer", term))
        if df == 0 or df > total * 0.3:
            continue  # unknown here, or too common to tell passages apart (de, het, u …)
        idf = math.log(1 + total / df)
        scored.append((term, (1 + math.log(tf)) * idf))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:count]
