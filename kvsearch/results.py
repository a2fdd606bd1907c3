"""What a search returns: the hits, and what a user should be told about them.

These records are ``typing.NamedTuple``s, not dataclasses: a one-line search must not import
``dataclasses``, which pulls in ``inspect`` (with ``ast``, ``dis`` and ``tokenize``), a
noticeable share of a cold ``kvsearch QUERY``'s start. The parser's records, which the
indexer uses, stay dataclasses in :mod:`kvsearch.models`. Stdlib only.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

from types import MappingProxyType
from typing import Any, NamedTuple

#: The default of mapping fields: empty and read-only, so no two records share a mutable default.
EMPTY: Any = MappingProxyType({})


def numbers_label(numbers: tuple[int, ...] | list[int]) -> str:
    """Join question numbers the Dutch way: (3, 4, 5) -> "3, 4 en 5"."""
    parts = [str(n) for n in numbers]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " en " + parts[-1]


class Hit(NamedTuple):
    """One passage found by a search, with everything needed to show it.

    ``highlights`` maps "title", "question" and "answer" to character spans ``(start, end)``
    of the words that matched, found through the same analysis (stems, compound parts).
    """

    passage_id: str
    doc_id: str
    questions: tuple[int, ...]
    question: str
    answer: str
    score: float
    document: dict[str, Any]
    notes: tuple[str, ...] = ()
    highlights: dict[str, list[tuple[int, int]]] = EMPTY
    #: Words of a relaxed search (no passage had them all) that this passage lacks.
    missing: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return numbers_label(self.questions)

    def to_json(self) -> dict[str, Any]:
        """The documented ``--json`` line: document fields plus the passage and its match."""
        return {
            **self.document,
            "passage_id": self.passage_id,
            "questions": list(self.questions),
            "question": self.question,
            "answer": self.answer,
            "notes": list(self.notes),
            "score": round(self.score, 4),
            "highlights": {name: [list(span) for span in spans] for name, spans in self.highlights.items()},
        }


class SearchResult(NamedTuple):
    """The hits of one search, and what a user should be told about it."""

    query: str
    hits: list[Hit]
    total: int
    seconds: float
    relaxed: bool = False  # no passage had every word; hits have most of them
    #: With ``fill=True``: how many of the hits, after those with every word, are passages with
    #: most of the words (each with its ``missing`` words), shown because fewer than a page had
    #: them all. ``total`` counts only the passages with every word.
    close: int = 0
    suggestion: str | None = None  # "bedoelde u …?" for a search without hits
    #: With ``facets=True``: counts over all hits by "party", "ministry" and "year".
    facets: dict[str, dict[str, int]] = EMPTY
    #: Set when the index searched is not the live generation (``CURRENT`` is damaged).
    notice: str | None = None
