"""``kvsearch fetch``: keep the corpus in step with the official publications service.

For each kind (answers, "Kamervragen (Aanhangsel)", and unanswered questions, "Kamervragen
zonder antwoord") of the Tweede Kamer, the service is asked for every record changed since
the watermark (less an overlap, because the service's change date has day precision and is
not always moved when a document is re-processed). A record whose change stamp is the one
remembered is skipped; any other is downloaded through the links the record gives: the
official XML when it has text, else the PDF, and always the record and its ``metadata.xml``.
The watermark moves only after a run in which every document landed.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kvsearch.errors import ServiceError
from kvsearch.fetch.http import DocumentGone, RefusedLink, Transport
from kvsearch.fetch.sru import DEFAULT_SRU_URL, PUBLICATIONS, Record, build_query, list_records
from kvsearch.fetch.store import STATE_DIR, Store, is_safe_id
from kvsearch.ingest.official_xml import kamervragen_text
from kvsearch.ingest.safe_xml import parse_xml

__all__ = ["DEFAULT_SRU_URL", "FetchReport", "fetch"]

#: Days re-listed before the watermark: the service's change date has day precision and is
#: set when a document is published, which can be after the day it was dated.
OVERLAP_DAYS = 7

#: An XML manifestation with fewer letters of document text than this is taken as empty.
MIN_XML_LETTERS = 50

NIGHTLY = "nightly"


@dataclass
class FetchReport:
    """What one fetch run did; ``failed`` counts documents by why they failed."""

    listed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    since: str | None = None
    watermark: str | None = None
    requests: int = 0

    @property
    def retry_later(self) -> int:
        """Documents that failed for a reason that may pass (the service was busy or down);
        the others (gone, refused, no document) fail the same way every time."""
        return self.failed.get("unavailable", 0)

    def fail(self, reason: str, message: str) -> None:
        self.failed[reason] = self.failed.get(reason, 0) + 1
        self.problems.append(message)

    def to_json(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": dict(sorted(self.failed.items())),
            "since": self.since,
            "watermark": self.watermark,
            "requests": self.requests,
        }

    def summary(self) -> str:
        failed = ", ".join(f"{count} {reason}" for reason, count in sorted(self.failed.items())) or "none"
        return (
            f"fetched: {self.listed} listed, {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged; failed: {failed}"
        )


def fetch(
    corpus_dir: str | Path,
    *,
    since: date | None = None,
    vergaderjaren: list[str] | None = None,
    sru_url: str = DEFAULT_SRU_URL,
    rate: float = 1.0,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 2.0,
    progress: Callable[[str, int, int], None] | None = None,
    today: date | None = None,
    record_dir: str | Path | None = None,
) -> FetchReport:
    """Bring ``corpus_dir`` up to date with the service and return what was done.

    Without ``since`` or ``vergaderjaren`` the run starts at the watermark of the last complete
    run, less an overlap; a first run starts on 1 September of the current parliamentary year.
    ``vergaderjaren`` fetches whole parliamentary years, one query each (a backfill; a rerun
    skips what already landed); it leaves the watermark alone. ``record_dir`` keeps a copy of
    every answer of the service.

    Raises:
        ServiceError: the listing could not be fetched or was not an SRU answer.
        CorpusWriteError: a file cannot be written into the corpus folder.
        LockedError: another fetch is filling the same corpus folder.
    """
    today = today or date.today()
    corpus = Path(corpus_dir)
    store = Store(corpus)
    transport = Transport(
        rate=rate,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        record_dir=Path(record_dir) if record_dir is not None else None,
    )
    report = FetchReport()
    try:
        with store.locked():
            store.remove_leftovers()
            windows = _windows(store, since, vergaderjaren, today, report)
            seen: set[str] = set()
            for publication in PUBLICATIONS:
                for window_since, vergaderjaar in windows:
                    query = build_query(publication, since=window_since, vergaderjaar=vergaderjaar)
                    for record, total in list_records(transport, sru_url, query, publication):
                        if record.identifier in seen:
                            continue
                        seen.add(record.identifier)
                        report.listed += 1
                        _fetch_document(store, transport, record, report)
                        if progress:
                            progress("fetch", report.listed, max(report.listed, total or 0))
            if not vergaderjaren and not report.retry_later and _covers_watermark(store, since):
                store.move_watermark(NIGHTLY, today.isoformat())
            report.watermark = store.watermark(NIGHTLY)
    finally:
        report.requests = transport.requests
        store.close()
    return report


def _windows(
    store: Store, since: date | None, vergaderjaren: list[str] | None, today: date, report: FetchReport
) -> list[tuple[date | None, str | None]]:
    """The (changed since, parliamentary year) pairs to list."""
    if vergaderjaren:
        return [(since, year) for year in vergaderjaren]
    if since is None:
        mark = store.watermark(NIGHTLY)
        since = date.fromisoformat(mark) - timedelta(days=OVERLAP_DAYS) if mark else _year_start(today)
    report.since = since.isoformat()
    return [(since, None)]


def _year_start(today: date) -> date:
    """1 September of the parliamentary year ``today`` falls in."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _covers_watermark(store: Store, since: date | None) -> bool:
    """Whether a run from ``since`` leaves no gap after the current watermark."""
    mark = store.watermark(NIGHTLY)
    return since is None or mark is None or since.isoformat() <= mark


def _fetch_document(store: Store, transport: Transport, record: Record, report: FetchReport) -> None:
    identifier = record.identifier
    if not is_safe_id(identifier):
        report.fail("refused", f"record with an unusable identifier {identifier[:80]!r} skipped")
        return
    known = store.known(identifier)
    if known and known[0] == record.stamp and store.is_complete(known[1]):
        report.unchanged += 1
        return
    try:
        files = _download(transport, record)
    except DocumentGone as gone:
        report.fail("gone", f"{identifier}: {gone}; skipped")
        store.remember(identifier, record.stamp, [], status="gone")
        return
    except RefusedLink as refused:
        report.fail("refused", f"{identifier}: {refused}; skipped")
        store.remember(identifier, record.stamp, [], status="refused")
        return
    except ServiceError as error:
        report.fail("unavailable", f"{identifier}: {error}; will be tried again next run")
        return
    if files is None:
        report.fail("no-document", f"{identifier}: the record links no XML or PDF; skipped")
        store.remember(identifier, record.stamp, [], status="gone")
        return
    # The metadata lands before the document: an index build running meanwhile reads a document
    # with the metadata it was fetched with, never a new document without its askers and numbers.
    for relative, data in sorted(files.items(), key=lambda item: not item[0].startswith(STATE_DIR)):
        store.land(relative, data)
    store.remember(identifier, record.stamp, list(files))
    if known:
        # A new version may come as another format (a PDF-only answer that gained its XML):
        # the old file would otherwise be indexed as a second copy.
        store.remove([name for name in known[1] if name not in files])
        report.changed += 1
    else:
        report.new += 1


def _download(transport: Transport, record: Record) -> dict[str, bytes] | None:
    """The files of one document, by corpus-relative path, or None if it has no text file.

    The official XML when it has text (exact questions, answers and footnotes), else the PDF.
    """
    identifier = record.identifier
    xml_url = record.item_urls.get("xml") or (record.main_url if record.main_url.endswith(".xml") else "")
    pdf_url = record.item_urls.get("pdf") or (record.main_url if record.main_url.endswith(".pdf") else "")
    files: dict[str, bytes] = {}
    xml_gone: DocumentGone | None = None
    if xml_url:
        try:
            xml = transport.get(xml_url).body
        except DocumentGone as gone:
            xml_gone = gone  # the PDF, the authentic version, may still be there
        else:
            if has_text(xml):
                files[f"{identifier}.xml"] = xml
    if not files and pdf_url:
        files[f"{identifier}.pdf"] = transport.get(pdf_url).body
    if not files:
        if xml_gone:
            raise xml_gone
        return None
    files[f".kvsearch-fetch/metadata/{identifier}.record.xml"] = record.raw
    metadata_url = record.item_urls.get("metadata")
    if metadata_url:
        # The record itself carries the same fields, so a missing metadata.xml loses nothing.
        with contextlib.suppress(DocumentGone):
            files[f".kvsearch-fetch/metadata/{identifier}.xml"] = transport.get(metadata_url).body
    return files


def has_text(xml: bytes) -> bool:
    """Whether an XML manifestation is an official Kamervragen document with text, one that
    ``kvsearch index`` can read (some XML files of the service hold only metadata)."""
    try:
        text = kamervragen_text(parse_xml(xml))
    except (ET.ParseError, ValueError):
        return False
    return sum(character.isalpha() for character in text) >= MIN_XML_LETTERS
