"""Each raw word's index terms, as the build of a generation recorded them.

A build analyses every word it indexes and keeps what each raw word gave in the ``terms`` table
of the generation's ``records.sqlite`` (the next build reads it instead of analysing the word
again). A search reads the same table to tell which words of its hits matched: looking a word
up costs less than analysing it (compound splitting and word forms consult the lexicon), which
is most of a one-line search's highlighting.

Read-only and never required: a generation without the file, a damaged file or a word the table
lacks leaves the caller to analyse the word itself.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection
from pathlib import Path

#: The generation's file of build records (written by :mod:`kvsearch.indexer.records`).
RECORDS = "records.sqlite"

#: Words asked of SQLite at once (below its limit of variables in one statement).
_BATCH = 500
#: Most words a process keeps looked up per generation; then it starts over.
_KEPT = 200_000
#: Most of the file SQLite maps into memory (it maps no more than the file).
_MAPPED_BYTES = 1 << 30


class RecordedTerms:
    """The recorded index terms of raw words in one generation, looked up once per process."""

    def __init__(self, generation: Path) -> None:
        self._path = generation / RECORDS
        self._known: dict[str, tuple[str, ...] | None] = {}
        self._usable = self._path.is_file()
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def of(self, words: Collection[str]) -> dict[str, tuple[str, ...]]:
        """The recorded terms of those of ``words`` the table has (a word without terms: ())."""
        with self._lock:
            wanted = [word for word in words if word not in self._known]
            if wanted and self._usable:
                self._look_up(wanted)
            known = self._known
            return {word: terms for word in words if (terms := known.get(word)) is not None}

    def _look_up(self, words: list[str]) -> None:
        if len(self._known) + len(words) > _KEPT:
            self._known.clear()
        try:
            if self._connection is None:
                # immutable: a published generation never changes, so SQLite takes no locks;
                # the connection is used under this object's lock, by one thread at a time.
                uri = f"{self._path.resolve().as_uri()}?mode=ro&immutable=1"
                self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
                # Mapped, the pages of a few hundred look-ups are not read one system call
                # each: a fresh process's first search looks up every word of its hits.
                self._connection.execute(f"PRAGMA mmap_size = {_MAPPED_BYTES}")
            for start in range(0, len(words), _BATCH):
                batch = words[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = self._connection.execute(f"SELECT word, terms FROM terms WHERE word IN ({marks})", batch)
                self._known.update((word, split_terms(terms)) for word, terms in rows)
        except sqlite3.Error:  # damaged, or a build that kept no terms: the caller analyses
            self._usable = False
            return
        for word in words:
            self._known.setdefault(word, None)


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
