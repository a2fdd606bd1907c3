"""Pairs of common words at adjacent positions: what makes a phrase of common words cheap.

A phrase like "van het" or "ook in" is matched by comparing its words' positions, and the
commonest words have hundreds of thousands of them. For a fixed list of the commonest index
terms (``data/common_terms.txt``), each text also yields the pairs of those terms that stand
at consecutive positions; the index keeps them as terms of their own, so such a phrase reads
one short posting list instead of every position of its words.

A pair is taken from every term at a position, compound parts included: the index holds a
compound's parts at the compound's own position, and a phrase matches them there, so the
pairs must too. Nothing here knows of Whoosh.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cache
from pathlib import Path

COMMON_TERMS_PATH = Path(__file__).parent / "data" / "common_terms.txt"

#: Between a pair's two terms. Index terms never hold a space (words are split on it).
PAIR_SEPARATOR = " "


@cache
def common_terms() -> frozenset[str]:
    """The shipped list of common index terms (one per line, ``#`` starts a comment)."""
    lines = COMMON_TERMS_PATH.read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def pair_term(first: str, second: str) -> str:
    """The index term of ``first`` directly followed by ``second``."""
    return first + PAIR_SEPARATOR + second


def common_pairs(positions: Mapping[str, Sequence[int]], common: Collection[str]) -> list[str]:
    """The pairs of ``common`` terms at consecutive positions, each once, given the terms of
    a text with their positions (as :func:`kvsearch.analysis.index_positions` gives them)."""
    at: dict[int, list[str]] = {}
    for term, places in positions.items():
        if term in common:
            for position in places:
                at.setdefault(position, []).append(term)
    pairs = {
        pair_term(first, second)
        for position, firsts in at.items()
        if position + 1 in at
        for first in firsts
        for second in at[position + 1]
    }
    return sorted(pairs)
