"""An Atom 1.0 feed per watch, for feed readers.

Entry ids are ``tag:`` URIs made from the passage id alone, so a feed reader shows each passage
once however often the feed is written again. Document text is untrusted: it is made safe for
a terminal first (no control characters) and then escaped by the XML writer.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

from kvsearch.errors import OutputError
from kvsearch.follow.watches import Watch
from kvsearch.ingest.safe_text import sanitize
from kvsearch.results import Hit, numbers_label

ATOM = "http://www.w3.org/2005/Atom"
#: The tagging entity of every id; the date only says from when it names these things.
TAG = "tag:kvsearch,2024:"
#: Halves of UTF-16 pairs, which a JSON string may hold and XML may not.
_SURROGATES = re.compile("[\ud800-\udfff]")


def passage_tag(passage_id: str) -> str:
    """The stable Atom id of a passage: ``tag:kvsearch,2024:passage/ah-tk-20232024-1064/8``."""
    doc_id, _, key = passage_id.partition("#")
    return f"{TAG}passage/{quote(doc_id, safe='-_')}/{quote(key, safe='-_')}"


def watch_tag(name: str) -> str:
    return f"{TAG}watch/{quote(name, safe='-_.')}"


def feed_path(folder: Path, watch: Watch) -> Path:
    return folder / f"{watch.name}.atom"


def feed_xml(watch: Watch, entries: list[tuple[Hit, str]], made: str) -> str:
    """The feed of ``watch``: one entry per passage with the time it was first reported."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", watch_tag(watch.name))
    _text(feed, "title", f"kvsearch: {watch.name}")
    _text(feed, "subtitle", watch.query)
    _text(feed, "updated", max([made, *(when for _hit, when in entries)]) if entries else made)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "kvsearch")
    _text(feed, "generator", "kvsearch")
    for hit, when in entries:
        feed.append(_entry(hit, when))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _entry(hit: Hit, when: str) -> ET.Element:
    meta = hit.document
    entry = ET.Element(f"{{{ATOM}}}entry")
    _text(entry, "id", passage_tag(hit.passage_id))
    label = numbers_label(hit.questions)
    title = _clean(meta.get("title") or hit.doc_id)
    _text(entry, "title", f"{title} (vraag {label})" if label else title)
    _text(entry, "updated", when)
    url = meta.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": _clean(url)})
    _text(entry, "summary", _clean(hit.question)[:500] or title)
    body = [f"Vraag {label}: {_clean(hit.question)}" if hit.question else "", _answer(hit)]
    _text(entry, "content", "\n\n".join(part for part in body if part)).set("type", "text")
    return entry


def _answer(hit: Hit) -> str:
    if not hit.answer:
        return ""
    heading = "Mededeling" if hit.document.get("kind") == "mededeling" and not hit.questions else "Antwoord"
    return f"{heading}: {_clean(hit.answer)}"


def _clean(text: object) -> str:
    """Document text as XML 1.0 can hold it: no control characters (the writer escapes the rest)."""
    return " ".join(_SURROGATES.sub("", sanitize(str(text or ""))).split())


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def write_feed(folder: Path, watch: Watch, entries: list[tuple[Hit, str]], made: str) -> Path:
    """Write ``folder/NAME.atom`` whole (aside, synced, renamed), so a feed reader never reads half.

    Raises:
        OutputError: the folder or file cannot be written (names the file).
    """
    from kvsearch.storage.folder import write_atomic

    path = feed_path(folder, watch)
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomic(path, feed_xml(watch, entries, made))
    except OSError as error:
        raise OutputError(f"{path}: cannot write the Atom feed: {error.strerror or error}") from None
    return path
