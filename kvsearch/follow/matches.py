"""Every passage a query matches, and every document of a kind, through the public search."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from kvsearch.results import Hit


def all_matches(text: str, *, index_dir: str | os.PathLike[str]) -> list[Hit]:
    """Every passage ``text`` matches, newest first; none when only a relaxed search finds any.

    A relaxed search (no passage has all the words) is a fallback for people typing; a saved
    search that quietly starts matching any of its words would report noise.
    """
    import kvsearch

    first = kvsearch.search(text, index_dir=index_dir, limit=1, sort="date")
    if first.total == 0 or first.relaxed:
        return []
    return kvsearch.search(text, index_dir=index_dir, limit=first.total, sort="date").hits


def documents_matching(text: str, *, index_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The metadata of every document with a passage ``text`` matches, by id."""
    documents: dict[str, dict[str, Any]] = {}
    for hit in all_matches(text, index_dir=index_dir):
        documents.setdefault(hit.doc_id, hit.document)
    return documents


def documents_of_kind(kind: str, *, index_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The metadata of every document of ``kind`` (``vragen``, ``antwoord``, ``mededeling``), by id."""
    return documents_matching(f"soort:{kind}", index_dir=index_dir)


def iso_day(text: Any) -> date | None:
    """A document's ISO date, or None when it has none or an unreadable one."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def document_day(meta: dict[str, Any]) -> date | None:
    """The day a document was published: its answer (or notice) date, else its submission."""
    return iso_day(meta.get("date_answered")) or iso_day(meta.get("date_submitted"))
