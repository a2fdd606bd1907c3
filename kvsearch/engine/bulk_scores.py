"""Every match of a query scored at once, on arrays (NumPy), for long-running processes.

A common word's posting list has tens of thousands of postings per segment; reading it into
Python ints and floats, and scoring each in a comprehension, is most of such a search.
Here a list's blocks are only cut from the buffer in Python (and inflated); their ids,
weights and positions are decoded for the whole list at once, each term's BM25F score is
computed for all its postings at once, the tree's ANDs, ORs and NOTs are operations on
arrays, and a phrase's words meet where their (passage, position) keys do.

The scores are Whoosh's to the last bit: the same operations in the same order, in float64
(each correctly rounded, as Python's), and a union adds as Whoosh's matchers add
(``a.score() + b.score()``); a passage one side does not match adds 0.0, which changes no
float. ``tests/test_bulk_scores.py`` holds the hits, scores, totals and facets to those of the
Python path (:mod:`kvsearch.engine.top_k`), which ``tests/test_searcher.py`` holds to Whoosh's.

NumPy takes longer to import than most one-line searches take, so a one-liner does not load
it (``kvsearch.search(..., once=True)``) and takes the Python path, unless its words have so
many postings that walking them in Python takes longer (:func:`kvsearch.engine.ranking.arrays_pay_once`).
"""

from __future__ import annotations

import functools
import heapq
import weakref
from typing import Any

import numpy as np

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import matching, query
from whoosh.matching import (
    AndMaybeMatcher,
    AndNotMatcher,
    ArrayUnionMatcher,
    CoordMatcher,
    FilterMatcher,
    IntersectionMatcher,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import Searcher

from kvsearch.analysis.common_pairs import pair_term
from kvsearch.engine import match_sets
from kvsearch.engine.match_sets import DeferredMatcher, Near, NotDeferred, ScoredMatcher, deferred
from kvsearch.engine.packed_postings import (
    SOME_POSTINGS,
    WEIGHTS_CODED,
    WEIGHTS_EACH,
    PackedLeafMatcher,
    PostingParts,
    posting_parts,
)
from kvsearch.engine.query_trees import has_coordination
from kvsearch.engine.schema import BYTE_LENGTHS
from kvsearch.engine.scratch_memory import keep_freed_memory
from kvsearch.engine.whole_index import ShapeOfAndMaybe, ShapeOfIntersection, shape_only

# The arrays made here for every search are as long as a segment: their memory is kept for the
# next search rather than faulted in again (only processes that score on arrays load this).
keep_freed_memory()

#: A field length byte -> the length it stands for, as floats (the lengths are small integers,
#: so exactly the floats Python makes of them).
_LENGTHS = np.array(BYTE_LENGTHS, dtype=np.float64)
_ID_TYPES = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))  # also of position counts
_GAP_TYPES = (np.dtype("<i1"), np.dtype("<i2"), np.dtype("<i4"))  # of position gaps
_WEIGHT_TYPE = np.dtype("<f4")

#: The positions of the postings a phrase word keeps are picked out of the blocks' gaps
#: (:func:`_kept_positions`) when there are more than this many positions per posting kept;
#: else all positions are decoded and the kept ones masked out. Picking costs per posting
#: kept about as much as decoding does per 20 positions, whether the posting has one
#: position (a title) or several (an answer).
PICKED_FROM = 20

#: Matchers built for their shape only (never moved), walked as the matchers they stand for.
_SHAPES = {ShapeOfIntersection: IntersectionMatcher, ShapeOfAndMaybe: AndMaybeMatcher}


def posting_arrays(matcher: PackedLeafMatcher, ordered: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A term's posting list (with ``ordered``, sorted document numbers: only the blocks that
    may hold one): the document numbers (int64, ascending) and the weights (float64, from the
    stored float32)."""
    parts = posting_parts(matcher, ordered)
    assert parts is not None  # nothing but ids and weights asked for
    return _ids(parts), _weights(parts)


def position_arrays(
    matcher: PackedLeafMatcher, among: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`posting_arrays`, and each posting's positions: how many it has (int64), and all
    of them (int64, ascending within a posting), in order. With ``among`` (sorted, distinct
    document numbers): only the postings of those documents. None where a block keeps no
    positions in bulk."""
    parts = posting_parts(matcher, None if among is None else among.tolist(), read="positions")
    if parts is None:
        return None
    ids, weights = _ids(parts), _weights(parts)
    counts = _joined(parts.position_counts, parts.count_codes, parts.counts, _ID_TYPES)
    if among is None:
        return ids, weights, counts, _every_position(parts)
    kept = _members(ids, among)
    wanted = counts[kept]
    if not len(wanted):
        positions = np.empty(0, dtype=np.int64)
    elif len(wanted) * PICKED_FROM < sum(parts.position_totals) and wanted.all():
        positions = _kept_positions(parts, counts, kept)
    else:
        positions = _every_position(parts)[np.repeat(kept, counts)]
    return ids[kept], weights[kept], wanted, positions


def _every_position(parts: PostingParts) -> np.ndarray:
    """Every position of the blocks' postings, in order."""
    gaps = _joined(parts.position_gaps, parts.gap_codes, parts.position_totals, _GAP_TYPES)
    # A block's gaps run on from posting to posting, from 0: summed at once, less what the
    # blocks before each one added.
    per_block = np.array(parts.position_totals, dtype=np.int64)
    starts = np.cumsum(per_block) - per_block
    summed = np.cumsum(gaps)
    if len(starts) > 1:
        summed -= np.repeat(summed[starts] - gaps[starts], per_block)
    return summed


def _kept_positions(parts: PostingParts, counts: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The positions of the ``kept`` postings only (each has some), in order: the gaps of the
    others are summed over in one pass and never widened or summed one by one, which is most
    of the work when a rarer word keeps a few postings of each block of a common one."""
    gaps = _joined(parts.position_gaps, parts.gap_codes, parts.position_totals, _GAP_TYPES, widen=False)
    ends = np.cumsum(counts)
    begins = (ends - counts)[kept]
    per_block = np.array(parts.position_totals, dtype=np.int64)
    block_starts = (np.cumsum(per_block) - per_block)[np.repeat(np.arange(len(per_block)), parts.counts)[kept]]
    # Each kept posting's first gap counts from the sum of its block's gaps before it: the sums
    # between consecutive such points, added up, give it.
    points = _distinct(np.sort(np.concatenate((block_starts, begins))))
    between = np.add.reduceat(gaps, points, dtype=np.int64)
    upto = np.cumsum(between) - between  # the sum from the first point to each point
    bases = upto[np.searchsorted(points, begins)] - upto[np.searchsorted(points, block_starts)]
    wanted = counts[kept]
    out_starts = np.cumsum(wanted) - wanted
    picked = gaps[np.arange(int(wanted.sum())) + np.repeat(begins - out_starts, wanted)].astype(np.int64)
    summed = np.cumsum(picked)
    summed += np.repeat(bases - (summed[out_starts] - picked[out_starts]), wanted)
    return summed


def _members(ordered: np.ndarray, among: np.ndarray) -> np.ndarray:
    """For each value of ``ordered``, whether ``among`` holds it (both ascending, distinct).

    Where one of them is short, its values are looked up in the other by bisection. Where both
    are long and their values span a range not much wider than they are long (document
    numbers), ``among`` is marked in a flag per value of the range and ``ordered`` read from
    it: three to five times faster than ``np.isin``, which sorts both together when told they
    are distinct, and is left for wide ranges (a phrase's places, numbered per passage)."""
    if min(len(ordered), len(among)) > BISECTED_UP_TO:
        low = min(ordered[0], among[0])
        width = max(ordered[-1], among[-1]) - low + 1
        if width > FLAGGED_PER_VALUE * (len(ordered) + len(among)):
            return np.isin(ordered, among, assume_unique=True)
        held = np.zeros(width, dtype=bool)
        held[among - low] = True
        return held[ordered - low]
    if not len(among) or not len(ordered):
        return np.zeros(len(ordered), dtype=bool)
    if len(ordered) <= len(among):
        return _looked_up(among, ordered)[1]
    where, held = _looked_up(ordered, among)
    found = np.zeros(len(ordered), dtype=bool)
    found[where[held]] = True
    return found


def _looked_up(ordered: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``values``, where bisection puts it in ``ordered`` (ascending, not empty;
    0 past the end) and whether it is there."""
    where = np.searchsorted(ordered, values)
    where[where == len(ordered)] = 0
    return where, ordered[where] == values


#: :func:`_members` looks values up by bisection when either array is at most this long.
BISECTED_UP_TO = 2048
#: :func:`_members` marks values in flags when their range is at most this many times as wide
#: as the two arrays are long together: clearing a flag costs a small part of what sorting a
#: value does.
FLAGGED_PER_VALUE = 64


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array, in one pass (``np.unique`` hashes and sorts
    them again)."""
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def pair_arrays(matcher: PackedLeafMatcher) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A word pair's posting list (:class:`kvsearch.engine.schema.PairWeights`): the document
    numbers, and in each the weight of the pair's first word and of its second (float64);
    None where the blocks keep no values."""
    parts = posting_parts(matcher, None, read="values")
    if parts is None:
        return None
    both = np.frombuffer(b"".join(parts.values), dtype=_WEIGHT_TYPE).astype(np.float64)
    return _ids(parts), both[0::2], both[1::2]


def _joined(
    by_type: tuple[list[Any], ...],
    type_of_block: list[int],
    items: list[int],
    types: tuple[np.dtype, ...],
    widen: bool = True,
) -> np.ndarray:
    """Arrays stored per block in one of several types (``by_type``: per type its blocks'
    bytes in order; ``type_of_block``; ``items``: each block's number of items), as one int64
    array in block order (without ``widen``: in the widest type stored, read in place where
    all blocks have one type)."""
    used = {code for code, count in zip(type_of_block, items, strict=True) if count}
    if len(used) <= 1:
        code = used.pop() if used else 0
        stored = np.frombuffer(b"".join(by_type[code]), dtype=types[code])
        return stored.astype(np.int64) if widen else stored
    joined = np.empty(sum(items), dtype=np.int64 if widen else types[max(used)])
    type_of_item = np.repeat(np.array(type_of_block, dtype=np.int8), items)
    for code in used:
        joined[type_of_item == code] = np.frombuffer(b"".join(by_type[code]), dtype=types[code])
    return joined


def _ids(parts: PostingParts) -> np.ndarray:
    """The document numbers of the blocks' postings, summed at once: each block's gaps after
    the step from the previous block's last id to its first, where the parts keep a zero."""
    if not parts.counts:
        return np.empty(0, np.int64)
    deltas = _joined(parts.gaps, parts.id_codes, parts.counts, _ID_TYPES)
    if len(parts.counts) == 1:  # most terms: a few calls less
        deltas[0] = parts.firsts[0]
        return np.cumsum(deltas, out=deltas)
    per_block = np.array(parts.counts, dtype=np.int64)
    starts = np.cumsum(per_block) - per_block
    # The previous block's last id is its first plus its gaps (summed from the data, not
    # taken from its header, whose last id only bounds skipping).
    sums = np.add.reduceat(deltas, starts)
    steps = np.array(parts.firsts, dtype=np.int64)
    steps[1:] -= steps[:-1] + sums[:-1]
    deltas[starts] = steps
    return np.cumsum(deltas, out=deltas)


def _weights(parts: PostingParts) -> np.ndarray:
    """The weights of the blocks' postings (float64, from the stored float32)."""
    if len(parts.counts) == 1 and not parts.codes:  # most terms: a few calls less
        if parts.each_weights:
            return np.frombuffer(parts.each_weights[0], dtype=_WEIGHT_TYPE).astype(np.float64)
        return np.full(parts.counts[0], np.float32(parts.block_weights[0]), dtype=np.float64)
    if len(parts.codes) == len(parts.counts):  # a long list whose every block keeps codes
        return _decoded_weights(parts)
    per_block = np.array(parts.counts, dtype=np.int64)
    weights = np.repeat(np.array(parts.block_weights, dtype=_WEIGHT_TYPE), per_block)
    kinds = np.array(parts.weight_kinds, dtype=np.int8) if parts.each_weights or parts.codes else None
    if parts.each_weights:  # blocks that keep a weight per posting
        each = np.repeat(kinds == WEIGHTS_EACH, per_block)
        weights[each] = np.frombuffer(b"".join(parts.each_weights), dtype=_WEIGHT_TYPE)
    if parts.codes:
        weights[np.repeat(kinds == WEIGHTS_CODED, per_block)] = _decoded_weights(parts)
    return weights.astype(np.float64)


def _decoded_weights(parts: PostingParts) -> np.ndarray:
    """The weights of the blocks that keep codes, in order (float64, from the stored float32):
    every block's codes looked up in one table of all their tables, each block's codes moved
    past the tables of the blocks before it."""
    tables = np.frombuffer(b"".join(parts.code_tables), dtype=_WEIGHT_TYPE).astype(np.float64)
    codes = np.frombuffer(b"".join(parts.codes), dtype=np.uint8)
    if len(parts.codes) == 1:
        return tables[codes]
    sizes = np.array([len(table) for table in parts.code_tables], dtype=np.intp) // _WEIGHT_TYPE.itemsize
    where = np.repeat(np.cumsum(sizes) - sizes, [len(block) for block in parts.codes])
    where += codes
    return np.take(tables, where)  # with indexes of the machine's own size: several times faster


class _Sparse:
    """Matches as the matching documents in order (``ids``), with a score each, and with how
    many of the tree's terms each has (``terms``; only for coordination, else None)."""

    __slots__ = ("ids", "scores", "terms")

    def __init__(self, ids: np.ndarray, scores: np.ndarray, terms: np.ndarray | None) -> None:
        self.ids, self.scores, self.terms = ids, scores, terms

    def documents(self) -> np.ndarray:
        return self.ids

    def dense(self, size: int) -> _Dense:
        matched = np.zeros(size, dtype=bool)
        matched[self.ids] = True
        scores = np.zeros(size)
        scores[self.ids] = self.scores
        terms = None
        if self.terms is not None:
            terms = np.zeros(size, dtype=np.int32)
            terms[self.ids] = self.terms
        return _Dense(matched, scores, terms)

    def at(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Whether this matches each of ``ids`` (sorted), and its score and terms there (0
        where it does not match)."""
        if not len(self.ids):
            return np.zeros(len(ids), dtype=bool), np.zeros(len(ids)), _zeros_like(self.terms, len(ids))
        where, found = _looked_up(self.ids, ids)
        terms = None if self.terms is None else np.where(found, self.terms[where], 0)
        return found, np.where(found, self.scores[where], 0.0), terms

    def kept(self, keep: np.ndarray, scores: np.ndarray, terms: np.ndarray | None) -> _Sparse:
        """The documents where ``keep``, with ``scores`` and ``terms`` (given for all) there."""
        return _Sparse(self.ids[keep], scores[keep], None if terms is None else terms[keep])


class _Dense:
    """Matches as a flag for every document of the segment (``matched``), a score (0.0 where
    it does not match) and how many of the tree's terms each has (``terms``; only for
    coordination, else None). Joining two lists that cover much of the segment makes them
    dense, where an OR is one addition over the segment rather than a merge."""

    __slots__ = ("matched", "scores", "terms")

    def __init__(self, matched: np.ndarray, scores: np.ndarray, terms: np.ndarray | None) -> None:
        self.matched, self.scores, self.terms = matched, scores, terms

    def documents(self) -> np.ndarray:
        return np.flatnonzero(self.matched)

    def dense(self, size: int) -> _Dense:
        return self

    def at(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.matched[ids], self.scores[ids], None if self.terms is None else self.terms[ids]

    def only(self, matched: np.ndarray) -> _Dense:
        """The matches still ``matched`` (a narrower flag array), their scores and terms kept."""
        self.matched = matched
        self.scores[~matched] = 0.0
        if self.terms is not None:
            self.terms[~matched] = 0
        return self


#: A matcher's matches in a segment. Each join makes a new one or changes its first operand's
#: arrays, never those of one still in use: every node is made by one walk and read once.
_Node = _Sparse | _Dense


def _zeros_like(terms: np.ndarray | None, size: int) -> np.ndarray | None:
    return None if terms is None else np.zeros(size, dtype=np.int32)


def _plus(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    return None if a is None or b is None else a + b


def union(a: _Node, b: _Node, size: int) -> _Node:
    """Documents either matches; where both do, ``a``'s score plus ``b``'s."""
    if isinstance(a, _Sparse) and isinstance(b, _Sparse) and (len(a.ids) + len(b.ids)) * DENSE_FROM < size:
        # The two sorted runs merged (a stable sort: of a document in both, a's comes first),
        # and where a document comes twice, b's score added to a's.
        order = np.argsort(np.concatenate((a.ids, b.ids)), kind="stable")
        ids = np.concatenate((a.ids, b.ids))[order]
        scores = np.concatenate((a.scores, b.scores))[order]
        again = np.flatnonzero(ids[1:] == ids[:-1]) + 1
        scores[again - 1] += scores[again]
        first = np.ones(len(ids), dtype=bool)
        first[again] = False
        terms = None
        if a.terms is not None and b.terms is not None:
            terms = np.concatenate((a.terms, b.terms))[order]
            terms[again - 1] += terms[again]
            terms = terms[first]
        return _Sparse(ids[first], scores[first], terms)
    if isinstance(a, _Sparse) and isinstance(b, _Dense):  # x + y is y + x in floating point
        a, b = b, a
    into = a.dense(size)
    if isinstance(b, _Dense):
        into.matched |= b.matched
        into.scores += b.scores
        if into.terms is not None and b.terms is not None:
            into.terms += b.terms
    else:
        into.matched[b.ids] = True
        into.scores[b.ids] += b.scores
        if into.terms is not None and b.terms is not None:
            into.terms[b.ids] += b.terms
    return into


def intersection(a: _Node, b: _Node, size: int) -> _Node:
    """Documents both match, with the sum of their scores."""
    if isinstance(a, _Dense) and isinstance(b, _Dense):
        a.scores += b.scores
        if a.terms is not None and b.terms is not None:
            a.terms += b.terms
        return a.only(a.matched & b.matched)
    sparse, other = (a, b) if isinstance(a, _Sparse) else (b, a)
    assert isinstance(sparse, _Sparse)
    found, scores, terms = other.at(sparse.ids)
    return sparse.kept(found, sparse.scores + scores, _plus(sparse.terms, terms))


def and_maybe(a: _Node, b: _Node, size: int) -> _Node:
    """Documents ``a`` matches, with ``b``'s score added where it matches too."""
    if isinstance(a, _Dense):
        optional = b.dense(size).only(a.matched.copy())
        a.scores += optional.scores
        if a.terms is not None and optional.terms is not None:
            a.terms += optional.terms
        return a
    _found, scores, terms = b.at(a.ids)
    return _Sparse(a.ids, a.scores + scores, _plus(a.terms, terms))


def and_not(a: _Node, b: _Node, size: int) -> _Node:
    """Documents ``a`` matches and ``b`` does not, with ``a``'s score."""
    if isinstance(a, _Dense):
        return a.only(a.matched & ~b.dense(size).matched)
    found, _scores, _terms = b.at(a.ids)
    return a.kept(~found, a.scores, a.terms)


#: Two sparse lists are joined into a dense node when together they hold more than one in
#: this many of the segment's documents: a merge of sorted lists costs more per document
#: than one pass over the segment's arrays.
DENSE_FROM = 16

#: An AND's second part is read only in the blocks that may hold a match of its first when
#: the first matches fewer than one in this many of the segment's documents.
NARROW_FROM = 16

#: A term read for some passages only (an AND's second part) keeps only their postings before
#: it is scored and joined, when it read more than this many times as many postings as there
#: are passages wanted: checking a posting costs less than scoring it and joining it.
KEPT_FROM = 2

#: A term read for some passages only reads all its blocks, without looking for those that
#: hold one of them, when the passages are at least one in this many of its postings: a block
#: of Whoosh's 128 postings then holds some 32 of them, hardly a block could be skipped, and
#: listing the passages to look them up would cost per passage.
EVERY_BLOCK_FROM = 4

_JOINS = {UnionMatcher: union, IntersectionMatcher: intersection, AndMaybeMatcher: and_maybe, AndNotMatcher: and_not}


class _Segment:
    """A query's matcher tree walked over one segment's postings (``counting_terms``: keep how
    many of the tree's terms each passage has, for coordination)."""

    def __init__(self, leaf: Searcher, counting_terms: bool) -> None:
        self.leaf, self.reader = leaf, leaf.reader()
        self.size = self.reader.doc_count_all()
        self.counting_terms = counting_terms
        self._known_costs: dict[int, tuple[float, float]] = {}  # by id() of matchers the walk holds
        # The passages an AND's part is read among: as given, as a list, and as a flag per
        # document (made when first asked); its terms read them in turn.
        self._wanted: list[Any] | None = None

    def walk(self, m: Any, boost: float = 1.0, among: np.ndarray | None = None) -> _Node | None:
        """``m``'s matches and scores, times ``boost``; None for a matcher this does not know.
        With ``among`` (sorted document numbers), only the matches among them are wanted: the
        node holds those, and may hold others or miss others."""
        kind = _SHAPES.get(type(m), type(m))
        if isinstance(m, PackedLeafMatcher) and m.term() is not None:
            return self._term(m, boost, among)
        if kind in (WrappingMatcher, FilterMatcher) and boost == 1.0:
            return self.walk(m.child, m.boost, among)
        if boost != 1.0:  # a boost of something other than a term: on the whole of it
            inner = self.walk(m, 1.0, among)
            if inner is not None:
                inner.scores = inner.scores * boost
            return inner
        if isinstance(m, CoordMatcher):  # also kvsearch.engine.whole_index's
            inner = self.walk(m.child, 1.0, among)
            if inner is None or inner.terms is None:
                return None
            if isinstance(inner, _Dense):  # only the matches' scores change: computed for them alone
                docs = inner.documents()
                inner = _Sparse(docs, inner.scores[docs], inner.terms[docs])
            assert inner.terms is not None
            scores = m._sqr(inner.scores, inner.terms)
            inner.scores = scores if isinstance(scores, np.ndarray) else np.zeros(len(inner.scores))  # 0: no terms
            return inner
        if kind is ArrayUnionMatcher:  # an OR of many parts in a small index, or one not scored
            return self._array_union(m, among)
        join = _JOINS.get(kind)
        if join is not None:
            first, second = m.a, m.b
            if join is intersection and self._cheaper(second, first):
                first, second = second, first  # the sum is the same either way
            a = self.walk(first, 1.0, among)
            if a is None:
                return None
            if join is not union:  # the second part matters only where the first matches
                among = self._narrowed(a, among)
            b = self.walk(second, 1.0, among)
            return None if b is None else join(a, b, self.size)
        if type(m) is DeferredMatcher and type(m.within.child) in (query.Phrase, Near):
            phrase = self._phrase(m.within.child, among)
            if phrase is not None:
                return phrase
        if type(m) in (DeferredMatcher, ScoredMatcher):  # a phrase, a compound's parts apart, dates
            if type(m) is ScoredMatcher:  # matched already
                ids, scores = m._all, m._scores
            else:  # matched now, among the passages its siblings leave
                ids, scores = m.matches(None if among is None else set(among.tolist()))
                if scores is None:
                    return None
            found = np.array(ids, dtype=np.int64)
            scored = np.array([scores[doc] for doc in ids], dtype=np.float64)
            return _Sparse(found, scored, self._no_terms(len(ids)))  # as a phrase counts: no terms
        if m is matching.NullMatcher or type(m) is matching.NullMatcherClass:
            return _Sparse(np.empty(0, dtype=np.int64), np.empty(0), self._no_terms(0))
        return None

    def _phrase(self, q: query.Phrase, among: np.ndarray | None) -> _Sparse | None:
        """A phrase's matches, or a compound's parts written apart (:class:`Near`), with their
        scores, as :func:`kvsearch.engine.match_sets.phrase_scores` finds and scores them:
        the rarest word's postings first, the others' only in the blocks that may hold its
        passages, and their positions compared on arrays. With ``among``: at least the matches
        among these passages. None where that function would not handle it either, or where
        the scores are not BM25F's."""
        leaf, reader = self.leaf, self.reader
        if (q.slop != 1 and type(q) is not Near) or q.fieldname not in leaf.schema:
            return None
        try:
            words = [leaf.schema[q.fieldname].to_bytes(word) for word in q.words]
        except ValueError:
            return self._nothing()
        if not words:
            return self._nothing()
        if type(q) is not Near:
            pairs = match_sets._pair_field(leaf.schema, q.fieldname, [word.decode("utf-8") for word in words])
            if pairs is not None and len(words) == 2:
                return self._paired_phrase(q, words, pairs)
            if pairs is not None:  # the passages with all its words' pairs
                among = self._with_pairs(words, pairs)
                if among is None:
                    return None
        order = sorted(range(len(words)), key=lambda i: reader.doc_frequency(q.fieldname, words[i]))
        found = self._word_positions(q.fieldname, words, order, among)
        if found is None:
            return None
        candidates, weights, places = found
        if not len(candidates):
            return self._nothing()
        if type(q) is Near:
            # Passage and position as one sorted key each. For each position of the first word,
            # the second word's first position at least ``slop`` before it: a match if that is
            # at most ``slop`` after it (in the same passage: positions are far below 2 ** 32).
            (first_docs, first), (second_docs, second) = places[0], places[1]
            keys, wanted = second_docs << 32 | second, first_docs << 32 | first
            nearest = np.searchsorted(keys, wanted - q.slop)
            inside = nearest < len(keys)
            met = np.zeros(len(wanted), dtype=bool)
            met[inside] = keys[nearest[inside]] <= wanted[inside] + q.slop
            docs = _distinct(first_docs[met])
        else:  # where the phrase may start: each word's positions less its offset in the phrase
            starts = None
            for i in order:
                docs_of, positions = places[i]
                shifted = docs_of << 32 | (positions + (len(words) - i))
                starts = shifted if starts is None else starts[_members(starts, shifted)]
            assert starts is not None
            docs = _distinct(starts >> 32)
        return self._phrase_scored(q, words, [w[np.searchsorted(candidates, docs)] for w in weights], docs)

    def _word_positions(
        self, fieldname: str, words: list[bytes], order: list[int], among: np.ndarray | None
    ) -> tuple[np.ndarray, list[np.ndarray], list[tuple[np.ndarray, np.ndarray]]] | None:
        """The passages (among ``among``) that have all ``words``, read in ``order``, each
        word's postings only in the blocks that may hold the passages left by those before;
        and for each word, its weight in each of those passages, and the passage and
        position of each of its positions there. None where a block keeps no positions in bulk."""
        read: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        candidates = among
        for i in order:
            matcher = match_sets._term_matcher(self.leaf, self.reader, fieldname, words[i])
            if isinstance(matcher, matching.NullMatcherClass):  # a word this segment does not have
                return np.empty(0, dtype=np.int64), [], []
            if not isinstance(matcher, PackedLeafMatcher):
                return None
            arrays = position_arrays(matcher, candidates)
            if arrays is None:
                return None
            read[i] = arrays
            ids = arrays[0]
            candidates = ids if candidates is None else ids[_members(ids, candidates)]
            if not len(candidates):
                return candidates, [], []
        assert candidates is not None
        weights, places = [], []
        for i in range(len(words)):
            ids, weighs, counts, positions = read[i]
            kept = _members(ids, candidates)
            weights.append(weighs[kept])
            at = np.repeat(kept, counts)
            places.append((np.repeat(ids[kept], counts[kept]), positions[at]))
        return candidates, weights, places

    def _paired_phrase(self, q: query.Phrase, words: list[bytes], pairs: str) -> _Sparse | None:
        """A phrase of two common words, as :func:`kvsearch.engine.match_sets._paired_phrase`
        matches and scores it: the passages of the word pair's postings, which hold the two
        words' weights."""
        texts = [word.decode("utf-8") for word in words]
        matcher = match_sets._term_matcher(self.leaf, self.reader, pairs, pair_term(*texts).encode("utf-8"))
        if isinstance(matcher, matching.NullMatcherClass):  # a pair this segment does not have
            return self._nothing()
        if not isinstance(matcher, PackedLeafMatcher):
            return None
        read = pair_arrays(matcher)
        if read is None:
            return None
        docs, first, second = read
        return self._phrase_scored(q, words, [first, second], docs)

    def _with_pairs(self, words: list[bytes], pairs: str) -> np.ndarray | None:
        """The passages that hold every adjacent pair of a phrase of common words, the rarest
        pair's read first. None where a pair's postings are not kvsearch's."""
        texts = [word.decode("utf-8") for word in words]
        terms = {pair_term(a, b).encode("utf-8") for a, b in zip(texts, texts[1:], strict=False)}
        candidates: np.ndarray | None = None
        for term in sorted(terms, key=lambda term: self.reader.doc_frequency(pairs, term)):
            matcher = match_sets._term_matcher(self.leaf, self.reader, pairs, term)
            if isinstance(matcher, matching.NullMatcherClass):  # a pair this segment does not have
                return np.empty(0, dtype=np.int64)
            if not isinstance(matcher, PackedLeafMatcher):
                return None
            ids, _weights = posting_arrays(matcher, None if candidates is None else candidates.tolist())
            candidates = ids if candidates is None else ids[_members(ids, candidates)]
            if not len(candidates):
                break
        return candidates

    def _phrase_scored(
        self, q: query.Phrase, words: list[bytes], weights: list[np.ndarray], docs: np.ndarray
    ) -> _Sparse | None:
        """The phrase's score in each of ``docs`` (each word's weight there in ``weights``):
        its words' BM25F scores summed as Whoosh's matcher tree sums them (each half, then the
        halves), times the phrase's boost. None for another scorer."""
        scores = []
        for word, weighs in zip(words, weights, strict=True):
            scorer = self.leaf.weighting.scorer(self.leaf, q.fieldname, word)
            if type(scorer) is not BM25FScorer:
                return None
            scored = self._bm25(scorer, q.fieldname, weighs, docs)
            if scored is None:
                return None
            scores.append(scored)
        total = _tree_sum(scores)
        return _Sparse(docs, total * q.boost if q.boost != 1.0 else total, self._no_terms(len(docs)))

    def _nothing(self) -> _Sparse:
        return _Sparse(np.empty(0, dtype=np.int64), np.empty(0), self._no_terms(0))

    def _no_terms(self, size: int) -> np.ndarray | None:
        return np.zeros(size, dtype=np.int32) if self.counting_terms else None

    def _array_union(self, m: ArrayUnionMatcher, among: np.ndarray | None) -> _Node | None:
        """Whoosh's ``ArrayUnionMatcher``: its parts' scores, each times its boost, added in
        the order of its parts; not scored, 1 for every match."""
        node: _Node | None = None
        for sub in m._submatchers:
            part = self.walk(sub, 1.0, among)
            if part is None:
                return None
            if m._boost != 1.0:
                part.scores = part.scores * m._boost
            node = part if node is None else union(node, part, self.size)
        if node is None:
            return self.walk(matching.NullMatcher)
        if not m._scored:
            node.scores = node.matched.astype(np.float64) if isinstance(node, _Dense) else np.ones(len(node.scores))
        return node

    def _cheaper(self, m: Any, other: Any) -> bool:
        """Whether ``m`` is cheaper to read than ``other``, and so is read first in an AND, as
        :func:`kvsearch.engine.match_sets._cheapest_first` orders an AND's parts: a phrase's
        positions count several times an id only next to a word in few passages, among whose
        passages they would be decoded for the wanted postings alone."""
        costs = [self._costs(m), self._costs(other)]
        narrowing = any(ids == priced and ids * SOME_POSTINGS < self.size for ids, priced in costs)
        which = 1 if narrowing else 0  # positions priced, or counted as ids
        return costs[0][which] < costs[1][which]

    def _costs(self, m: Any) -> tuple[float, float]:
        """How much work reading ``m`` costs, in postings read: its terms' postings, and what
        the phrases in it not matched yet cost, their positions counting as ids, and counting
        ``match_sets.POSITIONS_COST`` times an id. Kept for the walk: an AND of ANDs asks again."""
        known = self._known_costs.get(id(m))
        if known is None:
            if isinstance(m, PackedLeafMatcher):
                postings = self.reader.doc_frequency(*m.term())
                known = (postings, postings)
            elif type(m) is DeferredMatcher:
                known = (m.estimate(1), m.estimate(match_sets.POSITIONS_COST))
            else:
                parts = [self._costs(child) for child in m.children()]
                known = (sum(plain for plain, _priced in parts), sum(priced for _plain, priced in parts))
            self._known_costs[id(m)] = known
        return known

    def _narrowed(self, node: _Node, among: np.ndarray | None) -> np.ndarray | None:
        """Where what is matched only where ``node`` matches is wanted: ``node``'s matches
        among ``among``, when they are few enough for posting blocks without any of them to be
        worth skipping; else ``among`` as it was."""
        if isinstance(node, _Dense) and np.count_nonzero(node.matched) * NARROW_FROM >= self.size:
            return among
        ids = node.documents()
        if among is not None:
            ids = ids[_members(ids, among)]
        return ids if len(ids) * NARROW_FROM < self.size else among

    def _term(self, m: PackedLeafMatcher, boost: float, among: np.ndarray | None) -> _Node | None:
        """A term's postings (with ``among``: at least those of these documents, and of the
        rest at most those in the same blocks), each with its score: ``m``'s scorer's, as its
        matcher scores a posting, times ``boost`` where a wrapping matcher boosts it."""
        scorer = m.scorer
        if among is None:
            ids, weights = posting_arrays(m)
        else:
            # Only where an AND has counted the term's postings already to order its parts:
            # asking the term table costs about as much as looking the passages up.
            counted = self._known_costs.get(id(m))
            every_block = counted is not None and len(among) * EVERY_BLOCK_FROM >= counted[0]
            ids, weights = posting_arrays(m, None if every_block else self._ordered(among))
            if len(ids) > KEPT_FROM * len(among):
                kept = self._flags(among)[ids]
                ids, weights = ids[kept], weights[kept]
        if type(scorer) is BM25FScorer:
            scored = self._bm25(scorer, m.term()[0], weights, ids)
            if scored is None:
                return None
            found = scored
        elif type(scorer) is WeightScorer:  # a filter's keyword: its weight
            found = weights
        else:
            return None
        if boost != 1.0:
            found = found * boost
        return _Sparse(ids, found, np.ones(len(ids), dtype=np.int32) if self.counting_terms else None)

    def _ordered(self, among: np.ndarray) -> list[int]:
        """``among`` as a list, made once for the terms an AND's part reads among the same passages."""
        wanted = self._wanted_for(among)
        if wanted[1] is None:
            wanted[1] = among.tolist()
        return wanted[1]

    def _flags(self, among: np.ndarray) -> np.ndarray:
        """A flag for each document of the segment, set for those of ``among``."""
        wanted = self._wanted_for(among)
        if wanted[2] is None:
            flags = np.zeros(self.size, dtype=bool)
            flags[among] = True
            wanted[2] = flags
        return wanted[2]

    def _wanted_for(self, among: np.ndarray) -> list[Any]:
        """``among`` with what was made of it so far (its list, its flags), kept for the next term."""
        if self._wanted is None or self._wanted[0] is not among:
            self._wanted = [among, None, None]
        return self._wanted

    def _bm25(self, scorer: BM25FScorer, fieldname: str, weights: np.ndarray, docs: np.ndarray) -> np.ndarray | None:
        """``scorer``'s score of a term with ``weights`` in ``docs``: ``whoosh.scoring.bm25``,
        operation for operation. None where the field's lengths are not kept as bytes."""
        lengths = self._lengths(fieldname)
        if lengths is None:
            return None
        idf, k1 = scorer.idf, scorer.K1
        below = np.take(_length_norms(k1, scorer.B, scorer.avgfl), lengths[docs].astype(np.intp))
        below += weights
        scores = weights * (k1 + 1)
        scores /= below
        scores *= idf
        return scores

    def _lengths(self, fieldname: str) -> np.ndarray | None:
        """Each document's length byte of ``fieldname`` (None where not kept as bytes)."""
        known = _LENGTH_ARRAYS.setdefault(self.reader, {})
        if fieldname not in known:
            perdoc: Any = getattr(self.reader, "_perdoc", None)
            raw = perdoc.length_bytes(fieldname) if hasattr(perdoc, "length_bytes") else None
            if raw is None:
                known[fieldname] = None
            else:  # Whoosh reads a length past the last one kept as none
                lengths = np.zeros(self.size, dtype=np.uint8)
                kept = np.frombuffer(raw, dtype=np.uint8)[: self.size]
                lengths[: len(kept)] = kept
                known[fieldname] = lengths
        return known[fieldname]

    def live(self, docs: np.ndarray) -> np.ndarray | None:
        """Which of ``docs`` are not deleted; None when the segment has no deleted passages."""
        if not self.reader.has_deletions():
            return None
        return ~np.isin(docs, np.fromiter(self.reader.deleted_docs_set, dtype=np.int64))


@functools.lru_cache(maxsize=64)
def _length_norms(k1: float, b: float, avgfl: float) -> np.ndarray:
    """For each length byte, the part of ``whoosh.scoring.bm25``'s denominator that depends on
    the field's length, operation for operation: the same float for each posting as Whoosh
    computes, looked up rather than computed again for every posting."""
    norms = k1 * ((1 - b) + b * _LENGTHS / avgfl)
    norms.flags.writeable = False
    return norms


#: Per segment reader, each field's length bytes as an array over its documents.
_LENGTH_ARRAYS: weakref.WeakKeyDictionary[Any, dict[str, np.ndarray | None]] = weakref.WeakKeyDictionary()


def best(searcher: Searcher, q: Any, limit: int) -> tuple[list[tuple[float, int]], int, list[np.ndarray]] | None:
    """The ``limit`` best (score, document number) of ``q``, best first, as Whoosh's
    ``TopCollector`` ranks them when it scores every match (ties: the lower number first);
    the number of matches; and each segment's matching document numbers. None when ``q``
    has parts this does not score."""
    kept: list[tuple[float, int]] = []
    matches: list[np.ndarray] = []
    total = 0
    counting_terms = has_coordination(q)
    for leaf, offset in searcher.leaf_searchers():
        segment = _Segment(leaf, counting_terms)
        try:
            with shape_only(), deferred():
                tree = q.matcher(leaf)
        except NotDeferred:
            return None
        node = segment.walk(tree)
        if node is None:
            return None
        docs = node.documents()
        scores = node.scores if isinstance(node, _Sparse) else node.scores[docs]
        live = segment.live(docs)
        if live is not None:
            docs, scores = docs[live], scores[live]
        matches.append(docs)
        total += len(docs)
        if not len(docs):
            continue
        if len(docs) > limit:  # the limit-th best, and every match at or above it (ties kept)
            lowest = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            chosen = scores >= lowest
            docs, scores = docs[chosen], scores[chosen]
        kept.extend(zip(scores.tolist(), (-(docs + offset)).tolist(), strict=True))
    top = [(score, -negative) for score, negative in heapq.nlargest(limit, kept)]
    return top, total, matches


def value_counts_of(leaf: Searcher, reader: Any, fieldname: str, docs: np.ndarray) -> tuple[list[str], dict[int, int]]:
    """A keyword field's values in the segment, and how many of ``docs`` have each (by the
    value's number; a passage may have several: its askers' parties). Counted per combination
    of values a passage has (:class:`_ValueCombinations`), then per value."""
    combinations = value_combinations(leaf, reader, fieldname)
    of_docs = combinations.of_passage[docs]
    if len(of_docs) < len(combinations.has_value):  # fewer matches than combinations: their rows
        counted = combinations.has_value[of_docs].sum(axis=0)
    else:
        counted = np.bincount(of_docs, minlength=len(combinations.has_value)) @ combinations.has_value
    return combinations.values, {number: int(count) for number, count in enumerate(counted.tolist()) if count}


def value_combinations(leaf: Searcher, reader: Any, fieldname: str) -> _ValueCombinations:
    """The segment's :class:`_ValueCombinations` of a keyword field (what
    :func:`value_counts_of` reads), made on first use."""
    known = _VALUE_COMBINATIONS.setdefault(reader, {})
    combinations = known.get(fieldname)
    if combinations is None:
        combinations = known[fieldname] = _ValueCombinations.of(leaf, reader, fieldname)
    return combinations


class _ValueCombinations:
    """A keyword field's values in a segment, as the combination of values each passage has.

    The passages of a document share its askers' parties and its ministries, and the same
    parties ask and the same ministries answer together again and again: there are far fewer
    combinations than passages. So the matches of a search are counted per combination, one
    pass over them, and the combinations' counts per value, a small product.
    """

    def __init__(self, values: list[str], of_passage: np.ndarray, has_value: np.ndarray) -> None:
        self.values = values
        self.of_passage = of_passage  # each passage's combination, by number
        self.has_value = has_value  # 1 where a combination (row) has a value (column)

    @classmethod
    def of(cls, leaf: Searcher, reader: Any, fieldname: str) -> _ValueCombinations:
        """Made from the values' postings: each passage's values as bits (64 to a word), and its
        combination the number of its distinct bits."""
        values: list[str] = []
        passages: list[np.ndarray] = []
        for btext in reader.lexicon(fieldname):
            values.append(btext.decode("utf-8") if isinstance(btext, bytes) else str(btext))
            matcher = match_sets._term_matcher(leaf, reader, fieldname, btext)
            if isinstance(matcher, PackedLeafMatcher):
                passages.append(posting_arrays(matcher)[0])
            else:
                found = match_sets.posting_ids(leaf, reader, fieldname, btext)
                passages.append(np.array(sorted(found), dtype=np.int64))
        words = max(1, -(-len(values) // 64))
        bits = np.zeros((reader.doc_count_all(), words), dtype=np.uint64)
        for number, ids in enumerate(passages):  # a value's passages are distinct
            bits[ids, number // 64] |= np.uint64(1 << (number % 64))
        # A document's passages are numbered in a row and share its values: only the runs of
        # equal bits are sorted out.
        starts = np.flatnonzero(np.any(bits[1:] != bits[:-1], axis=1)) + 1
        starts = np.concatenate(([0], starts)) if len(bits) else starts
        runs = bits[starts]
        if words == 1:
            distinct, of_run = np.unique(runs[:, 0], return_inverse=True)
            distinct = distinct.reshape(-1, 1)
        else:
            distinct, of_run = np.unique(runs, axis=0, return_inverse=True)
        of_passage = np.repeat(of_run.reshape(-1), np.diff(np.append(starts, len(bits))))
        # Each combination's words as little-endian bytes, unpacked: bit i of word w is value 64w + i.
        unpacked = np.unpackbits(distinct.astype("<u8").view(np.uint8), axis=1, bitorder="little")
        has_value = unpacked[:, : len(values)].astype(np.int64)
        return cls(values, of_passage.astype(np.int32), has_value)


#: Per segment reader, each keyword field's :class:`_ValueCombinations` (:func:`value_counts_of`).
_VALUE_COMBINATIONS: weakref.WeakKeyDictionary[Any, dict[str, _ValueCombinations]] = weakref.WeakKeyDictionary()


def _tree_sum(scores: list[np.ndarray]) -> np.ndarray:
    """The sum of ``scores`` in the order of Whoosh's matcher trees (``make_binary_tree``:
    each half summed, then the halves)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])
