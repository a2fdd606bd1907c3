"""The second step: the header, everything before the first question.

It holds the official id, number and year, the askers and their parties, the addressees, the subject,
the dates, who answered, and references to related documents."""

from __future__ import annotations

import re
from datetime import date

from kvsearch.ingest.sources import SourceText
from kvsearch.models import KIND_NOTICE, Document, Person
from kvsearch.parsing.cleanup import CleanLines
from kvsearch.parsing.dates import DATE_PATTERN, parliamentary_year, parse_date, to_date
from kvsearch.parsing.headings import ANSWER_HEAD, NOTICE_HEAD, NUMBERED_QUESTION, QUESTION_HEAD
from kvsearch.parsing.ids import (
    DOC_ID_ANYWHERE,
    MD_FOOTER_ID_ANYWHERE,
    fill_from_id,
    id_from_file_name,
    official_id_of_file,
    search_word_start,
)
from kvsearch.parsing.lines import BLANK, PAGE, join_wrapped, strip_markup
from kvsearch.parsing.offices import parse_addressees
from kvsearch.parsing.people import clean_name, parse_askers

_AH_LINE = re.compile(r"^AH\s+(\d{1,5})$")
_REFERENCE = re.compile(r"\b(20\d\d)Z\s?(\d{5})\b")
_SEE_ALSO = re.compile(
    r"Zie ook Aanhangsel (?:van de )?Handelingen,?\s*vergaderjaar\s*(\d{4})\s*[–-]\s*(\d{4}),?\s*nr\.?\s*(\d+)"
)
_ASKERS = re.compile(
    r"\b[Vv]ra(?:ag|gen) van (?:het |de )?(?:lid|leden)\s+(?:lid\s+)?(?P<askers>.+?)\s+aan\s+(?:de|het)\s+"
    r"(?P<rest>.*)$"
)
# " over " before the subject; PDF text may glue it to the next word ("overde faillissementen").
_OVER = re.compile(r"\sover(?:\s+|(?=(?:de|het|een|die|dit)\s|[«‘“'\"]))")
_SUBMITTED = re.compile(r"\(?ingezonden\s+" + DATE_PATTERN + r"\)?")
_ANSWERER = re.compile(
    r"\b(?P<what>Antwoord|Mededeling) van (?:de )?(?P<role>[Mm]inister-[Pp]resident|[Mm]inister|"
    r"[Ss]taats?secretaris)\s+(?P<name>[^()]+?)\s*\((?P<ministry>[^()]+)\)?(?P<rest>[^()]*)"
    r"(?:\(ontvangen\s+" + DATE_PATTERN + r"\))?"
)


def header_end(lines: list[str]) -> int:
    numbered = not any(QUESTION_HEAD.match(strip_markup(ln)) for ln in lines)
    for i, line in enumerate(lines):
        plain = strip_markup(line)
        if numbered and re.match(r"^1(?:[.)](?:\s+\S|$)|$)", plain) and i > 0:
            return i  # numbered questions ("1. Bent u …") before the first answer heading
        if QUESTION_HEAD.match(plain) or ANSWER_HEAD.match(plain) or NOTICE_HEAD.match(plain):
            return i
    # No headings: the header ends after the paragraph that names askers/answerer.
    end = 0
    for i, line in enumerate(lines):
        if re.match(r"(?:Mondelinge\s+)?(?:[Vv]ra(?:ag|gen)|Antwoord|Mededeling) van\b", strip_markup(line)):
            end = i + 1
            while end < len(lines) and lines[end] not in (BLANK, PAGE):
                end += 1
        elif i > 40:
            break
    if end == 0:
        # Numbered questions ("1. Bent u …") start the body.
        for i, line in enumerate(lines):
            if NUMBERED_QUESTION.match(line):
                return i
    return end


def parse_header(lines: list[str], src: SourceText, prepared: CleanLines) -> Document:
    """The document's metadata from its header ``lines``; ``src.text`` is searched for an id in a page footer."""
    plain_lines = [strip_markup(ln) for ln in lines]
    text = join_wrapped(plain_lines).replace("**", "").replace("*", "")
    text = re.sub(r"(?<=\w)_|_(?=\w|\s|$)", "", text)
    doc = Document(doc_id="", kind="", source=src.path, source_format=src.format)
    reference = _REFERENCE.search(text)
    if reference:
        doc.reference = f"{reference.group(1)}Z{reference.group(2)}"
    submitted = _SUBMITTED.search(text)
    if submitted:
        doc.date_submitted = parse_date(submitted.group(0))
    _read_answerer(doc, text)
    _read_askers_and_subject(doc, text)
    doc.see_also = list(dict.fromkeys(f"ah-tk-{m.group(1)}{m.group(2)}-{m.group(3)}" for m in _SEE_ALSO.finditer(text)))
    answered_day = to_date(doc.date_answered) or to_date(doc.date_submitted)
    doc.doc_id = _official_id(doc, src, plain_lines, prepared.year, answered_day)
    fill_from_id(doc)
    if not doc.year:
        doc.year = prepared.year or (parliamentary_year(answered_day) if answered_day else None)
    return doc


def _read_answerer(doc: Document, text: str) -> None:
    """Who answered ("Antwoord van minister Helder (VWS) (ontvangen 16 februari 2024)"), with whom, and when."""
    answerer = _ANSWERER.search(text)
    if not answerer:
        return
    role = answerer.group("role")
    doc.answered_by = Person(
        name=clean_name(answerer.group("name")),
        role=role[0].upper() + role[1:].replace("-p", "-P"),
        ministry=" ".join(answerer.group("ministry").split()),
    )
    rest = answerer.group("rest")
    doc.co_signers = parse_addressees(" ".join(re.findall(r"mede\s+namens\s+(.*)", rest)))
    received = answerer.group(0)
    doc.date_answered = parse_date(received[received.find("ontvangen") :]) if "ontvangen" in received else None
    if doc.date_answered is None:
        after = text[answerer.end() : answerer.end() + 80]
        if "ontvangen" in after:
            doc.date_answered = parse_date(after)
    if answerer.group("what") == "Mededeling":
        doc.kind = KIND_NOTICE


def _read_askers_and_subject(doc: Document, text: str) -> None:
    """ "Vragen van het lid X (Partij) aan de Minister van Y over Z": askers, addressees and title."""
    askers = _ASKERS.search(text)
    if not askers:
        return
    doc.askers = parse_askers(askers.group("askers"))
    rest = askers.group("rest")
    over = _OVER.search(rest)
    offices = rest if over is None else rest[: over.start()]
    doc.addressees = parse_addressees("de " + offices)
    if over is not None:
        title = rest[over.end() :]
        title = re.split(r"\s*\(ingezonden|\s+(?:Antwoord|Mededeling) van |\s+Zie ook ", title)[0]
        doc.title = title.strip().rstrip(".").strip() or None


def _official_id(
    doc: Document, src: SourceText, plain_lines: list[str], header_year: str | None, answered_day: date | None
) -> str:
    """The official id the file is named by, else the id the text states (or implies), else one from the name.

    The text's page footers name the document; without them, an Aanhangsel number and a parliamentary
    year make an ``ah-tk`` id, and a Kamer reference a ``kv-tk`` id.
    """
    if named := official_id_of_file(src.path):
        return named
    if found := search_word_start(DOC_ID_ANYWHERE, src.text):
        return found.group(1)
    if md_footer := search_word_start(MD_FOOTER_ID_ANYWHERE, src.text):
        return f"ah-tk-{md_footer.group(1)}-{md_footer.group(2)}"
    ah_line = next((m for m in (_AH_LINE.match(ln) for ln in plain_lines) if m), None)
    if ah_line and answered_day:
        return f"ah-tk-{parliamentary_year(answered_day).replace('-', '')}-{ah_line.group(1)}"
    number = _header_number(plain_lines)
    if number and (header_year or answered_day) and doc.answered_by:
        year = header_year or parliamentary_year(answered_day)  # type: ignore[arg-type]
        return f"ah-tk-{year.replace('-', '')}-{number}"
    if doc.reference:
        return f"kv-tk-{doc.reference}"
    return id_from_file_name(src.path)


def _header_number(lines: list[str]) -> str | None:
    """The Aanhangsel number: the last number alone on a line before "Vragen van …"."""
    number = None
    for line in lines:
        if re.match(r"(?:Mondelinge\s+)?[Vv]ra(?:ag|gen) van", line):
            break
        if re.fullmatch(r"\d{2,5}", line):
            number = line
    return number
