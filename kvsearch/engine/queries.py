"""Whoosh query trees for what the searcher plans: terms, unions, ranges, the query language's
parser, and the rewrites the searcher asks for (compound parts, exclusions, the whole index).

Trees are copied, never rebuilt with Whoosh's ``apply``
(:func:`~kvsearch.engine.query_trees.with_children`): an ``Or`` keeps its coordination bonus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import query

from kvsearch.engine.match_sets import Near
from kvsearch.engine.query_trees import with_children
from kvsearch.engine.reader import SearchableIndex
from kvsearch.engine.whole_index import whole_index
from kvsearch.query import OPERATORS

#: A query tree, opaque outside the engine.
Query: TypeAlias = query.Query


class UnreadableQuery(ValueError):
    """The query language's parser could not read the text (its operators, quotes or parentheses)."""


def term(fieldname: str, text: str, boost: float = 1.0) -> Query:
    return query.Term(fieldname, text, boost=boost)


def any_of(subqueries: Sequence[Query], scale: float | None = None) -> Query:
    """Passages matching one of ``subqueries``; with ``scale``, a bonus for matching more of them."""
    if scale is None:
        return query.Or(list(subqueries))
    return query.Or(list(subqueries), scale=scale)


def all_of(subqueries: Sequence[Query]) -> Query:
    """Passages matching every one of ``subqueries`` (one alone is itself)."""
    return subqueries[0] if len(subqueries) == 1 else query.And(list(subqueries))


def and_maybe(required: Query, optional: Query) -> Query:
    """Passages matching ``required``; ``optional`` only adds to their score."""
    return query.AndMaybe(required, optional)


def date_range(fieldname: str, start: datetime | None, end: datetime | None) -> Query:
    return query.DateRange(fieldname, start, end)


#: A query that matches nothing.
NOTHING: Query = query.NullQuery


def is_nothing(q: Query) -> bool:
    return q is query.NullQuery or type(q).__name__ == "_NullQuery"


def parse(
    text: str, index: SearchableIndex, *, fields: Sequence[str], weights: dict[str, float], any_word: bool
) -> Query:
    """``text`` in the query language, searched in ``fields``: all words must match, or with
    ``any_word`` any of them (more matches rank higher).

    Plain words make the tree Whoosh's parser would make without it: importing the parser and
    compiling its patterns is a share of a one-liner's start.

    Raises:
        UnreadableQuery: Whoosh's parser failed on it (it fails in odd ways: "NOT NOT NOT").
    """
    plain = plain_words_query(text, index, fields=fields, weights=weights, any_word=any_word)
    if plain is not None:
        return plain
    from kvsearch.engine import query_language  # the parser only when the text needs it

    return query_language.parse(text, index, fields=fields, weights=weights, any_word=any_word)


#: What a plain word may hold after its first letter or digit, besides letters and digits:
#: none of the query language's signs (quotes, parentheses, wildcards, boosts, fields).
_PLAIN_INSIDE = frozenset("_'’.,/&-")


def plain_words_query(
    text: str, index: SearchableIndex, *, fields: Sequence[str], weights: dict[str, float], any_word: bool
) -> Query | None:
    """The tree of ``text`` when it is plain words that each give one term, as Whoosh's parser
    makes it (a group of one word per field and weight); None otherwise."""
    words = text.split()
    if not words or any(word in OPERATORS or not _is_plain(word) for word in words):
        return None
    schema = index.whoosh.schema
    per_word = []
    for word in words:
        alternatives = []
        for fieldname in fields:
            texts = list(schema[fieldname].process_text(word, mode="query", tokenize=True, removestops=True))
            if len(texts) != 1:
                return None  # none or several: the parser's rules for those apply
            alternatives.append(query.Term(fieldname, texts[0], boost=weights.get(fieldname, 1.0)))
        per_word.append(query.Or(alternatives))
    group = query.Or(per_word, scale=ANY_WORD_SCALE) if any_word else query.And(per_word)
    return group.normalize()


def _is_plain(word: str) -> bool:
    """A letter or digit, then letters, digits and ``_PLAIN_INSIDE`` only (no sign before it:
    ``-word``, ``+word``). String methods, not a pattern: compiling one is a share of a one-liner."""
    return word[0].isalnum() and all(c.isalnum() or c in _PLAIN_INSIDE for c in word)


#: The bonus of a query relaxed to any of its words for passages with more of them.
ANY_WORD_SCALE = 0.9


def with_compound_parts(
    q: Query, compounds: dict[str, tuple[str, ...]], *, fields: Sequence[str], distance: int, weight: float
) -> Query:
    """``q`` with each compound's term in ``fields`` also matching its two parts at most
    ``distance`` words apart, in any order (the index holds the parts at the compound's own
    position, so the whole word and its parts written apart are found alike), and a word of
    more hyphenated parts its parts as a phrase; either scored ``weight`` times the term."""
    if not compounds:
        return q
    if type(q) is query.Term and q.fieldname in fields and q.text in compounds:
        parts = list(compounds[q.text])
        boost = q.boost * weight
        if len(parts) == 2:
            return query.Or([q, Near(q.fieldname, parts, slop=distance, boost=boost)])
        return query.Or([q, query.Phrase(q.fieldname, parts, boost=boost)])  # Noord-Holland-Zuid
    if isinstance(q, (query.CompoundQuery, query.Not)):
        return with_children(
            q, lambda sub: with_compound_parts(sub, compounds, fields=fields, distance=distance, weight=weight)
        )
    return q


def with_alternatives(
    q: Query, alternatives: dict[str, tuple[str, ...]], *, fields: Sequence[str], weight: float
) -> Query:
    """``q`` with each term in ``fields`` that has alternatives (near-synonyms) also matching
    them, each scored ``weight`` times the term. Phrases and exclusions are kept as typed."""
    if not alternatives:
        return q
    if type(q) is query.Term and q.fieldname in fields and q.text in alternatives:
        others = [query.Term(q.fieldname, other, boost=q.boost * weight) for other in alternatives[q.text]]
        return query.Or([q, *others])
    if isinstance(q, query.CompoundQuery):
        return with_children(q, lambda sub: with_alternatives(sub, alternatives, fields=fields, weight=weight))
    return q


def has_positive(q: Query) -> bool:
    """True when ``q`` needs a passage to have something, not only to lack something: a
    query of exclusions alone would match nearly every passage."""
    if isinstance(q, query.Not) or is_nothing(q):
        return False
    if isinstance(q, query.And):
        return any(has_positive(sub) for sub in q.subqueries)
    if isinstance(q, query.Or):
        return all(has_positive(sub) for sub in q.subqueries)
    if isinstance(q, (query.AndNot, query.AndMaybe)):
        return has_positive(q.a)
    return True


def for_the_whole_index(q: Query, index: SearchableIndex) -> Query:
    """``q`` ready to run: ``a AND NOT b`` as ``a ANDNOT b`` (the same passages, matched from
    posting sets instead of by walking every passage that lacks ``b``), and its matchers
    built from the whole index's terms, so a passage ranks the same however many segments
    the index has (:mod:`kvsearch.engine.whole_index`)."""
    return whole_index(_exclusions_apart(q), index.whoosh.reader())


def _exclusions_apart(q: Query) -> Query:
    if not isinstance(q, query.CompoundQuery):
        return q
    node = with_children(q, _exclusions_apart)
    if type(q) is not query.And:
        return node
    excluded = [sub.query for sub in node.subqueries if isinstance(sub, query.Not)]
    kept = [sub for sub in node.subqueries if not isinstance(sub, query.Not)]
    if not excluded or not kept:
        return node
    positive = kept[0] if len(kept) == 1 else query.And(kept, boost=q.boost)
    return query.AndNot(positive, excluded[0] if len(excluded) == 1 else query.Or(excluded))
