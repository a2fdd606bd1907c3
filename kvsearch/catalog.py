"""What a build knows of every file, document and word, kept in SQLite on disk, not in memory.

A build records per source file its size, mtime, hash and the summaries of its documents (so
that the next build parses only what changed), per kept document the key of what was indexed
(so that only changed documents are replaced) and per surface word its count (for "bedoelde u
…?"). As Python objects these grew with the corpus: half a gigabyte at a million passages. Here
they are rows of a work database in the build folder, read and written a batch at a time, so
that a build's memory does not grow with the corpus. Pure Python (no Whoosh).

A generation publishes them as gzip'd JSON lines (``files``, ``documents``, ``wordcounts``: one
``[key, value]`` per line), which the next build streams back into its work database.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kvsearch.corpus import CorpusFile, DocumentSummary, Problem, deduplicate_summaries

FILES = "files.jsonl.gz"  # path -> size, mtime, hash and summaries of its documents
DOCUMENTS = "documents.jsonl.gz"  # doc id -> key of what was indexed
WORDCOUNTS = "wordcounts.jsonl.gz"  # folded surface word -> count

#: Rows fetched or written per statement: memory per batch, not per corpus.
BATCH = 2000

#: Distinct words counted in memory before they are added to a ``words`` table.
COUNT_LIMIT = 200_000

_WORDS = "CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"

_TABLES = f"""
CREATE TABLE summaries (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, reference TEXT, data TEXT NOT NULL,
                        spool INTEGER, grp INTEGER, kept INTEGER NOT NULL DEFAULT 1, position INTEGER, filled TEXT);
CREATE TABLE files (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, entry TEXT NOT NULL);
CREATE TABLE documents (position INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, key TEXT NOT NULL);
CREATE TABLE old_files (path TEXT PRIMARY KEY, entry TEXT NOT NULL, size INTEGER, mtime_ns INTEGER) WITHOUT ROWID;
CREATE TABLE old_documents (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
{_WORDS};
CREATE TABLE walk.found (seq INTEGER PRIMARY KEY, relative TEXT NOT NULL, location BLOB NOT NULL,
                         size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, old TEXT, cached INTEGER NOT NULL);
"""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to a build's database. Nothing is journalled or synced: a killed build is
    discarded whole, and nothing here is published as it is."""
    if readonly:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    else:
        connection = sqlite3.connect(path, timeout=60)
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-16000")  # 16 MB, whatever the corpus's size
    return connection


def compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Catalog:
    """A build's work database in ``folder`` (``catalog.sqlite``, and ``walk.sqlite`` for the
    corpus walk, which a second thread reads while the first writes)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "catalog.sqlite"
        self.walk = folder / "walk.sqlite"
        self.words = folder / "words-{}.sqlite"  # a writer process's own counts
        self.db = connect(self.path)
        self.db.execute("ATTACH DATABASE ? AS walk", (str(self.walk),))
        self.db.execute("PRAGMA walk.journal_mode=OFF")
        self.db.executescript(_TABLES)
        self.has_old = False

    def close(self) -> None:
        self.db.close()

    def remove(self) -> None:
        """Close and delete the work databases (before the build folder is published)."""
        self.db.close()
        for path in self.path.parent.glob("*.sqlite"):
            path.unlink()

    # The live generation -----------------------------------------------------------------

    def load_old(self, generation: Path) -> bool:
        """Stream the live generation's file and document records in; False when they are
        missing or damaged (the build then parses everything)."""
        try:
            self._load_lines(generation / FILES, "old_files")
            self._load_lines(generation / DOCUMENTS, "old_documents")
        except (OSError, ValueError, EOFError, zlib.error, sqlite3.IntegrityError):
            # Without a journal nothing rolls back: what was read is deleted instead.
            self.db.execute("DELETE FROM old_files")
            self.db.execute("DELETE FROM old_documents")
            self.db.commit()
            return False
        self.db.commit()
        self.has_old = True
        return True

    def load_old_words(self, generation: Path) -> bool:
        """Start from the live generation's word counts; False when they are missing or damaged."""
        try:
            self._load_lines(generation / WORDCOUNTS, "words")
        except (OSError, ValueError, EOFError, zlib.error, sqlite3.IntegrityError):
            self.db.execute("DELETE FROM words")
            self.db.commit()
            return False
        self.db.commit()
        return True

    def _load_lines(self, path: Path, table: str) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for batch in _batches(lines):
                rows = json.loads("[" + ",".join(batch) + "]")  # one call a batch, not a line
                if table == "old_files":  # an entry as compact JSON text, and what tells if it holds
                    rows = [(key, compact(value), value.get("size"), value.get("mtime_ns")) for key, value in rows]
                    self.db.executemany("INSERT INTO old_files VALUES (?, ?, ?, ?)", rows)
                else:
                    self.db.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)

    def publish(self, folder: Path) -> None:
        """Write the records of this build into ``folder`` as gzip'd JSON lines."""
        self._dump(folder / FILES, "SELECT path, entry FROM files ORDER BY seq", raw=True)
        self._dump(folder / DOCUMENTS, "SELECT doc_id, key FROM documents ORDER BY position")
        self._dump(folder / WORDCOUNTS, "SELECT word, n FROM words WHERE n > 0 ORDER BY word", words=True)

    def _dump(self, path: Path, query: str, raw: bool = False, words: bool = False) -> None:
        with (
            open(path, "wb") as out,
            gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=out, mtime=0) as packed,
        ):
            cursor = self.db.execute(query)
            while rows := cursor.fetchmany(BATCH):
                if raw:  # the value is stored as compact JSON already
                    text = "".join(f"[{json.dumps(key, ensure_ascii=False)},{value}]\n" for key, value in rows)
                elif words:  # letters only (indexer._SURFACE_WORD): one dumps call a batch
                    text = (
                        json.dumps(rows, ensure_ascii=False, separators=(",", ":"))[1:-1].replace("],[", "]\n[") + "\n"
                    )
                else:
                    text = "".join(
                        json.dumps([key, value], ensure_ascii=False, separators=(",", ":")) + "\n"
                        for key, value in rows
                    )
                packed.write(text.encode("utf-8"))

    # Files -------------------------------------------------------------------------------

    def record_walk(self, files: Iterable[CorpusFile]) -> tuple[int, int]:
        """Store the corpus walk, each file with its entry in the live generation and whether
        that entry still holds (same size and mtime); how many files, and how many of them
        are new or changed."""
        count = changed = 0
        lookup = "SELECT entry, size, mtime_ns FROM old_files WHERE path = ?"
        for batch in _batches(files):
            rows = []
            for item in batch:
                old = self.db.execute(lookup, (item.relative,)).fetchone() if self.has_old else None
                cached = bool(old) and old[1] == item.size and old[2] == item.mtime_ns
                rows.append(
                    (item.relative, os.fsencode(item.path), item.size, item.mtime_ns, old[0] if old else None, cached)
                )
            self.db.executemany(
                "INSERT INTO walk.found (relative, location, size, mtime_ns, old, cached) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            count += len(rows)
            changed += sum(1 for row in rows if not row[-1])
        self.db.execute("CREATE INDEX walk.found_relative ON found (relative)")
        self.db.commit()
        return count, changed

    def walked(self, *, changed_only: bool = False) -> Iterator[tuple[CorpusFile, dict[str, Any] | None, bool]]:
        """The files of the walk in order: ``(file, its old entry or None, whether it holds)``.

        Reads through a connection of its own, so that another thread (the parser pool's task
        feeder) can walk the files while this one writes."""
        connection = connect(self.walk, readonly=True)
        try:
            last = 0
            where = "AND NOT cached" if changed_only else ""
            query = (
                f"SELECT seq, relative, location, size, mtime_ns, old, cached FROM found WHERE seq > ? {where} "
                "ORDER BY seq LIMIT ?"
            )
            while rows := connection.execute(query, (last, BATCH)).fetchall():
                for _seq, relative, location, size, mtime_ns, old, cached in rows:
                    item = CorpusFile(Path(os.fsdecode(location)), relative, size, mtime_ns)
                    yield item, (json.loads(old) if old else None), bool(cached)
                last = rows[-1][0]
        finally:
            connection.close()

    def walked_file(self, relative: str) -> CorpusFile | None:
        row = self.db.execute(
            "SELECT location, size, mtime_ns FROM walk.found WHERE relative = ? ORDER BY seq LIMIT 1", (relative,)
        ).fetchone()
        return CorpusFile(Path(os.fsdecode(row[0])), relative, row[1], row[2]) if row else None

    def add_files(self, entries: list[tuple[str, dict[str, Any]]]) -> None:
        self.db.executemany("INSERT INTO files (path, entry) VALUES (?, ?)", [(p, compact(e)) for p, e in entries])

    def removed_files(self) -> int:
        """Files of the live generation that this walk did not find."""
        return self.db.execute(
            "SELECT count(*) FROM old_files WHERE path NOT IN (SELECT relative FROM walk.found)"
        ).fetchone()[0]

    # Documents ---------------------------------------------------------------------------

    def add_summaries(self, summaries: list[tuple[DocumentSummary, dict[str, Any]]]) -> None:
        """Each summary with its JSON form (as the file's entry holds it: ``to_json`` is slow)."""
        self.db.executemany(
            "INSERT INTO summaries (doc_id, reference, data, spool) VALUES (?, ?, ?, ?)",
            [(s.doc_id, s.reference, compact(data), s.spool) for s, data in summaries],
        )

    def deduplicate(self) -> list[Problem]:
        """Keep each document once (``corpus.deduplicate``), a group at a time.

        Documents that share an official id or a Kamer reference, directly or through others,
        form a group. De-duplication only ever joins documents of one group, so doing each
        group on its own, in file order, keeps the same documents, with the same metadata, in
        the same order (``position``) as doing the whole corpus at once."""
        db = self.db
        db.execute("CREATE INDEX summaries_doc ON summaries (doc_id)")
        db.execute("CREATE INDEX summaries_ref ON summaries (reference) WHERE reference IS NOT NULL")
        db.execute("UPDATE summaries SET position = seq, grp = seq")
        # Each document takes the lowest label of those sharing its id or its reference, until
        # no label changes (as many rounds as the longest chain of links, usually one or two).
        while sum(
            db.execute(
                f"UPDATE summaries SET grp = low.grp FROM (SELECT {column}, min(grp) AS grp FROM summaries "
                f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1) AS low "
                f"WHERE summaries.{column} = low.{column} AND summaries.grp > low.grp"
            ).rowcount
            for column in ("doc_id", "reference")
        ):
            pass
        db.execute("CREATE INDEX summaries_grp ON summaries (grp)")
        duplicates: list[Problem] = []
        last = 0
        while groups := db.execute(
            "SELECT DISTINCT grp FROM summaries WHERE grp != seq AND grp > ? ORDER BY grp LIMIT ?", (last, BATCH)
        ).fetchall():
            for (group,) in groups:
                duplicates.extend(self._deduplicate_group(group))
            last = groups[-1][0]
        db.execute("CREATE INDEX summaries_kept ON summaries (position) WHERE kept")
        db.commit()
        return duplicates

    def _deduplicate_group(self, group: int) -> list[Problem]:
        rows = self.db.execute("SELECT seq, data, spool FROM summaries WHERE grp = ? ORDER BY seq", (group,)).fetchall()
        members = [_summary(data, spool) for _seq, data, spool in rows]
        order: dict[int, int] = {}
        kept, duplicates = deduplicate_summaries(members, order)
        winners = {id(s) for s in kept}
        updates = []
        for (seq, _data, _spool), member in zip(rows, members, strict=True):
            if id(member) in winners:
                filled = compact(member.filled) if member.filled else None
                updates.append((1, rows[order[id(member)]][0], filled, seq))
            else:
                updates.append((0, seq, None, seq))
        self.db.executemany("UPDATE summaries SET kept = ?, position = ?, filled = ? WHERE seq = ?", updates)
        return duplicates

    def kept_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM summaries WHERE kept").fetchone()[0]

    def kept(self, start: int = 0, stop: int | None = None) -> Iterator[DocumentSummary]:
        """The kept documents' summaries in index order, the ``start``-th up to the ``stop``-th.

        Reads through a connection of its own: safe in a forked writer process."""
        connection = connect(self.path, readonly=True)
        try:
            if stop is None:
                stop = connection.execute("SELECT count(*) FROM summaries WHERE kept").fetchone()[0]
            first = connection.execute(
                "SELECT position FROM summaries WHERE kept ORDER BY position LIMIT 1 OFFSET ?", (start,)
            ).fetchone()
            position, remaining = (first[0] - 1 if first else 0), stop - start
            query = (
                "SELECT position, data, spool, filled FROM summaries WHERE kept AND position > ? "
                "ORDER BY position LIMIT ?"
            )
            while remaining > 0 and (rows := connection.execute(query, (position, min(BATCH, remaining))).fetchall()):
                for _position, data, spool, filled in rows:
                    yield _summary(data, spool, filled)
                remaining -= len(rows)
                position = rows[-1][0]
        finally:
            connection.close()

    def balanced_bounds(self, parts: int, spool_end: int) -> list[int]:
        """Where to split the kept documents, in order, into ``parts`` of about equal work for
        the writers: a document's size in the spool (its text) stands for its work. Documents
        differ tenfold in size, so equal numbers of them left one writer idle at the end."""
        total = self.kept_count()
        spooled = (
            "SELECT seq, lead(spool, 1, ?) OVER (ORDER BY spool) - spool AS size FROM summaries WHERE spool IS NOT NULL"
        )
        sizes = (
            f"SELECT coalesce(z.size, 0) AS size FROM summaries s LEFT JOIN ({spooled}) z USING (seq) "
            "WHERE s.kept ORDER BY s.position"
        )
        whole = self.db.execute(f"SELECT sum(size) FROM ({sizes})", (spool_end,)).fetchone()[0] or 0
        if not whole or parts <= 1:
            return [total * n // parts for n in range(parts + 1)]
        bounds, done = [0], 0
        for index, (size,) in enumerate(self.db.execute(sizes, (spool_end,)), start=1):
            done += size
            while len(bounds) < parts and done * parts >= whole * len(bounds):
                bounds.append(index)
        return bounds + [total] * (parts + 1 - len(bounds))

    def kept_at(self, index: int) -> DocumentSummary | None:
        row = self.db.execute(
            "SELECT data, spool, filled FROM summaries WHERE kept ORDER BY position LIMIT 1 OFFSET ?", (index,)
        ).fetchone()
        return _summary(*row) if row else None

    def kept_with_ids(self, doc_ids: set[str]) -> list[DocumentSummary]:
        """The kept documents among ``doc_ids``, in index order (an update's few changes)."""
        found = []
        for batch in _batches(sorted(doc_ids), 500):
            marks = ",".join("?" * len(batch))
            found += self.db.execute(
                f"SELECT position, data, spool, filled FROM summaries WHERE kept AND doc_id IN ({marks})", batch
            ).fetchall()
        return [_summary(data, spool, filled) for _position, data, spool, filled in sorted(found)]

    def unspooled(self) -> Iterator[list[DocumentSummary]]:
        """Batches of kept documents this build did not parse (their files did not change)."""
        position = -1
        query = (
            "SELECT position, data, filled FROM summaries WHERE kept AND spool IS NULL AND position > ? "
            "ORDER BY position LIMIT ?"
        )
        while rows := self.db.execute(query, (position, BATCH)).fetchall():
            yield [_summary(data, None, filled) for _position, data, filled in rows]
            position = rows[-1][0]

    def set_spool(self, doc_id: str, offset: int) -> None:
        self.db.execute("UPDATE summaries SET spool = ? WHERE kept AND doc_id = ?", (offset, doc_id))

    def record_keys(self) -> None:
        """Each kept document's key (``DocumentSummary.key``), in index order."""
        position = -1
        query = "SELECT position, data, filled FROM summaries WHERE kept AND position > ? ORDER BY position LIMIT ?"
        while rows := self.db.execute(query, (position, BATCH)).fetchall():
            keys = []
            for row_position, data, filled in rows:
                summary = _summary(data, None, filled)
                keys.append((row_position, summary.doc_id, summary.key()))
            self.db.executemany("INSERT INTO documents (position, doc_id, key) VALUES (?, ?, ?)", keys)
            position = rows[-1][0]
        self.db.commit()

    def unchanged(self) -> bool:
        """True when files and documents are exactly the live generation's."""
        if not self.has_old:
            return False
        pairs = (
            ("SELECT path, entry FROM files", "SELECT path, entry FROM old_files"),
            ("SELECT doc_id, key FROM documents", "SELECT doc_id, key FROM old_documents"),
        )
        return not any(
            self.db.execute(f"SELECT 1 FROM ({a} EXCEPT {b}) LIMIT 1").fetchone()
            for x, y in pairs
            for a, b in ((x, y), (y, x))
        )

    def changed_documents(self) -> set[str] | None:
        """Ids of documents added, changed or removed since the live generation; None when
        that is more than half of the kept documents (a full build is then as quick)."""
        if not self.has_old:
            return None
        query = (
            "SELECT doc_id FROM documents d "
            "WHERE key IS NOT (SELECT key FROM old_documents o WHERE o.doc_id = d.doc_id) "
            "UNION SELECT doc_id FROM old_documents WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        )
        if self.db.execute(f"SELECT count(*) FROM ({query})").fetchone()[0] > self.kept_count() // 2:
            return None
        return {row[0] for row in self.db.execute(query)}

    # Words -------------------------------------------------------------------------------

    def counter(self, part: int | None = None) -> WordCounter:
        """A word counter adding to this catalog, or (``part``) to a writer process's own file."""
        if part is None:
            return WordCounter(self.path, self.db)
        return WordCounter(Path(str(self.words).format(part)))

    def merge_words(self, part: int) -> None:
        """Add a writer process's counts (``counter(part)``) to this catalog's."""
        path = Path(str(self.words).format(part))
        if not path.exists():
            return
        self.db.execute("ATTACH DATABASE ? AS part", (str(path),))
        self.db.execute(
            "INSERT INTO words (word, n) SELECT word, n FROM part.words WHERE true "
            "ON CONFLICT (word) DO UPDATE SET n = n + excluded.n"
        )
        self.db.commit()
        self.db.execute("DETACH DATABASE part")
        path.unlink()

    def top_words(self, limit: int = 60000) -> dict[str, int]:
        """The ``limit`` most frequent words (ties by the word, so that every build agrees)."""
        return dict(
            self.db.execute("SELECT word, n FROM words WHERE n > 0 ORDER BY n DESC, word LIMIT ?", (limit,)).fetchall()
        )


class WordCounter:
    """Counts in memory up to ``COUNT_LIMIT`` distinct words, then adds them to the ``words``
    table of ``path``: memory for the counts stays the same however large the vocabulary."""

    def __init__(self, path: Path, db: sqlite3.Connection | None = None) -> None:
        self.path = path
        self.db = db  # the catalog's own connection, when counting in the builder
        self.counts: Counter[str] = Counter()

    def check(self) -> None:
        if len(self.counts) > COUNT_LIMIT:
            self.flush()

    def flush(self) -> None:
        if not self.counts:
            return
        db = self.db or connect(self.path)
        try:
            db.execute(_WORDS)
            db.executemany(
                "INSERT INTO words (word, n) VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
                self.counts.items(),
            )
            db.commit()
        finally:
            if db is not self.db:
                db.close()
        self.counts = Counter()


def read_lines(path: Path) -> dict[str, Any]:
    """A published ``*.jsonl.gz`` record file as one dict (for tests and tools: it is whole)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return dict(json.loads(line) for line in lines)


def _summary(data: str, spool: int | None, filled: str | None = None) -> DocumentSummary:
    """A summary as de-duplication left it: its own fields, then what it took over."""
    summary = DocumentSummary.from_json(json.loads(data))
    summary.spool = spool
    if filled:
        summary.filled = json.loads(filled)
        for name, value in summary.filled.items():
            setattr(summary, name, value)
    return summary


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
