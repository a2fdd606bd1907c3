"""Written questions past their term without an answer, as they stood on a given day.

The index keeps one document per Kamer reference (``2024Z18792``): the answer when there is
one, else the notice of delay (kind ``mededeling``), else the questions (kind ``vragen``); the
kept one carries the submission date of the questions. So a question waits on a day when it
was submitted by then and no answer was dated by then, and its term is three weeks from
submission, six when a notice was dated by then. Counting on the documents' own dates makes a
report about a past day the same whenever it is made, also after the answer came in. (A
notice that an answer later replaced is no longer in the index: a past day counts that
question with the three weeks' term.) Documents with the same reference that were not merged
count together.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any, NamedTuple

from kvsearch.follow.matches import documents_matching, iso_day
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, KIND_QUESTIONS

#: The Rules of Procedure's term for a written answer, and the term after a notice of delay.
TERM = timedelta(weeks=3)
TERM_AFTER_NOTICE = timedelta(weeks=6)
_QUESTION_PREFIX = "kv-tk-"
#: Which document of a reference a listing shows: the questions themselves when they are there.
_SHOWN_FIRST = {KIND_QUESTIONS: 0, KIND_NOTICE: 1, KIND_ANSWERED: 2}


class OverdueQuestion(NamedTuple):
    doc_id: str
    reference: str
    title: str
    submitted: date
    due: date
    days_overdue: int
    addressees: list[str]
    askers: list[dict[str, Any]]
    notice: str | None  # the id of the notice of delay, if one was published
    url: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "reference": self.reference,
            "title": self.title,
            "date_submitted": self.submitted.isoformat(),
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "addressees": self.addressees,
            "askers": self.askers,
            "delay_notice": self.notice,
            "url": self.url,
        }


def reference_of(meta: dict[str, Any]) -> str | None:
    """The Kamer reference a question, answer or notice carries (a question's id holds it too)."""
    reference = meta.get("reference")
    if isinstance(reference, str) and reference:
        return reference
    doc_id = str(meta.get("doc_id") or "")
    return doc_id[len(_QUESTION_PREFIX) :] if doc_id.startswith(_QUESTION_PREFIX) else None


class _Case(NamedTuple):
    """What the documents of one reference say: when asked, answered, and a notice given."""

    shown: dict[str, Any]  # the document to show: the questions, else the notice, else the answer
    submitted: date
    answered: date | None
    notice: tuple[str, date | None] | None  # (id, date) of a notice of delay
    doc_ids: frozenset[str]


def overdue_questions(
    *, index_dir: str | os.PathLike[str], as_of: date, ministries: list[str] | None = None
) -> list[OverdueQuestion]:
    """Questions without an answer past their term on ``as_of``, the longest waiting first.

    ``ministries`` narrows them to questions addressed to these ministries (as the
    ``ministerie:`` filter of a search reads them).

    Raises:
        QuerySyntaxError: an unknown ministry.
        IndexMissingError: no usable index.
    """
    documents: dict[str, dict[str, Any]] = {}
    for kind in (KIND_QUESTIONS, KIND_NOTICE, KIND_ANSWERED):
        documents.update(documents_matching(f"soort:{kind}", index_dir=index_dir))
    cases = _cases(documents)
    if ministries:
        # Narrowed by reference, not by document: an answer from another ministry still answers.
        wanted: set[str] = set()
        for name in ministries:
            wanted.update(documents_matching(f"ministerie:{_quoted(name)}", index_dir=index_dir))
        cases = [case for case in cases if wanted & case.doc_ids]
    found = [
        _overdue(case, as_of)
        for case in cases
        if case.submitted <= as_of and not (case.answered and case.answered <= as_of)
    ]
    return sorted(filter(None, found), key=lambda item: (item.submitted, item.doc_id))


def _cases(documents: dict[str, dict[str, Any]]) -> list[_Case]:
    by_reference: dict[str, list[dict[str, Any]]] = {}
    for doc_id, meta in sorted(documents.items()):
        by_reference.setdefault(reference_of(meta) or doc_id, []).append(meta)
    cases = []
    for group in by_reference.values():
        asked = [day for day in (iso_day(meta.get("date_submitted")) for meta in group) if day]
        if not asked:
            continue  # without a submission date there is no term to count
        answers = [iso_day(m.get("date_answered")) or date.max for m in group if m.get("kind") == KIND_ANSWERED]
        notices = [m for m in group if m.get("kind") == KIND_NOTICE]
        shown = min(group, key=lambda meta: _SHOWN_FIRST.get(str(meta.get("kind")), len(_SHOWN_FIRST)))
        notice = (str(notices[0].get("doc_id")), iso_day(notices[0].get("date_answered"))) if notices else None
        doc_ids = frozenset(str(meta.get("doc_id")) for meta in group)
        cases.append(_Case(shown, min(asked), min(answers) if answers else None, notice, doc_ids))
    return cases


def _overdue(case: _Case, as_of: date) -> OverdueQuestion | None:
    notice = case.notice if case.notice and (case.notice[1] is None or case.notice[1] <= as_of) else None
    due = case.submitted + (TERM_AFTER_NOTICE if notice else TERM)
    if as_of <= due:
        return None
    meta = case.shown
    return OverdueQuestion(
        doc_id=str(meta.get("doc_id")),
        reference=reference_of(meta) or "",
        title=str(meta.get("title") or ""),
        submitted=case.submitted,
        due=due,
        days_overdue=(as_of - due).days,
        addressees=list(meta.get("addressees") or []),
        askers=list(meta.get("askers") or []),
        notice=notice[0] if notice else None,
        url=meta.get("url"),
    )


def _quoted(value: str) -> str:
    value = value.replace('"', "")
    return f'"{value}"' if any(c.isspace() for c in value) else value
