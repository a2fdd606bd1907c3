"""Turn the text of a Kamervragen document into a :class:`Document` with its passages.

Pure Python, no Whoosh. The work happens in four steps:

1. **Lines.** Split the text into lines and pages (form feeds from PDFs, ``-----`` from
   PDF-to-Markdown). Page furniture is dropped: "Tweede Kamer der Staten-Generaal", the
   "Vergaderjaar … Aanhangsel" header, footer ids (``ah-tk-20232024-1064``, ``h tk 20232024
   387``), ISSN lines, page numbers, lone footnote-reference lines. Footnotes at the foot of a
   page (numbered 1, 2, 3 … through the document) are taken out and kept apart. A document
   flattened onto one line gets its line breaks back first.
2. **Header.** Everything before the first question: official id, number, year, askers and
   parties, addressees, the subject, dates, who answered, cross-references.
3. **Blocks.** Headings recognised, with or without Markdown ``#``/``**``:
   ``Vraag 1``, ``Vraag 1 en 2``, ``Vraag 3, 4 en 5``, ``Vraag 7, 8, 9 10 en 11``,
   ``Vragen 1 tot en met 3``, ``Vraag 1 t/m 3``, ``Antwoord 1``, ``Antwoord op vraag 4``,
   ``Antwoord vraag 4-6:``, ``Antwoord vragen 1,2,3 en 4``, a bare ``Antwoord`` (answers the
   questions just asked), ``Mededeling``; and in documents without "Vraag" headings,
   numbered questions ("1. Bent u …") or, for questions not yet answered, one question per
   paragraph.
4. **Passages.** Questions are grouped by the answer that answers them: "Vraag 5", "Vraag 6",
   "Antwoord 5 en 6" become one passage (5, 6). An answer whose question heading was lost at a
   page break takes back its question from the text after that page break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kvsearch.ingest.sources import PAGE_BREAK, SourceText
from kvsearch.models import (
    KIND_ANSWERED,
    KIND_NOTICE,
    KIND_QUESTIONS,
    Document,
    Passage,
    Person,
)

OFFICIAL_URL = "https://zoek.officielebekendmakingen.nl/{doc_id}.html"

MONTHS = {
    name: number
    for number, name in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november december".split(),
        start=1,
    )
}
_DATE = r"(\d{1,2})\s*(" + "|".join(MONTHS) + r")\s*(\d{4})"

# Markers in the line stream besides text.
_PAGE = "\x00PAGE"
_BLANK = ""

# Numbers of a question group: "1", "1 en 2", "3, 4 en 5", "7, 8, 9 10 en 11", "1 tot en met 3",
# "4-6", "1 t/m 3", "1,2,3,4 en 5".
_NUMSPEC = r"\d{1,4}(?:\s*(?:,|en|&|t/m|tot en met|-|–|/)\s*\d{1,4}|\s+\d{1,4})*"
_QUESTION_HEAD = re.compile(rf"^(?:Vraag|Vragen|VRAAG|VRAGEN)\s+(?P<nums>{_NUMSPEC})\s*[:.]?$")
_ANSWER_HEAD = re.compile(
    rf"^(?:Antwoord|Antwoorden|ANTWOORD)(?:\s+op)?(?:\s+(?:de\s+)?(?:vraag|vragen))?"
    rf"(?:\s+(?P<nums>{_NUMSPEC}))?\s*[:.]?$"
)
_NOTICE_HEAD = re.compile(r"^Mededeling\s*:?$")
# "1. Bent u …" or a bare "1" on its own line before the question (DOCX exports).
_NUMBERED_QUESTION = re.compile(r"^(\d{1,2})(?:[.)](?:\s+(\S.*))?|\s*)$")

_FURNITURE = re.compile(
    "|".join(
        (
            r"^Tweede Kamer der Staten-Generaal\s*\d*$",
            r"^Vergaderjaar\s+\d{4}\s*[–-]\s*\d{4}\b.*$",
            r"^Vragen gesteld door de leden der Kamer.*$",
            r"^regering gegeven antwoorden$",
            r"^Aanhangsel van de Handelingen$",
        )
    )
)
# Lines that end a page: after them a new page starts.
_FOOTER = re.compile(
    "|".join(
        (
            r"^(?:ah|kv)-tk-[\w-]+$",
            r"^ISSN\b.*$",
            r"^[’']s-Gravenhage \d{4}.*$",
            r"^Tweede Kamer, vergaderjaar \d{4}\s*[–-]\s*\d{4}, (?:Aanhangsel|Vragen)\s*\d*$",
            r"^h tk \d{8} \d+$",
            r"^-{3,}$",
        )
    )
)
_LONE_NUMBERS = re.compile(r"^\d{1,3}(?:\s*(?:,|en)?\s*\d{1,3})*$")
_FOOTNOTE_START = re.compile(r"^(\d{1,3})\)?\s*(?=[^\s\d.,;:)\]])(.*)$")
_MD_MARKUP = re.compile(r"^#+\s*|^\*\*|\*\*$|^_|_$")

_DOC_ID = re.compile(r"\b(ah-tk-\d{8}-\d+|kv-tk-\d{4}Z\d{5})\b")
# Without the leading \b, for searching a whole document (see _search_word_start).
_DOC_ID_ANYWHERE = re.compile(_DOC_ID.pattern[2:])
_MD_FOOTER_ID_ANYWHERE = re.compile(r"h tk (\d{8}) (\d+)\b")  # "h tk 20232024 1064"
_WORD_CHAR = re.compile(r"\w")
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
_SUBMITTED = re.compile(r"\(?ingezonden\s+" + _DATE + r"\)?")
_ANSWERER = re.compile(
    r"\b(?P<what>Antwoord|Mededeling) van (?:de )?(?P<role>[Mm]inister-[Pp]resident|[Mm]inister|"
    r"[Ss]taats?secretaris)\s+(?P<name>[^()]+?)\s*\((?P<ministry>[^()]+)\)?(?P<rest>[^()]*)"
    r"(?:\(ontvangen\s+" + _DATE + r"\))?"
)

#: Portfolios as the documents write them, longest first so that "Economische Zaken en Klimaat"
#: wins over "Economische Zaken". Used to split "aan de Ministers van A, van B en van C".
PORTFOLIOS = sorted(
    [
        "Algemene Zaken",
        "Armoedebeleid, Participatie en Pensioenen",
        "Asiel en Migratie",
        "Binnenlandse Zaken en Koninkrijksrelaties",
        "Buitenlandse Handel en Ontwikkelingshulp",
        "Buitenlandse Handel en Ontwikkelingssamenwerking",
        "Buitenlandse Zaken",
        "Cultuur en Media",
        "Defensie",
        "Digitalisering en Koninkrijksrelaties",
        "Economische Zaken",
        "Economische Zaken en Klimaat",
        "Financiën",
        "Fiscaliteit, Belastingdienst en Douane",
        "Herstel Toeslagen",
        "Infrastructuur en Milieu",
        "Infrastructuur en Waterstaat",
        "Jeugd, Preventie en Sport",
        "Justitie en Veiligheid",
        "Klimaat en Energie",
        "Klimaat en Groene Groei",
        "Koninkrijksrelaties en Digitalisering",
        "Landbouw, Natuur en Voedselkwaliteit",
        "Landbouw, Visserij, Voedselzekerheid en Natuur",
        "Langdurige Zorg en Sport",
        "Medische Zorg",
        "Medische Zorg en Sport",
        "Migratie",
        "Mijnbouw",
        "Natuur en Stikstof",
        "Onderwijs, Cultuur en Wetenschap",
        "Primair en Voortgezet Onderwijs",
        "Rechtsbescherming",
        "Sociale Zaken en Werkgelegenheid",
        "Toeslagen en Douane",
        "Veiligheid en Justitie",
        "Volksgezondheid, Welzijn en Sport",
        "Volkshuisvesting en Ruimtelijke Ordening",
        "Wonen en Ruimtelijke Ordening",
    ],
    key=len,
    reverse=True,
)


# The same names with any spacing, since PDF extraction glues words ("BuitenlandseHandel").
_PORTFOLIO_PATTERNS = [re.compile(r"\s*".join(map(re.escape, p.split()))) for p in PORTFOLIOS]


@dataclass
class _Block:
    kind: str  # "q", "a", "notice"
    numbers: list[int]
    lines: list[str] = field(default_factory=list)


@dataclass
class _Lines:
    """The body lines of a document after furniture and footnotes are gone."""

    lines: list[str]
    footnotes: dict[int, str]
    year: str | None = None


# --------------------------------------------------------------------------------------------
# Public entry points


def parse_document(src: SourceText) -> Document:
    """Parse one document. Never raises on odd input: problems go into ``Document.warnings``."""
    prepared = _prepare_lines(src.text)
    lines = prepared.lines
    head_end = _header_end(lines)
    header_lines = [ln for ln in lines[:head_end] if ln not in (_BLANK, _PAGE)]
    doc = _parse_header(header_lines, src, prepared)
    blocks = _blocks(lines[head_end:], doc)
    _build_passages(doc, blocks, prepared.footnotes)
    if doc.kind == "":
        doc.kind = KIND_QUESTIONS
    if doc.notice and not doc.askers:
        _askers_from_notice(doc, doc.notice)
    if not doc.passages and doc.notice is None:
        oral = re.search(r"Mondelinge vragen van .*?(?=\s*\(ingezonden|$)", _join_wrapped(header_lines))
        if oral:
            # Oral questions are published as their subject only: that is the question.
            doc.passages = [Passage(questions=(), question=oral.group(0), answer="")]
        else:
            doc.warnings.append("no Vraag/Antwoord markers found")
    return doc


def numbers_from_spec(spec: str) -> list[int]:
    """Question numbers of a heading: "3, 4 en 5" -> [3, 4, 5]; "1 tot en met 3" -> [1, 2, 3]."""
    spec = spec.replace("tot en met", "-").replace("t/m", "-").replace("–", "-")
    spec = re.sub(r"\s*-\s*", "-", spec)
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|en|&|/)\s*|\s+(?=\d)", spec):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low, _, high = part.partition("-")
            if low.strip().isdigit() and high.strip().isdigit():
                a, b = int(low), int(high)
                if a <= b <= a + 50:
                    numbers.extend(range(a, b + 1))
                    continue
        numbers.extend(int(n) for n in re.findall(r"\d+", part))
    return sorted(dict.fromkeys(numbers))


def parliamentary_year(day: date) -> str:
    """The parliamentary year ("vergaderjaar") a date falls in: it starts on the third
    Tuesday of September (Prinsjesdag)."""
    first = date(day.year, 9, 1)
    prinsjesdag = first.replace(day=1 + (1 - first.weekday()) % 7 + 14)
    start = day.year if day >= prinsjesdag else day.year - 1
    return f"{start}-{start + 1}"


def parse_date(text: str) -> str | None:
    """ "16 februari 2024" -> "2024-02-16" (None when it is no valid date)."""
    match = re.search(_DATE, text)
    if not match:
        return None
    try:
        return date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1))).isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Step 1: lines, furniture, footnotes


def _unflatten(text: str) -> str:
    """Give line breaks back to a document that was flattened onto one line."""
    heading = rf"(?:Vraag|Vragen|Antwoord)\s+{_NUMSPEC}"
    text = re.sub(rf"\s+(?={heading}\s+[A-Z«‘“\"'])", "\n", text)
    text = re.sub(rf"(?m)^({heading})\s+", r"\1\n", text)
    for marker in (
        r"(?:ah|kv)-tk-\d",
        r"ISSN\b",
        r"[’']s-Gravenhage \d{4}",
        r"Tweede Kamer, vergaderjaar",
        r"Vra(?:ag|gen) van (?:het lid|de leden)",
        r"Antwoord van ",
        r"Mededeling van ",
        r"Zie ook ",
    ):
        text = re.sub(rf"\s+(?={marker})", "\n", text)
    text = re.sub(r"(Tweede Kamer, vergaderjaar \d{4}\s*[–-]\s*\d{4}, Aanhangsel \d+)\s+", r"\1\n", text)
    text = re.sub(r"(ISSN 0921 - 7398)\s+", r"\1\n", text)
    text = re.sub(r"((?:ah|kv)-tk-[\w-]+)\s+", r"\1\n", text)
    return text


def _is_flattened(text: str) -> bool:
    lines = text.split("\n")
    return len(text) > 3000 and max(len(ln) for ln in lines) > 0.8 * len(text)


def _strip_markup(line: str) -> str:
    line = line.strip()
    if not line or (line[0] not in "#*_" and line[-1] not in "*_"):
        return line  # what _MD_MARKUP removes starts or ends a line with one of these
    previous = None
    while previous != line:
        previous = line
        line = _MD_MARKUP.sub("", line).strip()
    return line


def _prepare_lines(text: str) -> _Lines:
    if _is_flattened(text):
        text = _unflatten(text)
    year: str | None = None
    raw: list[tuple[str, bool]] = []  # (line, ends_page)
    for page in text.split(PAGE_BREAK):
        for line in page.split("\n"):
            stripped = line.strip()
            plain = _strip_markup(stripped)
            if _FURNITURE.match(plain):
                found = re.search(r"Vergaderjaar\s+(\d{4})\s*[–-]\s*(\d{4})", plain)
                if found and not year:
                    year = f"{found.group(1)}-{found.group(2)}"
                continue
            if _FOOTER.match(plain):
                raw.append((_PAGE, True))
                continue
            raw.append((stripped if stripped else _BLANK, False))
        raw.append((_PAGE, True))

    lines: list[str] = []
    footnotes: dict[int, str] = {}
    next_note = 1
    page_start = 0
    for line, ends_page in raw:
        if not ends_page:
            lines.append(line)
            continue
        next_note = _take_footnotes(lines, page_start, next_note, footnotes)
        if lines and lines[-1] != _PAGE:
            lines.append(_PAGE)
        page_start = len(lines)
    while lines and lines[-1] in (_PAGE, _BLANK):
        lines.pop()
    return _Lines(lines=lines, footnotes=footnotes, year=year)


def _take_footnotes(lines: list[str], start: int, next_note: int, notes: dict[int, str]) -> int:
    """Move the footnotes at the end of the page ``lines[start:]`` into ``notes``."""
    content = [i for i in range(start, len(lines)) if lines[i] not in (_BLANK, _PAGE)]
    if not content:
        return next_note
    # Find the last line that starts footnote ``next_note`` such that everything after it is
    # footnotes in sequence (with their continuation lines). The last, because a footnote
    # reference can also start a line of text ("3 is de Kamer …").
    # A footnote may have been missed earlier: accept a small jump in the numbering.
    candidates = [
        (int(found.group(1)), -position, position, index)
        for position, index in enumerate(content)
        if (found := _FOOTNOTE_START.match(lines[index]))
        and next_note <= int(found.group(1)) <= next_note + 2
        and not _is_heading(lines[index])
    ]
    for _number, _order, position, index in sorted(candidates):
        found = _FOOTNOTE_START.match(lines[index])
        assert found is not None
        if len(content) - position > 40:
            continue
        collected: dict[int, list[str]] = {}
        expected = int(found.group(1))
        current = None
        ok = True
        for j in content[position:]:
            start_match = _FOOTNOTE_START.match(lines[j])
            if start_match and int(start_match.group(1)) == expected:
                current = expected
                collected[current] = [start_match.group(2)]
                expected += 1
            elif _is_heading(lines[j]):
                ok = False
                break
            elif current is not None:
                collected[current].append(lines[j])
            # Two footnotes on one line: "… nr. 240. 6 Kamerstukken II …".
            while current is not None:
                tail = collected[current][-1]
                inline = re.search(rf"(?<=[.)])\s+{expected}\s+(?=[A-Z«‘“\"'])", tail)
                if not inline:
                    break
                collected[current][-1] = tail[: inline.start()]
                current = expected
                collected[current] = [tail[inline.end() :]]
                expected += 1
        if not ok:
            continue
        for number, parts in collected.items():
            notes[number] = _join_wrapped(parts)
        del lines[index:]
        return expected
    # A flattened document keeps its footnotes inside the last line of the page.
    last = content[-1]
    inline = _split_inline_footnotes(lines[last], next_note)
    if inline:
        body, found_notes = inline
        lines[last] = body
        notes.update(found_notes)
        return max(found_notes) + 1
    return next_note


def _split_inline_footnotes(line: str, first: int) -> tuple[str, dict[int, str]] | None:
    if len(line) < 200:
        return None
    for match in re.finditer(rf"\s{first}\s+(?=[A-Z«‘“\"'])", line):
        rest = line[match.end() :]
        parts = [rest]
        number = first + 1
        while True:
            nxt = re.search(rf"\s{number}\s+(?=[A-Z«‘“\"'])", parts[-1])
            if not nxt:
                break
            parts[-1:] = [parts[-1][: nxt.start()], parts[-1][nxt.end() :]]
            number += 1
        if all(len(p) < 300 for p in parts):
            return line[: match.start()], {first + i: p.strip() for i, p in enumerate(parts)}
    return None


def _is_heading(line: str) -> bool:
    plain = _strip_markup(line)
    return bool(_QUESTION_HEAD.match(plain) or _ANSWER_HEAD.match(plain) or _NOTICE_HEAD.match(plain))


# --------------------------------------------------------------------------------------------
# Step 2: the header


def _header_end(lines: list[str]) -> int:
    numbered = not any(_QUESTION_HEAD.match(_strip_markup(ln)) for ln in lines)
    for i, line in enumerate(lines):
        plain = _strip_markup(line)
        if numbered and re.match(r"^1(?:[.)](?:\s+\S|$)|$)", plain) and i > 0:
            return i  # numbered questions ("1. Bent u …") before the first answer heading
        if _QUESTION_HEAD.match(plain) or _ANSWER_HEAD.match(plain) or _NOTICE_HEAD.match(plain):
            return i
    # No headings: the header ends after the paragraph that names askers/answerer.
    end = 0
    for i, line in enumerate(lines):
        if re.match(r"(?:Mondelinge\s+)?(?:[Vv]ra(?:ag|gen)|Antwoord|Mededeling) van\b", _strip_markup(line)):
            end = i + 1
            while end < len(lines) and lines[end] not in (_BLANK, _PAGE):
                end += 1
        elif i > 40:
            break
    if end == 0:
        # Numbered questions ("1. Bent u …") start the body.
        for i, line in enumerate(lines):
            if _NUMBERED_QUESTION.match(line):
                return i
    return end


def _search_word_start(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
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


def _parse_header(lines: list[str], src: SourceText, prepared: _Lines) -> Document:
    plain_lines = [_strip_markup(ln) for ln in lines]
    text = _join_wrapped(plain_lines).replace("**", "").replace("*", "")
    text = re.sub(r"(?<=\w)_|_(?=\w|\s|$)", "", text)
    doc = Document(doc_id="", kind="", source=src.path, source_format=src.format)

    id_match = _search_word_start(_DOC_ID_ANYWHERE, src.text)
    md_footer = _search_word_start(_MD_FOOTER_ID_ANYWHERE, src.text)
    ah_line = next((m for m in (_AH_LINE.match(ln) for ln in plain_lines) if m), None)
    reference = _REFERENCE.search(text)
    if reference:
        doc.reference = f"{reference.group(1)}Z{reference.group(2)}"

    submitted = _SUBMITTED.search(text)
    if submitted:
        doc.date_submitted = parse_date(submitted.group(0))
    answerer = _ANSWERER.search(text)
    if answerer:
        role = answerer.group("role")
        doc.answered_by = Person(
            name=_clean_name(answerer.group("name")),
            role=role[0].upper() + role[1:].replace("-p", "-P"),
            ministry=" ".join(answerer.group("ministry").split()),
        )
        rest = answerer.group("rest")
        doc.co_signers = _parse_addressees(" ".join(re.findall(r"mede\s+namens\s+(.*)", rest)))
        received = answerer.group(0)
        doc.date_answered = parse_date(received[received.find("ontvangen") :]) if "ontvangen" in received else None
        if doc.date_answered is None:
            after = text[answerer.end() : answerer.end() + 80]
            if "ontvangen" in after:
                doc.date_answered = parse_date(after)
        if answerer.group("what") == "Mededeling":
            doc.kind = KIND_NOTICE
    askers = _ASKERS.search(text)
    if askers:
        doc.askers = _parse_askers(askers.group("askers"))
        rest = askers.group("rest")
        over = _OVER.search(rest)
        offices = rest if over is None else rest[: over.start()]
        doc.addressees = _parse_addressees("de " + offices)
        if over is not None:
            title = rest[over.end() :]
            title = re.split(r"\s*\(ingezonden|\s+(?:Antwoord|Mededeling) van |\s+Zie ook ", title)[0]
            doc.title = title.strip().rstrip(".").strip() or None
    doc.see_also = list(dict.fromkeys(f"ah-tk-{m.group(1)}{m.group(2)}-{m.group(3)}" for m in _SEE_ALSO.finditer(text)))

    answered_day = _to_date(doc.date_answered) or _to_date(doc.date_submitted)
    if id_match:
        doc.doc_id = id_match.group(1)
    elif md_footer:
        doc.doc_id = f"ah-tk-{md_footer.group(1)}-{md_footer.group(2)}"
    elif ah_line and answered_day:
        doc.doc_id = f"ah-tk-{parliamentary_year(answered_day).replace('-', '')}-{ah_line.group(1)}"
    elif (number := _header_number(plain_lines)) and (prepared.year or answered_day) and doc.answered_by:
        year = prepared.year or parliamentary_year(answered_day)  # type: ignore[arg-type]
        doc.doc_id = f"ah-tk-{year.replace('-', '')}-{number}"
    elif doc.reference:
        doc.doc_id = f"kv-tk-{doc.reference}"
    else:
        from_name = _DOC_ID.search(Path(src.path).name)
        doc.doc_id = from_name.group(1) if from_name else "file-" + re.sub(r"\W+", "-", Path(src.path).stem)

    if doc.doc_id.startswith("ah-tk-"):
        years = doc.doc_id.split("-")[2]
        doc.year = f"{years[:4]}-{years[4:]}"
        doc.number = doc.doc_id.split("-")[3]
    elif doc.doc_id.startswith("kv-tk-"):
        doc.number = doc.doc_id[len("kv-tk-") :]
        doc.reference = doc.reference or doc.number
    if not doc.year:
        doc.year = prepared.year or (parliamentary_year(answered_day) if answered_day else None)
    if doc.doc_id.startswith(("ah-tk-", "kv-tk-")):
        doc.url = OFFICIAL_URL.format(doc_id=doc.doc_id)
    return doc


# A delay notice without a "Vragen van …" header names the questions in its sentence:
# "De vragen van het lid Flach (SGP) over … (2024Z17067) kunnen niet …" or
# "… hebben de leden Gabriëls en Bromet (beiden GroenLinks-PvdA) schriftelijke vragen gesteld
# aan de minister van … over de berichten dat …".
_NOTICE_ASKERS = [
    re.compile(
        r"[Vv]ragen van (?:het lid|de leden) (?P<askers>[^()]+\([^()]+\))(?: van uw Kamer)?"
        r"(?: aan (?P<offices>.+?))? over (?P<title>.+?)\s*\((?:\d{4}Z\d{5}|ingezonden)"
    ),
    re.compile(
        r"(?:het lid|de leden) (?P<askers>[^()]+\([^()]+\)) schriftelijke vragen gesteld"
        r"(?: aan (?P<offices>.+?))? over (?P<title>.+?)\.(?:\s|$)"
    ),
]


def _askers_from_notice(doc: Document, notice: str) -> None:
    for pattern in _NOTICE_ASKERS:
        found = pattern.search(" ".join(notice.split()))
        if found:
            doc.askers = _parse_askers(found.group("askers"))
            if found.group("offices") and not doc.addressees:
                doc.addressees = _parse_addressees(found.group("offices"))
            doc.title = doc.title or found.group("title").strip()
            return


def _header_number(lines: list[str]) -> str | None:
    """The Aanhangsel number: the last number alone on a line before "Vragen van …"."""
    number = None
    for line in lines:
        if re.match(r"(?:Mondelinge\s+)?[Vv]ra(?:ag|gen) van", line):
            break
        if re.fullmatch(r"\d{2,5}", line):
            number = line
    return number


def _to_date(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _clean_name(name: str) -> str:
    name = " ".join(name.replace("*", "").split())
    return re.sub(r"\s*[–—-]\s*", "-", name)


def _parse_askers(text: str) -> list[Person]:
    people: list[Person] = []
    for names, party in re.findall(r"([^()]+?)\s*\(([^()]+)\)", text):
        party = re.sub(r"^(?:beiden|allen|beide)\s+", "", party.strip())
        names = re.sub(r"^(?:,|en)\s+", "", names.strip().lstrip(",").strip())
        for name in re.split(r",\s*|\s+en\s+", names):
            name = _clean_name(name)
            if name and not re.fullmatch(r"en|,", name):
                people.append(Person(name=name, party=party))
    if not people and text.strip():
        for name in re.split(r",\s*|\s+en\s+", text):
            if name.strip():
                people.append(Person(name=_clean_name(name)))
    return people


_ROLE = re.compile(r"(?P<role>[Mm]inister-[Pp]resident|[Mm]inisters?|[Ss]taats?secretaris(?:sen)?)\b")


def _capitalise_office(office: str) -> str:
    office = office[0].upper() + office[1:] if office else office
    return office.replace("Minister-president", "Minister-President")


def _parse_addressees(text: str) -> list[str]:
    """ "de Ministers van A, van B en voor C" -> ["Minister van A", "Minister van B", "Minister voor C"]."""
    offices: list[str] = []
    role: str | None = None
    position = 0
    text = " ".join(text.split())
    while position < len(text):
        rest = text[position:]
        role_match = _ROLE.match(rest)
        if role_match:
            word = role_match.group("role").lower()
            if word == "minister-president":
                offices.append("Minister-President")
                role = None
            else:
                role = "Minister" if word.startswith("minister") else "Staatssecretaris"
            position += role_match.end()
            continue
        prep = re.match(r"(van|voor)\s*", rest) or (re.match(r"\s*", rest) if role else None)
        if prep and role and (prep.group(0).strip() or any(p.match(rest) for p in _PORTFOLIO_PATTERNS)):
            body = rest[prep.end() :]
            known = next((m for m in (p.match(body) for p in _PORTFOLIO_PATTERNS) if m), None)
            if known:
                portfolio, length = PORTFOLIOS[_PORTFOLIO_PATTERNS.index(known.re)], known.end()
            else:
                cut = re.search(r",\s+(?:van|voor|de)\s|\s+en\s+(?:van|voor|de|het)\s", body)
                portfolio = body[: cut.start()] if cut else body
                length = len(portfolio)
            preposition = prep.group(1) if prep.groups() else "van"
            offices.append(f"{role} {preposition} {portfolio.strip().rstrip('.,')}")
            position += prep.end() + length
            continue
        skip = re.match(r"[\s,]+|en\s+|de\s*(?=[MmSs])|de\s+|het\s+|\S+\s*", rest)
        position += skip.end() if skip else 1
    return list(dict.fromkeys(offices))


# --------------------------------------------------------------------------------------------
# Step 3: blocks


def _blocks(lines: list[str], doc: Document) -> list[_Block]:
    blocks: list[_Block] = []
    plains = [_strip_markup(ln) for ln in lines]  # _BLANK and _PAGE stay as they are
    has_question_heads = any(map(_QUESTION_HEAD.match, plains))
    has_answer_heads = any(map(_ANSWER_HEAD.match, plains))
    numbered = not has_question_heads and any(map(_NUMBERED_QUESTION.match, lines))
    current: _Block | None = None
    last_question = 0
    for line, plain in zip(lines, plains, strict=True):
        q = _QUESTION_HEAD.match(plain) if plain else None
        a = _ANSWER_HEAD.match(plain) if plain else None
        n = _NUMBERED_QUESTION.match(plain) if plain and numbered else None
        if q:
            current = _Block("q", numbers_from_spec(q.group("nums")))
            blocks.append(current)
            last_question = max(current.numbers or [last_question])
        elif a:
            nums = numbers_from_spec(a.group("nums")) if a.group("nums") else []
            current = _Block("a", nums)
            blocks.append(current)
        elif plain and _NOTICE_HEAD.match(plain):
            current = _Block("notice", [])
            blocks.append(current)
        elif n and int(n.group(1)) == last_question + 1:
            last_question += 1
            current = _Block("q", [last_question], [n.group(2)] if n.group(2) else [])
            blocks.append(current)
        elif current is None:
            if plain in (_BLANK, _PAGE):
                continue
            if doc.kind == KIND_NOTICE and not has_question_heads:
                current = _Block("notice", [])
            elif not has_question_heads and not has_answer_heads and not numbered and doc.askers:
                # Unnumbered questions (a "vragen" document from DOCX): one per paragraph.
                current = _Block("q", [last_question + 1])
                last_question += 1
            else:
                continue  # text before the first heading that is not header: ignore
            current.lines.append(line)
            blocks.append(current)
        elif (
            current.kind == "q"
            and not has_question_heads
            and not has_answer_heads
            and not numbered
            and current.lines
            and current.lines[-1] == _BLANK
            and not _is_footnote_line(line)
        ):
            last_question += 1
            current = _Block("q", [last_question], [line])
            blocks.append(current)
        else:
            if current.kind == "q" and not has_question_heads and _is_footnote_line(line):
                current = _Block("footnotes", [], [line])
                blocks.append(current)
                continue
            current.lines.append(line)
    return blocks


def _is_footnote_line(line: str) -> bool:
    return bool(re.match(r"^\d{1,2}\)\s+\S", line))


# --------------------------------------------------------------------------------------------
# Step 4: passages


def _build_passages(doc: Document, blocks: list[_Block], footnotes: dict[int, str]) -> None:
    notes = dict(footnotes)
    for block in blocks:
        if block.kind == "footnotes":
            for line in block.lines:
                m = re.match(r"^(\d{1,2})\)\s+(.*)$", line)
                if m:
                    notes[int(m.group(1))] = m.group(2)
                elif notes:
                    last = max(notes)
                    notes[last] += " " + line
    marker_state = _MarkerState(set(notes))
    pending: list[_Block] = []
    answered: set[int] = set()
    passages: list[Passage] = []
    previous_answer: _Block | None = None
    has_answers = any(b.kind == "a" for b in blocks)

    for block in blocks:
        if block.kind == "q":
            pending.append(block)
        elif block.kind == "a":
            numbers = block.numbers or sorted({n for q in pending for n in q.numbers})
            if not numbers and not pending:
                numbers = [max(answered, default=0) + 1]
            asked = [q for q in pending if set(q.numbers) & set(numbers)] or (pending if not block.numbers else [])
            recovered = None
            if not asked and previous_answer is not None:
                recovered = _recover_question(previous_answer)
                if recovered:
                    doc.warnings.append(f"question heading for {_label(numbers)} missing; question text recovered")
            if not asked and not recovered and pending:
                # Numbering that does not match ("Vraag 7" twice, then "Antwoord 8"): the
                # questions just asked are what this answer answers.
                doc.warnings.append(
                    f"answer {_label(numbers)} follows question "
                    f"{_label(sorted({n for q in pending for n in q.numbers}))}"
                )
                asked = pending
            question_parts = [recovered] if recovered else []
            for text in (_block_text(q.lines) for q in asked):
                if text and text not in question_parts:
                    question_parts.append(text)
            if not question_parts:
                doc.warnings.append(f"answer {_label(numbers)} has no question")
            all_numbers = sorted(set(numbers) | {n for q in asked for n in q.numbers})
            passages.append(_passage(all_numbers, question_parts, block.lines, marker_state, notes))
            answered.update(all_numbers)
            # Questions asked before this answer but not answered by it wait for a later answer.
            pending = [q for q in pending if q not in asked]
            previous_answer = block
        elif block.kind == "notice":
            doc.notice = _block_text(block.lines) or doc.notice
            if not has_answers:
                doc.kind = KIND_NOTICE
    for q in pending:
        if has_answers:
            doc.warnings.append(f"question {_label(q.numbers)} has no answer")
        passages.append(_passage(q.numbers, [_block_text(q.lines)], [], marker_state, notes))
    if has_answers:
        doc.kind = KIND_ANSWERED
    elif doc.kind != KIND_NOTICE:
        doc.kind = KIND_QUESTIONS
    doc.passages = passages


def _label(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) or "?"


def _passage(
    numbers: list[int],
    question_parts: list[str],
    answer_lines: list[str],
    markers: _MarkerState,
    notes: dict[int, str],
) -> Passage:
    refs: list[int] = []
    question = "\n\n".join(p for p in (markers.strip(q, refs) for q in question_parts) if p)
    answer = markers.strip(_block_text(answer_lines), refs)
    return Passage(
        questions=tuple(numbers),
        question=question,
        answer=answer,
        notes=tuple(f"{n} {notes[n]}" for n in refs if n in notes),
    )


def _recover_question(answer: _Block) -> str | None:
    """Take the question text back from the end of the previous answer (lost heading).

    The text after the answer's last page break is the question when it ends with "?";
    otherwise the last paragraph that ends with "?".
    """
    if _PAGE in answer.lines:
        cut = len(answer.lines) - 1 - answer.lines[::-1].index(_PAGE)
        tail = [ln for ln in answer.lines[cut + 1 :] if ln != _BLANK]
        if tail and tail[-1].rstrip().endswith("?"):
            del answer.lines[cut:]
            return _block_text(tail)
    return None


# --------------------------------------------------------------------------------------------
# Text assembly


_SENTENCE_ENDS = tuple(".?!:;»”\"')")
_STARTS_LOWER = re.compile(r"[a-zà-ÿ(]")


def _block_text(lines: list[str]) -> str:
    """Join the lines of a block into paragraphs, mending page breaks and line-end hyphens."""
    paragraphs: list[str] = []
    current: list[str] = []
    widths = sorted(len(ln) for ln in lines if ln not in (_BLANK, _PAGE))
    full = widths[int(len(widths) * 0.9)] if widths else 0
    gap = None  # what separated the previous text line from this one: None, BLANK or PAGE
    for line in lines:
        if line in (_BLANK, _PAGE):
            if current:
                gap = _PAGE if line == _PAGE or gap == _PAGE else _BLANK
            continue
        if _LONE_NUMBERS.match(line):
            continue  # a lone footnote reference ("1", "2, 3 en 4")
        if current:
            previous = current[-1]
            ends_sentence = previous.endswith(_SENTENCE_ENDS)
            starts_lower = bool(_STARTS_LOWER.match(line))
            if gap == _PAGE:
                new_paragraph = ends_sentence and not starts_lower
            elif gap == _BLANK:
                new_paragraph = not (not ends_sentence and starts_lower)
            else:
                new_paragraph = ends_sentence and len(previous) < 0.7 * full and not starts_lower
            if new_paragraph:
                paragraphs.append(_join_wrapped(current))
                current = []
        current.append(line)
        gap = None
    if current:
        paragraphs.append(_join_wrapped(current))
    return "\n\n".join(p for p in paragraphs if p)


def _join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines into one paragraph; "beant-\\nwoording" becomes one word."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not text:
            text = line
        elif (
            text[-1] == "-"
            and _LOWER_LETTER.match(text[-2:-1])  # the end only: text grows line by line
            and _LOWER_LETTER.match(line)
            and not _CONJUNCTION.match(line)
        ):
            text = text[:-1] + line
        else:
            text += " " + line
    return " ".join(text.split())


_LOWER_LETTER = re.compile(r"[a-zà-ÿ]")
_CONJUNCTION = re.compile(r"(?:en|of|tot|en/of)\b")

# Footnote references (_MarkerState). A pattern that starts with a digit is found by a scan in
# C; the character before the number is checked by a look-behind after its first digit.
_BRACKET_REF = re.compile(r"\[((?:\d+\s*)+|[a-z]{1,2})\s*\]")
#: "regenboogbeleid»?1", "beleid2 en 3": 1-2 digits glued to a letter or punctuation.
_GLUED_REF = re.compile(r"(\d(?<=[»”\"'?!.,;:)]\d|[^\W\d_]\d)\d?)((?:\s*(?:,|en)\s*\d{1,2})*)(?=\s|$)")
_PAREN_REF = re.compile(r"\s+\d{1,2}\)(?=\s|$)")
_PAREN_CANDIDATE = re.compile(r"\d\)")  # what _PAREN_REF needs; most text has none
#: " 3 is de Kamer": 1-2 digits between spaces, a lowercase word after them.
_LOOSE_REF = re.compile(r"(\d(?<=\s\d)(?<!artikel\s\d)(?<!lid\s\d)(?<!nr\.\s\d)(?<!vraag\s\d)\d?)\s(?=[a-z])")
_TRAILING_BLANKS = re.compile(r"[ \t]+\n")


def _trailing_blanks(text: str) -> str:
    """``text`` without spaces and tabs at the ends of its lines."""
    return _TRAILING_BLANKS.sub("\n", text) if " \n" in text or "\t\n" in text else text


class _MarkerState:
    """Removes footnote references from passage text, in document order.

    Markdown conversions write them as ``[1 ]``; PDF text glues the number to the preceding
    punctuation ("regenboogbeleid»?1"). A glued number is only taken for a reference when it is
    a footnote of this document and the next one expected, so "CO2" stays "CO2".
    """

    def __init__(self, numbers: set[int]) -> None:
        self.numbers = numbers
        self.expected = min(numbers) if numbers else 1

    def strip(self, text: str, refs: list[int]) -> str:
        def bracket(match: re.Match[str]) -> str:
            inner = match.group(1)
            if re.fullmatch(r"[a-z]{1,2}", inner):
                return inner  # a superscript like 11[e ] -> 11e
            found = [int(n) for n in inner.split()]
            refs.extend(found)
            self.expected = max(found) + 1
            return ""

        if "[" in text:
            text = _BRACKET_REF.sub(bracket, text)

        def glued(match: re.Match[str]) -> str:
            first = int(match.group(1))
            if first not in self.numbers or first not in (self.expected, self.expected + 1):
                return match.group(0)
            found = [first] + [int(n) for n in re.findall(r"\d+", match.group(2) or "")]
            refs.extend(found)
            self.expected = max(found) + 1
            return ""  # the character it is glued to is not part of the match

        if not self.numbers:  # the rest only takes numbers of the document's footnotes
            return _trailing_blanks(text).strip()
        text = _GLUED_REF.sub(glued, text)
        if _PAREN_CANDIDATE.search(text):
            text = _PAREN_REF.sub(lambda m: self._paren(m, refs), text)

        def loose(match: re.Match[str]) -> str:
            number = int(match.group(1))
            if number != self.expected or number not in self.numbers:
                return match.group(0)
            refs.append(number)
            self.expected = number + 1
            return " "  # after the space before it, which is not part of the match

        # A reference that starts a line in PDF text: "… d.d. 10 oktober 2024 3 is de Kamer …".
        text = _LOOSE_REF.sub(loose, text)
        return _trailing_blanks(text).strip()

    def _paren(self, match: re.Match[str], refs: list[int]) -> str:
        number = int(match.group(0).strip()[:-1])
        if number in self.numbers:
            refs.append(number)
            return ""
        return match.group(0)
