"""The first step: from raw text to body lines.

The text is split into lines and pages (form feeds from PDFs, ``-----`` from PDF-to-Markdown). Page
furniture is dropped: "Tweede Kamer der Staten-Generaal", the "Vergaderjaar … Aanhangsel" header, footer
ids (``ah-tk-20232024-1064``, ``h tk 20232024 387``), ISSN lines. Footnotes at the foot of a page
(numbered 1, 2, 3 … through the document) are taken out and kept apart. A document flattened onto one
line gets its line breaks back first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kvsearch.ingest.sources import PAGE_BREAK
from kvsearch.parsing.headings import NUMSPEC, is_heading
from kvsearch.parsing.lines import BLANK, PAGE, join_wrapped, strip_markup

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


_FOOTNOTE_START = re.compile(r"^(\d{1,3})\)?\s*(?=[^\s\d.,;:)\]])(.*)$")


@dataclass
class CleanLines:
    """The body lines of a document after furniture and footnotes are gone."""

    lines: list[str]
    footnotes: dict[int, str]
    year: str | None = None


def _unflatten(text: str) -> str:
    """Give line breaks back to a document that was flattened onto one line."""
    heading = rf"(?:Vraag|Vragen|Antwoord)\s+{NUMSPEC}"
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


def clean_lines(text: str) -> CleanLines:
    if _is_flattened(text):
        text = _unflatten(text)
    year: str | None = None
    raw: list[tuple[str, bool]] = []  # (line, ends_page)
    for page in text.split(PAGE_BREAK):
        for line in page.split("\n"):
            stripped = line.strip()
            plain = strip_markup(stripped)
            if _FURNITURE.match(plain):
                found = re.search(r"Vergaderjaar\s+(\d{4})\s*[–-]\s*(\d{4})", plain)
                if found and not year:
                    year = f"{found.group(1)}-{found.group(2)}"
                continue
            if _FOOTER.match(plain):
                raw.append((PAGE, True))
                continue
            raw.append((stripped if stripped else BLANK, False))
        raw.append((PAGE, True))

    lines: list[str] = []
    footnotes: dict[int, str] = {}
    next_note = 1
    page_start = 0
    for line, ends_page in raw:
        if not ends_page:
            lines.append(line)
            continue
        next_note = _take_footnotes(lines, page_start, next_note, footnotes)
        if lines and lines[-1] != PAGE:
            lines.append(PAGE)
        page_start = len(lines)
    while lines and lines[-1] in (PAGE, BLANK):
        lines.pop()
    return CleanLines(lines=lines, footnotes=footnotes, year=year)


def _take_footnotes(lines: list[str], start: int, next_note: int, notes: dict[int, str]) -> int:
    """Move the footnotes at the end of the page ``lines[start:]`` into ``notes``."""
    content = [i for i in range(start, len(lines)) if lines[i] not in (BLANK, PAGE)]
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
        and not is_heading(lines[index])
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
            elif is_heading(lines[j]):
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
            notes[number] = join_wrapped(parts)
        del lines[index:]
        return expected
    # A flattened document keeps its footnotes inside the last line of the page.
    last = content[-1]
    split = _split_inline_footnotes(lines[last], next_note)
    if split:
        body, found_notes = split
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
