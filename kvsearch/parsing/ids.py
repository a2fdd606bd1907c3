"""Official document ids and their pages.

An id is an opaque name: ``ah-tk-20232024-1064`` happens to hold a year and a number, but ``ah-1251487``
(how new answers are published) holds neither, so only the ``ah-tk`` and ``kv-tk`` forms are read for
what they hold."""

from __future__ import annotations

import re
from pathlib import Path

from kvsearch.models import Document

OFFICIAL_URL = "https://zoek.officielebekendmakingen.nl/{doc_id}.html"


#: The id forms of the Aanhangsel and of questions not yet answered: ``ah-tk-20232024-1064`` (a reprint
#: ends in ``-h1``, a correction in ``-n1``), ``ah-ek-…`` of the Eerste Kamer, ``ah-1251487`` (unformatted
#: publications, and new answers), ``kv-tk-2024Z18792`` and the older ``kv-tk-20062007-KVR27039``.
OFFICIAL_ID = re.compile(
    r"ah-(?:tk|ek)-\d{8}-\d{1,6}(?:-[hn]\d{1,2})?|ah-\d{1,12}|kv-tk-\d{4}Z\d{5}|kv-tk-\d{8}-KVR\d{1,8}"
)
#: The ids a document's text names itself by, in its page footers.
DOC_ID = re.compile(r"\b(ah-tk-\d{8}-\d+|kv-tk-\d{4}Z\d{5})\b")
# Without the leading \b, for searching a whole document (see search_word_start).
DOC_ID_ANYWHERE = re.compile(DOC_ID.pattern[2:])
MD_FOOTER_ID_ANYWHERE = re.compile(r"h tk (\d{8}) (\d+)\b")  # "h tk 20232024 1064"
_WORD_CHAR = re.compile(r"\w")
_REFERENCE_SHAPE = re.compile(r"\d{4}Z\d{5}")  # the Kamer's number of a question, "2024Z18792"


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


def official_id_of_file(path: str) -> str | None:
    """The official id a file is named by (``ah-1251487.pdf``), or None.

    ``kvsearch fetch`` names each file by its id, and a document published as ``ah-<digits>`` does
    not name itself in its text, which can name other documents: the file name is the surer."""
    stem = Path(path).name.partition(".")[0]
    return stem if OFFICIAL_ID.fullmatch(stem) else None


def id_from_file_name(path: str) -> str:
    """An id in a file's name (``kopie van ah-tk-20232024-1064.md``), else one made of the name (``file-…``)."""
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
        if _REFERENCE_SHAPE.fullmatch(doc.number):
            doc.reference = doc.reference or doc.number
    if OFFICIAL_ID.fullmatch(doc.doc_id):
        doc.url = OFFICIAL_URL.format(doc_id=doc.doc_id)
