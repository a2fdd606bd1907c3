"""The messages the TUI's widgets and workers send each other: small dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kvsearch import Hit, SearchResult


@dataclass
class SearchRequested(Message):
    """The search box wants ``query`` searched (``immediate``: Enter, no debounce)."""

    query: str
    immediate: bool = False


@dataclass
class HitsFound(Message):
    """A search (or a "similar" look-up) finished. ``request`` tells stale results apart."""

    request: int
    result: SearchResult
    similar_to: str | None = None


@dataclass
class SearchFailed(Message):
    """A search raised a KvsearchError; ``kind`` is "query" (bad query) or "index" (no usable index)."""

    request: int
    message: str
    kind: str


@dataclass
class HitHighlighted(Message):
    """The cursor in the results list moved to ``hit``."""

    hit: Hit


@dataclass
class ListEndReached(Message):
    """The results list was scrolled to its end without the cursor (the mouse wheel, the
    scrollbar): more hits may be fetched."""


@dataclass
class FacetToggled(Message):
    """A facet value was chosen (or chosen again, to drop it). ``kind``: party, ministry, session."""

    kind: str
    value: str


@dataclass
class DocumentLoaded(Message):
    """All passages of a document, in order, for previous/next and the whole-document view."""

    doc_id: str
    hits: list[Hit]
