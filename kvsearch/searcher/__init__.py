"""Answer queries from the published index: open it (``open``), plan a query (``plan``), run and
rank it (``run``), count its hits by facet (``facets``), highlight them (``highlight``), suggest
what was meant (``suggest``), find similar passages (``similar_passages``), fetch documents
(``documents``) and describe the index (``stats``). Whoosh stays behind :mod:`kvsearch.engine`.

Each name is imported when first used: a one-liner search needs neither documents, similar
passages nor statistics, and starts in a fresh process every time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kvsearch.searcher.documents import get_document
    from kvsearch.searcher.highlight import highlight_spans
    from kvsearch.searcher.open import IndexInfo, open_searcher
    from kvsearch.searcher.run import search
    from kvsearch.searcher.similar_passages import similar
    from kvsearch.searcher.stats import index_stats

__all__ = ["IndexInfo", "get_document", "highlight_spans", "index_stats", "open_searcher", "search", "similar"]

_MODULES = {
    "IndexInfo": "kvsearch.searcher.open",
    "get_document": "kvsearch.searcher.documents",
    "highlight_spans": "kvsearch.searcher.highlight",
    "index_stats": "kvsearch.searcher.stats",
    "open_searcher": "kvsearch.searcher.open",
    "search": "kvsearch.searcher.run",
    "similar": "kvsearch.searcher.similar_passages",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        import importlib

        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module 'kvsearch.searcher' has no attribute {name!r}")
