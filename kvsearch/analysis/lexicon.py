"""The lexicon: the OpenTaal word list (BSD; ``data/LEXICON.md``), membership only.

It tells compound splitting and de-gluing which strings are words. Loaded lazily: query
analysis never needs it, so a search does not pay for it.
"""

from __future__ import annotations

import bisect
import json
import mmap
import re
import zlib
from collections.abc import Container
from functools import cache
from pathlib import Path

__all__ = ["LEXICON_SET_AFTER", "chunked_lexicon", "lexicon_lookup", "lexicon_name", "lexicon_words"]

_LEXICON_PATH = Path(__file__).resolve().parent / "data" / "nl_lexicon.chunks"


#: After this many words analysed with the lexicon, a process builds the set of its words
#: (an index build analyses millions); until then, lookups are binary searches in the file's text.
LEXICON_SET_AFTER = 2000
_lexicon_uses = 0


class _ChunkedWords:
    """The lexicon file: sorted words in zlib-compressed chunks, looked up without loading all.

    Layout (``bench/build_lexicon.py``): a ``#`` header line, a JSON line listing each
    chunk's first word and compressed length, then the chunks (sorted words, one per line).
    A search that highlights a compound needs a few lookups: one chunk is inflated for each,
    instead of the whole list or a set of all its words, either of which costs more than the search.
    """

    def __init__(self, data: bytes | mmap.mmap) -> None:
        self.firsts: list[str] = []
        self.spans: list[tuple[int, int]] = []
        self.chunks: dict[int, bytes] = {}
        self.data = data
        if not data:
            return
        header_end = data.find(b"\n")
        index_end = data.find(b"\n", header_end + 1)
        if header_end < 0 or index_end < 0:
            raise ValueError("no chunk index")
        start = index_end + 1
        for first, length in json.loads(data[header_end + 1 : index_end]):
            self.firsts.append(first)
            self.spans.append((start, start + length))
            start += length

    def __bool__(self) -> bool:
        return bool(self.firsts)

    def chunk(self, number: int) -> bytes:
        if number not in self.chunks:
            start, end = self.spans[number]
            self.chunks[number] = zlib.decompress(self.data[start:end])
        return self.chunks[number]

    def words(self) -> list[str]:
        return [w for number in range(len(self.spans)) for w in self.chunk(number).decode("utf-8").split()]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        number = bisect.bisect_right(self.firsts, word) - 1
        return number >= 0 and _in_sorted_lines(self.chunk(number), word.encode("utf-8"))


def _in_sorted_lines(text: bytes, key: bytes) -> bool:
    """Whether ``key`` is a line of ``text`` (sorted lines; UTF-8 keeps code-point order)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind(b"\n", 0, middle) + 1
        end = text.find(b"\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end]
        if line == key:
            return True
        if line < key:
            low = end + 1
        else:
            high = start
    return False


@cache
def chunked_lexicon() -> _ChunkedWords:
    """The lexicon file, mapped but not inflated (reading all of it would cost a one-line
    search more than the chunks it inflates); empty when the file is missing or damaged."""
    try:
        with open(_LEXICON_PATH, "rb") as file:
            return _ChunkedWords(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):  # also an empty file, which cannot be mapped
        return _ChunkedWords(b"")


@cache
def lexicon_words() -> frozenset[str]:
    """Every word form of the lexicon (folded), as a set: for processes that look up many."""
    try:
        return frozenset(chunked_lexicon().words())
    except (zlib.error, UnicodeDecodeError):
        return frozenset()


def lexicon_lookup() -> Container[str]:
    """The lexicon for one word's analysis: a set once a process has used it often."""
    global _lexicon_uses
    _lexicon_uses += 1
    if _lexicon_uses > LEXICON_SET_AFTER:
        return lexicon_words()
    return chunked_lexicon()


@cache
def lexicon_name() -> str:
    """ "name source version" from the data file's header line, or "" when it is missing."""
    try:
        with open(_LEXICON_PATH, "rb") as f:
            header = f.readline().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    # "# opentaal-wordlist (Debian wdutch 1:2.20.19-2); ..."
    #   -> "opentaal-wordlist wdutch 1:2.20.19-2"
    m = re.match(r"#\s*(\S+)\s*\(Debian (\S+) ([^)]+)\)", header)
    return f"{m.group(1)} {m.group(2)} {m.group(3)}" if m else header.lstrip("# ").strip()
