"""Abbreviations a document defines, so that a passage is found by the words it abbreviates.

A Kamervraag spells a name out once and abbreviates it after: "Kick Out Zwarte Piet (KOZP)"
in the first question, "Krijgen clubs als KOZP … subsidie?" in the fourth. A reader asking
about "Kick Out Zwarte Piet" means the fourth as well, and one asking about the "BDuR" means
the passages that say "brede doeluitkering rampenbestrijding". Each document's own
definitions are found (a long form followed by its abbreviation in brackets, the letters of
the abbreviation in order in the long form, the first one starting it: Schwartz and Hearst's
rule). When the search chooses between the passages of one document
(:mod:`kvsearch.searcher.within_document`), a passage that names the matter in one form
counts as having the words of the other too.

A document's own definitions come first. Beside them count only those the corpus's documents
give alike (counted by each build, :mod:`kvsearch.indexer.records`): abbreviations are
ambiguous across documents (AP is the Autoriteit Persoonsgegevens in one and the Algemeen
Pensioenfonds in another), rarely within one. They are not added to the index: there, every
passage that names the COA would gain "opvang" and "asielzoekers" and compete with the
documents about them (docs/relevance.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# An abbreviation in brackets: a letter, then letters, digits, "&" or "-", at most 12 in all.
_DEFINED = re.compile(r"\(\s*([^\W\d_][\w&-]{1,11})\s*\)")
_ROMAN = re.compile(r"[IVXLCDM]+")
#: Words a long form may hold that no letter of its abbreviation stands for.
_LINKING = frozenset("de het een van voor en in op of der den des te tot bij met aan naar and for the on to".split())


#: Words in brackets looked at per document: a real one defines a few dozen at most, and a
#: text made of nothing else must not make a search slow.
CANDIDATES = 500


def definitions(texts: Iterable[str]) -> dict[str, str]:
    """The abbreviations ``texts`` define, each with its long form (the first definition of
    each abbreviation counts; the first ``CANDIDATES`` words in brackets are looked at)."""
    found: dict[str, str] = {}
    candidates = 0
    for text in texts:
        for match in _DEFINED.finditer(text):
            candidates += 1
            if candidates > CANDIDATES:
                return found
            abbreviation = match.group(1).rstrip("-")
            if abbreviation in found or not _is_abbreviation(abbreviation):
                continue
            words = text[max(0, match.start() - 200) : match.start()].split()
            window = " ".join(words[-min(len(abbreviation) + 5, 2 * len(abbreviation)) :])
            long_form = _long_form(abbreviation, window)
            if long_form is not None:
                found[abbreviation] = long_form
    return found


def _is_abbreviation(word: str) -> bool:
    """Two capitals at least (``BDuR``, ``NZa``; not a word in brackets), and no roman number."""
    return sum(ch.isupper() for ch in word) >= 2 and not _ROMAN.fullmatch(word)


def _long_form(abbreviation: str, before: str) -> str | None:
    """The shortest end of ``before`` that holds the letters of ``abbreviation`` in order, its
    first letter starting a word; ``None`` when there is none, when it holds more than one word
    no letter stands for (beyond linking words such as "van" and "de") or is no longer than
    the abbreviation."""
    letters = [ch.lower() for ch in abbreviation if ch.isalnum()]
    at = len(before) - 1
    matched: list[int] = []
    for index in range(len(letters) - 1, -1, -1):
        letter = letters[index]
        while at >= 0 and (before[at].lower() != letter or (index == 0 and at > 0 and before[at - 1].isalnum())):
            at -= 1
        if at < 0:
            return None
        matched.append(at)
        at -= 1
    start = before.rfind(" ", 0, matched[-1] + 1) + 1
    long_form = before[start:].strip(" ,.;:«»\"'")
    if len(long_form) <= len(abbreviation) or "(" in long_form or ")" in long_form:
        return None
    # Each word of the long form holds a letter of the abbreviation or links the others, but
    # one (the letters are matched from the end, so "Centraal Orgaan opvang Asielzoekers"
    # gives its O to "opvang").
    offset, letterless = start, 0
    for word in before[start:].split(" "):
        end = offset + len(word)
        if word and not any(offset <= place < end for place in matched) and word.lower() not in _LINKING:
            letterless += 1
        offset = end + 1
    return long_form if letterless <= 1 else None


class Abbreviations:
    """Abbreviations with their long forms, looked for in a text by its words: a few per text,
    however many the corpus knows."""

    def __init__(self, defined: dict[str, str]) -> None:
        self.defined = defined
        self._by_longest_run: dict[str, list[str]] = {}
        for abbreviation, long_form in defined.items():
            self._by_longest_run.setdefault(_spelled_out(long_form)[0], []).append(abbreviation)
        #: Those of more than one run ("I&W"), looked for as they are.
        self._joined = [abbreviation for abbreviation in defined if not abbreviation.isalnum()]

    def other_forms(self, text: str) -> list[str]:
        """For each abbreviation that ``text`` names in one form only, the other form: its long
        form where the text abbreviates, the abbreviation where it spells the long form out. A
        passage that names the matter either way then has the words of both, so that neither
        way of naming it counts for more among a document's passages."""
        runs = set(_RUN.findall(text))
        candidates = {run for run in runs if run in self.defined}
        candidates.update(abbreviation for abbreviation in self._joined if abbreviation in text)
        for run in {run.lower() for run in runs}:
            candidates.update(self._by_longest_run.get(run, ()))
        if not candidates:
            return []
        extra = []
        lowered = text.lower()
        for abbreviation in sorted(candidates):
            long_form = self.defined[abbreviation]
            abbreviated = abbreviation in text and _as_word(abbreviation).search(text) is not None
            spelled_out = _spelled_out(long_form)[1].search(lowered) is not None
            if abbreviated != spelled_out:
                extra.append(abbreviation if spelled_out else long_form)
        return extra


#: A run of letters and digits: an abbreviation, or a part of a word, that a text holds.
_RUN = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=4096)
def _as_word(abbreviation: str) -> re.Pattern[str]:
    """The abbreviation as a word of its own: not in a longer one, nor joined to one by a
    hyphen ("EU-lidstaten" is a word about member states, not a name of the EU)."""
    return re.compile(rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])")


@functools.lru_cache(maxsize=4096)
def _spelled_out(long_form: str) -> tuple[str, re.Pattern[str]]:
    """The longest run of letters of the long form in lower case (a text without it cannot
    hold the long form), and a pattern of the whole in lower case, its words apart by any
    space (a line may break there)."""
    words = long_form.lower().split()
    return max(_RUN.findall(long_form.lower()), key=len), re.compile(
        r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
    )
