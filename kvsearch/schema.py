"""The Whoosh side of kvsearch: the Dutch analyzer as a Whoosh tokenizer, and the schema.

The language rules live in :mod:`kvsearch.analysis`; this module only adapts them to Whoosh,
so index and query analysis are the same code by construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kvsearch.whooshlib  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import fields
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from kvsearch import analysis

#: Bump when the schema or the stored fields change: an older index must be rebuilt.
SCHEMA_VERSION = 1


class DutchTokenizer(Tokenizer):  # type: ignore[misc]
    """Feeds Whoosh the tokens of :func:`kvsearch.analysis.analyze`.

    Index mode gives every term (compound and hyphen parts share the word's position); query
    mode gives one term per word. Without tokenizing (wildcards), the text is only folded.
    ``variant`` names the analyzer chain (:data:`kvsearch.analysis.VARIANTS`); it is pickled
    with the schema, so an index is always queried with the chain that built it.
    """

    #: Class default: tokenizers pickled before variants existed are the shipped chain.
    variant = "shipped"

    def __init__(self, variant: str = "shipped") -> None:
        if variant not in analysis.VARIANTS:
            raise ValueError(f"unknown analyzer variant {variant!r}")
        if variant != "shipped":
            self.variant = variant

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.variant == self.variant  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.variant))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = analysis.fold(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for item in analysis.analyze(value, query=(mode == "query"), variant=self.variant):
            token.text = item.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[item.start : item.end]
            if positions:
                token.pos = start_pos + item.position
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token


def dutch_text(stored: bool = True, field_boost: float = 1.0, variant: str = "shipped") -> fields.TEXT:
    return fields.TEXT(analyzer=DutchTokenizer(variant), stored=stored, phrase=True, field_boost=field_boost)


def keywords() -> fields.KEYWORD:
    """Filter values: folded, comma-separated, never scored."""
    return fields.KEYWORD(stored=False, lowercase=True, commas=True, scorable=False)


def build_schema(variant: str = "shipped") -> fields.Schema:
    """One Whoosh document per passage; everything needed to show a hit is stored.

    ``variant`` selects the analyzer chain of the text fields (a baseline, for evaluation).
    """
    return fields.Schema(
        passage_id=fields.ID(stored=True, unique=True),
        doc_id=fields.ID(stored=True),
        order=fields.NUMERIC(stored=True, sortable=True),
        questions=fields.KEYWORD(stored=True, commas=True),
        title=dutch_text(variant=variant, field_boost=1.5),
        question=dutch_text(variant=variant, field_boost=1.0),
        answer=dutch_text(variant=variant, field_boost=1.2),
        kind=fields.ID(stored=True),
        status=fields.ID(stored=False),
        number=fields.ID(stored=True),
        year=fields.ID(stored=True),
        date=fields.DATETIME(stored=False, sortable=True),
        askers=keywords(),
        parties=keywords(),
        minister=keywords(),
        ministry=keywords(),
        document=fields.STORED(),  # the document's JSON fields (parse --json), without passages
        notes=fields.STORED(),
    )
