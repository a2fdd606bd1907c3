"""Folding: the form of a word that matching compares.

NFKD (expands ligatures such as ﬁ, full-width forms), casefold, drop combining marks, spacing
accents and soft hyphens, map the letters NFKD does not decompose (æ œ ø ß ł đ ı …):
``Israël`` → ``israel``. Folding comes before stemming, so ``geïnformeerd`` and ``geinformeerd``
get the same stem. Apostrophe variants become ``'``, hyphen variants ``-``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["fold"]

# Letters that NFKD leaves alone, and apostrophe/hyphen variants.
_FOLD_MAP = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u2010": "-",
        "\u2011": "-",
    }
)
# Removed before NFKD: spacing accents (NFKD would turn them into space + combining mark) and
# soft hyphens.
_DROP: dict[int, None] = {ord(c): None for c in "\u00a8\u00af\u00b4\u00b8\u00ad\ufffe"}
_DROP.update({c: None for c in range(0x2C6, 0x2E0)})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return ``text`` normalised for matching: NFKD, casefolded, without accents.

    Ligatures and compatibility forms are expanded (ﬁ → fi), combining marks and the spacing
    accents left by PDF extraction are dropped (``Kostić`` and ``Kostic´`` → ``kostic``),
    soft hyphens are removed and apostrophe/hyphen variants become ``'``/``-``.
    Never raises.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_DROP).casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept.translate(_FOLD_MAP).casefold())
