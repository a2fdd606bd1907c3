"""Text and JSON output for the CLI. Pure functions over models; no Whoosh, no Textual.

Document text is untrusted: every string from a document goes through :func:`safe` (no
control characters, escapes or bidi tricks) before it reaches a terminal, and colour is added
only by this module, from the highlight spans.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import json
import re
from bisect import bisect_left
from typing import TYPE_CHECKING, Any, NamedTuple

from kvsearch.errors import UsageError
from kvsearch.ingest.safe_text import sanitize
from kvsearch.results import Hit, SearchResult, numbers_label

if TYPE_CHECKING:
    from kvsearch.models import Document


class Style(NamedTuple):
    """ANSI styles, or none at all (pipes, NO_COLOR)."""

    color: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def mark(self, text: str) -> str:
        return self._wrap("1;33", text)

    def label(self, text: str) -> str:
        return self._wrap("36", text)


def safe(text: str) -> str:
    """A document string made safe for a terminal (also collapses newlines and tabs)."""
    return " ".join(sanitize(text).split())


def _safe_run(text: str) -> str:
    """Like :func:`safe`, but keeps a leading/trailing space so pieces can be joined."""
    return re.sub(r"\s+", " ", sanitize(text))


def snippet(text: str, spans: list[tuple[int, int]], style: Style, width: int = 220) -> str:
    """A window of ``text`` around its densest highlights, matched words marked."""
    if not text:
        return ""
    start = 0
    if spans:
        start = max(0, _densest_window_start(spans, width) - width // 4)
        start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    out = []
    position = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(_safe_run(text[position:s]))
        out.append(style.mark(safe(text[s:e])))
        position = e
    out.append(_safe_run(text[position:end]))
    body = _join_pieces(out).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _densest_window_start(spans: list[tuple[int, int]], width: int) -> int:
    """Where the ``width`` characters holding the most span starts begin (the earliest of equals).

    A passage may be one line of tens of thousands of matched words: the count comes from
    binary searches over the sorted starts, so the cost grows as n log n, not n squared.
    """
    starts = sorted(s for s, _ in spans)
    best_start, best_count = starts[0], 0
    for position, start in enumerate(starts):
        if position and start == starts[position - 1]:
            continue
        count = bisect_left(starts, start + width, position) - position
        if count > best_count:
            best_start, best_count = start, count
    return best_start


def _join_pieces(pieces: list[str]) -> str:
    text = "".join(pieces)
    return re.sub(r" {2,}", " ", text)


def _person_party(person: Any) -> str:
    """An asker of a parsed document: "Name (Party)"."""
    return person.name + (f" ({person.party})" if person.party else "")


def _person(meta: dict[str, Any] | None) -> str:
    if not meta:
        return ""
    role = meta.get("role") or ""
    name = meta.get("name") or ""
    ministry = meta.get("ministry")
    return f"{role} {name}".strip() + (f" ({ministry})" if ministry else "")


def askers_line(meta: dict[str, Any]) -> str:
    askers = meta.get("askers") or []
    return ", ".join(a["name"] + (f" ({a['party']})" if a.get("party") else "") for a in askers)


def hit_date(meta: dict[str, Any]) -> str:
    return meta.get("date_answered") or meta.get("date_submitted") or ""


def questions_label(questions: tuple[int, ...] | list[int]) -> str:
    if not questions:
        return ""
    return ("vraag " if len(questions) == 1 else "vragen ") + numbers_label(tuple(questions))


_AANHANGSEL_NUMBER = re.compile(r"\d{1,6}")
_KAMER_NUMBER = re.compile(r"\d{4}Z\d{5}")
_PARLIAMENTARY_YEAR = re.compile(r"(\d{4})-\d{2}(\d{2})")


def official_number(meta: dict[str, Any]) -> str:
    """How a document is cited: "nr. 1064" (its Aanhangsel number), else "Kamervragen 2026Z08811"
    (the Kamer's number of its questions), else its id. Ids are opaque: an answer published as
    ``ah-1251487`` has only its metadata to say which number it is."""
    number = str(meta.get("number") or "")
    if _AANHANGSEL_NUMBER.fullmatch(number) and meta.get("kind") != "vragen":
        return f"nr. {number}"
    reference = next((n for n in (meta.get("reference"), number) if n and _KAMER_NUMBER.fullmatch(str(n))), None)
    if reference:
        return f"Kamervragen {reference}"
    return str(meta.get("doc_id") or number)


def citation(meta: dict[str, Any], questions: tuple[int, ...] | list[int] = ()) -> str:
    """ "Aanhangsel Handelingen II 2023/24, nr. 1064, antwoord op vraag 8"; questions not yet answered
    are cited by the Kamer's number ("Kamervragen 2024Z18792, vraag 3")."""
    asked = questions_label(questions)
    if meta.get("kind") == "vragen":
        cited = official_number(meta)
        cited = cited if cited.startswith("Kamervragen ") else f"Kamervragen {cited}"
        return safe(cited + (f", {asked}" if asked else ""))
    year = _PARLIAMENTARY_YEAR.fullmatch(meta.get("year") or "")
    source = "Aanhangsel Handelingen II" + (f" {year.group(1)}/{year.group(2)}" if year else "")
    what = "mededeling" if meta.get("kind") == "mededeling" else (f"antwoord op {asked}" if asked else "antwoord")
    return safe(f"{source}, {official_number(meta)}, {what}")


def hits_as_text(result: SearchResult, style: Style, *, show_score: bool = True) -> str:
    """The readable listing: per hit subject, id, questions, people, date, score, snippets."""
    lines: list[str] = []
    first_close = len(result.hits) - result.close
    for rank, hit in enumerate(result.hits, start=1):
        if rank == first_close + 1 and result.close:
            lines.append(style.dim(f"Passages with most of the words ({result.close}):"))
            lines.append("")
        meta = hit.document
        title = safe(meta.get("title") or "(geen onderwerp)")
        head = f"{rank}. {style.bold(hit.doc_id)} {style.label(questions_label(hit.questions))}"
        if hit.missing:
            head = f"{head.rstrip()} {style.dim('(zonder: ' + safe(', '.join(hit.missing)) + ')')}"
        lines.append(head.rstrip())
        lines.append(f"   {style.bold(title)}")
        lines.extend(_hit_lines(hit, style, score=show_score))
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def _hit_lines(hit: Hit, style: Style, *, score: bool) -> list[str]:
    """A hit's people, date and status (and score), then its question and answer snippets."""
    meta = hit.document
    people = askers_line(meta)
    answerer = _person(meta.get("answered_by"))
    info = [safe(people) if people else "", f"→ {safe(answerer)}" if answerer else "", hit_date(meta)]
    info.append(unanswered_label(hit))
    if score:
        info.append(f"score {hit.score:.1f}")
    lines = ["   " + style.dim(" · ".join(part for part in info if part))]
    if hit.question:
        lines.append("   V: " + snippet(hit.question, hit.highlights.get("question", []), style))
    if hit.answer:
        label = "Mededeling" if is_notice(hit) else "A"
        lines.append(f"   {label}: " + snippet(hit.answer, hit.highlights.get("answer", []), style))
    return lines


def is_notice(hit: Hit) -> bool:
    """Whether the hit's text is a minister's notice (a delay), not an answer to its questions."""
    return hit.document.get("kind") == "mededeling" and not hit.questions


def unanswered_label(hit: Hit) -> str:
    """What a question without an answer is waiting for, or "" for an answered one."""
    if hit.answer or not hit.questions:
        return ""
    kind = hit.document.get("kind")
    if kind == "vragen":
        return "nog niet beantwoord"
    if kind == "mededeling":
        return "antwoord uitgesteld"
    return ""


COMPACT_FIELDS = "{passage_id}\t{date}\t{score:.2f}\t{askers}\t{title}"


def hit_fields(hit: Hit) -> dict[str, Any]:
    meta = hit.document
    return {
        **{k: safe(str(v)) if isinstance(v, str) else v for k, v in meta.items()},
        "passage_id": hit.passage_id,
        "questions": numbers_label(hit.questions),
        "date": hit_date(meta),
        "score": hit.score,
        "askers": safe(askers_line(meta)),
        "minister": safe(_person(meta.get("answered_by"))),
        "title": safe(meta.get("title") or ""),
        "question": safe(hit.question),
        "answer": safe(hit.answer),
    }


#: What a ``--format`` template may name: the document fields of a ``--json`` line and what
#: :func:`hit_fields` adds. A field a hit lacks (an index from an older version) prints empty.
TEMPLATE_FIELDS = frozenset(
    "doc_id kind number year title askers addressees answered_by co_signers date_submitted date_answered"
    " see_also reference question_id url source source_format notice passage_id questions question answer date score"
    " minister".split()
)
#: The widest field or longest precision a template may ask for: "{title:>999999999}" would
#: build a gigabyte for every hit.
TEMPLATE_MAX_WIDTH = 1000
_NUMBER = re.compile(r"\d+")


def checked_template(template: str) -> str:
    """The ``--format`` template to format hits with (``compact`` spelled out, ``\\t`` a tab).

    Raises:
        UsageError: it does not parse, names a field no hit has, reaches into a field
            (``{title.upper}``, ``{askers[0]}``) or asks for a width over TEMPLATE_MAX_WIDTH.
    """
    if template == "compact":
        template = COMPACT_FIELDS
    template = template.replace("\\t", "\t")
    import string  # only --format needs it, not every search

    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise _bad_template(template, str(error)) from None
    for _text, name, spec, conversion in fields:
        if name is None:
            continue
        spec = spec or ""  # always a string when there is a field name
        if name not in TEMPLATE_FIELDS:
            known = ", ".join(sorted(TEMPLATE_FIELDS))
            raise _bad_template(template, f"no field {{{name}}} (fields: {known})")
        if conversion not in (None, "s", "r", "a"):
            raise _bad_template(template, f"unknown conversion !{conversion}")
        if "{" in spec:
            raise _bad_template(template, f"a field inside the format of {{{name}}}")
        if any(int(number) > TEMPLATE_MAX_WIDTH for number in _NUMBER.findall(spec)):
            raise _bad_template(template, f"a width or precision over {TEMPLATE_MAX_WIDTH} in {{{name}:{spec}}}")
    return template


def _bad_template(template: str, reason: str) -> UsageError:
    return UsageError(f"bad --format template {template!r}: {reason}")


def hits_as_lines(result: SearchResult, template: str) -> str:
    """One line per hit, from a template such as ``{passage_id}\\t{date}\\t{title}``.

    Raises:
        UsageError: the template is not one :func:`checked_template` accepts, or its format
            does not suit its field's value (``{title:x}``).
    """
    template = checked_template(template)
    lines = []
    for hit in result.hits:
        try:
            lines.append(template.format_map(_Missing(hit_fields(hit))))
        except (ValueError, TypeError) as error:
            raise _bad_template(template, str(error)) from None
    return "\n".join(lines)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def hits_as_json(result: SearchResult) -> str:
    """One JSON object per line per hit (the ``--json`` schema in the README)."""
    return "\n".join(json.dumps(hit.to_json(), ensure_ascii=False) for hit in result.hits)


def stats_as_text(data: dict[str, Any]) -> str:
    """``kvsearch stats``: what the index holds (``kvsearch.index_stats``), one count a line."""
    versions = data.get("versions") or {}
    lines = [
        f"index:       {data['index']} ({data['generation']})",
        f"built:       {data['built']} by kvsearch {versions.get('kvsearch')}, analyzer {versions.get('analyzer')} "
        f"({versions.get('stemmer')}), whoosh {versions.get('whoosh')}",
        f"corpus:      {safe(str(data.get('corpus')))}",
        f"documents:   {data['documents']}    passages: {data['passages']}",
    ]
    for title, key in (
        ("by year", "by_year"),
        ("by kind", "by_kind"),
        ("by ministry", "by_ministry"),
        ("by party", "by_party"),
    ):
        lines.append(f"{title}:")
        lines.extend(f"  {count:5d}  {safe(str(name))}" for name, count in data[key].items())
    return "\n".join(lines)


def status_as_text(data: dict[str, Any]) -> str:
    """``kvsearch status``: the live index, the last build and whether one is running
    (``kvsearch.index_status``); the skipped files' names and messages come from documents."""
    versions = data.get("versions") or {}
    last = data.get("last_build") or {}
    lines = [
        f"index:         {safe(data['index'])}",
        f"live:          {data['generation'] or 'none'}"
        + (
            f" (built {data['built']} by kvsearch {versions.get('kvsearch')}, analyzer {versions.get('analyzer')})"
            if data["generation"]
            else ""
        ),
        f"contents:      {data['documents']} documents, {data['passages']} passages"
        if data["generation"]
        else "contents:      -",
        f"rollback to:   {', '.join(data['previous']) or 'nothing'}",
        f"last build:    {last.get('outcome', 'never')} {last.get('finished', '')} "
        f"(exit {last.get('exit_code', '-')}): {safe(last.get('message', ''))}",
        f"build running: {data['build_running'] or 'no'}",
    ]
    if data["generation"] and data["compatible"] is False:
        lines.append("warning:       built by another version; rebuild with: kvsearch index --full")
    skipped = (last.get("report") or {}).get("skipped") or []
    lines.extend(f"skipped:       {safe(p['path'])}: {safe(p['message'])}" for p in skipped)
    return "\n".join(lines)


def passages_as_text(hits: list[Hit], style: Style, width: int = 100, *, one_passage: bool = False) -> str:
    """A whole document (or ``one_passage``, cited with its question numbers) as readable text,
    for ``kvsearch show``."""
    if not hits:
        return ""
    meta = hits[0].document
    out = [style.bold(safe(meta.get("doc_id", ""))) + "  " + safe(meta.get("url") or "")]
    if meta.get("title"):
        out.append(style.bold(safe(meta["title"])))
    people = askers_line(meta)
    if people:
        out.append(f"Vragen van {safe(people)} (ingezonden {meta.get('date_submitted') or '?'})")
    if meta.get("answered_by"):
        heading = "Mededeling" if meta.get("kind") == "mededeling" else "Antwoord"
        out.append(f"{heading} van {safe(_person(meta['answered_by']))} (ontvangen {meta.get('date_answered') or '?'})")
    if meta.get("see_also"):
        out.append("Zie ook: " + ", ".join(safe(s) for s in meta["see_also"]))
    if meta.get("question_id"):
        # The questions' own publication is kept in the answer: ``show <question id>`` lands here.
        out.append(f"Antwoord op de vragen {safe(meta['question_id'])}")
    out.append(style.dim("Citeer als: " + citation(meta, hits[0].questions if one_passage else ())))
    for hit in hits:
        label = numbers_label(hit.questions)
        if hit.question:
            out.append("")
            out.append(style.label(f"Vraag {label}".strip()))
            out.extend(_wrap(hit.question, width))
        if hit.answer:
            out.append("")
            out.append(style.label(f"Antwoord {label}".strip() if hit.questions else "Mededeling"))
            out.extend(_wrap(hit.answer, width))
        for note in hit.notes:
            out.append(style.dim("  " + safe(note)))
    return "\n".join(out)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap  # only for ``kvsearch show``: a one-liner search prints no wrapped passages

    lines: list[str] = []
    for paragraph in sanitize(text).split("\n\n"):
        lines.extend(textwrap.wrap(" ".join(paragraph.split()), width=width) or [""])
        lines.append("")
    return lines[:-1]


def document_outline(document: "Document", style: Style) -> str:
    """The readable outline of ``kvsearch parse`` without ``--json``."""
    a = document.answered_by
    out = [
        f"{style.bold(safe(document.doc_id))}  ({document.kind}, {safe(document.source)})",
        f"  onderwerp:   {safe(document.title or '-')}",
        f"  vragen van:  {safe(', '.join(_person_party(p) for p in document.askers) or '-')}",
        f"  aan:         {safe('; '.join(document.addressees) or '-')}",
        f"  antwoord:    {safe(f'{a.role} {a.name} ({a.ministry})' if a else '-')}",
        f"  ingezonden:  {document.date_submitted or '-'}   ontvangen: {document.date_answered or '-'}",
    ]
    if document.see_also:
        out.append(f"  zie ook:     {', '.join(document.see_also)}")
    for passage in document.passages:
        answer = "(nog geen antwoord)" if not passage.answer else safe(passage.answer)[:70] + "…"
        out.append(f"  [{passage.label or '-'}] {safe(passage.question)[:60]}… → {answer}")
    if document.notice:
        out.append(f"  mededeling:  {safe(document.notice)[:100]}…")
    for warning in document.warnings:
        out.append(style.dim(f"  warning: {safe(warning)}"))
    return "\n".join(out)


def marked_pieces(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut at the highlight spans into pieces safe for a terminal, line breaks kept.

    ``True`` marks a matched word. Front ends that style text themselves (the TUI) build on
    this, so no raw document string ever reaches them.
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans):
        if start < position or end > len(text) or start >= end:
            continue
        if start > position:
            pieces.append((_safe_block(text[position:start]), False))
        pieces.append((_safe_block(text[start:end]), True))
        position = end
    if position < len(text):
        pieces.append((_safe_block(text[position:]), False))
    return [(piece, mark) for piece, mark in pieces if piece]


def _safe_block(text: str) -> str:
    return sanitize(text).replace("\r", "")


# --------------------------------------------------------------------------------------------
# Following topics and deadlines (``watch report``, ``overdue``, ``stats --delays``)


def watch_report_as_text(reports: list[Any], style: Style) -> str:
    """New passages grouped by watch: per passage its id, subject, people, date, text and link.

    ``reports`` are :class:`kvsearch.follow.report.WatchReport`; watches without news are left out.
    """
    lines: list[str] = []
    for report in reports:
        if not report.new:
            continue
        count = len(report.new)
        noun = "new passage" if count == 1 else "new passages"
        lines.append(
            style.bold(f"== {report.watch.name}: {count} {noun}") + style.dim(f"  ({safe(report.watch.query)})")
        )
        lines.append("")
        for hit in report.new:
            lines.extend(_new_passage_lines(hit, style))
            lines.append("")
    return "\n".join(lines).rstrip("\n")


def _new_passage_lines(hit: Hit, style: Style) -> list[str]:
    meta = hit.document
    head = f"{style.bold(hit.passage_id)} {style.label(questions_label(hit.questions))}".rstrip()
    lines = [head, "   " + style.bold(safe(meta.get("title") or "(geen onderwerp)"))]
    lines.extend(_hit_lines(hit, style, score=False))
    if meta.get("url"):
        lines.append("   " + safe(meta["url"]))
    return lines


def watch_report_as_json(reports: list[Any]) -> str:
    """One JSON object per line per new passage: the search ``--json`` line plus ``watch``."""
    return "\n".join(
        json.dumps({"watch": report.watch.name, **hit.to_json()}, ensure_ascii=False)
        for report in reports
        for hit in report.new
    )


def watches_as_text(watches: list[Any]) -> str:
    """``watch list``: name, query, and when it was last reported."""
    width = max((len(watch.name) for watch in watches), default=0)
    return "\n".join(
        f"{watch.name:<{width}}  {safe(watch.query)}  (last report: {watch.reported or 'never'})" for watch in watches
    )


def overdue_as_text(questions: list[Any], as_of: str) -> str:
    """``overdue``: per question the days overdue, id, submission and due date, a delay notice,
    subject, askers and addressees; nothing when no question is overdue."""
    lines = []
    for item in questions:
        delay = f"; delay notice {safe(item.notice)}" if item.notice else ""
        days = "day " if item.days_overdue == 1 else "days"
        lines.append(
            f"{item.days_overdue:4d} {days} overdue  {safe(item.doc_id)}  submitted {item.submitted.isoformat()}, "
            f"due {item.due.isoformat()}{delay}"
        )
        lines.append(f"      {safe(item.title or '(geen onderwerp)')}")
        people = ", ".join(str(a.get("name", "")) + (f" ({a['party']})" if a.get("party") else "") for a in item.askers)
        lines.append(f"      {safe(people) or '?'} → {safe('; '.join(item.addressees)) or '?'}")
    if questions:
        count = len(questions)
        lines.append(f"{count} {'question' if count == 1 else 'questions'} overdue on {as_of}")
    return "\n".join(lines)


def delays_as_text(rows: list[Any], undated: int) -> str:
    """``stats --delays``: per ministry and parliamentary year the answers, median, 90th
    percentile and share answered within three weeks."""
    width = max((len(row.ministry) for row in rows), default=8)
    lines = [f"{'ministry':<{width}}  {'year':<9}  answers  median  p90  within 3 weeks"]
    for row in rows:
        lines.append(
            f"{safe(row.ministry):<{width}}  {row.year:<9}  {row.answers:7d}  {row.median_days:6.1f}  "
            f"{row.p90_days:3d}  {row.within_term:6.0%}"
        )
    if undated:
        lines.append(f"({undated} answers without both dates left out)")
    return "\n".join(lines)
