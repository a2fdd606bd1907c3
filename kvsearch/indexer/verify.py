"""What a new generation must pass before it is published: it keeps most of the live index's
documents, holds every passage, and finds a few documents by a rare word of theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kvsearch import analysis
from kvsearch.engine.index_files import check_index
from kvsearch.errors import PublishRefusedError
from kvsearch.models import Document

#: A build that would publish this share fewer documents than the live index is refused.
SHRINK_LIMIT = 0.20


def guard_shrink(documents: int, previous: dict[str, Any] | None, allow_shrink: bool) -> None:
    if allow_shrink:
        return
    if not documents:
        raise PublishRefusedError(
            "the corpus gave no documents; nothing published (use --allow-shrink to publish an empty index)"
        )
    before = int(previous.get("documents", 0)) if previous else 0
    if before and documents < before * (1 - SHRINK_LIMIT):
        raise PublishRefusedError(
            f"the corpus shrank from {before} to {documents} documents; nothing published "
            "(is the corpus folder mounted? use --allow-shrink if this is intended)"
        )


def verify(build: Path, expected: int, documents: list[Document]) -> None:
    """Reopen the new generation before it goes live: it must hold every passage, and a few
    canary queries (a rare word of the first, middle and last document) must find them."""
    chosen = {id(d): d for d in (documents[:1] + documents[len(documents) // 2 :][:1] + documents[-1:])}.values()
    canaries = [(document, canary) for document in chosen if (canary := _canary_term(document))]
    found, missing = check_index(build, expected, [canary for _, canary in canaries])
    if found != expected:
        raise PublishRefusedError(f"the new index holds {found} passages instead of {expected}; nothing published")
    if missing is not None:
        document, (_field, term) = canaries[missing]
        raise PublishRefusedError(
            f"canary query {term!r} did not find {document.doc_id} in the new index; nothing published"
        )


def _canary_term(document: Document) -> tuple[str, str] | None:
    for passage in document.passages:
        for field_name, text in (("answer", passage.answer), ("question", passage.question)):
            words = [t.text for t in analysis.building_chain().analyze(text, query=True) if len(t.text) >= 6]
            if words:
                return field_name, max(words, key=len)
    return None
