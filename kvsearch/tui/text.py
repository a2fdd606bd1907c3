"""Hits as Textual ``Content``: the only place the TUI turns document text into something shown.

Document text is untrusted. It reaches the screen only through :func:`kvsearch.render.marked_pieces`
or :func:`kvsearch.render.safe` (control characters and escapes removed) and then as plain
``Content`` pieces, never as markup, so ``[bold]`` or ``[link=…]`` in a document stay literal.
"""

from __future__ import annotations

import re

from textual.content import Content

from kvsearch import Hit
from kvsearch.render import askers_line, hit_date, marked_pieces, questions_label, safe
from kvsearch.render import citation as cite

MARK = "bold reverse"
#: The query-language field of each filter the filter panel sets.
FILTER_FIELDS = {"party": "partij", "ministry": "ministerie", "session": "vergaderjaar"}
OFFICIAL_URL = re.compile(r"https://zoek\.officielebekendmakingen\.nl/[A-Za-z0-9-]+\.html")


def highlighted(text: str, spans: list[tuple[int, int]], *, one_line: bool = False) -> Content:
    """``text`` with the matched words marked (``one_line`` folds whitespace to single spaces)."""
    parts = []
    for piece, mark in marked_pieces(text, spans):
        if one_line:
            piece = re.sub(r"\s+", " ", piece)
        parts.append((piece, MARK) if mark else piece)
    return Content.assemble(*parts)


def snippet(hit: Hit, width: int = 240) -> Content:
    """One line from the answer (or the question) around its first cluster of matched words."""
    field = "answer" if hit.highlights.get("answer") or not hit.highlights.get("question") else "question"
    text = getattr(hit, field) or hit.question or hit.answer
    spans = hit.highlights.get(field, []) if text is getattr(hit, field) else []
    start = 0
    if spans:
        start = max(0, spans[0][0] - 40)
        start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    window = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    prefix = ("A: " if field == "answer" else "V: ") + ("…" if start else "")
    return Content(prefix) + highlighted(text[start:end], window, one_line=True)


def person(meta: dict | None) -> str:
    if not meta:
        return ""
    name = f"{meta.get('role') or ''} {meta.get('name') or ''}".strip()
    return name + (f" ({meta['ministry']})" if meta.get("ministry") else "")


def document_line(hit: Hit) -> str:
    """ "nr. 1064 (2023-2024) · vraag 8 · Erdmans (JA21) → Minister Helder (VWS) · 2024-02-16"."""
    meta = hit.document
    # The Aanhangsel number, or the Kamer's number of the questions; an opaque id is no number.
    number = f"nr. {meta['number']}" if meta.get("number") else hit.doc_id
    number += f" ({meta['year']})" if meta.get("year") else ""
    people = askers_line(meta)
    answerer = person(meta.get("answered_by"))
    if answerer:
        people = f"{people} → {answerer}".strip()
    parts = [number, questions_label(hit.questions), people, hit_date(meta)]
    return safe(" · ".join(p for p in parts if p))


def title(hit: Hit) -> Content:
    text = hit.document.get("title") or "(geen onderwerp)"
    return highlighted(text, hit.highlights.get("title", []), one_line=True)


def hit_row(hit: Hit) -> Content:
    """Three lines for the results list: subject, document line (with the query's words the
    passage lacks, when it has only most of them), snippet."""
    line = document_line(hit) + (f" · zonder: {safe(', '.join(hit.missing))}" if hit.missing else "")
    return Content("\n").join([title(hit).stylize("bold"), Content(line).stylize("dim"), snippet(hit)])


def citation(hit: Hit) -> str:
    """ "Aanhangsel Handelingen II 2023/24, nr. 1064, antwoord op vraag 8"."""
    return cite({"doc_id": hit.doc_id, **hit.document}, hit.questions)


def passage_text(hit: Hit) -> str:
    """The passage as plain text, for the clipboard."""
    label = hit.label
    out = [citation(hit), ""]
    if hit.question:
        out += [f"Vraag {label}".strip(), safe_block(hit.question), ""]
    if hit.answer:
        out += [
            f"Antwoord {label}".strip() if hit.questions else "Mededeling",
            safe_block(hit.answer),
            "",
        ]
    out += [safe_block(note) for note in hit.notes]
    return "\n".join(out).strip() + "\n"


def safe_block(text: str) -> str:
    return "".join(piece for piece, _ in marked_pieces(text, []))


def official_url(hit: Hit) -> str | None:
    """The document's page on officielebekendmakingen.nl, only when it has the shape kvsearch builds."""
    url = hit.document.get("url") or ""
    return url if OFFICIAL_URL.fullmatch(url) else None


def rehighlight(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Spans of ``words`` (as matched elsewhere in the document) in another passage's text."""
    if not words or not text:
        return []
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
        re.I,
    )
    return [m.span() for m in pattern.finditer(text)]


def matched_words(hit: Hit) -> set[str]:
    words: set[str] = set()
    for field in ("title", "question", "answer"):
        text = hit.document.get("title", "") if field == "title" else getattr(hit, field)
        words.update(text[s:e].lower() for s, e in hit.highlights.get(field, []) if e - s >= 2)
    return words


def search_as_query(text: str, filters: dict[str, str]) -> str:
    """The search on screen as one query of the language: the typed text and the panel's
    filters as fields (``stikstof partij:VVD ministerie:"Landbouw, Visserij …"``)."""
    parts = [" ".join(text.split())]
    for kind, value in filters.items():
        value = " ".join(value.replace('"', "").split())
        quoted = f'"{value}"' if re.search(r'[\s()"]', value) or not value else value
        parts.append(f"{FILTER_FIELDS[kind]}:{quoted}")
    return " ".join(part for part in parts if part)
