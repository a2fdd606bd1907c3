"""The query language read by Whoosh's parser, with the plugins kvsearch keeps: quotes,
parentheses, wildcards, boosts, ``-word`` and the operators (also in Dutch: EN, OF, NIET).

Imported only for a text that is not plain words (:func:`kvsearch.engine.queries.parse`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import qparser
from whoosh.qparser import syntax

from kvsearch.engine.queries import ANY_WORD_SCALE, Query, UnreadableQuery
from kvsearch.engine.reader import SearchableIndex


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
    group = qparser.OrGroup.factory(ANY_WORD_SCALE) if any_word else qparser.AndGroup
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
