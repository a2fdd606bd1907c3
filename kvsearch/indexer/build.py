"""A build from start to end: take the lock, start from the live generation, load what changed,
write, verify and publish, or leave the live index as it was. Each step lives in a module of
its own (``kvsearch.indexer``); this one only orders them and decides what a failure means."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kvsearch import analysis
from kvsearch.errors import IndexWriteError
from kvsearch.indexer.base import base_generation, damaged_files
from kvsearch.indexer.context import BuildContext, BuildOptions
from kvsearch.indexer.failures import DamagedBase, describe_error, not_as_written, read_failure, write_failure
from kvsearch.indexer.faults import clear_stop_request, stoppable
from kvsearch.indexer.incremental import count_live, load_incremental
from kvsearch.indexer.lock import cannot_write, private_files, writer_lock
from kvsearch.indexer.publish import discard, publish
from kvsearch.indexer.records import Catalog
from kvsearch.indexer.report import BuildReport, ProgressFn
from kvsearch.indexer.spool import SPOOL, Spool, documents
from kvsearch.indexer.status import record_outcome
from kvsearch.indexer.verify import guard_shrink, verify
from kvsearch.indexer.write import write_changes, write_full
from kvsearch.storage import folder as indexfolder
from kvsearch.storage.folder import write_atomic
from kvsearch.storage.generations import CURRENT, live_generation, read_manifest, rollback_generation, versions


def build_index(
    corpus_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    *,
    full: bool = False,
    allow_shrink: bool = False,
    progress: ProgressFn | None = None,
) -> BuildReport:
    """Build a new generation from ``corpus_dir`` and publish it.

    Only files whose size, mtime or content changed since the live generation are parsed
    again (``full=True`` parses everything). The result is the same as a full build. The
    outcome, good or bad, is recorded in ``index/last-build.json`` for ``kvsearch status``.
    The analyzer chain is :func:`kvsearch.analysis.building_chain`; it is recorded in
    the index, and searches use the chain that built it.

    Raises:
        CorpusError: the corpus folder is missing or unreadable (nothing published).
        LockedError: another build is running.
        PublishRefusedError: the corpus yields no documents, far fewer than the live index,
            or the new index fails its checks; the live index stays.
        IndexWriteError: the index cannot be written (e.g. disk full); the live index stays.
    """
    index_path = Path(index_dir)
    indexfolder.claim(index_path)
    with private_files(), writer_lock(index_path):
        report = BuildReport(full=full)
        try:
            try:
                index_id = indexfolder.mark(index_path)
            except OSError as error:
                raise cannot_write(index_path, error) from None
            options = BuildOptions(
                Path(corpus_dir), index_path, index_id, full, allow_shrink=allow_shrink, progress=stoppable(progress)
            )
            try:
                published = _build(options, report)
            except DamagedBase as damaged:
                # The live generation cannot be updated: build it again from the corpus.
                notices = [*report.notices, f"{damaged}; building the index again in full"]
                report = BuildReport(full=True, notices=notices)
                published = _build(replace(options, full=True), report)
        except BaseException as error:
            record_outcome(index_path, report, error)
            raise
        finally:
            clear_stop_request()
        record_outcome(index_path, report, None, published)
    return report


def _build(options: BuildOptions, report: BuildReport) -> bool:
    """Build and publish; False when nothing changed and the live generation stays."""
    started = time.monotonic()
    index_path, index_id = options.index_path, options.index_id
    live, notice = base_generation(index_path, index_id)
    if notice:
        report.notices.append(notice)
    # Leftovers of a killed build go; the live generation and the one to roll back to stay.
    keep = {g.name for g in (live_generation(index_path), live, rollback_generation(index_path, live)) if g}
    indexfolder.remove_builds(index_path, index_id, keep=keep)
    previous = read_manifest(live) if live else None
    reuse = bool(live and previous and not options.full and previous.get("versions") == versions())
    name = f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    while (index_path / f"gen-{name}").exists() or (index_path / f".build-{name}").exists():
        name += "-2"  # a second build of this process within the second
    build = index_path / f".build-{name}"
    generation = index_path / f"gen-{name}"
    try:
        build.mkdir()
        indexfolder.stamp(build, index_id)
        with Spool(build / SPOOL) as spool:
            catalog = Catalog(build)
            try:
                if live and reuse:
                    catalog.load_old(live)
                context = BuildContext(options, report, build, generation, live, previous, catalog, spool, started)
                published = _build_in(context)
            finally:
                catalog.close()
    except BaseException as error:
        discard(build)
        if isinstance(error, DamagedBase):
            raise
        # A damaged length field in a live file can ask for more memory than there is: a
        # MemoryError is the live generation's fault only when its checksums say it is damaged.
        if reuse and live and (read_failure(error) or isinstance(error, MemoryError)):
            damaged = damaged_files(live)
            if damaged:
                raise DamagedBase(not_as_written(live, damaged[0])) from error
            if not isinstance(error, MemoryError):
                raise DamagedBase(
                    f"the live generation {live.name} cannot be read ({describe_error(error)})"
                ) from error
        reason = write_failure(error)
        if reason is None:
            raise
        raise IndexWriteError(
            f"cannot write the index in {index_path}: {reason}; the live index is unchanged"
        ) from None
    if not published:
        discard(build)
        if live and live != live_generation(index_path):
            write_atomic(index_path / CURRENT, live.name + "\n")  # CURRENT was damaged: name the live one again
        return False
    # Keep the previous generation for rollback and for readers that opened it just now.
    indexfolder.remove_builds(index_path, index_id, keep={generation.name, *([live.name] if live else [])})
    return True


def _build_in(context: BuildContext) -> bool:
    """Load, write, verify and publish in the build folder; False when nothing changed."""
    catalog, report, live, previous = context.catalog, context.report, context.live, context.previous
    load = load_incremental(context)
    kept = catalog.kept_count()
    guard_shrink(kept, previous, context.options.allow_shrink)
    report.documents = kept
    report.duplicates = load.duplicates
    report.notices += load.notices
    catalog.record_keys()
    if live and catalog.unchanged():
        # Nothing changed: the live generation is already this index.
        report.generation = live.name
        report.passages = int(previous.get("passages", 0)) if previous else 0
        report.seconds = round(time.monotonic() - context.started, 2)
        return False

    changed = catalog.changed_documents() if live else None
    if live and changed is not None and catalog.count_changes():
        # The live files are read back against their checksums while the build works (the
        # reading and the checksums run outside the GIL); the result is needed only to publish.
        with ThreadPoolExecutor(max_workers=1) as background:
            damaged = background.submit(damaged_files, live)
            counter = catalog.counter()
            count_live(live, changed, counter, -1)
            wanted = catalog.kept_with_ids(changed)
            replacements = documents(wanted, catalog, context.spool, counter)
            shipped = analysis.building_chain() is analysis.SHIPPED
            analysis.use_known_index_terms(catalog.known_terms() if shipped else None)
            analysis.keep_index_terms(catalog.keep_terms if shipped else None)
            try:
                report.passages = write_changes(context, live, replacements, changed, len(wanted))
            finally:
                analysis.use_known_index_terms(None)
                analysis.keep_index_terms(None)
            if damaged.result():
                raise DamagedBase(not_as_written(live, damaged.result()[0]))
        counter.flush()
        if shipped:
            catalog.keep_terms(analysis.index_terms_cache().items())
    else:
        report.passages = write_full(context)
    canaries = {s.doc_id: s for s in (catalog.kept_at(0), catalog.kept_at(kept // 2), catalog.kept_at(kept - 1)) if s}
    verify(context.build, report.passages, list(documents(list(canaries.values()), catalog, context.spool)))
    report.generation = context.generation.name
    report.seconds = round(time.monotonic() - context.started, 2)
    publish(context)
    return True
