"""Near-synonyms of the domain, for queries only: a query word also finds the words
``data/synonyms.txt`` lists with it, at a lower weight than the word itself; and
:func:`expansions`, how a query searches each of its words (``kvsearch analyze``).

Applied at query time, never in the index: the list can change without a rebuild, and a
passage is still found first by the words it has. The words are analysed with the chain of
the index being searched, so they meet the index's terms whatever its stemmer.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kvsearch.analysis.chain import SHIPPED, AnalyzerChain, query_parts
from kvsearch.analysis.tokens import words

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.txt"


def groups() -> list[tuple[str, ...]]:
    """The groups of near-synonyms, as written in the data file."""
    text = SYNONYMS_PATH.read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        words = tuple(word.strip() for word in line.split(",") if word.strip())
        if len(words) > 1:
            found.append(words)
    return found


@lru_cache(maxsize=8)
def alternatives(chain: AnalyzerChain) -> dict[str, tuple[str, ...]]:
    """Query term -> the query terms of its near-synonyms, under ``chain``."""
    table: dict[str, list[str]] = {}
    for group in groups():
        terms = [found[0] for found in (chain.terms(word, query=True) for word in group) if found]
        for term in terms:
            others = table.setdefault(term, [])
            others.extend(t for t in terms if t != term and t not in others)
    return {term: tuple(others) for term, others in table.items() if others}


def of_term(chain: AnalyzerChain, term: str) -> tuple[str, ...]:
    """The near-synonyms' terms of a query term (none for most words)."""
    return alternatives(chain).get(term, ())


class Expansion(NamedTuple):
    """How a query searches one of its words."""

    word: str  # as typed
    term: str  # the query term (folded, stemmed)
    index_terms: tuple[str, ...]  # the terms the index holds for the word written so
    compound_parts: tuple[str, ...]  # the parts also found written apart, or ()
    synonyms: tuple[str, ...]  # the terms of its near-synonyms, or ()


def expansions(text: str, chain: AnalyzerChain = SHIPPED) -> list[Expansion]:
    """For each word of ``text`` that has a term, how a query expands it."""
    found = []
    for raw in words(text):
        terms = chain.terms(raw, query=True)
        if not terms:
            continue
        parts = query_parts(raw) if chain is SHIPPED else ()
        found.append(Expansion(raw, terms[0], tuple(chain.terms(raw)), parts, of_term(chain, terms[0])))
    return found
