"""Writing a generation's Whoosh index: a full build writes a new one in parallel parts, an
incremental build links the live one's files in and replaces only the changed documents."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from kvsearch import analysis
from kvsearch.engine.index_files import create_index, is_index_file, update_index
from kvsearch.engine.segment_writer import FastSegmentWriter
from kvsearch.indexer.context import BuildContext
from kvsearch.indexer.faults import checkpoint, stops_held
from kvsearch.indexer.passages import passage_records
from kvsearch.indexer.spool import Spool, read_documents, spool_missing
from kvsearch.models import Document

#: Memory for the writer's posting pool; past it, sorted runs go to a temporary file.
WRITER_MB = 256

#: Processes writing a full build's segments (one segment each), and the fewest documents
#: worth a second one. Writing is CPU-bound, so one process per core (up to two, which is where
#: the gain levels off; see docs/performance.md). Searches rank the same however many segments
#: there are (kvsearch.engine.whole_index).
WRITE_JOBS = max(1, min(2, os.cpu_count() or 1))
PARALLEL_MIN_DOCUMENTS = 64


def write_full(context: BuildContext) -> int:
    """A new Whoosh index in the build folder holding every passage of the kept documents.

    The documents are split, in order, into up to ``WRITE_JOBS`` parts, each written as a
    segment of its own by a process of its own (``kvsearch.engine.parallel_writer``); their surface
    words are counted into the catalog."""
    catalog, spool, progress = context.catalog, context.spool, context.progress
    for missing in catalog.unspooled():
        spool_missing(missing, catalog, spool)
    catalog.db.commit()
    spool.flush()
    total = catalog.kept_count()
    parts = WRITE_JOBS if total >= PARALLEL_MIN_DOCUMENTS else 1
    bounds = catalog.balanced_bounds(parts, spool.end)

    def work(writer: FastSegmentWriter, part: int, tick: Callable[[], None]) -> None:
        counter = catalog.counter(part)
        mine = catalog.kept(bounds[part], bounds[part + 1])
        half = (bounds[part + 1] - bounds[part]) // 2 + 1
        shipped = analysis.building_chain() is analysis.SHIPPED  # the words analysed, for the next (incremental) build
        analysis.keep_index_terms(counter.add_terms if shipped else None)
        try:
            with Spool.reader(spool.path) as reader:
                for done, document in enumerate(read_documents(mine, reader, counter), start=1):
                    for record in passage_records(document):
                        writer.add_document(**record)
                    if part == 0 and done == half:
                        checkpoint("writing")
                    tick()
        finally:
            analysis.keep_index_terms(None)
        if part == 0 and bounds[1] == 0:
            checkpoint("writing")
        counter.flush()
        if shipped:
            counter.add_terms(analysis.index_terms_cache().items())

    def report(done: int) -> None:
        if progress:
            progress("index", done, total)

    passages = create_index(context.build, work, parts, WRITER_MB, report, stops_held)
    for part in range(parts):
        catalog.merge_words(part)
    return passages


def write_changes(
    context: BuildContext, live: Path, documents: Iterable[Document], changed: set[str], total: int
) -> int:
    """The ``live`` Whoosh index linked into the build folder, with only the changed documents
    replaced: the live generation stays untouched (``kvsearch.engine.index_files.update_index``),
    and the result holds the same passages as a full build."""
    progress = context.progress
    for item in live.iterdir():
        if is_index_file(item.name) and not item.name.endswith("WRITELOCK"):
            _link_or_copy(item, context.build / item.name)

    def add(writer: FastSegmentWriter) -> None:
        done = 0
        for done, document in enumerate(documents, start=1):
            for record in passage_records(document):
                writer.add_document(**record)
            if done == total // 2 + 1:
                checkpoint("writing")
            if progress:
                progress("index", done, total)
        if not done:
            checkpoint("writing")

    return update_index(context.build, sorted(changed), add, WRITER_MB)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to ``source``: no copy of the whole index, nothing new to sync, and the
    previous generation shares the space; a copy where the file system has no links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
