"""Answer queries from the published index: open it (``open``), plan a query (``plan``), run and
rank it (``run``), count its hits by facet (``facets``), highlight them (``highlight``), suggest
what was meant (``suggest``), find similar passages (``similar_passages``), fetch documents
(``documents``) and describe the index (``stats``). Whoosh stays behind :mod:`kvsearch.engine`."""

from kvsearch.searcher.documents import get_document
from kvsearch.searcher.highlight import highlight_spans
from kvsearch.searcher.open import IndexInfo, open_searcher
from kvsearch.searcher.run import prepare, search
from kvsearch.searcher.similar_passages import similar
from kvsearch.searcher.stats import index_stats

__all__ = [
    "IndexInfo",
    "get_document",
    "highlight_spans",
    "index_stats",
    "open_searcher",
    "prepare",
    "search",
    "similar",
]
