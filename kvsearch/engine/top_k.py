"""The best hits of a query without scoring every passage that matches it.

A pasted question matches every passage with one of its rarer words, an AND of common words or
a phrase many passages too; Whoosh scores each through a tree of term matchers (up to 90 for a
pasted question), a Python call per passage and term. Here the matches come from posting sets
(:mod:`kvsearch.engine.match_sets`) and each term's postings among them are read once, into a
table of document -> weight. Scores are first bounded: a term adds at most its highest score in
the segment (Whoosh's own ``max_quality``: highest frequency, shortest field), and the
coordination bonus depends only on how many terms a passage has. A term scored by Whoosh's
BM25F is scored exactly at once instead, in one comprehension from the segment's length bytes
(the same operations, so the same floats), which costs no more than its bound. Passages are
then scored exactly, in the order of their bounds, until no bound left can reach the last of
the best hits.

Exact scores walk Whoosh's own matcher tree for the segment and use its scorers, adding in
the order its matchers add (``a.score() + b.score()``): the hits and scores are those of
Whoosh scoring each match with a matcher of its own. A tree with a matcher this does not
know is left to Whoosh.
"""

from __future__ import annotations

import heapq
import sys
import time
import weakref
from array import array
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import columns, matching, query
from whoosh.matching import (
    AndMaybeMatcher,
    AndNotMatcher,
    CoordMatcher,
    FilterMatcher,
    IntersectionMatcher,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.matching.mcore import LeafMatcher
from whoosh.scoring import WeightScorer
from whoosh.searching import Searcher

from kvsearch.engine.match_sets import MatchSet, Posting, ScoredMatcher, Tables, bm25_scores, live_matches, term_weights
from kvsearch.engine.whole_index import ShapeOfAndMaybe, ShapeOfIntersection, shape_only

#: Bounds are summed like scores, but a little room for rounding costs nothing.
SLACK = 1e-9
#: Passages scored exactly in the first round (the number doubles each round).
FIRST_ROUND = 200

#: Matchers built for their shape only (never moved), walked as the matchers they stand for.
_SHAPES = {ShapeOfIntersection: IntersectionMatcher, ShapeOfAndMaybe: AndMaybeMatcher}

#: Per document: a score (or its bound), and how many of the tree's terms it has.
Scores = tuple[dict[int, float], dict[int, int]]


class _Segment:
    """One segment's matcher tree for the query, with each term's postings read once."""

    def __init__(self, leaf: Searcher, offset: int, q: query.Query, matches: MatchSet | None = None) -> None:
        self.leaf, self.offset = leaf, offset
        # Weights of the terms read while matching: every match is among their documents.
        self._weights: Tables = {}
        self.docs = matches.in_segment(leaf, self._weights) if matches else live_matches(leaf, q, self._weights)
        if self.docs:
            with shape_only():  # walked, never moved through its matches
                self.tree = q.matcher(leaf)
        else:
            self.tree = matching.NullMatcher
        self._ordered: list[int] | None = None
        #: Set when a walk has bounded a term's score instead of computing it: its result
        #: is then not every passage's exact score.
        self.bounded = False

    def weights(self, m: Any) -> dict[int, float]:
        term = m.term()
        if term not in self._weights:
            if self._ordered is None:
                self._ordered = sorted(self.docs)
            reader = self.leaf.reader()
            self._weights[term] = term_weights(self.leaf, reader, term[0], term[1], self.docs, ordered=self._ordered)
        return self._weights[term]

    def walk(self, m: Any, docs: set[int], exact: bool) -> Scores | None:
        """For each of ``docs`` that ``m`` matches: its score (``exact``) or the most it can
        score, and how many terms it has; None for a matcher this does not know."""
        kind = type(m)
        if isinstance(m, LeafMatcher) and m.term() is not None and m.supports_block_quality():
            weights = self.weights(m)
            found = weights.keys() & docs
            scores = bm25_scores(self.leaf, m.scorer, m.term()[0], weights, found)
            if scores is None and type(m.scorer) is WeightScorer:  # a filter's keyword: its weight
                scores = {doc: weights[doc] for doc in found}
            if scores is not None:  # exact, and as cheap as a bound
                return scores, dict.fromkeys(found, 1)
            if exact:  # the scorer reads weight and document as from Whoosh's own matcher
                score = m.scorer.score
                return {doc: score(Posting(doc, weights[doc])) for doc in found}, dict.fromkeys(found, 1)
            self.bounded = True
            return dict.fromkeys(found, m.max_quality()), dict.fromkeys(found, 1)
        if isinstance(m, CoordMatcher):  # also kvsearch.engine.whole_index's
            inner = self.walk(m.child, docs, exact)
            if inner is None:
                return None
            return {doc: m._sqr(score, inner[1][doc]) for doc, score in inner[0].items()}, inner[1]
        if kind in (WrappingMatcher, FilterMatcher):  # a boost; deleted passages are left out
            inner = self.walk(m.child, docs, exact)
            if inner is None or m.boost == 1.0:
                return inner
            return {doc: score * m.boost for doc, score in inner[0].items()}, inner[1]
        if kind is ScoredMatcher:  # a phrase or a date range, scored already
            found = docs.intersection(m.all_ids())
            return {doc: m._scores[doc] for doc in found}, dict.fromkeys(found, 0)
        kind = _SHAPES.get(kind, kind)
        if kind in (UnionMatcher, AndMaybeMatcher, IntersectionMatcher, AndNotMatcher):
            a = self.walk(m.a, docs, exact)
            b = self.walk(m.b, docs if kind is UnionMatcher or a is None else set(a[0]), exact)
            if a is None or b is None:
                return None
            if kind is AndNotMatcher:  # a's score, where b does not match
                return _only(a, a[0].keys() - b[0].keys())
            if kind is IntersectionMatcher:
                a = _only(a, a[0].keys() & b[0].keys())
            return _add(a, b)
        if m is matching.NullMatcher:
            return {}, {}
        return None


def _add(a: Scores, b: Scores) -> Scores:
    """``a`` plus ``b``, per document, as Whoosh adds a union's parts (``a.score() + b.score()``).
    ``a``'s tables are fresh (made for this walk) and become the sum; the loops are
    comprehensions over set operations, in C as far as Python allows."""
    sums, counts = a
    b_sums, b_counts = b
    both = sums.keys() & b_sums.keys()
    only_b = b_sums.keys() - both
    sums.update({doc: sums[doc] + b_sums[doc] for doc in both})
    sums.update({doc: b_sums[doc] for doc in only_b})
    counts.update({doc: counts[doc] + b_counts[doc] for doc in both})
    counts.update({doc: b_counts[doc] for doc in only_b})
    return sums, counts


def _only(scores: Scores, docs: set[int]) -> Scores:
    return {doc: scores[0][doc] for doc in docs}, {doc: scores[1][doc] for doc in docs}


def best(
    searcher: Searcher, q: query.Query, limit: int, seconds: float | None = None, matches: MatchSet | None = None
) -> tuple[list[tuple[float, int]], int] | None:
    """The ``limit`` best (score, document number) of ``q``, best first, as Whoosh's
    ``TopCollector`` ranks them when it scores every match (ties: the lower number first),
    and the number of matches; None when ``q`` has parts this cannot score. After
    ``seconds``, the best of the passages scored so far. ``matches``: the passages ``q``
    matches, when the caller shares them with other readers of the same search."""
    started = time.perf_counter()
    segments = [_Segment(leaf, offset, q, matches) for leaf, offset in searcher.leaf_searchers()]
    total = sum(len(s.docs) for s in segments)
    walked: list[tuple[_Segment, dict[int, float]]] = []
    for segment in segments:
        bounds = segment.walk(segment.tree, segment.docs, exact=False)
        if bounds is None:
            return None
        walked.append((segment, bounds[0]))
    if not any(segment.bounded for segment in segments):
        return _best_of_exact(walked, limit), total
    candidates = [(bound, doc, segment) for segment, bounds in walked for doc, bound in bounds.items()]
    candidates.sort(key=lambda item: (-item[0], item[1] + item[2].offset))
    top: list[tuple[float, int]] = []  # a heap of (score, -document): the worst hit first
    start, size = 0, max(FIRST_ROUND, limit)
    while start < len(candidates):
        if len(top) >= limit and candidates[start][0] * (1 + SLACK) < top[0][0]:
            break  # no bound left reaches the hits
        if seconds is not None and start and time.perf_counter() - started > seconds:
            break
        batch = candidates[start : start + size]
        start, size = start + size, size * 2
        for segment in segments:
            docs = {doc for _bound, doc, owner in batch if owner is segment}
            scores = segment.walk(segment.tree, docs, exact=True) if docs else ({}, {})
            if scores is None:
                return None
            for doc, score in scores[0].items():
                heapq.heappush(top, (score, -(doc + segment.offset)))
                if len(top) > limit:
                    heapq.heappop(top)
    return [(score, -negative) for score, negative in sorted(top, reverse=True)], total


def _best_of_exact(walked: list[tuple[_Segment, dict[int, float]]], limit: int) -> list[tuple[float, int]]:
    """The ``limit`` best (score, document number) when every passage's score is known
    exactly: no second walk, and no sort of every match. Each segment's scores are cut at
    its ``limit``-th best (ties kept, so the order between equal scores stays the lower
    number first)."""
    kept: list[tuple[float, int]] = []
    for segment, scores in walked:
        if not scores:
            continue
        lowest = heapq.nlargest(limit, scores.values())[-1]
        offset = segment.offset
        kept.extend((score, -(doc + offset)) for doc, score in scores.items() if score >= lowest)
    return [(score, -negative) for score, negative in heapq.nlargest(limit, kept)]


def newest(
    searcher: Searcher, q: query.Query, limit: int, column: str, matches: MatchSet | None = None
) -> tuple[list[tuple[float, int]], int] | None:
    """The ``limit`` matches of ``q`` with the highest value in the numeric ``column`` (a date:
    the newest), in the order of Whoosh's sorting collector on the column reversed (a value
    shared: the lower number first), each with its score, and the number of matches. Only
    the hits are scored, not every match. None where the column is not a numeric one or ``q``
    has parts this cannot score."""
    segments = [_Segment(leaf, offset, q, matches) for leaf, offset in searcher.leaf_searchers()]
    total = sum(len(segment.docs) for segment in segments)
    chosen: list[tuple[int, int, _Segment]] = []  # (the value negated, the document number, its segment)
    for segment in segments:
        if not segment.docs:
            continue
        values = _column_values(segment.leaf.reader(), column)
        if values is None:
            return None
        docs: Any = segment.docs
        if len(docs) > limit:  # the limit-th highest value, in C; the matches at or above it
            lowest = heapq.nlargest(limit, map(values.__getitem__, docs))[-1]
            docs = [doc for doc in docs if values[doc] >= lowest]
        chosen.extend((-values[doc], doc, segment) for doc in docs)
    chosen.sort(key=lambda item: (item[0], item[1] + item[2].offset))
    del chosen[limit:]
    scores: dict[int, dict[int, float]] = {}
    for segment in segments:
        docs = {doc for _value, doc, owner in chosen if owner is segment}
        if docs:
            scored = segment.walk(segment.tree, docs, exact=True)
            if scored is None:
                return None
            scores[id(segment)] = scored[0]
    return [(scores[id(segment)][doc], doc + segment.offset) for _value, doc, segment in chosen], total


#: Per segment reader, the values of each numeric column read so far (a segment never changes).
_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, array[int] | None]] = weakref.WeakKeyDictionary()


def _column_values(reader: Any, column: str) -> array[int] | None:
    """Each document's raw value in the segment's numeric ``column``, as Whoosh's column reader
    gives it (its default past the last document written), read in bulk; None for another
    kind of column."""
    cache = _COLUMNS.setdefault(reader, {})
    if column not in cache:
        raw: Any = reader.column_reader(column, translate=False) if reader.has_column(column) else None
        if type(raw) is not columns.NumericColumn.Reader or raw._typecode not in "bBhHiIlLqQ":
            cache[column] = None
        else:
            values = array(raw._typecode)
            values.frombytes(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
            if sys.byteorder == "little":  # stored big-endian
                values.byteswap()
            values.extend([raw._default] * (reader.doc_count_all() - raw._count))
            cache[column] = values
    return cache[column]
