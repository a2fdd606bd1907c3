"""Official document ids (``ah-tk-20232024-1064``, ``kv-tk-2024Z01234``) and their pages."""

from __future__ import annotations

import re
from pathlib import Path

from kvsearch.models import Document

OFFICIAL_URL = "https://zoek.officielebekendmakingen.nl/{doc_id}.html"


DOC_ID = re.compile(r"\b(ah-tk-\d{8}-\d+|kv-tk-\d{4}Z\d{5})\b")
# Without the leading \b, for searching a whole document (see search_word_start).
DOC_ID_ANYWHERE = re.compile(DOC_ID.pattern[2:])
MD_FOOTER_ID_ANYWHERE = re.compile(r"h tk (\d{8}) (\d+)\b")  # "h tk 20232024 1064"
_WORD_CHAR = re.compile(r"\w")


def search_word_start(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``re.search(r"\\b" + pattern.pattern, text)`` for a pattern starting with a word character.

    A pattern that starts with ``\\b`` is tried at every position of the text; one that starts
    with letters is found by a scan in C, which matters on a whole document.
    """
    pos = 0
    while (found := pattern.search(text, pos)) is not None:
        start = found.start()
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            return found
        pos = start + 1
    return None


def id_from_file_name(path: str) -> str:
    """The official id in a file's name, else one made of the name (``file-…``)."""
    from_name = DOC_ID.search(Path(path).name)
    return from_name.group(1) if from_name else "file-" + re.sub(r"\W+", "-", Path(path).stem)


def fill_from_id(doc: Document) -> None:
    """What an official id says of its document: parliamentary year, number, reference and page."""
    if doc.doc_id.startswith("ah-tk-"):
        years = doc.doc_id.split("-")[2]
        doc.year = f"{years[:4]}-{years[4:]}"
        doc.number = doc.doc_id.split("-")[3]
    elif doc.doc_id.startswith("kv-tk-"):
        doc.number = doc.doc_id[len("kv-tk-") :]
        doc.reference = doc.reference or doc.number
    if doc.doc_id.startswith(("ah-tk-", "kv-tk-")):
        doc.url = OFFICIAL_URL.format(doc_id=doc.doc_id)
