"""People's names: kept whole, never split into the words they happen to contain.

The compound splitter reads "Soepboer" as soep + boer and "Veldkamp" as veld + kamp, so a query
for "boeren" would match a passage only through the name of the member who asked it. The names
are the surnames of the people the corpus metadata names (askers and the ministers who answer),
kept in ``data/people.txt``; a capitalised word that is one of them is not split. A general rule
(any capitalised word the lexicon does not know) would also keep whole the words that PDF
extraction glues together at a sentence's start (``Mochtenfinanciële``), which the relevance set
needs split.

Regenerate the list from a corpus with ``python -m kvsearch.analysis.people CORPUS`` and bump
``ANALYZER_ID`` (:mod:`kvsearch.analysis.chain`): the terms of the words in it change.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

from kvsearch.analysis.folding import fold

__all__ = ["PEOPLE_PATH", "is_person", "people", "surnames"]

PEOPLE_PATH = Path(__file__).resolve().parent / "data" / "people.txt"

#: Name particles: lower-case in running text ("het lid Van der Plas" aside), never a name alone.
_PARTICLES = frozenset("van de der den het ten ter te in 't d' da di du la le".split())


@cache
def people() -> frozenset[str]:
    """The folded surnames of ``data/people.txt`` (empty when the file is missing)."""
    try:
        text = PEOPLE_PATH.read_text("utf-8")
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_person(raw: str, word: str) -> bool:
    """Whether the raw word ``raw`` (folded: ``word``) is written as a person's name: capitalised,
    not all capitals (a heading), and one of the surnames."""
    return raw[:1].isupper() and not raw.isupper() and word in people()


def surnames(name: str) -> list[str]:
    """The folded words of a person's name that are not particles or initials:
    ``"Faber-van de Klashorst"`` → faber, klashorst."""
    words = (fold(w) for w in re.split(r"[\s\-\u2010\u2011]+", name))
    return [w for w in words if len(w) > 2 and w.isalpha() and w not in _PARTICLES]


def main(argv: list[str]) -> int:
    """Write ``data/people.txt`` from the askers and answerers in the metadata of a corpus."""
    if len(argv) != 1:
        print("usage: python -m kvsearch.analysis.people CORPUS", file=sys.stderr)
        return 2
    from kvsearch.ingest.corpus import load_corpus

    names: set[str] = set()
    for document in load_corpus(argv[0]).documents:
        for person in [*document.askers, *([document.answered_by] if document.answered_by else [])]:
            names.update(surnames(person.name))
    header = "# Surnames of the people named in the corpus metadata (python -m kvsearch.analysis.people)\n"
    PEOPLE_PATH.write_text(header + "".join(f"{n}\n" for n in sorted(names)), "utf-8")
    print(f"{len(names)} names written to {PEOPLE_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
