"""Near-synonyms of the domain, for queries only: a query word also finds the words
``data/synonyms.txt`` lists with it, at a lower weight than the word itself; and
:func:`expansions`, how a query searches each of its words (``kvsearch analyze``).

Applied at query time, never in the index: the list can change without a rebuild, and a
passage is still found first by the words it has. The words are analysed with the chain of
the index being searched, so they meet the index's terms whatever its stemmer.

Analysing every word of the list is a share of a one-line search, so the list is also kept
analysed by the shipped chain, in ``data/synonym_terms.txt`` (written by ``python -m
kvsearch.analysis.synonyms``). That file names the analyzer id and the checksum of the list it
was made from; when either differs, the list is analysed afresh, so that an edit takes effect
at once, and a test says the file must be written again.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kvsearch.analysis.chain import ANALYZER_ID, SHIPPED, AnalyzerChain, query_parts

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.txt"
TERMS_PATH = SYNONYMS_PATH.with_name("synonym_terms.txt")


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
    if chain is SHIPPED:
        kept = kept_alternatives()
        if kept is not None:
            return kept
    return analysed_alternatives(chain)


def analysed_alternatives(chain: AnalyzerChain) -> dict[str, tuple[str, ...]]:
    """:func:`alternatives`, every word of the list analysed now."""
    table: dict[str, list[str]] = {}
    for group in groups():
        terms = [found[0] for found in (chain.terms(word, query=True) for word in group) if found]
        for term in terms:
            others = table.setdefault(term, [])
            others.extend(t for t in terms if t != term and t not in others)
    return {term: tuple(others) for term, others in table.items() if others}


def kept_alternatives() -> dict[str, tuple[str, ...]] | None:
    """The shipped chain's table as ``data/synonym_terms.txt`` keeps it; None when that file is
    missing or was made from another list or analyzer."""
    try:
        stamp, _, body = TERMS_PATH.read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if stamp != _stamp():
        return None
    table = {}
    for line in body.splitlines():
        term, _, others = line.partition("\t")
        if term and others:
            table[term] = tuple(others.split(" "))
    return table


def _stamp() -> str:
    return f"# {ANALYZER_ID} {zlib.crc32(SYNONYMS_PATH.read_bytes()):08x} (python -m kvsearch.analysis.synonyms)"


def write_kept_alternatives() -> int:
    """Write ``data/synonym_terms.txt`` from the list, analysed by the shipped chain; the
    number of terms written."""
    table = analysed_alternatives(SHIPPED)
    lines = [_stamp(), *(f"{term}\t{' '.join(others)}" for term, others in table.items())]
    TERMS_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(table)


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
    verbs: tuple[str, ...]  # the terms of the separable verbs it is part of (trekt … in), or ()


def expansions(text: str, chain: AnalyzerChain = SHIPPED) -> list[Expansion]:
    """For each word of ``text`` that has a term, how a query expands it."""
    found = []
    verbs = chain.split_verb_words(text)
    for number, raw in enumerate(chain.word_pattern.findall(text.replace("_", " "))):
        terms = chain.terms(raw, query=True)
        if not terms:
            continue
        parts = query_parts(raw) if chain is SHIPPED else ()
        found.append(
            Expansion(
                raw, terms[0], tuple(chain.terms(raw)), parts, of_term(chain, terms[0]), tuple(verbs.get(number, ()))
            )
        )
    return found


if __name__ == "__main__":
    print(f"{write_kept_alternatives()} terms written to {TERMS_PATH}", file=sys.stderr)
