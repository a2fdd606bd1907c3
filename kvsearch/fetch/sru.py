"""The SRU 2.0 client for the official publications service: queries, paging, records.

The service answers a query it cannot parse with HTTP 200 and a ``diagnostics`` element, and
some failures with an HTML page, also with status 200; both are errors here, never "no
results". Elements are matched by their local name, since the service's namespace prefixes
vary between responses; XML is parsed without DTDs or entities (:mod:`kvsearch.ingest.safe_xml`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from kvsearch.errors import ServiceError
from kvsearch.fetch.http import Transport
from kvsearch.ingest.safe_xml import UnsafeXml, local_name, parse_xml

DEFAULT_SRU_URL = "https://repository.overheid.nl/sru"

#: The two publication kinds kvsearch fetches, by the short name used in reports and state.
PUBLICATIONS = {
    "aanhangsel": "Kamervragen (Aanhangsel)",
    "zonder-antwoord": "Kamervragen zonder antwoord",
}

#: Only the Tweede Kamer: new answer ids (``ah-<digits>``) no longer say which Kamer.
CREATOR = "Tweede Kamer der Staten-Generaal"

PAGE_SIZE = 500


def _first(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element.iter() if local_name(child) == name), None)


def _text(element: ET.Element | None, name: str) -> str:
    found = _first(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class Record:
    """What one SRU record says about one publication."""

    identifier: str
    publication: str  # short name, a key of PUBLICATIONS
    stamp: str  # changes whenever the publication does
    main_url: str
    item_urls: dict[str, str] = field(default_factory=dict)  # manifestation → URL
    raw: bytes = b""  # the record's XML, kept beside the document as its metadata


@dataclass(frozen=True)
class Page:
    total: int | None
    records: list[Record]
    next_position: int | None


def build_query(publication: str, *, since: date | None = None, vergaderjaar: str | None = None) -> str:
    """The CQL query for one publication kind, changed since a date or of one parliamentary year."""
    clauses = [
        "c.product-area==officielepublicaties",
        f'w.publicatienaam=="{PUBLICATIONS[publication]}"',
        f'dt.creator=="{CREATOR}"',
    ]
    if vergaderjaar:
        clauses.append(f'w.vergaderjaar=="{vergaderjaar}"')
    if since:
        clauses.append(f"dt.modified>={since.isoformat()}")
    # A stable order keeps pages from shifting while the service adds records.
    return " AND ".join(clauses) + " sortBy dt.modified/sort.ascending"


def page_url(base_url: str, query: str, start: int, size: int) -> str:
    parameters = {
        "operation": "searchRetrieve",
        "version": "2.0",
        "query": query,
        "startRecord": start,
        "maximumRecords": size,
        "recordSchema": "gzd",
        "httpAccept": "application/xml",
    }
    return f"{base_url}?{urlencode(parameters)}"


def list_records(
    transport: Transport, base_url: str, query: str, publication: str, page_size: int = PAGE_SIZE
) -> Iterator[tuple[Record, int | None]]:
    """Every record the query finds, with the service's total, page after page.

    Pages may hold fewer records than asked; listing goes on until a page is empty or the
    total is reached.

    Raises:
        ServiceError: a page could not be fetched or is not an SRU answer.
    """
    start = 1
    while True:
        url = page_url(base_url, query, start, page_size)
        page = parse_page(transport.get(url).body, publication, url)
        if not page.records:
            return
        for record in page.records:
            yield record, page.total
        following = page.next_position or start + len(page.records)
        if following <= start or (page.total is not None and following > page.total):
            return
        start = following


def parse_page(body: bytes, publication: str, url: str) -> Page:
    """One searchRetrieve answer.

    Raises:
        ServiceError: an HTML page, SRU diagnostics, or XML that is not an SRU answer.
    """
    if body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise ServiceError(f"the service answered with an HTML page, not SRU: {url}")
    try:
        root = parse_xml(body)
    except (ET.ParseError, UnsafeXml) as error:
        raise ServiceError(f"the service's answer is not valid XML ({error}): {url}") from None
    diagnostics = next((child for child in root if local_name(child) == "diagnostics"), None)
    if diagnostics is not None:
        diagnostic = _first(diagnostics, "diagnostic") or diagnostics
        message = _text(diagnostic, "message") or _text(diagnostic, "details") or _text(diagnostic, "uri")
        raise ServiceError(f"the service refused the query: {message[:300]}")
    if local_name(root) != "searchRetrieveResponse":
        raise ServiceError(f"the service's answer is not an SRU response (<{local_name(root)}>): {url}")
    records_element = _first(root, "records")
    records = (
        []
        if records_element is None
        else [parse_record(element, publication) for element in records_element if local_name(element) == "record"]
    )
    return Page(_number(_text(root, "numberOfRecords")), records, _number(_text(root, "nextRecordPosition")))


def parse_record(element: ET.Element, publication: str) -> Record:
    """A record's identifier, change stamp and document links."""
    meta = _first(element, "originalData")
    enriched = _first(element, "enrichedData")
    stamp = _text(meta, "datumTijdstipWijzigingExpression") or _text(enriched, "timestamp") or _text(meta, "modified")
    item_urls: dict[str, str] = {}
    if enriched is not None:
        for item in enriched.iter():
            if local_name(item) == "itemUrl" and item.get("manifestation") and item.text:
                item_urls.setdefault(item.get("manifestation", ""), item.text.strip())
    return Record(
        identifier=_text(meta, "identifier"),
        publication=publication,
        stamp=stamp,
        main_url=_text(enriched, "url"),
        item_urls=item_urls,
        raw=ET.tostring(element, encoding="utf-8"),
    )


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None
