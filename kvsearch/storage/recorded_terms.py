"""Each raw word's index terms, as the build of a generation recorded them.

A build analyses every word it indexes and keeps what each raw word gave in the ``terms`` table
of the generation's ``records.sqlite`` (the next build reads it instead of analysing the word
again). A search reads the same table to tell which words of its hits matched: looking a word
up costs less than analysing it (compound splitting and word forms consult the lexicon), which
is most of a one-line search's highlighting.

The same file holds the abbreviations the documents define alike (:func:`known_abbreviations`),
for choosing between a document's passages.

Read-only and never required: a generation without the file, a damaged file or a word the table
lacks leaves the caller to analyse the word itself.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import functools
import sqlite3
import threading
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

#: The generation's file of build records (written by :mod:`kvsearch.indexer.records`).
RECORDS = "records.sqlite"

#: Words asked of SQLite at once (below its limit of variables in one statement).
_BATCH = 500
#: Most words a process keeps looked up per generation; then it starts over.
_KEPT = 200_000
#: Most of the file SQLite maps into memory (it maps no more than the file).
_MAPPED_BYTES = 1 << 30


class SortedWords(NamedTuple):
    """Words sorted by their records (:meth:`RecordedTerms.sort_out`)."""

    #: Those whose first recorded term (their query term) is one of the terms asked about.
    first_term_asked: set[str]
    #: Those recorded with more than one term (a compound and its parts), with their terms.
    with_parts: dict[str, tuple[str, ...]]
    #: Those the table lacks.
    unrecorded: set[str]


class RecordedTerms:
    """The recorded index terms of raw words in one generation, looked up once per process."""

    def __init__(self, generation: Path) -> None:
        self._path = generation / RECORDS
        self._asked: set[str] = set()
        self._recorded: set[str] = set()
        # The looked-up words by their first term, and with their terms where they have more:
        # the words of a search's hits are then sorted by set operations, not one by one.
        self._by_first_term: dict[str, set[str]] = {}
        self._with_parts: dict[str, tuple[str, ...]] = {}
        self._usable = self._path.is_file()
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def sort_out(self, words: set[str], terms: Collection[str]) -> SortedWords:
        """``words`` sorted by their records, for the query ``terms``."""
        with self._lock:
            wanted = words - self._asked
            if wanted and len(self._asked) + len(wanted) > _KEPT:
                self._forget()
                wanted = words
            if wanted and self._usable:
                self._look_up(wanted)
            first = set()
            for term in terms:
                first |= words & self._by_first_term.get(term, _NO_WORDS)
            with_parts = {word: self._with_parts[word] for word in words & self._with_parts.keys()}
            return SortedWords(first, with_parts, words - self._recorded)

    def _look_up(self, words: set[str]) -> None:
        try:
            if self._connection is None:
                # Used under this object's lock, by one thread at a time.
                self._connection = sqlite3.connect(published_uri(self._path), uri=True, check_same_thread=False)
                # Mapped, the pages of a few hundred look-ups are not read one system call
                # each: a fresh process's first search looks up every word of its hits.
                self._connection.execute(f"PRAGMA mmap_size = {_MAPPED_BYTES}")
            ordered = list(words)
            for start in range(0, len(ordered), _BATCH):
                batch = ordered[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = self._connection.execute(f"SELECT word, terms FROM terms WHERE word IN ({marks})", batch)
                for word, text in rows:
                    self._record(word, split_terms(text))
        except sqlite3.Error:  # damaged, or a build that kept no terms: the caller analyses
            self._usable = False
            return
        self._asked |= words

    def _forget(self) -> None:
        self._asked.clear()
        self._recorded.clear()
        self._by_first_term.clear()
        self._with_parts.clear()

    def _record(self, word: str, terms: tuple[str, ...]) -> None:
        self._recorded.add(word)
        if terms:
            self._by_first_term.setdefault(terms[0], set()).add(word)
        if len(terms) > 1:
            self._with_parts[word] = terms


_NO_WORDS: frozenset[str] = frozenset()


def published_uri(path: Path) -> str:
    """The URI that opens a published generation's records read-only and immutable: a
    published generation never changes, so SQLite takes no locks on it."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def split_terms(text: str) -> tuple[str, ...]:
    """A raw word's index terms from the table's text (terms never hold a space)."""
    return tuple(text.split(" ")) if text else ()


_OPENED: dict[Path, RecordedTerms] = {}
_OPENED_LOCK = threading.Lock()


def recorded_terms(generation: Path) -> RecordedTerms:
    """The recorded terms of ``generation``, shared by the searches of this process."""
    with _OPENED_LOCK:
        found = _OPENED.get(generation)
        if found is None:
            if len(_OPENED) >= 4:  # generations replaced by newer builds
                _OPENED.clear()
            found = _OPENED[generation] = RecordedTerms(generation)
        return found


@functools.lru_cache(maxsize=4)
def known_abbreviations(generation: Path) -> dict[str, str]:
    """The abbreviations the documents of ``generation`` define alike, each with its long form
    in lower case, as its build chose them (``known_abbreviations`` of ``records.sqlite``).
    Empty when the records lack them (a generation built before they were counted, or damaged)."""
    try:
        connection = sqlite3.connect(published_uri(generation / RECORDS), uri=True)
        try:
            return dict(connection.execute("SELECT abbreviation, long_form FROM known_abbreviations"))
        finally:
            connection.close()
    except sqlite3.Error:
        return {}
