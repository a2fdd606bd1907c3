"""Whoosh query trees for what the searcher plans: terms, unions, ranges, the query language's
parser, and the rewrites the searcher asks for (compound parts, exclusions, the whole index).

Trees are copied, never rebuilt with Whoosh's ``apply``
(:func:`~kvsearch.engine.query_trees.with_children`): an ``Or`` keeps its coordination bonus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import qparser, query
from whoosh.qparser import syntax

from kvsearch.engine.match_sets import Near
from kvsearch.engine.query_trees import with_children
from kvsearch.engine.reader import SearchableIndex
from kvsearch.engine.whole_index import whole_index

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

    Raises:
        UnreadableQuery: Whoosh's parser failed on it (it fails in odd ways: "NOT NOT NOT").
    """
    try:
        return _parser(index, fields, weights, any_word).parse(text)
    except Exception:
        raise UnreadableQuery(text) from None


#: Parsers made for a schema, by what they were made with: setting up Whoosh's parser and its
#: plugins costs more than parsing a short query, and a parser keeps no state between parses.
_PARSERS: dict[tuple[int, tuple[str, ...], tuple[tuple[str, float], ...], bool], tuple[Any, qparser.QueryParser]] = {}


def _parser(
    index: SearchableIndex, fields: Sequence[str], weights: dict[str, float], any_word: bool
) -> qparser.QueryParser:
    schema = index.whoosh.schema
    key = (id(schema), tuple(fields), tuple(sorted(weights.items())), any_word)
    known = _PARSERS.get(key)
    if known is None or known[0] is not schema:
        if len(_PARSERS) >= 16:
            _PARSERS.clear()
        known = _PARSERS[key] = (schema, _new_parser(schema, fields, weights, any_word))
    return known[1]


def _new_parser(schema: Any, fields: Sequence[str], weights: dict[str, float], any_word: bool) -> qparser.QueryParser:
    group = qparser.OrGroup.factory(0.9) if any_word else qparser.AndGroup
    # Only the plugins kept: Whoosh's default set would compile the patterns of
    # plugins removed at once (fields, ranges, single quotes, "*:*", its own operators), a
    # share of a one-liner's first query. The order is that of the default set.
    plugins = [
        qparser.WildcardPlugin(),
        qparser.PhrasePlugin(),
        qparser.GroupPlugin(),
        qparser.BoostPlugin(),
        qparser.MultifieldPlugin(list(fields), fieldboosts=weights),
        # "-word" excludes a word, but the hyphen inside "Nagorno-Karabach" must stay a hyphen.
        _SignsPlugin(plusexpr=r"(?:^|(?<=[\s(]))\+", minusexpr=r"(?:^|(?<=[\s(]))-"),
        qparser.OperatorsPlugin(
            And=r"(?<=\s)(AND|EN)(?=\s)",
            Or=r"(?<=\s)(OR|OF)(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|NIET)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Require=None,
        ),
    ]
    return qparser.QueryParser(None, schema, plugins=plugins, group=group)


class _SignsPlugin(qparser.PlusMinusPlugin):
    """``-word`` as ``NOT word`` and ``+word`` as ``word``, in any group. Whoosh's own plugin
    reads the signs only at the top level, and a sign left inside parentheses cannot become
    a query (``stikstof (-ammoniak)``, ``$(rm -rf /)``)."""

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.do_signs, 510)]

    def do_signs(self, parser: Any, group: Any) -> Any:
        nodes = []
        sign = None
        for node in group:
            if isinstance(node, (self.Plus, self.Minus)):
                sign = node
                continue
            if isinstance(node, syntax.GroupNode):
                node = self.do_signs(parser, node)
            if isinstance(sign, self.Minus) and not isinstance(node, syntax.Operator):
                node = syntax.NotGroup([node])
            nodes.append(node)
            sign = None
        group.nodes = nodes
        return group


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
