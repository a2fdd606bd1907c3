"""The three systems the benchmark compares, each behind the same small interface.

* ``kvsearch``: the real command (``kvsearch index --full``) and the public search API;
* ``whoosh_naive``: Whoosh as a first attempt would use it: one writer with default settings,
  Whoosh's ``StemmingAnalyzer`` with the pure-Python Snowball ``dutch_porter`` stemmer, the
  default ``MultifieldParser`` (all words must match);
* ``fts5``: SQLite FTS5 from the standard library, ``unicode61`` tokenizer (no stemming), BM25.

The baselines index the passages kvsearch's parser found (``passages.jsonl``), so all three
hold the same text; only kvsearch's build includes reading and parsing the documents.

Run as a script, a system is a worker process (``serve``) that answers queries read from
stdin with their latency, or a cold one-shot search (``cold``) as a user would run it.
Imports are kept inside functions so that a cold run loads only what its system needs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

SYSTEMS = ("kvsearch", "whoosh_naive", "fts5")
TEXT_FIELDS = ("title", "question", "answer")


# --------------------------------------------------------------------------------------------
# Query specs: one query, written for each system


def query_text(system: str, spec: dict[str, Any]) -> str:
    """The query as each system's own language writes it.

    ``spec``: ``words`` (list), ``phrase`` (bool: the words as one phrase), ``party`` and
    ``year`` (filters), ``any`` (bool: a long pasted question, where the best passages have
    most of the words rather than all of them; kvsearch decides this itself).
    """
    words = [w for w in spec["words"] if w]
    if system == "fts5":
        terms = [_fts5_word(w) for w in words]
        text = (
            '"' + " ".join(w.replace('"', "") for w in words) + '"'
            if spec.get("phrase")
            else (" OR ".join(terms) if spec.get("any") else " ".join(terms))
        )
        if spec.get("party"):
            text = f'({text}) AND party : "{spec["party"].lower()}"'
        if spec.get("year"):
            text = f'({text}) AND year : "{spec["year"]}"'
        return text
    text = '"' + " ".join(words) + '"' if spec.get("phrase") else " ".join(words)
    if system == "kvsearch":
        if spec.get("party"):
            text += f" partij:{spec['party']}"
        if spec.get("year"):
            text += f" jaar:{spec['year']}"
        return text
    if spec.get("party"):
        text += f" party:{spec['party'].lower()}"
    if spec.get("year"):
        text += f" year:{spec['year']}"
    return text


def _fts5_word(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


# --------------------------------------------------------------------------------------------
# Building the baselines


def _passages(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def build_whoosh_naive(passages: Path, index: Path) -> int:
    from snowballstemmer.dutch_porter_stemmer import DutchPorterStemmer
    from whoosh import fields
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer

    stemmer = DutchPorterStemmer()  # pure Python: what ``pip install whoosh snowballstemmer`` gives
    analyzer = StemmingAnalyzer(stemfn=stemmer.stemWord, stoplist=None)
    schema = fields.Schema(
        passage_id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, stored=True),
        question=fields.TEXT(analyzer=analyzer, stored=True),
        answer=fields.TEXT(analyzer=analyzer, stored=True),
        party=fields.KEYWORD(lowercase=True, commas=True),
        year=fields.ID(stored=True),
        ministry=fields.KEYWORD(lowercase=True, commas=True),
    )
    index.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index), schema)
    writer = ix.writer()
    count = 0
    for record in _passages(passages):
        writer.add_document(**{k: record[k] for k in schema.names()})
        count += 1
    writer.commit()
    ix.close()
    return count


FTS5_SCHEMA = (
    "CREATE VIRTUAL TABLE passages USING fts5(passage_id UNINDEXED, title, question, answer, party, year, "
    "ministry, tokenize = 'unicode61 remove_diacritics 2')"
)


def build_fts5(passages: Path, index: Path) -> int:
    import sqlite3

    index.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(index / "passages.db")
    db.execute(FTS5_SCHEMA)
    columns = ("passage_id", "title", "question", "answer", "party", "year", "ministry")
    rows = ([record[c] for c in columns] for record in _passages(passages))
    with db:
        db.executemany(f"INSERT INTO passages VALUES ({', '.join('?' * len(columns))})", rows)
        db.execute("INSERT INTO passages(passages) VALUES ('optimize')")
    count = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    db.close()
    return int(count)


# --------------------------------------------------------------------------------------------
# Searching: an opened index that answers query specs


class Searcher:
    """A system's index, opened once; ``search`` returns the top passage ids with their text."""

    def __init__(self, system: str, index: Path) -> None:
        self.system, self.index = system, index
        if system == "whoosh_naive":
            from whoosh import index as whoosh_index
            from whoosh import qparser

            self.ix = whoosh_index.open_dir(str(index), readonly=True)
            self.searcher = self.ix.searcher()
            self.parsers = {
                group: qparser.MultifieldParser(list(TEXT_FIELDS), self.ix.schema, group=group)
                for group in (qparser.AndGroup, qparser.OrGroup)
            }
            self.groups = (qparser.AndGroup, qparser.OrGroup)
        elif system == "fts5":
            import sqlite3

            self.db = sqlite3.connect(f"file:{index / 'passages.db'}?mode=ro", uri=True)

    def search(self, spec: dict[str, Any], limit: int = 10) -> list[str]:
        text = query_text(self.system, spec)
        if self.system == "kvsearch":
            import kvsearch

            result = kvsearch.search(text, index_dir=self.index, limit=limit)
            return [hit.passage_id for hit in result.hits]
        if self.system == "whoosh_naive":
            parser = self.parsers[self.groups[1] if spec.get("any") else self.groups[0]]
            results = self.searcher.search(parser.parse(text), limit=limit)
            return [hit.fields()["passage_id"] for hit in results]
        rows = self.db.execute(
            "SELECT passage_id, title, question, answer FROM passages"
            " WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ?",
            (text, limit),
        ).fetchall()
        return [row[0] for row in rows]


def serve(system: str, index: Path) -> None:
    """A warm worker: one JSON query spec per stdin line, its latency (ms) and hits per line."""
    searcher = Searcher(system, index)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        spec = json.loads(line)
        started = time.perf_counter()
        try:
            ids = searcher.search(spec)
            error = None
        except Exception as failure:  # a baseline that cannot run a query: report, go on
            ids, error = [], f"{type(failure).__name__}: {failure}"
        elapsed = (time.perf_counter() - started) * 1000
        print(json.dumps({"ms": elapsed, "hits": len(ids), "top": ids, "error": error}), flush=True)


def cold(system: str, index: Path, spec: dict[str, Any]) -> None:
    """One search in a fresh process, printing the hits as a one-liner would."""
    for passage_id in Searcher(system, index).search(spec):
        print(passage_id)


if __name__ == "__main__":
    command, system_name, index_path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if command == "serve":
        serve(system_name, index_path)
    elif command == "cold":
        cold(system_name, index_path, json.loads(sys.argv[4]))
    elif command == "build":
        builder = {"whoosh_naive": build_whoosh_naive, "fts5": build_fts5}[system_name]
        print(builder(Path(sys.argv[4]), index_path))
    else:
        raise SystemExit(f"unknown command {command!r}")
