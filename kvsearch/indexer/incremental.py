"""What changed since the live generation: hash and parse only the files that changed, and count
the words of the documents a build replaces, as the live index holds them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kvsearch.engine.index_files import stored_passages
from kvsearch.indexer.context import BuildContext
from kvsearch.indexer.faults import checkpoint, stops_held
from kvsearch.indexer.passages import count_definitions, count_words, stored_document
from kvsearch.indexer.records import SEQ_PER_FILE, WordCounter
from kvsearch.ingest.corpus import DocumentSummary, Problem, iter_corpus, parse_files


@dataclass
class Load:
    """What loading the corpus found beside the catalog's entries: duplicates and notices."""

    duplicates: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def load_incremental(context: BuildContext) -> Load:
    """Hash and parse what changed; every document's summary, de-duplicated, in the catalog.

    Parsed documents go to the spool; the cache entry of a file (``records.sqlite``) holds its
    size, mtime, hash and its documents' summaries, never their text. Files whose size and
    mtime are unchanged keep their entry and summaries without passing through Python
    (``Catalog.add_unchanged``); only the others are looked at here, in walk order."""
    catalog, spool, report, progress = context.catalog, context.spool, context.report, context.progress
    load = Load()
    total, to_parse = catalog.record_walk(iter_corpus(context.options.corpus, load.notices))
    problems: list[tuple[int, Problem]] = []
    # The others are hashed (and parsed unless the hash is unchanged) in parser processes; the
    # unchanged files' records are copied while they work (after the first outcome).
    jobs = ((item, old.get("sha256") if old else None) for _, item, old, _ in catalog.walked(changed_only=True))
    outcomes = parse_files(jobs, count=to_parse, uninterrupted=stops_held)
    files: list[tuple[str, dict[str, Any]]] = []
    summaries: list[tuple[DocumentSummary, dict[str, Any]]] = []
    file_seqs: list[int] = []
    summary_seqs: list[int] = []

    def save() -> None:
        catalog.add_files(files, file_seqs)
        catalog.add_summaries(summaries, summary_seqs)
        for batch in (files, summaries, file_seqs, summary_seqs):
            batch.clear()

    unchanged = total - to_parse
    checkpoint("reading")
    if progress:
        progress("parse", unchanged, total)
    try:
        for done, (seq, item, old, _cached) in enumerate(catalog.walked(changed_only=True), start=unchanged + 1):
            digest, outcome = next(outcomes)
            if done == unchanged + 1:
                problems += catalog.add_unchanged()
            fresh: DocumentSummary | None = None
            if outcome is None and old:
                entry = {**old, "mtime_ns": item.mtime_ns}
            else:
                entry = {"size": item.size, "mtime_ns": item.mtime_ns, "sha256": digest}
                if isinstance(outcome, str):
                    entry["error"] = outcome
                elif outcome is not None:
                    fresh, text = outcome
                    fresh.spool = spool.append(text)
                    entry["documents"] = [fresh.to_json()]
                if old:
                    report.updated += 1
                else:
                    report.added += 1
            if entry.get("error"):
                problems.append((seq, Problem(item.relative, entry["error"])))
            for index, data in enumerate(entry.get("documents", [])):
                summary = fresh if fresh is not None else DocumentSummary.from_json(data)
                summaries.append((summary, data))
                summary_seqs.append(seq * SEQ_PER_FILE + index)
                problems.extend((seq, Problem(item.relative, w, skipped=False)) for w in summary.warnings)
            files.append((item.relative, entry))
            file_seqs.append(seq)
            if len(files) >= 1000:
                save()
            if progress:
                progress("parse", done, total)
    finally:
        outcomes.close()
    if not to_parse:
        problems += catalog.add_unchanged()
    save()
    problems.sort(key=lambda pair: pair[0])  # stable: a file's error before its warnings, as before
    report.unchanged = total - report.added - report.updated
    report.removed = catalog.removed_files()
    report.skipped = [p for _, p in problems if p.skipped]
    report.warnings = [p for _, p in problems if not p.skipped]
    load.duplicates = catalog.deduplicate()
    return load


def count_live(live: Path, doc_ids: Iterable[str], counter: WordCounter, sign: int) -> None:
    """Count the surface words of documents, and the abbreviations they define, as the live
    index holds them (the version a build replaces), from their stored fields."""
    for stored in stored_passages(live, sorted(doc_ids)):
        document = stored_document(stored)
        count_words(document, counter.counts, sign)
        count_definitions(document, counter.definitions, sign)
        counter.check()
