"""A query in the kvsearch query language, run: planned, ranked, counted, and when it finds
nothing, relaxed to any of its words or answered with a suggestion."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kvsearch import analysis
from kvsearch.engine import ranking
from kvsearch.engine.match_sets import MatchSet
from kvsearch.engine.queries import Query
from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import QuerySyntaxError
from kvsearch.query import Filter, ParsedQuery, parse_query
from kvsearch.results import Hit, SearchResult
from kvsearch.searcher.facets import facet_counts, prepare_facets
from kvsearch.searcher.fields import TEXT_FIELDS
from kvsearch.searcher.filter_values import check_filter_values
from kvsearch.searcher.highlight import Highlighter, highlighted_texts, hit_of, missing_words
from kvsearch.searcher.open import open_searcher
from kvsearch.searcher.plan import build_query
from kvsearch.searcher.suggest import suggestion
from kvsearch.storage.recorded_terms import RecordedTerms, recorded_terms

#: A search that runs longer stops with the hits it has (the query guard keeps that rare: no
#: leading wildcards, bounded length and terms).
SEARCH_SECONDS = 5.0


def search(
    text: str,
    *,
    index_dir: str | os.PathLike[str],
    limit: int = 10,
    sort: str = "relevance",
    filters: list[Filter] | None = None,
    facets: bool = False,
    count: bool = True,
    once: bool = False,
    fill: bool = False,
) -> SearchResult:
    """Run a query in the kvsearch query language.

    With ``facets=True`` the result also counts all hits by party, ministry and year, for
    filter panels (``partij:``, ``ministerie:``, ``vergaderjaar:`` narrow them down). With
    ``count=False`` the total is only a lower bound (at least the hits returned), which saves
    counting every match of a common word when nobody shows the number. ``once=True`` says
    that the process ends after this search (a one-line search): matches are then scored in
    Python, without NumPy, which takes longer to import than most such searches take (not
    when the query's words have so many postings that loading NumPy pays). ``fill=True``: when
    fewer passages than ``limit`` have every word of a query of plain words, the hits go on
    with the passages that have most of them (``SearchResult.close``), for a reader; a script
    that wants only what the query matches leaves it off.

    Raises:
        QuerySyntaxError: the query is not valid (one-line message).
        IndexMissingError, IndexVersionError: no usable index.
    """
    started = time.perf_counter()
    parsed = parse_query(text, filters)
    if sort not in ("relevance", "date"):
        raise QuerySyntaxError(f"sort must be 'relevance' or 'date', not {sort!r}")
    with open_searcher(index_dir) as (index, info):
        check_filter_values(parsed.filters, index)
        natural = parsed.natural
        planned = build_query(parsed, index, any_word=natural)
        matches = ranking.match_set(planned)
        recorded = recorded_terms(Path(info.path) / info.generation) if index.chain is analysis.SHIPPED else None
        text_asked = parsed.text if natural else ""
        arrays = not once or ranking.arrays_pay_once(index, planned)
        verbs = index.chain.verb_terms(parsed.words)
        hits, total = run(index, planned, limit, sort, count, matches, text_asked, recorded, arrays=arrays, verbs=verbs)
        relaxed = natural
        if total == 0 and parsed.is_plain and len(parsed.words) > 1 and not natural:
            planned = build_query(parsed, index, any_word=True)
            matches = ranking.match_set(planned)
            arrays = not once or ranking.arrays_pay_once(index, planned)
            hits, total = run(
                index, planned, limit, sort, count, matches, recorded=recorded, arrays=arrays, verbs=verbs
            )
            hits = [hit._replace(missing=missing_words(hit, parsed.words)) for hit in hits]
            relaxed = total > 0
        close: list[Hit] = []
        few = 0 < total < limit and not relaxed and sort == "relevance"
        if fill and few and parsed.is_plain and len(parsed.words) > 1:
            close = _closest(index, parsed, limit, hits, recorded, once, verbs)
        return SearchResult(
            query=text,
            hits=hits + close,
            close=len(close),
            total=total,
            seconds=time.perf_counter() - started,
            relaxed=relaxed and total > 0,
            suggestion=None if total else suggestion(parsed, info, index),
            facets=facet_counts(index, matches) if facets and total else {},
            notice=info.notice,
        )


def _closest(
    index: SearchableIndex,
    parsed: ParsedQuery,
    limit: int,
    hits: list[Hit],
    recorded: RecordedTerms | None,
    once: bool,
    verbs: set[str],
) -> list[Hit]:
    """The passages with most of ``parsed``'s words that ``hits`` (those with every word) lack,
    to fill a page of ``limit``, each with the words it lacks."""
    planned = build_query(parsed, index, any_word=True)
    arrays = not once or ranking.arrays_pay_once(index, planned)
    found, _total = run(index, planned, limit, "relevance", False, recorded=recorded, arrays=arrays, verbs=verbs)
    shown = {hit.passage_id for hit in hits}
    close = [hit._replace(missing=missing_words(hit, parsed.words)) for hit in found if hit.passage_id not in shown]
    return [hit for hit in close if hit.missing][: limit - len(hits)]


def run(
    index: SearchableIndex,
    planned: Query,
    limit: int,
    sort: str,
    count: bool = True,
    matches: MatchSet | None = None,
    text: str = "",
    recorded: RecordedTerms | None = None,
    arrays: bool = True,
    verbs: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[Hit], int]:
    """The best ``limit`` hits of a planned query and the number of passages that match
    (without ``count``: at least the hits' number). ``matches``: the query's match set, when
    the facets will read it too (the passages are then read from the postings once). ``text``:
    a pasted question's text, for choosing between documents and between a document's passages
    (empty: the engine's order). ``recorded``: the index's recorded terms of raw words, for
    highlighting. ``arrays``: matches are scored on arrays where they can be, loading NumPy
    (:func:`kvsearch.engine.ranking.top_hits`). ``verbs``: the query terms of the separable
    verbs the query names in one word, whose words a passage may write apart (highlighted)."""
    # A pasted question is ranked on a few more candidates than shown: a better document or a
    # document's better passage may stand just below them (between_documents, within_document).
    # Only then are those modules imported: a typed query's one-liner does without them.
    reordering = sort == "relevance" and bool(text)
    wanted = limit
    if reordering:
        from kvsearch.searcher import between_documents, within_document

        wanted = max(limit, within_document.CANDIDATES)
    found, total = ranking.top_hits(index, planned, wanted, sort, count, SEARCH_SECONDS, matches, arrays)
    matched = ranking.matched_terms(index, planned, TEXT_FIELDS)
    if reordering:
        found = between_documents.rerank(index, found, matched, text)
        found = within_document.reorder(index, found, matched, text, limit)[:limit]
    highlighter = Highlighter(matched, recorded, verbs & matched)
    highlighter.judge(shown for stored, _score in found for shown in highlighted_texts(stored).values())
    return [hit_of(stored, score, highlighter) for stored, score in found], total


def prepare(index_dir: str | os.PathLike[str]) -> None:
    """Ready a long-running process (the TUI, a script) for searching ``index_dir``: open its
    index and make what counting facets reads, which its first search with ``facets=True``
    would otherwise wait for, the longer the larger the index. Call it while nobody waits, in
    a thread of its own; searching works the same without it.

    Raises:
        IndexMissingError, IndexVersionError: no usable index.
    """
    with open_searcher(index_dir) as (index, _info):
        prepare_facets(index)
