"""Copying a Whoosh query tree with some of its nodes changed, and asking what it holds.

Whoosh's own ``Query.apply`` rebuilds each node from its constructor, which drops what the
constructor does not take back (an ``Or``'s coordination bonus, ``scale``). Copying the node
and replacing only its children keeps everything else it carries.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import query


def with_children(q: query.Query, change: Callable[[query.Query], query.Query]) -> query.Query:
    """A copy of ``q`` with each of its direct subqueries replaced by ``change(subquery)``;
    ``q`` itself when it has none (a term, a phrase, a range)."""
    if isinstance(q, query.BinaryQuery):
        node = copy.copy(q)
        node.a, node.b = change(q.a), change(q.b)
        node.subqueries = (node.a, node.b)
        return node
    if isinstance(q, query.CompoundQuery):
        node = copy.copy(q)
        node.subqueries = [change(sub) for sub in q.subqueries]
        return node
    if isinstance(q, query.Not):
        node = copy.copy(q)
        node.query = change(q.query)
        return node
    if isinstance(q, query.WrappingQuery):
        node = copy.copy(q)
        node.child = change(q.child)
        return node
    return q


def has_coordination(q: query.Query) -> bool:
    """Whether a node of ``q`` gives a bonus for the number of its terms a passage has
    (``scale``: a pasted question's OR)."""
    if getattr(q, "scale", None):
        return True
    return any(has_coordination(sub) for sub in q.children())
