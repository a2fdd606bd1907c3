"""Words: where they start and end in the text.

One regex finds the words, so that a token's ``start``/``end`` are offsets into the caller's
string. A word is a run of letters/digits (no underscore) that may contain internal hyphens
(``-``, U+2010, U+2011) and apostrophes (``'`` ’ ‘ ʼ ′). Combining marks, the spacing accents
that PDF extraction leaves behind (``Kostic´``) and soft hyphens (U+00AD, and U+FFFE, which
pdftotext writes for a discretionary hyphen: ``regen\ufffeboogprovincie``) count as word characters
so they never split a word. Callers replace ``_`` by a space first (same length, so offsets hold).
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import re
from typing import NamedTuple

__all__ = ["ALNUM_RUNS_RE", "HYPHENS_RE", "WORD_RE", "Token", "spans_of_words", "words"]

# Characters that belong to a word without being letters: combining marks, spacing accents
# (PDF extraction writes "Kostic´" / "Israe¨l"), soft hyphen and pdftotext's U+FFFE hyphen.
_MARKS = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00a8\u00af\u00b4\u00b8\u02c6-\u02df\u00ad\ufffe"
)
# \w also matches "_"; analyze() maps "_" to " " first (same length, so offsets hold), which
# is cheaper than excluding it here with an alternation.
_WORDCHAR = rf"[\w{_MARKS}]"
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019\u2018\u02bc\u2032"
WORD_RE = re.compile(rf"{_WORDCHAR}+(?:[{_HYPHENS}{_APOSTROPHES}]{_WORDCHAR}+)*")

_CONNECTORS = frozenset(_HYPHENS + _APOSTROPHES)

HYPHENS_RE = re.compile(f"[{_HYPHENS}]+")
ALNUM_RUNS_RE = re.compile(r"[^\W\d_]+|\d+")


class Token(NamedTuple):
    """One index or query term.

    ``position`` counts words (0-based); tokens derived from one word (hyphen parts, compound
    parts) share its position. ``start``/``end`` are character offsets of the source word in
    the analysed text.
    """

    text: str
    position: int
    start: int
    end: int


def words(text: str) -> list[str]:
    """The raw words of ``text``, as :func:`analyze` splits it (for highlighting)."""
    return WORD_RE.findall(text.replace("_", " "))


def spans_of_words(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Character spans of the raw words of ``text`` (as :func:`analyze` splits it) in ``wanted``.

    Each wanted word is looked for with ``str.find``, in C, and kept where it is a whole word
    of the tokenization (not the tail of "Kamer-lid"). No pattern is compiled: each search
    highlights other words, and compiling a pattern costs more than the scans.
    """
    if not wanted:
        return []
    text = text.replace("_", " ")
    spans = []
    for word in wanted:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            whole = WORD_RE.match(text, start)
            if whole is not None and whole.end() == end and not _continues_word(text, start):
                spans.append((start, end))
            start = text.find(word, start + 1)
    spans.sort()
    return spans


def _continues_word(text: str, start: int) -> bool:
    """Whether a word starting at ``start`` is really the continuation of an earlier word."""
    # WORD_RE matches at a position exactly where a word character stands (one regex compiled,
    # not two: compiling its character class is a share of a one-liner's imports).
    if start == 0:
        return False
    if WORD_RE.match(text, start - 1):
        return True
    return text[start - 1] in _CONNECTORS and start >= 2 and bool(WORD_RE.match(text, start - 2))
