"""kvsearch: full-text search for Dutch parliamentary written questions and their answers.

The public API that the CLI and the TUI call. Whoosh is imported only when an index is built
or searched, so ``import kvsearch`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "BuildReport",
    "OverdueQuestion",
    "Watch",
    "WatchReport",
    "Document",
    "Hit",
    "KvsearchError",
    "Passage",
    "SearchResult",
    "add_watch",
    "answer_delays",
    "build_index",
    "get_document",
    "index_stats",
    "index_status",
    "list_watches",
    "overdue_questions",
    "remember_report",
    "remove_watch",
    "rollback",
    "request_stop",
    "load_corpus",
    "parse_file",
    "prepare",
    "search",
    "similar",
    "watch_report",
    "watches_lock",
    "write_watch_feeds",
]

from kvsearch.errors import KvsearchError
from kvsearch.results import Hit, SearchResult

if TYPE_CHECKING:
    from kvsearch.follow.delays import answer_delays
    from kvsearch.follow.overdue import OverdueQuestion, overdue_questions
    from kvsearch.follow.report import (
        WatchReport,
        add_watch,
        list_watches,
        remember_report,
        remove_watch,
        watch_report,
        watches_lock,
        write_watch_feeds,
    )
    from kvsearch.follow.watches import Watch
    from kvsearch.indexer.build import build_index
    from kvsearch.indexer.faults import request_stop
    from kvsearch.indexer.publish import rollback
    from kvsearch.indexer.report import BuildReport
    from kvsearch.indexer.status import index_status
    from kvsearch.ingest.corpus import load_corpus, parse_file
    from kvsearch.models import Document, Passage
    from kvsearch.searcher import get_document, index_stats, prepare, search, similar

_LAZY = {
    "Document": "kvsearch.models",
    "Passage": "kvsearch.models",
    "load_corpus": "kvsearch.ingest.corpus",
    "parse_file": "kvsearch.ingest.corpus",
    "BuildReport": "kvsearch.indexer.report",
    "build_index": "kvsearch.indexer.build",
    "index_status": "kvsearch.indexer.status",
    "rollback": "kvsearch.indexer.publish",
    "request_stop": "kvsearch.indexer.faults",
    "get_document": "kvsearch.searcher",
    "index_stats": "kvsearch.searcher",
    "prepare": "kvsearch.searcher",
    "search": "kvsearch.searcher",
    "similar": "kvsearch.searcher",
    "Watch": "kvsearch.follow.watches",
    "WatchReport": "kvsearch.follow.report",
    "add_watch": "kvsearch.follow.report",
    "list_watches": "kvsearch.follow.report",
    "remove_watch": "kvsearch.follow.report",
    "watch_report": "kvsearch.follow.report",
    "remember_report": "kvsearch.follow.report",
    "watches_lock": "kvsearch.follow.report",
    "write_watch_feeds": "kvsearch.follow.report",
    "OverdueQuestion": "kvsearch.follow.overdue",
    "overdue_questions": "kvsearch.follow.overdue",
    "answer_delays": "kvsearch.follow.delays",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kvsearch' has no attribute {name!r}")
