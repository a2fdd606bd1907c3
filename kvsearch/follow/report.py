"""Saved searches: add, list and remove them, and report what is new for each.

"New since the last report" is what matches a watch now and did not at its last report: the
passage ids that matched are kept per watch. A document added since, and an answer that
arrived for a question already there (the answer's passages have new ids), are reported once;
no index field or build time is needed. A report is remembered only when the caller says it
was written out whole (:func:`remember_report`), so a report lost to a full disk comes again.

A report holds the watches file's lock from reading what each watch saw to remembering what
it reported (:func:`watches_lock`), so two reports at once never both show the same news; a
second report gives up at once (as a second index build does), while adding or removing a
watch waits a little for a report to finish.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

from kvsearch.errors import IndexMissingError, NotFoundError, UsageError
from kvsearch.follow import watches as watch_file
from kvsearch.follow.lock import watches_file_lock
from kvsearch.follow.matches import all_matches, document_day
from kvsearch.follow.watches import FEED_ENTRIES, Watch
from kvsearch.results import Hit

#: Seconds adding or removing a watch waits for a report (or another change) to finish.
CHANGE_WAIT_SECONDS = 10.0


class WatchReport(NamedTuple):
    """What one watch has to report: the new passages, newest first."""

    watch: Watch
    new: list[Hit]
    #: Every passage id the watch matches now (remembered as seen when the report is kept).
    matching: list[str]


class Report(NamedTuple):
    """A report over several watches, and where to remember it."""

    path: Path
    watches: dict[str, Watch]
    reports: list[WatchReport]
    #: When the report was made (UTC, ISO), the ``updated`` time of its Atom entries.
    made: str
    #: Only a report "since the last report" moves the watches on; one since a date does not.
    moves_on: bool

    @property
    def has_news(self) -> bool:
        return any(report.new for report in self.reports)


@contextmanager
def watches_lock(
    *, index_dir: str | os.PathLike[str], doing: str = "watch report", wait: float = 0.0
) -> Iterator[None]:
    """Hold the lock of the watches file of ``index_dir`` while the block runs: hold it around
    a whole report, from :func:`watch_report` to :func:`remember_report`.

    Raises:
        LockedError: another report or change holds it still after ``wait`` seconds.
        OutputError: the lock file cannot be made.
    """
    with watches_file_lock(watch_file.watches_path(index_dir), doing=doing, wait=wait):
        yield


def add_watch(name: str, query: str, *, index_dir: str | os.PathLike[str]) -> tuple[Watch, bool]:
    """Save ``query`` as watch ``name``; what matches now counts as seen.

    Returns the watch and whether an index was there to take what matches now from (without
    one, the first report shows every match).

    Raises:
        UsageError: a bad name or query, or the name is taken.
        LockedError: a report or another change kept the watches file busy too long.
    """
    watch_file.check_name(name)
    watch_file.check_query(query)
    path = watch_file.watches_path(index_dir)
    _refuse_taken(name, watch_file.load(path), path)  # before the search: say so at once
    try:
        seen = [hit.passage_id for hit in all_matches(query, index_dir=index_dir)]
        indexed = True
    except IndexMissingError:
        seen, indexed = [], False
    with watches_lock(index_dir=index_dir, doing="watch add", wait=CHANGE_WAIT_SECONDS):
        watches = watch_file.load(path)
        _refuse_taken(name, watches, path)  # taken meanwhile
        watch = Watch(name=name, query=query, added=watch_file.now(), seen=seen)
        watches[name] = watch
        watch_file.save(path, watches)
    return watch, indexed


def _refuse_taken(name: str, watches: dict[str, Watch], path: Path) -> None:
    if name in watches:
        raise UsageError(f"a watch named {name!r} exists in {path} (remove it first: kvsearch watch remove {name})")


def remove_watch(name: str, *, index_dir: str | os.PathLike[str]) -> None:
    """Forget watch ``name`` and its report state.

    Raises:
        UsageError: there is no such watch.
        LockedError: a report or another change kept the watches file busy too long.
    """
    path = watch_file.watches_path(index_dir)
    with watches_lock(index_dir=index_dir, doing="watch remove", wait=CHANGE_WAIT_SECONDS):
        watches = watch_file.load(path)
        watch_file.selected(watches, [name], path)
        del watches[name]
        watch_file.save(path, watches)


def list_watches(*, index_dir: str | os.PathLike[str]) -> list[Watch]:
    """The saved watches in name order."""
    watches = watch_file.load(watch_file.watches_path(index_dir))
    return [watches[name] for name in sorted(watches)]


def watch_report(names: list[str], *, index_dir: str | os.PathLike[str], since: date | None = None) -> Report:
    """What is new for the watches ``names`` (all when empty): since their last report, or
    published on or after ``since`` (the documents' own dates; such a report is not remembered).

    Raises:
        UsageError: an unknown watch, or no watches at all.
        QuerySyntaxError: a watch's query, edited by hand, is not valid.
        IndexMissingError: no usable index.
    """
    path = watch_file.watches_path(index_dir)
    watches = watch_file.load(path)
    reports = []
    for watch in watch_file.selected(watches, names, path):
        hits = all_matches(watch.query, index_dir=index_dir)
        if since is None:
            seen = set(watch.seen)
            new = [hit for hit in hits if hit.passage_id not in seen]
        else:
            new = [hit for hit in hits if (document_day(hit.document) or date.min) >= since]
        reports.append(WatchReport(watch, new, [hit.passage_id for hit in hits]))
    return Report(path, watches, reports, watch_file.now(), moves_on=since is None)


def feed_entries(report: WatchReport, made: str, *, index_dir: str | os.PathLike[str]) -> list[tuple[Hit, str]]:
    """The passages of a watch's Atom feed with the time each was first reported: this
    report's new ones and the ones reported before (still in the index), newest first."""
    import kvsearch

    entries = [(hit, made) for hit in report.new]
    listed = {hit.passage_id for hit in report.new}
    for passage_id, reported in report.watch.recent:
        if len(entries) >= FEED_ENTRIES:
            break
        if passage_id in listed:
            continue
        try:
            entries.extend((hit, reported) for hit in kvsearch.get_document(passage_id, index_dir=index_dir))
        except (NotFoundError, UsageError):
            continue  # gone from the index since (or edited by hand into something else)
        listed.add(passage_id)
    return entries[:FEED_ENTRIES]


def write_watch_feeds(report: Report, folder: Path, *, index_dir: str | os.PathLike[str]) -> list[Path]:
    """An Atom feed per watch of the report in ``folder`` (``NAME.atom``), written whole.

    Raises:
        OutputError: a feed cannot be written (names the file).
    """
    from kvsearch.follow.atom import write_feed

    return [
        write_feed(folder, item.watch, feed_entries(item, report.made, index_dir=index_dir), report.made)
        for item in report.reports
    ]


def remember_report(report: Report) -> None:
    """Keep the report as each watch's last one: call only after it was written out whole,
    within the :func:`watches_lock` that the report was made in.

    Raises:
        LockedError: called outside that lock while another report or change holds it.
    """
    if not report.moves_on:
        return
    with watches_file_lock(report.path, doing="watch report"):
        # Read again: a watch changed by hand while the report ran keeps the change.
        watches = watch_file.load(report.path)
        for item in report.reports:
            watch = watches.get(item.watch.name)
            if watch is None or watch.query != item.watch.query:
                continue
            reported_now = {hit.passage_id for hit in item.new}
            still_matching = set(item.matching)
            earlier = [entry for entry in watch.recent if entry[0] in still_matching and entry[0] not in reported_now]
            watch.seen = list(item.matching)
            watch.reported = report.made
            watch.recent = ([[hit.passage_id, report.made] for hit in item.new] + earlier)[:FEED_ENTRIES]
        watch_file.save(report.path, watches)
