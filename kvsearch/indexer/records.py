"""What a build knows of every file, document and word, kept in SQLite on disk, not in memory.

A build records per source file its size, mtime, hash and the summaries of its documents (so
that the next build parses only what changed), per kept document the key of what was indexed
(so that only changed documents are replaced) and per surface word its count (for "bedoelde u
…?"). As Python objects these grew with the corpus: half a gigabyte at a million passages. Here
they are rows of a work database in the build folder, read and written a batch at a time, so
that a build's memory does not grow with the corpus. Pure Python (no Whoosh).

A generation publishes them as a SQLite file of their own (``records.sqlite``: tables ``files``,
``documents`` and ``words``), which the next build attaches read-only: files that did not change
take their records there in one statement each, not a Python object each (at 100k passages,
reading back gzip'd JSON lines and writing them again cost an incremental build 3 s). An
incremental build publishes a copy of the live generation's file with only its changes
applied (``count_changes``, ``publish``). Table
``terms`` keeps each raw word's index terms, which the next build takes instead of analysing
the word again (valid because old records are only attached when the analyzer is the same).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from kvsearch.analysis.folding import fold
from kvsearch.errors import KvsearchError
from kvsearch.ingest.corpus import CorpusFile, DocumentSummary, Problem, deduplicate_summaries
from kvsearch.storage.recorded_terms import RECORDS, published_uri, split_terms

#: The records' tables, in ``records.sqlite`` and (empty, when there is no previous generation)
#: as the work database's ``old`` schema.
_RECORDS = """
CREATE TABLE {0}.files (path TEXT PRIMARY KEY, entry TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, seq INTEGER)
    WITHOUT ROWID;  -- path -> size, mtime, hash and summaries of its documents (entry, JSON)
CREATE TABLE {0}.documents (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, position INTEGER NOT NULL)
    WITHOUT ROWID;  -- doc id -> key of what was indexed
CREATE TABLE {0}.words (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;  -- surface word -> count
CREATE TABLE {0}.terms (word TEXT PRIMARY KEY, terms TEXT NOT NULL) WITHOUT ROWID;  -- raw word -> index terms
CREATE TABLE {0}.definitions (abbreviation TEXT NOT NULL, long_form TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (abbreviation, long_form)) WITHOUT ROWID;  -- documents that define the one as the other
"""

#: Summaries of a file's documents get ``seq`` = the file's walk ``seq`` * this + their index:
#: the same order as the walk, whether written by SQL (unchanged files) or by Python.
SEQ_PER_FILE = 1 << 16

#: ``UPDATE … FROM`` (de-duplication, the walk) came with SQLite 3.33 (2020).
MIN_SQLITE = (3, 33, 0)

#: Rows fetched or written per statement: memory per batch, not per corpus.
BATCH = 2000

#: Distinct words counted in memory before they are added to a ``words`` table.
COUNT_LIMIT = 200_000

_WORDS = "CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"
_TERMS = "CREATE TABLE IF NOT EXISTS {}terms (word TEXT PRIMARY KEY, terms TEXT NOT NULL) WITHOUT ROWID"
_DEFINITIONS = (
    "CREATE TABLE IF NOT EXISTS {}definitions (abbreviation TEXT NOT NULL, long_form TEXT NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (abbreviation, long_form)) WITHOUT ROWID"
)
#: An abbreviation is known across the corpus when at least ``KNOWN_BY_DOCUMENTS`` documents
#: define it alike and those are ``KNOWN_SHARE`` of all that define it (AP is the Autoriteit
#: Persoonsgegevens in one document and the Algemeen Pensioenfonds in another).
KNOWN_BY_DOCUMENTS = 2
KNOWN_SHARE = 0.8
_KNOWN = f"""
DROP TABLE IF EXISTS records.known_abbreviations;
CREATE TABLE records.known_abbreviations AS SELECT abbreviation, long_form FROM (
    SELECT abbreviation, long_form, n, sum(n) OVER (PARTITION BY abbreviation) AS total,
           row_number() OVER (PARTITION BY abbreviation ORDER BY n DESC, long_form) AS place
    FROM records.definitions WHERE n > 0)
WHERE place = 1 AND n >= {KNOWN_BY_DOCUMENTS} AND n >= {KNOWN_SHARE} * total ORDER BY abbreviation;
"""
_ADD_DEFINITIONS = (
    "INSERT INTO {}definitions (abbreviation, long_form, n) {} "
    "ON CONFLICT (abbreviation, long_form) DO UPDATE SET n = n + excluded.n"
)

_TABLES = f"""
CREATE TABLE summaries (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, reference TEXT, data TEXT NOT NULL,
                        spool INTEGER, grp INTEGER, kept INTEGER NOT NULL DEFAULT 1, position INTEGER, filled TEXT,
                        content TEXT);  -- content: the SHA-256 of the document's file
CREATE TABLE files (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, entry TEXT NOT NULL);
CREATE TABLE documents (position INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, key TEXT NOT NULL);
{_WORDS};
{_TERMS.format("")};
{_DEFINITIONS.format("")};
CREATE TABLE walk.found (seq INTEGER PRIMARY KEY, relative TEXT NOT NULL, location BLOB NOT NULL,
                         size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, old TEXT, cached INTEGER NOT NULL);
"""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to a build's database. Nothing is journalled or synced: a killed build is
    discarded whole, and nothing here is published as it is."""
    if readonly:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    else:  # a URI, so that a generation's records can be attached read-only (``Catalog.load_old``)
        connection = sqlite3.connect(path.resolve().as_uri(), uri=True, timeout=60)
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
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            wanted = ".".join(map(str, MIN_SQLITE))
            have = sqlite3.sqlite_version
            raise KvsearchError(f"building an index needs SQLite {wanted} or newer; this Python has {have}")
        self.path = folder / "catalog.sqlite"
        self.walk = folder / "walk.sqlite"
        self.words = folder / "words-{}.sqlite"  # a writer process's own counts
        self.db = connect(self.path)
        self.db.execute("ATTACH DATABASE ? AS walk", (str(self.walk),))
        self.db.execute("PRAGMA walk.journal_mode=OFF")
        self.db.executescript(_TABLES)
        self._attach_empty_old()
        self.has_old = False
        self.old_records: Path | None = None
        #: ``words`` holds changes to the old records' counts (``count_changes``).
        self.changes_only = False

    def _attach_empty_old(self) -> None:
        self.db.execute("ATTACH DATABASE ':memory:' AS old")
        self.db.executescript(_RECORDS.format("old"))

    def close(self) -> None:
        self.db.close()

    def remove(self) -> None:
        """Close and delete the work databases (before the build folder is published)."""
        self.db.close()
        for path in self.path.parent.glob("*.sqlite"):
            if path.name != RECORDS:
                path.unlink()

    # The live generation -----------------------------------------------------------------

    def load_old(self, generation: Path) -> bool:
        """Attach the live generation's records (read-only: a published generation never
        changes); False when they are missing or damaged (the build then parses everything)."""
        path = generation / RECORDS
        if not path.is_file():
            return False
        self.db.execute("DETACH DATABASE old")
        try:
            self.db.execute("ATTACH DATABASE ? AS old", (published_uri(path),))
            if self.db.execute("PRAGMA old.quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("damaged")
            for table in ("files", "documents", "words"):
                self.db.execute(f"SELECT * FROM old.{table} LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            with contextlib.suppress(sqlite3.OperationalError):  # attached, but unreadable
                self.db.execute("DETACH DATABASE old")
            self._attach_empty_old()
            return False
        self.has_old = True
        self.old_records = path
        return True

    def count_changes(self) -> bool:
        """Count words from here on as changes to the live generation's counts, which
        ``publish`` applies to a copy of its records; False when there are none (the
        generation's records were missing or damaged)."""
        self.changes_only = self.has_old
        return self.changes_only

    def publish(self, folder: Path) -> None:
        """Write the records of this build into ``folder`` (``records.sqlite``): all of them,
        or (``count_changes``) a copy of the live generation's with this build's changes."""
        if self.changes_only:
            assert self.old_records is not None  # set whenever changes_only is
            shutil.copyfile(self.old_records, folder / RECORDS)
        self.db.execute("ATTACH DATABASE ? AS records", (str(folder / RECORDS),))
        try:
            self.db.execute("PRAGMA records.journal_mode=OFF")
            if self.changes_only:
                self._apply_changes()
                self.db.commit()
                return
            self.db.executescript(_RECORDS.format("records"))
            # OR IGNORE: two raw names may print alike (``printable_path``); the first is kept.
            self.db.execute(
                "INSERT OR IGNORE INTO records.files "
                "SELECT path, entry, json_extract(entry, '$.size'), json_extract(entry, '$.mtime_ns'), seq "
                "FROM files ORDER BY seq"
            )
            self.db.execute(
                "INSERT INTO records.documents SELECT doc_id, key, position FROM documents ORDER BY position"
            )
            self.db.execute("INSERT INTO records.words SELECT word, n FROM words WHERE n > 0 ORDER BY word")
            self.db.execute("INSERT INTO records.terms SELECT word, terms FROM terms ORDER BY word")
            self.db.execute(
                "INSERT INTO records.definitions SELECT abbreviation, long_form, n FROM definitions WHERE n > 0 "
                "ORDER BY abbreviation, long_form"
            )
            self.db.executescript(_KNOWN)
            if self.has_old and _has_table(self.db, "old", "terms"):  # same analyzer (load_old)
                self.db.execute("INSERT OR IGNORE INTO records.terms SELECT word, terms FROM old.terms")
            self.db.commit()
        finally:
            self.db.execute("DETACH DATABASE records")

    def _apply_changes(self) -> None:
        """Turn the copy of the live generation's records (attached as ``records``) into this
        build's: the same rows as writing them all (``publish``), but only the changed ones are
        written. At 100k passages writing all took 0.35 s of a 4 s nightly build."""
        db = self.db
        # Files: those added, changed or gone, each path's first file in walk order (as the
        # INSERT OR IGNORE of a full publish keeps it); then every file's walk position.
        db.execute(
            "CREATE TEMP TABLE changed_paths AS SELECT relative AS path FROM walk.found WHERE NOT cached "
            "UNION SELECT path FROM old.files WHERE path NOT IN (SELECT relative FROM walk.found)"
        )
        db.execute("DELETE FROM records.files WHERE path IN temp.changed_paths")
        db.execute(
            "INSERT OR IGNORE INTO records.files "
            "SELECT path, entry, json_extract(entry, '$.size'), json_extract(entry, '$.mtime_ns'), seq "
            "FROM files WHERE path IN temp.changed_paths ORDER BY seq"
        )
        db.execute("DROP TABLE temp.changed_paths")
        db.execute(
            "UPDATE records.files SET seq = first.seq FROM (SELECT path, min(seq) AS seq FROM files GROUP BY path) "
            "AS first WHERE first.path = records.files.path AND records.files.seq IS NOT first.seq"
        )
        db.execute("DELETE FROM records.documents WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        db.execute(
            "INSERT OR REPLACE INTO records.documents SELECT d.doc_id, d.key, d.position FROM documents AS d "
            "LEFT JOIN records.documents AS r ON r.doc_id = d.doc_id "
            "WHERE r.key IS NOT d.key OR r.position IS NOT d.position"
        )
        db.execute(
            "INSERT INTO records.words (word, n) SELECT word, n FROM words WHERE n != 0 "
            "ON CONFLICT (word) DO UPDATE SET n = n + excluded.n"
        )
        db.execute("DELETE FROM records.words WHERE word IN (SELECT word FROM words) AND n <= 0")
        db.execute(_TERMS.format("records."))  # records from before the table
        db.execute("INSERT OR IGNORE INTO records.terms SELECT word, terms FROM terms")
        # Records from before the definitions were counted hold only the changed documents'
        # until the next full build.
        db.execute(_DEFINITIONS.format("records."))
        db.execute(
            _ADD_DEFINITIONS.format("records.", "SELECT abbreviation, long_form, n FROM definitions WHERE n != 0")
        )
        db.execute(
            "DELETE FROM records.definitions WHERE n <= 0 AND (abbreviation, long_form) IN "
            "(SELECT abbreviation, long_form FROM definitions)"
        )
        db.executescript(_KNOWN)

    # Files -------------------------------------------------------------------------------

    def record_walk(self, files: Iterable[CorpusFile]) -> tuple[int, int]:
        """Store the corpus walk, each file with its entry in the live generation and whether
        that entry still holds (same size and mtime); how many files, and how many of them
        are new or changed."""
        for batch in _batches(files):
            self.db.executemany(
                "INSERT INTO walk.found (relative, location, size, mtime_ns, cached) VALUES (?, ?, ?, ?, 0)",
                [(item.relative, os.fsencode(item.path), item.size, item.mtime_ns) for item in batch],
            )
        self.db.execute("CREATE INDEX walk.found_relative ON found (relative)")
        self.db.execute(
            "UPDATE walk.found SET old = o.entry, cached = (o.size IS found.size AND o.mtime_ns IS found.mtime_ns) "
            "FROM old.files AS o WHERE o.path = found.relative"
        )
        self.db.commit()
        query = "SELECT count(*), count(*) FILTER (WHERE NOT cached) FROM walk.found"
        count, changed = self.db.execute(query).fetchone()
        return count, changed

    def walked(self, *, changed_only: bool = False) -> Iterator[tuple[int, CorpusFile, dict[str, Any] | None, bool]]:
        """The files of the walk in order: ``(seq, file, its old entry or None, whether it holds)``.

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
                for seq, relative, location, size, mtime_ns, old, cached in rows:
                    item = CorpusFile(Path(os.fsdecode(location)), relative, size, mtime_ns)
                    yield seq, item, (json.loads(old) if old else None), bool(cached)
                last = rows[-1][0]
        finally:
            connection.close()

    def add_unchanged(self) -> list[tuple[int, Problem]]:
        """The files whose entry still holds, with their documents' summaries, copied from the
        live generation by SQL (no Python object per file); their errors and warnings, each
        with its file's ``seq``."""
        db = self.db
        db.execute("INSERT INTO files (seq, path, entry) SELECT seq, relative, old FROM walk.found WHERE cached")
        db.execute(
            "INSERT INTO summaries (seq, doc_id, reference, data) "
            f"SELECT f.seq * {SEQ_PER_FILE} + d.key, json_extract(d.value, '$.doc_id'), "
            "json_extract(d.value, '$.reference'), d.value "
            "FROM walk.found AS f, json_each(f.old, '$.documents') AS d WHERE f.cached"
        )
        errors = db.execute(
            "SELECT seq, relative, json_extract(old, '$.error') FROM walk.found "
            "WHERE cached AND json_extract(old, '$.error') IS NOT NULL"
        ).fetchall()
        warnings = db.execute(
            "SELECT f.seq, f.relative, w.value FROM walk.found AS f, json_each(f.old, '$.documents') AS d, "
            "json_each(d.value, '$.warnings') AS w WHERE f.cached ORDER BY f.seq, d.key, w.key"
        ).fetchall()
        problems = [(seq, Problem(path, message, known=True)) for seq, path, message in errors if message]
        return problems + [(seq, Problem(path, message, skipped=False, known=True)) for seq, path, message in warnings]

    def walked_file(self, relative: str) -> CorpusFile | None:
        row = self.db.execute(
            "SELECT location, size, mtime_ns FROM walk.found WHERE relative = ? ORDER BY seq LIMIT 1", (relative,)
        ).fetchone()
        return CorpusFile(Path(os.fsdecode(row[0])), relative, row[1], row[2]) if row else None

    def add_files(self, entries: list[tuple[str, dict[str, Any]]], seqs: list[int] | None = None) -> None:
        """File entries, each at its walk ``seq`` (or after the last)."""
        rows = [(seq, p, compact(e)) for seq, (p, e) in zip(_positions(seqs, len(entries)), entries, strict=True)]
        self.db.executemany("INSERT INTO files (seq, path, entry) VALUES (?, ?, ?)", rows)

    def removed_files(self) -> int:
        """Files of the live generation that this walk did not find."""
        return self.db.execute(
            "SELECT count(*) FROM old.files WHERE path NOT IN (SELECT relative FROM walk.found)"
        ).fetchone()[0]

    # Documents ---------------------------------------------------------------------------

    def add_summaries(
        self, summaries: list[tuple[DocumentSummary, dict[str, Any]]], seqs: list[int] | None = None
    ) -> None:
        """Each summary with its JSON form (as the file's entry holds it: ``to_json`` is slow),
        at ``seq`` (see ``SEQ_PER_FILE``; default: after the last)."""
        self.db.executemany(
            "INSERT INTO summaries (seq, doc_id, reference, data, spool) VALUES (?, ?, ?, ?, ?)",
            [
                (seq, s.doc_id, s.reference, compact(data), s.spool)
                for seq, (s, data) in zip(_positions(seqs, len(summaries)), summaries, strict=True)
            ],
        )

    def deduplicate(self) -> list[Problem]:
        """Keep each document once (``corpus.deduplicate``), a group at a time.

        Documents that share an official id, a Kamer reference or their file's bytes, directly
        or through others, form a group. De-duplication only ever joins documents of one group,
        so doing each group on its own, in file order, keeps the same documents, with the same
        metadata, in the same order (``position``) as doing the whole corpus at once."""
        db = self.db
        self._record_contents()
        db.execute("CREATE INDEX summaries_doc ON summaries (doc_id)")
        db.execute("CREATE INDEX summaries_ref ON summaries (reference) WHERE reference IS NOT NULL")
        db.execute("CREATE INDEX summaries_content ON summaries (content) WHERE content IS NOT NULL")
        db.execute("UPDATE summaries SET position = seq, grp = seq")
        # Each document takes the lowest label of those sharing its id or its reference, until
        # no label changes (as many rounds as the longest chain of links, usually one or two).
        while sum(
            db.execute(
                f"UPDATE summaries SET grp = low.grp FROM (SELECT {column}, min(grp) AS grp FROM summaries "
                f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1) AS low "
                f"WHERE summaries.{column} = low.{column} AND summaries.grp > low.grp"
            ).rowcount
            for column in ("doc_id", "reference", "content")
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

    def _record_contents(self) -> None:
        """Give each document the hash of its file (from the file's entry): two files with the
        same bytes are one document, also when the parser found no id in them."""
        self.db.execute(
            "UPDATE summaries SET content = (SELECT nullif(json_extract(entry, '$.sha256'), '') FROM files "
            "WHERE files.seq = summaries.seq / ?)",
            (SEQ_PER_FILE,),
        )

    def _deduplicate_group(self, group: int) -> list[Problem]:
        query = "SELECT seq, data, spool, content FROM summaries WHERE grp = ? ORDER BY seq"
        rows = self.db.execute(query, (group,)).fetchall()
        members = [_summary(data, spool, content=content) for _seq, data, spool, content in rows]
        order: dict[int, int] = {}
        kept, duplicates = deduplicate_summaries(members, order)
        winners = {id(s) for s in kept}
        updates = []
        for (seq, *_), member in zip(rows, members, strict=True):
            if id(member) in winners:
                filled = compact(member.filled) if member.filled else None
                updates.append((1, rows[order[id(member)]][0], filled, seq))
            else:
                updates.append((0, seq, None, seq))
        self.db.executemany("UPDATE summaries SET kept = ?, position = ?, filled = ? WHERE seq = ?", updates)
        if all(member.spool is None for member in members):  # no file of the group changed: told before
            duplicates = [dataclasses.replace(problem, known=True) for problem in duplicates]
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
        """Each kept document's key (``DocumentSummary.key``), in index order: its digest, in
        SQL, unless it took over something from a duplicate (``filled``)."""
        self.db.execute(
            "INSERT INTO documents (position, doc_id, key) SELECT position, doc_id, json_extract(data, '$.digest') "
            "FROM summaries WHERE kept AND filled IS NULL"
        )
        position = -1
        query = (
            "SELECT position, data, filled FROM summaries WHERE kept AND filled IS NOT NULL AND position > ? "
            "ORDER BY position LIMIT ?"
        )
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
            ("SELECT path, entry FROM files", "SELECT path, entry FROM old.files"),
            ("SELECT doc_id, key FROM documents", "SELECT doc_id, key FROM old.documents"),
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
            "WHERE key IS NOT (SELECT key FROM old.documents o WHERE o.doc_id = d.doc_id) "
            "UNION SELECT doc_id FROM old.documents WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
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
        if _has_table(self.db, "part", "words"):  # a part of no documents counted none
            self.db.execute(
                "INSERT INTO words (word, n) SELECT word, n FROM part.words WHERE true "
                "ON CONFLICT (word) DO UPDATE SET n = n + excluded.n"
            )
        if _has_table(self.db, "part", "terms"):
            self.db.execute("INSERT OR IGNORE INTO terms SELECT word, terms FROM part.terms")
        if _has_table(self.db, "part", "definitions"):
            self.db.execute(
                _ADD_DEFINITIONS.format("", "SELECT abbreviation, long_form, n FROM part.definitions WHERE true")
            )
        self.db.commit()
        self.db.execute("DETACH DATABASE part")
        path.unlink()

    # Analysed words ----------------------------------------------------------------------

    def known_terms(self) -> Callable[[str], tuple[str, ...] | None] | None:
        """The previous build's index terms of a raw word (None for a word it has none of), or
        None when there is no previous build or it kept no terms."""
        if not self.has_old or not _has_table(self.db, "old", "terms"):
            return None
        execute = self.db.execute

        def lookup(word: str) -> tuple[str, ...] | None:
            row = execute("SELECT terms FROM old.terms WHERE word = ?", (word,)).fetchone()
            return None if row is None else split_terms(row[0])

        return lookup

    def keep_terms(self, terms: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        """Record ``terms`` for the next build (with the previous build's, see ``publish``)."""
        _insert_terms(self.db, terms)
        self.db.commit()


class WordCounter:
    """Counts in memory up to ``COUNT_LIMIT`` distinct words, then adds them to the ``words``
    table of ``path``: memory for the counts stays the same however large the vocabulary.

    Words are counted as found and folded (``analysis.fold``) when they are written: once per
    distinct word instead of once per word of the text (1 % of a full build's CPU).

    Beside them, ``definitions`` counts the documents that define an abbreviation as a long
    form (``(abbreviation, long form in lower case)``), into the ``definitions`` table."""

    def __init__(self, path: Path, db: sqlite3.Connection | None = None) -> None:
        self.path = path
        self.db = db  # the catalog's own connection, when counting in the builder
        self.counts: Counter[str] = Counter()
        self.definitions: Counter[tuple[str, str]] = Counter()

    def check(self) -> None:
        if len(self.counts) + len(self.definitions) > COUNT_LIMIT:
            self.flush()

    def flush(self) -> None:
        if not self.counts and not self.definitions:
            return
        folded: Counter[str] = Counter()
        for word, n in self.counts.items():
            folded[fold(word)] += n
        db = self.db or connect(self.path)
        try:
            db.execute(_WORDS)
            db.executemany(
                "INSERT INTO words (word, n) VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
                folded.items(),
            )
            db.execute(_DEFINITIONS.format(""))
            db.executemany(
                _ADD_DEFINITIONS.format("", "VALUES (?, ?, ?)"),
                ((abbreviation, long_form, n) for (abbreviation, long_form), n in self.definitions.items()),
            )
            db.commit()
        finally:
            if db is not self.db:
                db.close()
        self.counts = Counter()
        self.definitions = Counter()

    def add_terms(self, terms: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        """Raw words with their index terms, kept with the counts (merged by ``merge_words``)."""
        db = self.db or connect(self.path)
        try:
            db.execute(_TERMS.format(""))
            _insert_terms(db, terms)
            db.commit()
        finally:
            if db is not self.db:
                db.close()


def top_words(folder: Path, limit: int = 60000) -> dict[str, int]:
    """The ``limit`` most frequent words of the records published in ``folder`` (ties by the
    word, so that every build agrees)."""
    connection = connect(folder / RECORDS, readonly=True)
    try:
        query = "SELECT word, n FROM words WHERE n > 0 ORDER BY n DESC, word LIMIT ?"
        return dict(connection.execute(query, (limit,)).fetchall())
    finally:
        connection.close()


def _has_table(db: sqlite3.Connection, schema: str, table: str) -> bool:
    query = f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (table,)).fetchone() is not None


def _insert_terms(db: sqlite3.Connection, terms: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    """Raw words with their index terms, as one text each (terms never hold a space)."""
    db.executemany("INSERT OR IGNORE INTO terms (word, terms) VALUES (?, ?)", ((w, " ".join(t)) for w, t in terms))


def read_records(generation: Path, table: str) -> dict[str, Any]:
    """A generation's ``files`` (path -> entry), ``documents`` (doc id -> key, in index order),
    ``words`` (word -> count), ``terms`` (raw word -> its index terms, space-separated) or
    ``definitions`` ("abbreviation = long form" -> how many documents define it so) as one
    dict (for tests and tools: it is whole)."""
    key, value, order = {
        "files": ("path", "entry", "seq"),
        "documents": ("doc_id", "key", "position"),
        "words": ("word", "n", "word"),
        "terms": ("word", "terms", "word"),
        "definitions": ("abbreviation || ' = ' || long_form", "n", "abbreviation, long_form"),
    }[table]
    connection = connect(generation / RECORDS, readonly=True)
    try:
        rows = connection.execute(f"SELECT {key}, {value} FROM {table} ORDER BY {order}").fetchall()
    finally:
        connection.close()
    return {k: json.loads(v) if table == "files" else v for k, v in rows}


def _summary(data: str, spool: int | None, filled: str | None = None, content: str | None = None) -> DocumentSummary:
    """A summary as de-duplication left it: its own fields, then what it took over."""
    summary = DocumentSummary.from_json(json.loads(data))
    summary.spool = spool
    summary.content = content
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


def _positions(seqs: list[int] | None, count: int) -> list[int | None]:
    """The walk positions of ``count`` new rows, or ``None`` each (SQLite then appends them)."""
    return list(seqs) if seqs else [None] * count
