"""Queries whose matchers every segment builds from the whole index, so segments never change ranking.

Whoosh builds a query's matcher per segment, and three of its choices there depend on the
segment's own terms:

- a prefix or wildcard (``ambtena*``) is expanded per segment; a segment with one matching
  term scores it as that term alone (without the query's boost), one with several as an OR;
- an OR or AND joins its parts in a tree shaped by the parts' sizes in the segment, so the
  parts' scores are added in another order (another last bit);
- an OR with a coordination bonus (pasted questions) divides by the number of its terms the
  segment has.

So the same passage could score differently in a one-segment and a several-segment index of
the same passages (a parallel build writes several; so does every incremental build).
:func:`whole_index` makes these choices once, from the whole index, and every segment's
matcher follows them. BM25 already takes its statistics from the whole index, so a passage
scores as in a one-segment index, where these choices are Whoosh's own. Used by
:mod:`kvsearch.engine.queries` (and the node types by :mod:`kvsearch.engine.match_sets` and ``top_k``).

Under :func:`shape_only` the same nodes build a tree that is walked but never moved, for
``top_k``, which scores from posting tables.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import matching, query
from whoosh.matching import CoordMatcher
from whoosh.searching import SearchContext, Searcher

from kvsearch.engine.query_trees import with_children

#: Ranges are MultiTerms too, but they match as filters (``kvsearch.engine.match_sets``), unscored.
_RANGES = (query.TermRange, query.NumericRange, query.DateRange)


def whole_index(q: query.Query, reader: Any) -> query.Query:
    """``q`` with its prefixes expanded and its ORs and ANDs shaped over ``reader`` (the
    whole index). Nodes are copied (:func:`~kvsearch.engine.query_trees.with_children`)."""
    if isinstance(q, query.MultiTerm) and not isinstance(q, _RANGES):
        return Expanded(q, reader)
    if isinstance(q, query.Not):
        return q  # what a NOT excludes is matched, never scored: no segment ranks it
    node = with_children(q, lambda sub: whole_index(sub, reader))
    if type(q) is query.Or and q.matcher_type == query.Or.AUTO_MATCHER:
        node.__class__ = WholeOr
        node._doc_count = reader.doc_count_all()
        node._shape = _weighted_shape([sub.estimate_size(reader) for sub in node.subqueries])
        node._termcount = _term_leaves(node, reader) if q.scale else None
    elif type(q) is query.And:
        node.__class__ = WholeAnd
        node._shape = _weighted_shape([-sub.estimate_size(reader) for sub in node.subqueries])
    elif type(q) is query.AndMaybe:
        node.__class__ = WholeAndMaybe
    return node


class Expanded(query.MultiTerm):
    """``original``, matching the terms it matched in the whole index when it was made.

    Each segment's matcher is what Whoosh makes for ``original`` in a one-segment index: the
    single term's own matcher (Whoosh leaves the boost off then), or a union of the terms,
    rarest deepest, as Whoosh's ``DefaultOr`` builds it, with the boost on top. Terms a
    segment lacks are left out of its tree, which changes no sum: a passage only has scores
    of terms its segment holds.
    """

    def __init__(self, original: query.MultiTerm, reader: Any) -> None:
        self.original = original
        self.fieldname = original.field()
        self.text = getattr(original, "text", None)
        self.boost = original.boost
        self.constantscore = original.constantscore
        btexts = sorted({b for b in original._btexts(reader) if b}) if self.fieldname in reader.schema else []
        self.btexts: tuple[bytes, ...] = tuple(btexts)
        self._doc_count = reader.doc_count_all()
        self._shape = _weighted_shape([reader.doc_frequency(self.fieldname, b) for b in btexts])

    def __eq__(self, other: object) -> bool:
        return type(other) is Expanded and (other.original, other.btexts) == (self.original, self.btexts)

    def __hash__(self) -> int:
        return hash((self.original, self.btexts))

    def __repr__(self) -> str:
        return f"Expanded({self.original!r}, {len(self.btexts)} terms)"

    def __unicode__(self) -> str:
        return str(self.original)

    __str__ = __unicode__

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, Any]]:
        return self.original.terms(phrases=phrases)

    def has_terms(self) -> bool:
        return bool(self.original.has_terms())

    def _btexts(self, ixreader: Any) -> Iterator[bytes]:
        """The expansions this reader (a segment, or the whole index) holds."""
        return (b for b in self.btexts if (self.fieldname, b) in ixreader)

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        if not self.btexts:
            return matching.NullMatcher()
        if len(self.btexts) == 1:
            return query.Term(self.fieldname, self.btexts[0]).matcher(searcher, context)
        terms = [query.Term(self.fieldname, b) for b in self.btexts]
        # Whoosh asks its terms for no scores here; Term matchers then score by BM25 anyway.
        context = context.set(weighting=None) if context else SearchContext(weighting=None)
        if not _union(len(terms), context, False, self._doc_count):
            return query.PreloadedOr(terms, boost=self.boost).matcher(searcher, context)  # each match scores 1
        leaves = [t.matcher(searcher, context) for t in terms]
        m = _build(self._shape, leaves, matching.UnionMatcher, prune=True)
        if m is matching.NullMatcher or self.boost == 1.0:
            return m
        return matching.WrappingMatcher(m, self.boost)


class WholeOr(query.Or):
    """An OR built as Whoosh's ``DefaultOr`` builds it in a one-segment index (made by
    :func:`whole_index`; a copy Whoosh makes of it is a plain OR again)."""

    _shape: Any = None
    _termcount: int | None = None
    _doc_count = 0

    def _matcher(self, subs: list[query.Query], searcher: Searcher, context: Any) -> Any:
        if self._shape is None:
            return super()._matcher(subs, searcher, context)
        if not _union(len(subs), context, bool(self.scale), self._doc_count):
            return query.PreloadedOr(subs, boost=self.boost)._matcher(subs, searcher, context)
        m = _build(self._shape, [q.matcher(searcher, context) for q in subs], matching.UnionMatcher, prune=True)
        if m is matching.NullMatcher:
            return m
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, self.boost)
        if self.scale and any(m.term_matchers()):
            if self._termcount is None:
                return CoordMatcher(m, scale=self.scale)
            return WholeCoordMatcher(m, scale=self.scale, termcount=self._termcount)
        return m


class WholeAnd(query.And):
    """An AND built as Whoosh builds it in a one-segment index (made by :func:`whole_index`)."""

    _shape: Any = None

    def _matcher(self, subs: list[query.Query], searcher: Searcher, context: Any) -> Any:
        if self._shape is None:
            return super()._matcher(subs, searcher, context)
        join = ShapeOfIntersection if _SHAPE_ONLY.get() else matching.IntersectionMatcher
        m = _build(self._shape, [q.matcher(searcher, context) for q in subs], join)
        return matching.WrappingMatcher(m, self.boost) if self.boost != 1.0 else m


class WholeAndMaybe(query.AndMaybe):
    """Whoosh's AND MAYBE, whose matcher :func:`shape_only` builds without moving it."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        join = ShapeOfAndMaybe if _SHAPE_ONLY.get() else self.matcherclass
        return join(self.a.matcher(searcher, context), self.b.matcher(searcher, context))


class ShapeOfIntersection(matching.IntersectionMatcher):
    """An intersection that is never moved: it does not look for its first match, which
    decodes posting blocks of its parts. Built under :func:`shape_only`."""

    def __init__(self, a: Any, b: Any) -> None:
        matching.AdditiveBiMatcher.__init__(self, a, b)


class ShapeOfAndMaybe(matching.AndMaybeMatcher):
    """An AND MAYBE that is never moved: its optional part is not moved to the first match
    (a pasted question's optional part is an OR of dozens of terms). Built under :func:`shape_only`."""

    def __init__(self, a: Any, b: Any) -> None:
        matching.AdditiveBiMatcher.__init__(self, a, b)


_SHAPE_ONLY: ContextVar[bool] = ContextVar("shape_only", default=False)


@contextmanager
def switched_on(flag: ContextVar[bool]) -> Iterator[None]:
    """``flag`` set for the code run meanwhile (in this thread or task), as it was after."""
    token = flag.set(True)
    try:
        yield
    finally:
        flag.reset(token)


def shape_only() -> AbstractContextManager[None]:
    """Matchers built meanwhile are read for their shape, scorers and bounds only, never
    moved through their matches (:mod:`kvsearch.engine.top_k` scores from posting tables): an
    AND's matcher is built without finding its first match, an AND MAYBE's without moving its
    optional part there."""
    return switched_on(_SHAPE_ONLY)


class WholeCoordMatcher(CoordMatcher):
    """Whoosh's coordination bonus, counting the terms of the whole index, not the segment's."""

    def __init__(self, child: Any, scale: float = 1.0, termcount: int = 0) -> None:
        super().__init__(child, scale=scale)
        self._termcount = termcount

    def _replacement(self, newchild: Any) -> Any:
        return WholeCoordMatcher(newchild, scale=self._scale, termcount=self._termcount)


#: Whoosh adds an OR's parts up in an array (a prefix's terms: each match scores 1) in an index
#: of at most this many documents, unless it needs the current match (``Or._matcher``).
ARRAY_OR_DOCUMENTS = 5000


def _union(parts: int, context: Any, scale: bool, doc_count: int) -> bool:
    """Whether Whoosh's OR (``Or._matcher``) joins ``parts`` in a tree of unions (else it
    adds them up in an array, in order), for an index of ``doc_count`` documents."""
    needs_current = context.needs_current if context else True
    return parts < query.Or.TOO_MANY_CLAUSES and (
        needs_current or scale or parts == 2 or doc_count > ARRAY_OR_DOCUMENTS
    )


def _term_leaves(q: query.Query, reader: Any) -> int | None:
    """How many term matchers Whoosh's matcher for ``q`` has in a one-segment index of
    ``reader``'s terms (what its coordination bonus divides by); None for query types whose
    matchers this does not know."""
    if isinstance(q, query.Term):
        try:
            btext = q.text if isinstance(q.text, bytes) else reader.schema[q.fieldname].to_bytes(q.text)
        except (KeyError, ValueError):
            return 0
        return 1 if (q.fieldname, btext) in reader else 0
    if isinstance(q, Expanded):
        return len(q.btexts)
    if q is query.NullQuery or type(q).__name__ == "_NullQuery":
        return 0
    if isinstance(q, (query.CompoundQuery, query.BinaryQuery)) and type(q) in _COUNTED:
        counts = [_term_leaves(sub, reader) for sub in q.subqueries]
        return None if None in counts else sum(c for c in counts if c is not None)
    return None


_COUNTED = (query.Or, query.And, WholeOr, WholeAnd, query.AndMaybe, WholeAndMaybe, query.AndNot)

Shape = Any  # a part's index, or a pair of shapes


def _weighted_shape(weights: list[int]) -> Shape:
    """The tree ``whoosh.util.make_weighted_tree`` builds over parts of these weights: the two
    lightest joined first; ties in the order given, a joined pair after its equals (Whoosh's
    matchers compare as equal)."""
    if not weights:
        return None
    items: list[tuple[float, int, Any]] = sorted((w, n, n) for n, w in enumerate(weights))
    made = len(weights)
    while len(items) > 1:
        (wa, _, a), (wb, _, b) = items.pop(0), items.pop(0)
        bisect.insort(items, (wa + wb, made, (a, b)))
        made += 1
    return items[0][2]


def _build(shape: Shape, leaves: list[Any], join: Any, prune: bool = False) -> Any:
    """The matcher tree of ``shape`` over ``leaves``, pairs joined by ``join``; with ``prune``
    (a union), leaves that match nothing in this segment are left out."""
    if isinstance(shape, int):
        return leaves[shape]
    a, b = _build(shape[0], leaves, join, prune), _build(shape[1], leaves, join, prune)
    if prune and (a is matching.NullMatcher or b is matching.NullMatcher):
        return a if b is matching.NullMatcher else b
    return join(a, b)
