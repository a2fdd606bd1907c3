"""Running a query tree: its best hits by relevance or date, how many passages it matches,
the index terms it matched, and counts of its hits by the values of keyword fields.

Hits leave the engine as stored fields and a score: no Whoosh object does.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import query, sorting
from whoosh.collectors import SortingCollector, TimeLimitCollector, TopCollector
from whoosh.searching import Searcher, TimeLimit

from kvsearch.engine import top_k
from kvsearch.engine.match_sets import MatchSet, Within, estimated_postings, posting_ids, prematched
from kvsearch.engine.query_trees import has_coordination
from kvsearch.engine.reader import SearchableIndex
from kvsearch.engine.whole_index import WholeOr

#: A hit as the engine returns it: the passage's stored fields and its score.
Scored = tuple[dict[str, Any], float]


def match_set(q: query.Query) -> MatchSet:
    """The passages ``q`` matches, read once when first asked for and then shared by
    :func:`top_hits`, :func:`count_matches` and :func:`value_counts` for the same search.

    Its tree is ``q`` with phrases and date ranges matched from posting sets
    (:func:`~kvsearch.engine.match_sets.prematched`), the tree the ranking scores: each phrase
    node keeps its matches and scores per segment, so ranking and matching decode its
    positions once."""
    return MatchSet(prematched(q))


def top_hits(
    index: SearchableIndex,
    q: query.Query,
    limit: int,
    sort: str,
    count: bool,
    seconds: float,
    matches: MatchSet | None = None,
    arrays: bool = True,
) -> tuple[list[Scored], int]:
    """The best ``limit`` hits (``sort``: "relevance", or "date", newest first) and the number
    of passages that match (without ``count``: at least the hits' number). A search that runs
    past ``seconds`` stops with what it has. ``matches``: ``q``'s :func:`match_set`, to share.
    ``arrays``: every match is scored on arrays where :mod:`kvsearch.engine.bulk_scores` can
    score the query (loading NumPy), at once and counted, and not stopped after ``seconds``;
    without, only those that may make the hits are, in Python."""
    searcher = index.whoosh
    matches = matches if matches is not None else match_set(q)
    if sort == "relevance" and arrays:
        from kvsearch.engine import bulk_scores

        scored = bulk_scores.best(searcher, matches.query, max(1, limit))
        if scored is not None:
            top, total, per_segment = scored
            for (leaf, _offset), docs in zip(searcher.leaf_searchers(), per_segment, strict=True):
                matches.found(leaf, docs)
            return [(searcher.stored_fields(doc), score) for score, doc in top], total
    # Whoosh can skip blocks of postings that cannot reach the top ``limit``, but then it does
    # not count the matches, and with a coordination bonus (a pasted question) it skips
    # wrongly. For a common word or words joined by OR, skipping (and counting from posting
    # sets when the count is wanted) pays, unless they are in nearly every passage. For a
    # rarer one, and for AND, phrases, filters and pasted questions, it does not, even when
    # nobody wants the count: Whoosh's matchers walk an AND one passage at a time and decode a
    # phrase's positions in every passage with all its words. There the matches come from
    # posting sets once and only the passages whose score bound may make the hits are scored
    # (top_k).
    skipping = not has_coordination(q) and _unions_of_terms(q) and _skipping_pays(index, q)
    if sort == "relevance" and not skipping:
        found = top_k.best(searcher, matches.query, max(1, limit), seconds, matches)
    elif sort == "date":  # the newest matches from the date column; only they are scored
        found = top_k.newest(searcher, matches.query, max(1, limit), "date", matches)
    else:
        found = None
    if found is not None:
        top, total = found
        hits = [(searcher.stored_fields(doc), score) for score, doc in top]
        return hits, total if hits else 0
    if sort == "date":
        collector = _NewestFirst(limit=max(1, limit))
    elif skipping:
        collector = TopCollector(limit=max(1, limit))
    else:
        collector = TopCollector(limit=max(1, limit), usequality=False, replace=0)
    bounded = TimeLimitCollector(collector, timelimit=seconds, use_alarm=False)
    try:
        # Without skipping, Whoosh would find every match itself, one passage at a time through
        # its matchers (phrases: decoding positions of every passage with all the words); the
        # matches come from posting sets instead, and Whoosh scores just those.
        searcher.search_with_collector(q if skipping else Within(matches.query), bounded)
    except TimeLimit:
        pass
    results = bounded.results()
    # A sorting collector's result score is its sort key (a date as a number), not relevance.
    scores = collector.scores if isinstance(collector, _NewestFirst) else {}
    hits = [(result.fields(), scores.get(result.docnum, result.score or 0.0)) for result in results]
    if not skipping or not hits:
        return hits, len(results) if hits else 0
    return hits, count_matches(index, matches) if count else results.scored_length()


def ranked(index: SearchableIndex, q: query.Query, limit: int) -> list[Scored]:
    """The best ``limit`` hits of ``q`` as Whoosh ranks them, skipping what cannot make them."""
    return [(result.fields(), result.score or 0.0) for result in index.whoosh.search(q, limit=limit, terms=False)]


class _NewestFirst(SortingCollector):
    """The newest passages first, a document's passages in their own order, each with its
    relevance score in ``scores`` (by document number).

    Reversing the whole sort would also reverse the tie-break on document number, which
    puts a document's last question before its first."""

    def __init__(self, limit: int) -> None:
        super().__init__(sorting.FieldFacet("date", reverse=True), limit=limit)
        self.scores: dict[int, float] = {}

    def prepare(self, top_searcher: Searcher, q: query.Query, context: Any) -> None:
        # The matcher must stand on each collected passage to score it.
        super().prepare(top_searcher, q, context.set(needs_current=True))

    def collect(self, sub_docnum: int) -> Any:
        self.scores[self.offset + sub_docnum] = self.matcher.score()
        return super().collect(sub_docnum)


#: A word or words joined by OR with more postings than this are ranked by Whoosh, skipping
#: blocks that cannot make the hits; with fewer, every match is scored from the match set.
#: Scoring every match in bulk grows with the postings; Whoosh visits the matches it cannot
#: skip one at a time, and skips many only where a few passages score far above the rest, so
#: it pays only for the commonest words (docs/performance.md).
RANK_FROM_MATCHES = 20_000
#: Nor with more postings per passage than this (title, question and answer together): a word
#: in most fields of nearly every passage ("het", "de") scores about the same everywhere, so
#: Whoosh could skip hardly a block and would score every posting one at a time, which costs
#: more than scoring them all in bulk.
SKIPPING_UP_TO_PER_PASSAGE = 1.5


#: A search in a process that runs no other (a one-line search) is scored in Python, since
#: importing NumPy takes longer than most such searches, unless the query may read more
#: postings than this: walking them one by one in Python then takes longer than loading NumPy
#: and scoring them on arrays (docs/performance.md).
ARRAYS_FROM_POSTINGS = 60_000


def arrays_pay_once(index: SearchableIndex, q: query.Query) -> bool:
    """Whether a process that runs ``q`` alone should score it on arrays all the same."""
    return estimated_postings(q, index.whoosh.reader()) > ARRAYS_FROM_POSTINGS


def _skipping_pays(index: SearchableIndex, q: query.Query) -> bool:
    reader = index.whoosh.reader()
    postings = sum(reader.doc_frequency(fieldname, text) for fieldname, text in q.iter_all_terms())
    return RANK_FROM_MATCHES < postings <= SKIPPING_UP_TO_PER_PASSAGE * reader.doc_count()


def _unions_of_terms(q: query.Query) -> bool:
    return type(q) is query.Term or (
        type(q) in (query.Or, WholeOr) and all(_unions_of_terms(sub) for sub in q.subqueries)
    )


def count_matches(index: SearchableIndex, matches: MatchSet) -> int:
    """How many passages match, from sets of posting ids (Whoosh counts one match at a time)."""
    return sum(len(matches.in_segment(leaf)) for leaf, _offset in index.whoosh.leaf_searchers())


def matched_terms(index: SearchableIndex, q: query.Query, fields: Sequence[str]) -> set[str]:
    """Index terms of ``q`` in ``fields`` (prefixes expanded), for highlighting."""
    found: set[str] = set()
    pairs = set(q.all_terms())
    try:  # prefixes ("ambtena*") expand to the index terms they match
        pairs |= set(q.existing_terms(index.whoosh.reader(), expand=True))
    except Exception:
        pass
    for fieldname, text in pairs:
        if fieldname in fields:
            found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return found


def prepare_value_counts(index: SearchableIndex, fields: dict[str, str]) -> None:
    """Make what :func:`value_counts` reads on arrays for the keyword ``fields`` (facet name ->
    field) in every segment, as a long-running process's first search would (loading NumPy)."""
    from kvsearch.engine.bulk_scores import value_combinations

    for leaf, _offset in index.whoosh.leaf_searchers():
        for fieldname in fields.values():
            if fieldname in leaf.schema:
                value_combinations(leaf, leaf.reader(), fieldname)


def value_counts(
    index: SearchableIndex, matches: MatchSet, fields: dict[str, str], label: Callable[[str, str], str | None]
) -> dict[str, Counter[str]]:
    """Per facet of ``fields`` (facet name -> keyword field), how many passages of ``matches``
    have each value, counted under ``label(facet, value)`` (values without a label are left out).

    Counted from posting sets, never from the hits' stored fields: a few hits are looked up in
    a column of each passage's values, made once per segment; many are intersected with each
    value's passages (a few dozen values per facet, each intersection as long as the hits or
    the value's passages, whichever is shorter), whichever is less work. Hits scored on arrays
    are counted at once from each passage's values kept as arrays."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in fields}
    for leaf, _offset in index.whoosh.leaf_searchers():
        reader = leaf.reader()
        scored = matches.scored_on_arrays(leaf)
        hits = set() if scored is not None else matches.in_segment(leaf)
        if scored is None and not hits:
            continue
        for name, fieldname in fields.items():
            if fieldname not in leaf.schema:
                continue
            found: dict[int, int]
            if scored is not None:  # the matches as an array: their values counted at once
                from kvsearch.engine.bulk_scores import value_counts_of

                values, found = value_counts_of(leaf, reader, fieldname, scored)
                shown = [label(name, value) for value in values]
            else:
                values, column, passages = _value_column(leaf, reader, fieldname)
                shown = [label(name, value) for value in values]
                if len(hits) * LOOKUP_COST < sum(min(len(hits), len(docs)) for docs in passages):
                    found = Counter(chain.from_iterable(map(column.__getitem__, hits)))
                else:  # only the values shown
                    found = Counter({n: len(hits & docs) for n, docs in enumerate(passages) if shown[n]})
            for number, count in found.items():
                shown_as = shown[number]
                if shown_as and count:
                    counts[name][shown_as] += count
    return counts


#: Looking up a hit's values in the column, against testing a hit in one value's set of passages.
LOOKUP_COST = 6

#: Per segment reader and keyword field: :func:`_value_column` (a segment never changes).
_VALUE_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _value_column(
    leaf: Searcher, reader: Any, fieldname: str
) -> tuple[list[str], list[tuple[int, ...]], list[set[int]]]:
    """The keyword field's values in the segment; per document number the numbers of its
    values (a passage may have several: the parties of its askers); and per value its passages."""
    cache = _VALUE_COLUMNS.setdefault(reader, {})
    if fieldname not in cache:
        values: list[str] = []
        passages: list[set[int]] = []
        per_document: dict[int, tuple[int, ...]] = {}
        for btext in reader.lexicon(fieldname):
            number = len(values)
            values.append(btext.decode("utf-8") if isinstance(btext, bytes) else str(btext))
            passages.append(posting_ids(leaf, reader, fieldname, btext))
            for doc in passages[-1]:
                per_document[doc] = per_document.get(doc, ()) + (number,)
        column: list[tuple[int, ...]] = [()] * reader.doc_count_all()
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per combination of values
        for doc, numbers in per_document.items():
            column[doc] = shared.setdefault(numbers, numbers)
        cache[fieldname] = (values, column, passages)
    return cache[fieldname]
